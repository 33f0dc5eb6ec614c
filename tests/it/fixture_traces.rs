//! The trace readers on the small excerpts in tests/fixtures (no ../shared needed).

use crate::common;

use hybridplan::trace::{self, Format, ReadOptions, TraceSpec, stats};

fn fixture(rel: &str) -> std::path::PathBuf {
    common::root().join("tests/fixtures").join(rel)
}

fn load(format: Format, rel: &str, options: ReadOptions) -> (trace::Trace, stats::TraceStats) {
    let t = trace::load(&TraceSpec::from_path(format, &fixture(rel), options)).unwrap();
    let s = stats::compute(&t.table, t.samples().unwrap(), true, t.notes.clone()).unwrap();
    (t, s)
}

#[test]
fn planetlab_excerpt() {
    let (t, s) = load(
        Format::Planetlab,
        "planetlab-excerpt",
        ReadOptions::default(),
    );
    // One day folder of three files, 288 samples each, all running the whole day.
    assert_eq!((s.vms, s.max_concurrent_vms), (3, 3));
    assert_eq!(s.cpu_util.as_ref().unwrap().count, 864);
    assert_eq!(t.table.groups, ["20110303"]);
    // The first file's mean, computed here straight from the raw percentages.
    let first = &t.table.vms[0];
    let raw =
        std::fs::read_to_string(fixture("planetlab-excerpt/20110303").join(&first.id)).unwrap();
    let pct: Vec<f64> = raw
        .split_whitespace()
        .map(|v| v.parse::<f64>().unwrap() / 100.0)
        .collect();
    let want = pct.iter().sum::<f64>() / pct.len() as f64;
    let got: Vec<f64> = t
        .samples()
        .unwrap()
        .unwrap()
        .map(|s| s.unwrap())
        .filter(|s| s.vm == 0)
        .map(|s| f64::from(s.cpu))
        .collect();
    assert_eq!(got.len(), 288);
    assert!((got.iter().sum::<f64>() / 288.0 - want).abs() < 1e-6);
    // CloudSim's first VM type: 1 vCPU, 870 MB.
    assert_eq!((first.vcpus, first.mem_gib), (1.0, 870.0 / 1024.0));
}

#[test]
fn azure_sample_vmtable() {
    let options = ReadOptions {
        skip_unknown_vms: true,
        ..ReadOptions::default()
    };
    let (t, s) = load(Format::AzureV1, "azure-v1-sample", options);
    assert_eq!(s.vms, 10);
    // Groups are the VM categories, in order of first appearance.
    assert_eq!(
        t.table.groups,
        ["Delay-insensitive", "Interactive", "Unkown"]
    );
    // The first row: 1 core, 1.75 GB, created at 0 and deleted at 2,591,700 s.
    let vm = t
        .table
        .vms
        .iter()
        .find(|v| v.id.starts_with("x/XsOfHO"))
        .unwrap();
    assert_eq!(
        (vm.vcpus, vm.mem_gib, vm.start, vm.end),
        (1.0, 1.75, 0, Some(2_591_700))
    );
    assert!(!t.has_usage());
    assert_eq!(s.notes, ["100 readings of VMs not in the vmtable skipped"]);
}

#[test]
fn google_sample_tasks_and_usage() {
    let (t, s) = load(
        Format::Google2011,
        "google-2011-sample",
        ReadOptions::default(),
    );
    assert_eq!(s.vms, t.table.vms.len() as u64);
    assert!(s.vms > 0 && t.has_usage());
    // Every task of the sample asks for a share of a machine; at 32 cores per 1.0 none is larger
    // than a 32-core machine.
    assert!(t.table.vms.iter().all(|v| v.vcpus > 0.0 && v.vcpus <= 32.0));
}
