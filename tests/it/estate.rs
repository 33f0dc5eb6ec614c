//! Bring your estate (issue 21): an RVTools export imported, right-sized and run end to end.

use crate::common::{Scratch, hybridplan, root};

/// Imports the RVTools fixture with the CLI into `dir`; returns stdout.
fn import(dir: &std::path::Path) -> String {
    let fixture = root().join("tests/fixtures/rvtools");
    let sheets: Vec<String> = ["vInfo", "vCPU", "vMemory", "vDisk", "vHost"]
        .iter()
        .map(|s| {
            fixture
                .join(format!("RVTools_tab{s}.csv"))
                .display()
                .to_string()
        })
        .collect();
    let mut args = vec!["trace", "import", "rvtools"];
    args.extend(sheets.iter().map(String::as_str));
    let out = dir.display().to_string();
    args.extend(["--out", &out]);
    let (code, stdout, stderr) = hybridplan(&args);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

/// The estate scenario copied into `scratch` with its books and a fresh import of the fixture.
fn estate_scenario(scratch: &Scratch) -> std::path::PathBuf {
    let trace = scratch.path().join("scenarios/traces/rvtools-estate");
    let stdout = import(&trace);
    assert!(
        stdout.contains("left out: tpl-vm058 (template)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("60 VMs read, 54 in vms.csv, 90 disks, 4 hosts"),
        "{stdout}"
    );
    // The scenario's committed table is this import.
    let committed = root().join("scenarios/traces/rvtools-estate");
    for f in ["vms.csv", "inventory.csv", "disks.csv", "hosts.csv"] {
        let fresh = std::fs::read_to_string(trace.join(f)).unwrap();
        assert_eq!(
            fresh,
            std::fs::read_to_string(committed.join(f)).unwrap(),
            "{f}"
        );
    }
    for rel in [
        "scenarios/estate-rightsized.toml",
        "scenarios/traces/rvtools-estate/perf.csv",
        "pricing/private-vmware-2s32c.toml",
        "pricing/aws-us-east-1.toml",
    ] {
        scratch.write(rel, &std::fs::read_to_string(root().join(rel)).unwrap());
    }
    scratch.path().join("scenarios/estate-rightsized.toml")
}

#[test]
fn the_rvtools_fixture_imports_right_sizes_and_runs() {
    let scratch = Scratch::new();
    let scenario = estate_scenario(&scratch);
    let out = scratch.path().join("out");
    let (code, stdout, stderr) = hybridplan(&[
        "run",
        &scenario.display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("right-sizing: 24 of 54 VMs"), "{stdout}");
    assert!(
        stdout.contains("5 without performance data kept their size"),
        "{stdout}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["vms"]["placed"], 54);
    let r = &summary["rightsize"];
    assert_eq!(
        (r["vms"].as_u64(), r["resized"].as_u64()),
        (Some(54), Some(24))
    );
    let saving = r["monthly_saving"].as_f64().unwrap();
    let (before, after) = (
        r["monthly_before"].as_f64().unwrap(),
        r["monthly_after"].as_f64().unwrap(),
    );
    assert!((before - after - saving).abs() < 0.011, "{r}");
    // The hand-worked decision (src/summary/rightsize/tests.rs): 4 vCPUs, 8 GiB at P95 CPU
    // 0.4 and memory 0.6 + 20 % -> 1.92 vCPUs, 5.76 GiB: c5.xlarge (124.10 a month) ->
    // m6a.large (63.07), saving 61.03.
    let csv = std::fs::read_to_string(out.join("rightsize.csv")).unwrap();
    let row = csv.lines().find(|l| l.starts_with("prod-vm002,")).unwrap();
    assert_eq!(
        row,
        "prod-vm002,prod,4,8,0.4000,0.6000,1.9200,5.7600,c5.xlarge,m6a.large,2,8,124.10,63.07,61.03,fitted"
    );
    // A VM without data (every tenth of the fixture) keeps its size.
    let kept = csv.lines().find(|l| l.starts_with("prod-vm009,")).unwrap();
    assert!(
        kept.ends_with("no performance data: allocated size kept"),
        "{kept}"
    );
}
