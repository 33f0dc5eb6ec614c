//! Issue 17, first slice: crafted command lines that used to run, price or pick a default
//! silently. Each case must exit 2 with a one-line message that names the option or file, the
//! value and what was expected, and write nothing.

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
            "1000000000000000000",
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
            "in 0..=1000000",
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
            "in -0.99..=10",
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
        name: "a price factor that overflows the total",
        args: &["run", "{scenario}"],
        edit: &[("hosts = 2\n", "hosts = 2\nprice_factor = 1e308\n")],
        expect: &[
            "example-hybrid.toml",
            "venue \"dc-east\" is inf",
            "overflowed",
            "price_factor",
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

/// Two shards of one study, the second edited to lose the last venue of every record (as if
/// run on a scenario with one venue fewer): `merge` used to panic with an index out of bounds
/// in the statistics; it must refuse, naming both files and both venue lists.
#[test]
fn merging_shards_of_different_venue_lists_is_bad_input() {
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
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&two).unwrap()).unwrap();
    for r in v["records"].as_array_mut().unwrap() {
        r["metrics"]["venues"].as_array_mut().unwrap().pop();
    }
    std::fs::write(&two, v.to_string()).unwrap();
    let out = scratch.path().join("merged");
    let (one_s, two_s) = (one.to_str().unwrap(), two.to_str().unwrap());
    let (code, _, stderr) = hybridplan(&["merge", one_s, two_s, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    let first = stderr.lines().next().unwrap();
    for want in [
        two_s,
        one_s,
        "[\"dc-east\", \"aws-us-east-1\"]",
        "[\"dc-east\", \"aws-us-east-1\", \"gcp-us-central1\"]",
        "different venue lists",
    ] {
        assert!(first.contains(want), "{want:?} not in {first:?}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists(), "no merged output may be written");
}
