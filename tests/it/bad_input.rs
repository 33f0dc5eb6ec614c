//! Malformed scenarios, price books and traces: each must fail with exit code 2, a message that
//! names the file and the line or key, and no output files.

use crate::common;

use common::{Scratch, copy_example, hybridplan};

/// Copies the example, applies `edit` to one file (a path relative to the scratch root), runs it
/// and returns stderr after checking the exit code and that nothing was written.
fn run_broken(file: &str, edit: impl FnOnce(String) -> String) -> String {
    let scratch = Scratch::new();
    let scenario = copy_example(&scratch);
    let path = scratch.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit to {file} changed nothing");
    std::fs::write(&path, edited).unwrap();
    let out = scratch.path().join("out");
    let (code, stdout, stderr) = hybridplan(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        code, 2,
        "expected exit 2 for bad input; stdout: {stdout}; stderr: {stderr}"
    );
    assert!(
        stdout.is_empty(),
        "nothing should be printed on stdout: {stdout}"
    );
    assert!(!out.exists(), "no output folder may be left behind");
    // Paths in messages are the scratch paths; keep what follows the scratch root.
    stderr.replace(&format!("{}/", scratch.path().display()), "")
}

fn replace_line(text: &str, line: usize, new: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines[line - 1] = new;
    lines.join("\n") + "\n"
}

#[test]
fn scenario_typo_in_a_key() {
    let err = run_broken("scenarios/example-hybrid.toml", |t| {
        t.replace("horizon = ", "horizn = ")
    });
    assert!(
        err.starts_with("error: scenarios/example-hybrid.toml:7: unknown field `horizn`"),
        "{err}"
    );
}

#[test]
fn scenario_duration_without_a_known_unit() {
    let err = run_broken("scenarios/example-hybrid.toml", |t| {
        t.replace("\"30d\"", "\"30x\"")
    });
    assert!(
        err.starts_with(
            "error: scenarios/example-hybrid.toml:7: duration \"30x\" has unknown unit \"x\""
        ),
        "{err}"
    );
}

#[test]
fn scenario_private_venue_without_hosts() {
    let err = run_broken("scenarios/example-hybrid.toml", |t| {
        t.replace("hosts = 2\n", "")
    });
    assert_eq!(
        err,
        "error: scenarios/example-hybrid.toml: key `venues[0].hosts`: a private venue needs a host count, e.g. hosts = 8\n"
    );
}

#[test]
fn scenario_names_a_missing_book() {
    let err = run_broken("scenarios/example-hybrid.toml", |t| {
        t.replace("aws-us-east-1.toml", "aws-us-east-9.toml")
    });
    assert_eq!(
        err,
        "error: scenarios/../pricing/aws-us-east-9.toml: file not found\n"
    );
}

#[test]
fn scenario_mixes_currencies_without_a_rate() {
    let err = run_broken("pricing/gcp-us-central1.toml", |t| {
        t.replace("currency = \"USD\"", "currency = \"EUR\"")
    });
    assert!(
        err.starts_with("error: scenarios/example-hybrid.toml: key `venues[2].book`:"),
        "{err}"
    );
    assert!(
        err.contains("is priced in EUR but the scenario reports in USD; add exchange_rates.EUR"),
        "{err}"
    );
}

#[test]
fn book_with_a_negative_price() {
    let err = run_broken("pricing/aws-us-east-1.toml", |t| {
        t.replace("hourly = 0.096", "hourly = -0.096")
    });
    assert_eq!(
        err,
        // m5.large is the 22nd type of the generated book (types in name order).
        "error: scenarios/../pricing/aws-us-east-1.toml: key `public.instances[21].hourly`: price -0.096 must be a finite number >= 0\n"
    );
}

#[test]
fn book_with_an_unknown_billing_granularity() {
    let err = run_broken("pricing/gcp-us-central1.toml", |t| {
        t.replace("\"per-second\"", "\"per-minute\"")
    });
    assert!(err.starts_with("error: scenarios/../pricing/gcp-us-central1.toml: key `public.billing`: \"per-minute\" is not a billing granularity"), "{err}");
}

#[test]
fn book_with_a_string_where_a_number_belongs() {
    let err = run_broken("pricing/private-kvm-2s32c.toml", |t| {
        t.replace("cores = 32", "cores = \"32\"")
    });
    assert!(err.starts_with("error: scenarios/../pricing/private-kvm-2s32c.toml:21: invalid type: string \"32\", expected u32"), "{err}");
}

#[test]
fn trace_vm_ending_before_it_starts() {
    let err = run_broken("scenarios/traces/planetlab-mix/vms.csv", |t| {
        replace_line(&t, 3, "web-01,web,500,100,2,8,50")
    });
    assert_eq!(
        err,
        "error: scenarios/traces/planetlab-mix/vms.csv:3: end_s 100 is not after start_s 500\n"
    );
}

#[test]
fn trace_vm_with_a_non_numeric_size() {
    let err = run_broken("scenarios/traces/planetlab-mix/vms.csv", |t| {
        replace_line(&t, 2, "web-00,web,0,,two,8,50")
    });
    assert_eq!(
        err,
        "error: scenarios/traces/planetlab-mix/vms.csv:2: vcpus \"two\" is not a finite number\n"
    );
}

#[test]
fn trace_duplicate_vm_id() {
    let err = run_broken("scenarios/traces/planetlab-mix/vms.csv", |t| {
        replace_line(&t, 3, "web-00,web,0,,2,8,50")
    });
    assert_eq!(
        err,
        "error: scenarios/traces/planetlab-mix/vms.csv:3: duplicate VM id \"web-00\" (first on line 2)\n"
    );
}

#[test]
fn usage_for_an_unknown_vm() {
    let err = run_broken("scenarios/traces/planetlab-mix/usage.csv", |t| {
        replace_line(&t, 5, "ghost,0,0.5")
    });
    assert_eq!(
        err,
        "error: scenarios/traces/planetlab-mix/usage.csv:5: usage for unknown VM \"ghost\" (not in the VM table)\n"
    );
}

#[test]
fn usage_going_back_in_time() {
    // Line 1000 is in the middle of the file; t_s 0 is earlier than the rows before it.
    let err = run_broken("scenarios/traces/planetlab-mix/usage.csv", |t| {
        replace_line(&t, 1000, "batch-23,0,0.5")
    });
    assert!(
        err.starts_with(
            "error: scenarios/traces/planetlab-mix/usage.csv:1000: t_s 0 goes back in time"
        ),
        "{err}"
    );
}

#[test]
fn usage_given_as_a_percentage() {
    let err = run_broken("scenarios/traces/planetlab-mix/usage.csv", |t| {
        replace_line(&t, 2, "web-00,0,25")
    });
    assert_eq!(
        err,
        "error: scenarios/traces/planetlab-mix/usage.csv:2: cpu_util 25 is outside 0..=1 (a fraction, not a percentage)\n"
    );
}

#[test]
fn usage_utilisation_not_a_number() {
    let err = run_broken("scenarios/traces/planetlab-mix/usage.csv", |t| {
        replace_line(&t, 2, "web-00,0,NaN")
    });
    assert_eq!(
        err,
        "error: scenarios/traces/planetlab-mix/usage.csv:2: cpu_util \"NaN\" is not a finite number\n"
    );
}

#[test]
fn a_missing_scenario_file() {
    let (code, _, stderr) =
        hybridplan(&["run", "scenarios/no-such.toml", "--out", "/nonexistent/x"]);
    assert_eq!(code, 2);
    assert_eq!(stderr, "error: scenarios/no-such.toml: file not found\n");
}

#[test]
fn scenario_unknown_trace_format() {
    let err = run_broken("scenarios/example-hybrid.toml", |t| {
        t.replace("[trace]\n", "[trace]\nformat = \"planetlabs\"\n")
    });
    assert!(err.starts_with("error: scenarios/example-hybrid.toml: key `trace.format`: \"planetlabs\" is not a trace format"), "{err}");
}

#[test]
fn scenario_trace_option_for_another_format() {
    let err = run_broken("scenarios/example-hybrid.toml", |t| {
        t.replace("[trace]\n", "[trace]\ncpu_scale = 16.0\n")
    });
    assert_eq!(
        err,
        "error: scenarios/example-hybrid.toml: key `trace.cpu_scale`: applies only to format google-2011, not canonical\n"
    );
}

#[test]
fn scenario_synthetic_parameter_out_of_range() {
    let err = run_broken("scenarios/example-hybrid.toml", |t| {
        let start = t.find("[trace]").unwrap();
        let end = t.find("# Per-group policies").unwrap();
        format!(
            "{}[trace]\nformat = \"synthetic\"\n[[trace.synthetic.groups]]\nname = \"web\"\ncpu_mean = 2.0\n\n{}",
            &t[..start],
            &t[end..]
        )
    });
    assert_eq!(
        err,
        "error: scenarios/example-hybrid.toml: key `trace.synthetic.groups[0].cpu_mean`: 2 must be a finite number in 0..=1\n"
    );
}
