//! `hybridplan optimize` on the example scenario, as a user runs it.

mod common;

use common::{Scratch, copy_example, hybridplan};

#[test]
fn the_example_plan_is_pinned_and_its_simulation_agrees() {
    let scratch = Scratch::new();
    let out = scratch.path().join("out");
    let (code, stdout, stderr) = hybridplan(&[
        "optimize",
        "scenarios/example-hybrid.toml",
        "--validate",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let plan = std::fs::read_to_string(out.join("example-hybrid.plan.toml")).unwrap();
    insta::assert_snapshot!("example_hybrid_plan", plan);
    let json = std::fs::read_to_string(out.join("optimize.json")).unwrap();
    insta::assert_snapshot!("example_hybrid_optimize", json);
    // The plan simulated (plan-driven placement, the recommended hosts) costs within 2 % of
    // what the model planned, with nothing left unplaced.
    let line = stdout
        .lines()
        .find(|l| l.starts_with("validate:"))
        .expect(&stdout);
    // "validate: simulated total A vs planned B (+D, +P %); ..."
    let pct = line
        .split(", ")
        .nth(1)
        .and_then(|x| x.split(" %").next())
        .unwrap();
    let pct: f64 = pct.trim_start_matches('+').parse().unwrap();
    assert!(pct.abs() <= 2.0, "{line}");
    assert!(line.contains("0 VMs unplaced"), "{line}");
}

#[test]
fn a_group_no_venue_can_hold_is_named() {
    let scratch = Scratch::new();
    let scenario = copy_example(&scratch);
    let vms = scratch
        .path()
        .join("scenarios/traces/planetlab-mix/vms.csv");
    let mut text = std::fs::read_to_string(&vms).unwrap();
    // 1,000 vCPUs: larger than every AWS and GCP type in the books and than a 32-core host.
    text.push_str("huge-0,huge,0,,1000,8000,10\n");
    std::fs::write(&vms, text).unwrap();
    let (code, _, stderr) = hybridplan(&["optimize", scenario.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("no venue can hold group(s) huge"),
        "{stderr}"
    );
}
