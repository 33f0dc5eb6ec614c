//! The trace readers on the real data in ../shared/data/traces: figures cross-checked against an
//! independent computation, the per-day PlanetLab summary pinned, every dataset readable.

use crate::common;

use common::{Scratch, hybridplan};
use hybridplan::trace::{self, Format, ReadOptions, TraceSpec, stats};
use std::path::PathBuf;

fn data(rel: &str) -> PathBuf {
    common::root().join("../shared/data/traces").join(rel)
}

fn stats_of(format: Format, rel: &str, by_day: bool) -> stats::TraceStats {
    let spec = TraceSpec::from_path(format, &data(rel), ReadOptions::default());
    let t = trace::load(&spec).unwrap();
    stats::compute(&t.table, t.samples().unwrap(), by_day, t.notes.clone()).unwrap()
}

/// Expected figures come from tests/crosscheck/trace_stats.py, an independent implementation in
/// Python with numpy (and pyarrow for Parquet) of the conversions the README documents, run as
/// `python3 tests/crosscheck/trace_stats.py ../shared/data/traces`. It printed, for PlanetLab
/// 20110303: vms = 1052, mem_gib = 1274.676758, count = 302976, mean = 0.123144,
/// std_dev = 0.170888, p25 = 0.02, p50 = 0.06, p75 = 0.15, p95 = 0.5, max = 0.99.
#[test]
fn planetlab_day_matches_the_independent_computation() {
    let s = stats_of(Format::Planetlab, "planetlab/20110303", false);
    assert_eq!(
        (s.vms, s.vcpus_requested, s.mem_gib_requested),
        (1052, 1052.0, 1274.676758)
    );
    // Every VM of a day runs the whole day.
    assert_eq!((s.max_concurrent_vms, s.max_concurrent_at_s), (1052, 0));
    let d = s.cpu_util.unwrap();
    assert_eq!(d.count, 302_976); // 1052 files x 288 samples
    let close = |a: f64, b: f64| (a - b).abs() <= 2e-6;
    for (got, want) in [
        (d.mean, 0.123144),
        (d.std_dev, 0.170888),
        (d.min, 0.0),
        (d.p25, 0.02),
        (d.p50, 0.06),
        (d.p75, 0.15),
        (d.p95, 0.5),
        (d.max, 0.99),
    ] {
        assert!(close(got, want), "got {got}, want {want}: {d:?}");
    }
}

/// Same script, for bitbrains-small: vms = 50, vcpus = 194, mem_gib = 583.700571,
/// max_concurrent = 50, count = 276979, mean = 0.127178, std_dev = 0.292165, p25 = 0.004,
/// p50 = 0.012833, p75 = 0.022, p95 = 1.0, max = 1.0.
#[test]
fn bitbrains_matches_the_independent_computation() {
    let s = stats_of(Format::Bitbrains, "bitbrains-small", false);
    assert_eq!(
        (s.vms, s.vcpus_requested, s.mem_gib_requested),
        (50, 194.0, 583.700571)
    );
    assert_eq!(s.max_concurrent_vms, 50);
    let d = s.cpu_util.unwrap();
    assert_eq!(d.count, 276_979);
    let close = |a: f64, b: f64| (a - b).abs() <= 2e-6;
    for (got, want) in [
        (d.mean, 0.127178),
        (d.std_dev, 0.292165),
        (d.p25, 0.004),
        (d.p50, 0.012833),
        (d.p75, 0.022),
        (d.p95, 1.0),
        (d.max, 1.0),
    ] {
        assert!(close(got, want), "got {got}, want {want}: {d:?}");
    }
    // Usage up to 6 % above capacity (measurement noise of busy 4- and 8-core VMs) is clamped.
    assert_eq!(
        s.notes,
        ["19461 fragments above the VM's CPU capacity clamped to 100 %"]
    );
}

#[test]
fn planetlab_per_day_summary_is_pinned() {
    let s = stats_of(Format::Planetlab, "planetlab", true);
    insta::assert_snapshot!(
        "planetlab_by_day",
        serde_json::to_string_pretty(&s).unwrap()
    );
}

#[test]
fn trace_stats_runs_on_every_dataset() {
    let cases: [(&str, &str, &[&str]); 6] = [
        ("planetlab", "planetlab/20110303", &[]),
        (
            "planetlab",
            "planetlab",
            &["--size", "2:4", "--size", "4:8"],
        ),
        ("bitbrains", "bitbrains-small", &["--by-day"]),
        // The sample's readings name no VM of its vmtable (format only), so they are skipped.
        ("azure-v1", "azure-v1-sample", &["--skip-unknown-vms"]),
        ("google-2011", "google-2011-sample", &["--json"]),
        ("canonical", "", &[]),
    ];
    for (format, rel, extra) in cases {
        // The canonical case reads the example trace in this repository.
        let path = if rel.is_empty() {
            common::root().join("scenarios/traces/planetlab-mix")
        } else {
            data(rel)
        };
        let mut args = vec!["trace", "stats", path.to_str().unwrap(), "--format", format];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = hybridplan(&args);
        assert_eq!(code, 0, "{format} {rel}: {stderr}");
        assert!(
            stdout.contains("VMs") || stdout.contains("\"vms\""),
            "{stdout}"
        );
    }
    let (_, stdout, _) = hybridplan(&[
        "trace",
        "stats",
        data("azure-v1-sample").to_str().unwrap(),
        "--format",
        "azure-v1",
        "--skip-unknown-vms",
    ]);
    assert!(
        stdout.contains("note: 100 readings of VMs not in the vmtable skipped"),
        "{stdout}"
    );
}

#[test]
fn convert_to_canonical_keeps_every_figure() {
    let scratch = Scratch::new();
    let out = scratch.path().join("bb");
    let (code, stdout, stderr) = hybridplan(&[
        "trace",
        "convert",
        data("bitbrains-small").to_str().unwrap(),
        "--format",
        "bitbrains",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("wrote") && stdout.contains("(50 VMs)"),
        "{stdout}"
    );
    let direct = stats_of(Format::Bitbrains, "bitbrains-small", true);
    let spec = TraceSpec::from_path(Format::Canonical, &out, ReadOptions::default());
    let t = trace::load(&spec).unwrap();
    let converted = stats::compute(&t.table, t.samples().unwrap(), true, vec![]).unwrap();
    let strip = |mut s: stats::TraceStats| {
        s.notes.clear();
        serde_json::to_string(&s).unwrap()
    };
    assert_eq!(strip(direct), strip(converted));
}

#[test]
fn generate_is_deterministic_and_readable() {
    let scratch = Scratch::new();
    let (a, b) = (scratch.path().join("a"), scratch.path().join("b"));
    for dir in [&a, &b] {
        let (code, _, stderr) = hybridplan(&[
            "trace",
            "generate",
            "--seed",
            "7",
            "--horizon",
            "10d",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
    }
    for f in ["vms.csv", "usage.csv"] {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
    let (code, stdout, stderr) = hybridplan(&[
        "trace",
        "stats",
        a.to_str().unwrap(),
        "--format",
        "canonical",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("group web")
            && stdout.contains("group batch")
            && stdout.contains("group db"),
        "{stdout}"
    );
}
