//! Runs the example scenario the way the README does and pins its outputs.

use crate::common;

use common::{Scratch, hybridplan};

#[test]
fn example_summary_is_pinned() {
    let scratch = Scratch::new();
    let out = scratch.path().join("out");
    let (code, stdout, stderr) = hybridplan(&[
        "run",
        "scenarios/example-hybrid.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(
        stdout.contains("example-hybrid: 30d horizon, policy cheapest"),
        "{stdout}"
    );
    assert!(stdout.contains("wrote"), "{stdout}");
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    insta::assert_snapshot!("example_hybrid_summary", summary);
    let ledger = std::fs::read_to_string(out.join("ledger.csv")).unwrap();
    assert!(
        ledger.starts_with("day,venue,category,rule,amount\n0,dc-east,capex,"),
        "{ledger}"
    );
}

#[test]
fn two_runs_give_identical_bytes() {
    let scratch = Scratch::new();
    let (a, b) = (scratch.path().join("a"), scratch.path().join("b"));
    for dir in [&a, &b] {
        let (code, _, stderr) = hybridplan(&[
            "run",
            "scenarios/example-hybrid.toml",
            "--out",
            dir.to_str().unwrap(),
            "--quiet",
        ]);
        assert_eq!(code, 0, "stderr: {stderr}");
    }
    for file in ["summary.json", "ledger.csv"] {
        let x = std::fs::read(a.join(file)).unwrap();
        let y = std::fs::read(b.join(file)).unwrap();
        assert!(x == y, "{file} differs between two runs");
    }
}

#[test]
fn the_ledger_adds_up_to_the_summary() {
    let scratch = Scratch::new();
    let out = scratch.path().join("out");
    let (code, _, stderr) = hybridplan(&[
        "run",
        "scenarios/example-hybrid.toml",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(code, 0, "stderr: {stderr}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let mut reader = csv::Reader::from_path(out.join("ledger.csv")).unwrap();
    let mut sum = 0.0;
    for row in reader.records() {
        sum += row.unwrap()[4].parse::<f64>().unwrap();
    }
    let total = summary["total"].as_f64().unwrap();
    assert!(
        (sum - total).abs() < 0.01,
        "ledger sums to {sum}, summary says {total}"
    );
}
