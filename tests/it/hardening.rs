//! Issue 17, first slice: crafted command lines that used to run, price or pick a default
//! silently. Each case must exit 2 with a one-line message that names the option or file, the
//! value and what was expected, and write nothing. Crafted shards for `merge` likewise.

use crate::common::{Scratch, copy_example, hybridplan, root};

/// One crafted invocation: `{scenario}` and `{book}` in `args` stand for the copied example
/// scenario (with `edit`'s (from, to) replacements made in it, then `append` added) and a
/// shipped price book, `{usd}` for the example's committed baseline summary and `{eur}` for a
/// copy of it whose currency says EUR, `{dir}` for an empty folder (in `expect` too); every
/// string of `expect` must be in the first line of stderr.
struct Case {
    name: &'static str,
    /// The shipped scenario `{scenario}` copies (with every price book), if not the example.
    file: Option<&'static str>,
    args: &'static [&'static str],
    edit: &'static [(&'static str, &'static str)],
    append: &'static str,
    expect: &'static [&'static str],
}

/// A case that changes nothing in the example scenario.
const PLAIN: Case = Case {
    name: "",
    file: None,
    args: &[],
    edit: &[],
    append: "",
    expect: &[],
};

const CASES: &[Case] = &[
    Case {
        name: "zero replications is not the scenario's default count",
        args: &["run", "{scenario}", "--replications", "0"],
        expect: &["--replications", "\"0\"", "expected 1 to 1000000"],
        ..PLAIN
    },
    Case {
        name: "four billion replications is over the limit",
        args: &["run", "{scenario}", "--replications", "4000000000"],
        expect: &["--replications", "\"4000000000\"", "expected 1 to 1000000"],
        ..PLAIN
    },
    Case {
        name: "negative egress",
        args: &["pricing", "quote", "{book}", "egress", "--gb", "-5"],
        expect: &["gcp-us-central1.toml", "--gb -5", "finite number >= 0"],
        ..PLAIN
    },
    Case {
        name: "NaN egress",
        args: &["pricing", "quote", "{book}", "egress", "--gb", "NaN"],
        expect: &["gcp-us-central1.toml", "--gb NaN", "finite number >= 0"],
        ..PLAIN
    },
    Case {
        name: "infinite hours",
        args: &[
            "pricing", "quote", "{book}", "egress", "--gb", "1", "--hours", "inf",
        ],
        expect: &["gcp-us-central1.toml", "--hours inf", "> 0"],
        ..PLAIN
    },
    Case {
        name: "NaN load",
        args: &[
            "pricing", "quote", "{book}", "egress", "--gb", "1", "--util", "NaN",
        ],
        expect: &["gcp-us-central1.toml", "--util NaN", "in 0..=1"],
        ..PLAIN
    },
    Case {
        name: "negative backup TB",
        args: &["pricing", "quote", "{book}", "egress", "--tb", "-1"],
        expect: &["gcp-us-central1.toml", "--tb -1", "finite number >= 0"],
        ..PLAIN
    },
    Case {
        name: "infinite link size",
        args: &["pricing", "quote", "{book}", "egress", "--mbps", "inf"],
        expect: &["gcp-us-central1.toml", "--mbps inf", "finite number >= 0"],
        ..PLAIN
    },
    Case {
        name: "a scenario asking for four billion replications",
        args: &["run", "{scenario}", "--replications"],
        append: "[uncertainty]\nreplications = 4000000000\n",
        expect: &[
            "example-hybrid.toml",
            "uncertainty.replications",
            "4000000000",
            "limit of 1000000",
        ],
        ..PLAIN
    },
    Case {
        name: "an invented currency",
        args: &["run", "{scenario}"],
        edit: &[("currency = \"USD\"", "currency = \"XYZ\"")],
        expect: &[
            "example-hybrid.toml:10",
            "currency \"XYZ\"",
            "active ISO 4217",
        ],
        ..PLAIN
    },
    Case {
        name: "an exchange rate for an invented currency",
        args: &["run", "{scenario}"],
        append: "[exchange_rates]\nXYZ = 1.1\n",
        expect: &[
            "example-hybrid.toml",
            "exchange_rates.XYZ",
            "\"XYZ\"",
            "active ISO 4217",
        ],
        ..PLAIN
    },
    Case {
        name: "diff of a USD run against a EUR run",
        args: &["diff", "{usd}", "{eur}"],
        expect: &[
            "eur.json",
            "\"EUR\"",
            "\"USD\"",
            "example-hybrid.json",
            "different currencies",
        ],
        ..PLAIN
    },
    Case {
        name: "compare of a EUR run against a USD run",
        args: &["compare", "{eur}", "{usd}"],
        expect: &[
            "eur.json",
            "\"EUR\"",
            "\"USD\"",
            "example-hybrid.json",
            "different currencies",
        ],
        ..PLAIN
    },
    Case {
        name: "a folder given as the scenario",
        args: &["run", "{dir}"],
        expect: &["{dir}", "is a folder; expected a file"],
        ..PLAIN
    },
    Case {
        name: "a folder given as a price book",
        args: &["pricing", "quote", "{dir}", "egress"],
        expect: &["{dir}", "is a folder; expected a file"],
        ..PLAIN
    },
    Case {
        name: "a device given as a summary",
        args: &["compare", "{usd}", "/dev/null"],
        expect: &["/dev/null", "not a regular file", "expected a file"],
        ..PLAIN
    },
    Case {
        name: "a misspelt group table",
        args: &["run", "{scenario}"],
        edit: &[("[groups.web]", "[groups.wbe]")],
        expect: &[
            "example-hybrid.toml",
            "groups.wbe",
            "\"wbe\" is not a group",
            "did you mean \"web\"?",
        ],
        ..PLAIN
    },
    Case {
        name: "four billion hosts",
        args: &["run", "{scenario}"],
        edit: &[("hosts = 2\n", "hosts = 4294967295\n")],
        expect: &[
            "example-hybrid.toml",
            "venues[0].hosts",
            "4294967295",
            "limit of 100000",
        ],
        ..PLAIN
    },
    Case {
        name: "a million HCI scale units",
        file: Some("retail-hci.toml"),
        args: &["run", "{scenario}"],
        edit: &[("nodes = 4\n", "nodes = 4\nunits = 1000000\n")],
        expect: &["retail-hci.toml", "units", "1000000", "limit of 10000"],
        ..PLAIN
    },
    Case {
        name: "four billion autoscaled instances",
        file: Some("private-cloud-year.toml"),
        args: &["run", "{scenario}"],
        edit: &[("max = 200\n", "max = 4000000000\n")],
        expect: &[
            "private-cloud-year.toml",
            "autoscale[0].max",
            "4000000000",
            "limit of 1000000",
        ],
        ..PLAIN
    },
    Case {
        name: "an exabyte to back up",
        file: Some("retail-hci.toml"),
        args: &["run", "{scenario}"],
        edit: &[("protected_tb = 18.0", "protected_tb = 1e18")],
        expect: &[
            "retail-hci.toml",
            "backup.sites[0].protected_tb",
            "1e18",
            "limit of 100000",
        ],
        ..PLAIN
    },
    Case {
        name: "four billion initial VMs",
        file: Some("private-cloud-year.toml"),
        args: &["run", "{scenario}"],
        edit: &[("initial_vms = 150\n", "initial_vms = 4000000000\n")],
        expect: &[
            "private-cloud-year.toml",
            "trace.synthetic.groups[0].initial_vms",
            "4000000000",
            "limit of 1000000",
        ],
        ..PLAIN
    },
    Case {
        name: "an arrival rate of 1e300",
        file: Some("private-cloud-year.toml"),
        args: &["run", "{scenario}"],
        edit: &[("arrivals_per_day = 2.0\n", "arrivals_per_day = 1e300\n")],
        expect: &[
            "private-cloud-year.toml",
            "groups[0].arrivals_per_day",
            "1e300",
            "limit of 1000000",
        ],
        ..PLAIN
    },
    Case {
        name: "growth of 1e300 a month",
        file: Some("private-cloud-year.toml"),
        args: &["run", "{scenario}"],
        edit: &[("growth_per_month = 0.04\n", "growth_per_month = 1e300\n")],
        expect: &[
            "private-cloud-year.toml",
            "groups[0].growth_per_month",
            "1e300",
            "limit of 10",
        ],
        ..PLAIN
    },
    Case {
        name: "a synthetic trace of 100,000 years",
        args: &[
            "trace",
            "generate",
            "--horizon",
            "100000y",
            "--out",
            "{dir}/gen",
        ],
        expect: &["horizon", "100000y", "limit of 10y"],
        ..PLAIN
    },
    Case {
        name: "a price factor that would overflow the total",
        args: &["run", "{scenario}"],
        edit: &[("hosts = 2\n", "hosts = 2\nprice_factor = 1e308\n")],
        expect: &[
            "example-hybrid.toml",
            "venues[0].price_factor",
            "1e308",
            "limit of 1000",
        ],
        ..PLAIN
    },
];

#[test]
fn every_crafted_command_line_is_bad_input() {
    for case in CASES {
        let scratch = Scratch::new();
        let mut scenario = copy_example(&scratch);
        if let Some(file) = case.file {
            for book in std::fs::read_dir(root().join("pricing")).unwrap() {
                let book = book.unwrap().path();
                if !book.is_file() {
                    continue; // pricing/base/: the importer's bases, not books
                }
                let rel = format!("pricing/{}", book.file_name().unwrap().to_str().unwrap());
                scratch.write(&rel, &std::fs::read_to_string(&book).unwrap());
            }
            let text = std::fs::read_to_string(root().join("scenarios").join(file)).unwrap();
            scenario = scratch.write(&format!("scenarios/{file}"), &text);
        }
        let mut text = std::fs::read_to_string(&scenario).unwrap();
        for (from, to) in case.edit {
            assert!(
                text.contains(from),
                "{}: {from:?} not in the example",
                case.name
            );
            text = text.replacen(from, to, 1);
        }
        std::fs::write(&scenario, text + case.append).unwrap();
        let book = root().join("pricing/gcp-us-central1.toml");
        let usd = root().join("scenarios/baselines/example-hybrid.json");
        let usd_text = std::fs::read_to_string(&usd).unwrap();
        let eur_text = usd_text.replace("\"currency\": \"USD\"", "\"currency\": \"EUR\"");
        let eur = scratch.write("eur.json", &eur_text);
        let out = scratch.path().join("out");
        let dir = scratch.path().join("folder");
        std::fs::create_dir(&dir).unwrap();
        let mut args: Vec<String> = case
            .args
            .iter()
            .map(|a| match *a {
                "{scenario}" => scenario.display().to_string(),
                "{book}" => book.display().to_string(),
                "{usd}" => usd.display().to_string(),
                "{eur}" => eur.display().to_string(),
                "{dir}" => dir.display().to_string(),
                "{dir}/gen" => dir.join("gen").display().to_string(),
                a => a.to_string(),
            })
            .collect();
        if args[0] == "run" {
            args.extend(["--out".to_string(), out.display().to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = hybridplan(&args);
        let first = stderr.lines().next().unwrap_or_default();
        assert_eq!(code, 2, "{}: stdout {stdout}; stderr {stderr}", case.name);
        assert!(stdout.is_empty(), "{}: stdout {stdout}", case.name);
        assert!(first.starts_with("error: "), "{}: {stderr}", case.name);
        for want in case.expect {
            let want = &want.replace("{dir}", &dir.display().to_string());
            assert!(
                first.contains(want),
                "{}: {want:?} not in {first:?}",
                case.name
            );
        }
        assert!(!out.exists(), "{}: an output folder was left", case.name);
    }
}

/// One crafted `merge`: `edit` changes the second shard's JSON (as text, then as a value), and
/// `files` picks the shards given, by number (2 is the edited one); every string of `expect`
/// must be in the first line of stderr, `{1}`/`{2}` standing for the shards' paths.
struct MergeCase {
    name: &'static str,
    files: &'static [usize],
    text: fn(String) -> String,
    edit: fn(&mut serde_json::Value),
    expect: &'static [&'static str],
}

fn same(t: String) -> String {
    t
}

fn keep(_: &mut serde_json::Value) {}

const MERGES: &[MergeCase] = &[
    MergeCase {
        name: "shards of different venue lists (used to panic in the statistics)",
        files: &[1, 2],
        text: same,
        edit: |v| {
            for r in v["records"].as_array_mut().unwrap() {
                r["metrics"]["venues"].as_array_mut().unwrap().pop();
            }
        },
        expect: &[
            "{2}",
            "{1}",
            "[\"dc-east\", \"aws-us-east-1\"]",
            "[\"dc-east\", \"aws-us-east-1\", \"gcp-us-central1\"]",
            "different venue lists",
        ],
    },
    MergeCase {
        name: "a USD shard and a EUR shard",
        files: &[1, 2],
        text: same,
        edit: |v| v["header"]["currency"] = "EUR".into(),
        expect: &["{2}", "\"EUR\"", "{1}", "\"USD\"", "different currencies"],
    },
    MergeCase {
        name: "a shard of another version of the scenario",
        files: &[1, 2],
        text: same,
        edit: |v| v["scenario_hash"] = "fnv1a64:0000000000000000".into(),
        expect: &[
            "{2}",
            "another scenario text than {1}",
            "fnv1a64:0000000000000000",
        ],
    },
    MergeCase {
        name: "a truncated shard",
        files: &[1, 2],
        text: |t| t[..t.len() / 2].to_string(),
        edit: keep,
        expect: &["{2}", "not a shard's result"],
    },
    MergeCase {
        name: "a shard that is not JSON",
        files: &[1, 2],
        text: |_| "hello\n".to_string(),
        edit: keep,
        expect: &["{2}", "not a shard's result"],
    },
    MergeCase {
        name: "a shard without its scenario hash",
        files: &[1, 2],
        text: same,
        edit: |v| {
            v.as_object_mut().unwrap().remove("scenario_hash");
        },
        expect: &["{2}", "scenario_hash"],
    },
    MergeCase {
        name: "one shard given twice",
        files: &[1, 1],
        text: same,
        edit: keep,
        expect: &["{1}", "is shard 1/2, as {1} is: shards overlap"],
    },
    MergeCase {
        name: "a shard of another split",
        files: &[1, 2],
        text: same,
        edit: |v| v["shard"] = "2/3".into(),
        expect: &["{2}", "is shard 2/3 but {1} is one of 2 shards"],
    },
    MergeCase {
        name: "a shard numbered 0",
        files: &[1, 2],
        text: same,
        edit: |v| v["shard"] = "0/2".into(),
        expect: &["{2}", "\"0/2\" is not K/N"],
    },
    MergeCase {
        name: "a shard that lost a record",
        files: &[1, 2],
        text: same,
        edit: |v| {
            v["records"].as_array_mut().unwrap().pop();
        },
        expect: &["{2}", "holds 0 items [] but shard 2/2", "holds 1"],
    },
    MergeCase {
        name: "a shard holding another shard's item",
        files: &[1, 2],
        text: same,
        edit: |v| v["records"][0]["index"] = 0.into(),
        expect: &[
            "{2}",
            "holds 1 items [0] but shard 2/2",
            "incomplete or corrupt",
        ],
    },
    MergeCase {
        name: "a shard claiming four billion replications",
        files: &[2],
        text: same,
        edit: |v| v["header"]["replications"] = 4_000_000_000u64.into(),
        expect: &["{2}", "more than 10000000 items", "corrupt"],
    },
    MergeCase {
        name: "a shard of another seed",
        files: &[1, 2],
        text: same,
        edit: |v| v["header"]["seed"] = 7.into(),
        expect: &["{2}", "another study than {1}"],
    },
    MergeCase {
        name: "a missing shard",
        files: &[1],
        text: same,
        edit: keep,
        expect: &["{1}", "1 of 2 items", "missing [1]"],
    },
];

/// Two shards of one two-replication study, then each crafted merge of them: every one must
/// exit 2 naming the file and what is wrong, write nothing, and never panic.
#[test]
fn crafted_shards_are_refused_before_merging() {
    let scratch = Scratch::new();
    let scenario = copy_example(&scratch);
    let text = std::fs::read_to_string(&scenario).unwrap();
    std::fs::write(&scenario, text + "[uncertainty]\nreplications = 2\n").unwrap();
    let s = scenario.to_str().unwrap();
    let shard = |k: &str| {
        let out = scratch.path().join(format!("s{k}"));
        let spec = format!("{k}/2");
        let args = [
            "run",
            s,
            "--replications",
            "--shard",
            &spec,
            "--quiet",
            "--out",
        ];
        let (code, _, stderr) = hybridplan(&[&args[..], &[out.to_str().unwrap()]].concat());
        assert_eq!(code, 0, "{stderr}");
        out.join(format!("replications.shard-{k}-of-2.json"))
    };
    let (one, two) = (shard("1"), shard("2"));
    let original = std::fs::read_to_string(&two).unwrap();
    for case in MERGES {
        let mut text = (case.text)(original.clone());
        if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&text) {
            (case.edit)(&mut v);
            text = v.to_string();
        }
        std::fs::write(&two, text).unwrap();
        let paths = [one.to_str().unwrap(), two.to_str().unwrap()];
        let out = scratch.path().join("merged");
        let mut args = vec!["merge", "--out", out.to_str().unwrap()];
        args.extend(case.files.iter().map(|i| paths[i - 1]));
        let (code, stdout, stderr) = hybridplan(&args);
        let first = stderr.lines().next().unwrap_or_default();
        assert_eq!(code, 2, "{}: {stdout} {stderr}", case.name);
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.name);
        for want in case.expect {
            let want = want.replace("{1}", paths[0]).replace("{2}", paths[1]);
            assert!(
                first.contains(&want),
                "{}: {want:?} not in {first:?}",
                case.name
            );
        }
        assert!(
            !out.exists(),
            "{}: no merged output may be written",
            case.name
        );
    }
}
