//! Arbitrary bytes fed to every CSV-style reader: each must answer Ok or an error, never panic.

use crate::common;

use common::Scratch;
use hybridplan::trace::{self, Format, ReadOptions, TraceSpec, UsageReader, read_vms};
use proptest::prelude::*;
use std::path::Path;

/// Bytes that look enough like CSV to get past the header now and then.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        "id,group,start_s,end_s,vcpus,mem_gib,disk_gib\n",
        "id,t_s,cpu_util\n",
        "a",
        "0",
        "1",
        ",",
        "\n",
        "\"",
        "-",
        ".",
        "1e9",
        "NaN",
        "99999999999999999999",
        "18446744073709551615",
        "9223372036854775807",
        "-9223372036854775808",
        "vm1",
        "\u{0}",
        "\u{ff}",
        ">24",
        "#",
        " ",
        "0.5",
    ]);
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        prop::collection::vec(pieces, 0..60).prop_map(|p| p.concat().into_bytes()),
    ]
}

/// Loads a trace of `format` from `dir` and reads every sample; any error is fine.
fn load_all(format: Format, dir: &Path) {
    if let Ok(t) = trace::load(&TraceSpec::from_path(format, dir, ReadOptions::default()))
        && let Ok(Some(samples)) = t.samples()
    {
        for s in samples {
            if s.is_err() {
                break;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn canonical_readers_never_panic(vms in csvish(), usage in csvish()) {
        let _ = read_vms(&vms[..], Path::new("vms.csv"));
        let table = read_vms(&b"id,group,start_s,end_s,vcpus,mem_gib,disk_gib\nvm1,g,0,,1,1,0\na,g,0,10,2,2,0\n"[..], Path::new("vms.csv")).unwrap();
        if let Ok(reader) = UsageReader::new(&usage[..], Path::new("usage.csv"), &table) {
            for s in reader {
                if s.is_err() {
                    break;
                }
            }
        }
    }

    #[test]
    fn file_format_readers_never_panic(a in csvish(), b in csvish()) {
        let s = Scratch::new();
        s.write("pl/vm1", &String::from_utf8_lossy(&a));
        std::fs::write(s.path().join("pl/vm2"), &b).unwrap();
        load_all(Format::Planetlab, &s.path().join("pl"));
        std::fs::create_dir_all(s.path().join("az")).unwrap();
        std::fs::write(s.path().join("az/vmtable.csv"), &a).unwrap();
        std::fs::write(s.path().join("az/vm_cpu_readings.csv"), &b).unwrap();
        load_all(Format::AzureV1, &s.path().join("az"));
        std::fs::create_dir_all(s.path().join("g")).unwrap();
        std::fs::write(s.path().join("g/task_events.csv"), &a).unwrap();
        std::fs::write(s.path().join("g/task_usage.csv"), &b).unwrap();
        load_all(Format::Google2011, &s.path().join("g"));
        std::fs::create_dir_all(s.path().join("bb")).unwrap();
        std::fs::write(s.path().join("bb/tasks.parquet"), &a).unwrap();
        std::fs::write(s.path().join("bb/fragments.parquet"), &b).unwrap();
        load_all(Format::Bitbrains, &s.path().join("bb"));
    }
}
