//! Confinement and whole outputs (issue 17, items 4 and 5): output folders come only from the
//! command line and checked scenario names; errors never echo a file beyond the offending token;
//! names reach spreadsheets and terminals neutralised; an output folder is written as a unit
//! under a lock, so a killed run leaves the old complete output and a concurrent run refuses.

use crate::common::{Scratch, copy_example, hybridplan, hybridplan_in, spawn_hybridplan};
use std::path::{Path, PathBuf};

/// Runs the example (copied into `scratch`) after `edit`, in the scratch folder, without --out.
fn run_edited(scratch: &Scratch, edit: impl FnOnce(String) -> String) -> (i32, String, String) {
    let scenario = copy_example(scratch);
    let text = std::fs::read_to_string(&scenario).unwrap();
    std::fs::write(&scenario, edit(text)).unwrap();
    hybridplan_in(scratch.path(), &["run", scenario.to_str().unwrap()])
}

/// The names in a folder, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The `total` of a folder's summary.json and the sum of its ledger.csv's amounts.
fn total_and_ledger_sum(dir: &Path) -> (f64, f64) {
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let mut reader = csv::Reader::from_path(dir.join("ledger.csv")).unwrap();
    let sum = reader
        .records()
        .map(|r| r.unwrap()[4].parse::<f64>().unwrap())
        .sum();
    (summary["total"].as_f64().unwrap(), sum)
}

/// A folder holds one run's complete output: its total equals its ledger's sum (amounts have
/// six decimals, so the sum of thousands of rows is within 0.01 of the unrounded total).
fn assert_complete(dir: &Path) -> String {
    let (total, sum) = total_and_ledger_sum(dir);
    assert!(
        (total - sum).abs() < 0.01,
        "total {total} but ledger sums to {sum}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    summary["scenario"].as_str().unwrap().to_string()
}

#[test]
fn a_scenario_name_cannot_leave_the_reports_folder() {
    // TOML escapes (as Rust literals): "\\\\" is one backslash, "\\u0000" NUL, "\\u001b" ESC.
    for name in [
        "..",
        "../escaped",
        "a/b",
        "a\\\\b",
        ".hidden",
        "a\\u0000b",
        "a\\u001b[2Jb",
    ] {
        let scratch = Scratch::new();
        let (code, stdout, stderr) = run_edited(&scratch, |t| {
            t.replace("name = \"example-hybrid\"", &format!("name = \"{name}\""))
        });
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stdout.is_empty(), "{name}: {stdout}");
        assert!(
            stderr.contains("key `name`: \"")
                && stderr.contains("\" is not allowed: use 1 to 100 ASCII letters, digits, '-', '_' and '.', starting with a letter or digit (it names the output folder)"),
            "{name}: {stderr}"
        );
        assert!(
            !stderr.contains(['\u{1b}', '\0']),
            "{name}: raw control character in {stderr:?}"
        );
        // Nothing written: only the copied inputs are in the scratch folder, nothing beside it.
        assert_eq!(listing(scratch.path()), ["pricing", "scenarios"], "{name}");
    }
    let scratch = Scratch::new();
    let (_, _, stderr) = run_edited(&scratch, |t| {
        t.replace(
            "name = \"example-hybrid\"",
            "name = \"x\\u001b]0;owned\\u0007\"",
        )
    });
    assert!(
        stderr.contains("key `name`: \"x\\u{1b}]0;owned\\u{7}\" is not allowed"),
        "{stderr}"
    );
}

#[test]
fn venues_that_would_share_a_chart_file_are_refused_naming_both() {
    let scratch = Scratch::new();
    let (code, _, stderr) = run_edited(&scratch, |t| {
        t + "\n[[venues]]\nname = \"DC east\"\nbook = \"../pricing/private-kvm-2s32c.toml\"\nhosts = 1\n"
    });
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.ends_with("scenarios/example-hybrid.toml: key `venues[3].name`: \"DC east\" and venues[0].name \"dc-east\" both make the chart file site-dc-east.svg; rename one so they differ in letters or digits\n"),
        "{stderr}"
    );
}

/// Runs the example into `scratch/<folder>` and returns that folder.
fn example_into(scratch: &Scratch, folder: &str) -> PathBuf {
    let scenario = copy_example(scratch);
    let out = scratch.path().join(folder);
    let (code, _, stderr) = hybridplan(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(code, 0, "{stderr}");
    out
}

/// Rewrites the `scenario` field of a JSON file.
fn set_scenario(path: &Path, key: &[&str], value: &str) {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut at = &mut v;
    for k in key {
        at = &mut at[*k];
    }
    *at = serde_json::Value::from(value);
    std::fs::write(path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

#[test]
fn compare_takes_its_default_folder_from_the_command_line_not_the_files() {
    let scratch = Scratch::new();
    let a = example_into(&scratch, "a");
    let b = scratch.path().join("b");
    std::fs::create_dir(&b).unwrap();
    std::fs::copy(a.join("summary.json"), b.join("summary.json")).unwrap();
    // The old default, reports/compare-<A's scenario>-vs-<B's scenario>, would have been
    // reports/compare-example-hybrid-vs-/../../escaped = <scratch>/escaped.
    set_scenario(&b.join("summary.json"), &["scenario"], "/../../escaped");
    let (code, _, stderr) = hybridplan_in(
        scratch.path(),
        &["compare", "a/summary.json", "b", "--report", "html"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(!scratch.path().join("escaped").exists());
    let page = scratch.path().join("reports/compare-a-vs-b");
    assert!(page.join("index.html").is_file(), "{:?}", listing(&page));
}

#[test]
fn merge_writes_beside_its_shards_whatever_the_files_say() {
    let scratch = Scratch::new();
    let shards = scratch.path().join("shards");
    for k in ["1/2", "2/2"] {
        let (code, _, stderr) = hybridplan(&[
            "run",
            "scenarios/synthetic-growth.toml",
            "--replications",
            "4",
            "--shard",
            k,
            "--out",
            shards.to_str().unwrap(),
            "-q",
        ]);
        assert_eq!(code, 0, "{stderr}");
    }
    for k in [1, 2] {
        let file = shards.join(format!("replications.shard-{k}-of-2.json"));
        // Before, merge wrote to reports/<header.scenario> = <scratch>/escaped.
        set_scenario(&file, &["header", "scenario"], "../escaped");
    }
    let (code, _, stderr) = hybridplan_in(
        scratch.path(),
        &[
            "merge",
            "shards/replications.shard-1-of-2.json",
            "shards/replications.shard-2-of-2.json",
            "-q",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(listing(scratch.path()), ["shards"]);
    assert_eq!(
        listing(&shards),
        [
            "replications.json",
            "replications.shard-1-of-2.json",
            "replications.shard-2-of-2.json"
        ]
    );
}

#[test]
fn an_error_shows_at_most_the_offending_token_of_a_file() {
    let scratch = Scratch::new();
    // A "trace" whose first line is one long token with a secret past the first 64 characters,
    // and a second line that is all secret.
    let line1 = format!("SHELL=/bin/bash {}TOKEN=hunter2", "y".repeat(60));
    let vms = scratch.write("t/vms.csv", &format!("{line1}\nPASSWORD=swordfish\n"));
    let dir = vms.parent().unwrap().to_str().unwrap();
    let (code, _, stderr) = hybridplan(&["trace", "stats", dir, "--format", "canonical"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        !stderr.contains("hunter2") && !stderr.contains("swordfish"),
        "{stderr}"
    );
    // 16 + 60 + 13 = 89 characters: 64 shown, 25 counted.
    let shown = format!(
        "unknown column \"SHELL=/bin/bash {}\" (+25 more characters)",
        "y".repeat(48)
    );
    assert!(stderr.contains(&shown), "{stderr}");

    // A scenario that is not TOML: toml's own message is a line, never the file's text.
    let bad = scratch.write(
        "bad.toml",
        "name = \"x\"\nSECRET hunter2 and more\nPASSWORD=swordfish\n",
    );
    let (code, _, stderr) = hybridplan(&["run", bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        !stderr.contains("hunter2") && !stderr.contains("swordfish"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_trace_pointed_at_the_environment_does_not_print_it() {
    // The environment is NUL-separated; with the variables sorted, A_FIRST comes first and is
    // longer than a token is shown.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hybridplan"))
        .args([
            "trace",
            "stats",
            "/proc/self/environ",
            "--format",
            "canonical",
        ])
        .env_clear()
        .env("A_FIRST", "x".repeat(70))
        .env("SECRET_TOKEN", "hunter2")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        !stderr.contains("hunter2") && !stderr.contains('\0'),
        "{stderr:?}"
    );
    assert!(
        stderr.contains(&format!("\"A_FIRST={}\" (+", "x".repeat(56))),
        "{stderr}"
    );
}

#[test]
fn names_reach_spreadsheets_as_text_and_terminals_escaped() {
    let scratch = Scratch::new();
    let scenario = copy_example(&scratch);
    let text = std::fs::read_to_string(&scenario).unwrap();
    // A venue name that is a formula with a terminal title sequence in it (TOML escapes).
    let evil = "=HYPERLINK(\\\"http://x\\\")\\u001b]0;owned\\u0007";
    std::fs::write(
        &scenario,
        text.replace("\"dc-east\"", &format!("\"{evil}\"")),
    )
    .unwrap();
    let out = scratch.path().join("out");
    let (code, stdout, stderr) = hybridplan(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
    assert!(
        stdout.contains("=HYPERLINK(\"http://x\")\\u{1b}]0;owned\\u{7}"),
        "{stdout}"
    );
    let mut reader = csv::Reader::from_path(out.join("ledger.csv")).unwrap();
    let venues: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[1].to_string())
        .collect();
    let name = "=HYPERLINK(\"http://x\")\u{1b}]0;owned\u{7}";
    assert!(venues.contains(&format!("'{name}")), "{venues:?}");
    assert!(venues.iter().all(|v| !v.starts_with(['=', '+', '-', '@'])));
    // Amounts are numbers, written as numbers: the ledger still sums to the total.
    assert_complete(&out);
}

/// Waits until the staging folder of run `child` beside `out` exists (no time limit: it appears
/// before the simulation starts); fails if the run ends first.
fn wait_for_staging(out: &Path, child: &mut std::process::Child) -> PathBuf {
    let name = out.file_name().unwrap().to_string_lossy();
    let stage = out.with_file_name(format!(".{name}.hybridplan-tmp-{}", child.id()));
    while !stage.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before its staging folder appeared");
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    stage
}

/// Sends `signal` (STOP, CONT) to process `pid`.
fn signal(pid: u32, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// A run slow enough to be stopped midway: a year of 80 hosts (about a second of CPU in a
/// debug build), with its page.
fn start_slow_run(out: &Path) -> std::process::Child {
    spawn_hybridplan(&[
        "run",
        "scenarios/private-cloud-year.toml",
        "--report",
        "html",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ])
}

#[cfg(unix)]
#[test]
fn a_killed_run_leaves_the_old_complete_output_and_the_next_run_cleans_up() {
    let scratch = Scratch::new();
    let runs = scratch.path().join("runs");
    std::fs::create_dir(&runs).unwrap();
    let out = runs.join("out");
    let scenario = copy_example(&scratch);
    let example = |out: &Path| {
        hybridplan(&[
            "run",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ])
    };
    assert_eq!(example(&out).0, 0);
    let before = std::fs::read(out.join("summary.json")).unwrap();

    // Deterministic: the run is stopped as soon as its staging folder appears (long before its
    // simulation ends), checked to be still staging, and killed.
    let mut child = start_slow_run(&out);
    let stage = wait_for_staging(&out, &mut child);
    signal(child.id(), "STOP");
    assert!(
        stage.exists(),
        "the run finished before it could be stopped"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // The old output is whole and untouched; the killed run's staging folder and lock remain.
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
    assert_eq!(assert_complete(&out), "example-hybrid");
    assert_eq!(listing(&out), ["ledger.csv", "summary.json"]);
    assert!(stage.exists());
    assert!(runs.join(".out.hybridplan-lock").exists());

    // The next run takes over the dead run's lock, removes its staging folder and leaves
    // nothing but its own complete output.
    let (code, _, stderr) = example(&out);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(listing(&runs), ["out"]);
    assert_eq!(listing(&out), ["ledger.csv", "summary.json"]);
    assert_complete(&out);
}

#[cfg(unix)]
#[test]
fn a_second_run_into_a_locked_folder_refuses_and_the_first_completes() {
    let scratch = Scratch::new();
    let out = scratch.path().join("out");
    let scenario = copy_example(&scratch);
    let mut first = start_slow_run(&out);
    let pid = first.id();
    wait_for_staging(&out, &mut first);
    // Stopped, the first run surely holds the lock while the second one tries.
    signal(pid, "STOP");
    let (code, stdout, stderr) = hybridplan(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    signal(pid, "CONT");
    assert_eq!(code, 2, "{stdout}{stderr}");
    let lock = scratch.path().join(".out.hybridplan-lock");
    assert_eq!(
        stderr,
        format!(
            "error: {}: is being written by another hybridplan run (pid {pid}, lock {}); wait for it to finish or choose another --out (if no such run exists, remove the lock file)\n",
            out.display(),
            lock.display()
        )
    );
    assert!(first.wait().unwrap().success());
    // The folder is the first run's complete output, and nothing is left beside it.
    assert_eq!(assert_complete(&out), "private-cloud-year");
    assert!(out.join("index.html").is_file());
    assert_eq!(listing(scratch.path()), ["out", "pricing", "scenarios"]);
}
