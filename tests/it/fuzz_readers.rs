//! Fuzz targets for the trace readers (README, "Fuzzing"): arbitrary and CSV-like bytes fed to
//! every format's reader, plain and gzip, and the shipped Bitbrains Parquet files with bytes
//! changed. Each must answer Ok or an error naming a file, never panic; case count and seed as
//! in `fuzz_documents`.

use crate::common;
use crate::fuzz_documents::{fuzz_config, mutate, mutations};

use common::{Scratch, root};
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
        "\r\n",
        "1e300",
        "-1",
        "4294967296",
        "web,web,0,,1e300,8,50\n",
    ]);
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        prop::collection::vec(pieces, 0..60).prop_map(|p| p.concat().into_bytes()),
    ]
}

/// Loads a trace of `format` from `dir` and reads every sample; an error must name a file.
fn load_all(format: Format, dir: &Path) {
    let result =
        trace::load(&TraceSpec::from_path(format, dir, ReadOptions::default())).and_then(|t| {
            if let Some(samples) = t.samples()? {
                for s in samples {
                    s?;
                }
            }
            Ok(())
        });
    if let Err(e) = result {
        let msg = e.to_string();
        assert!(
            msg.contains(&*dir.to_string_lossy()),
            "the error names no file: {msg}"
        );
    }
}

/// The shipped Bitbrains trace with bytes of one file (tasks.parquet when `tasks`) changed and
/// the file cut at `cut`, loaded.
fn bitbrains_with(edits: &[(usize, u8)], cut: Option<usize>, tasks: bool) {
    let s = Scratch::new();
    let dir = s.path().join("bb");
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["tasks.parquet", "fragments.parquet"] {
        let shipped = root().join("scenarios/traces/bitbrains-small").join(f);
        let mut bytes = std::fs::read(shipped).unwrap();
        if (f == "tasks.parquet") == tasks {
            for (at, b) in edits {
                let at = at % bytes.len();
                bytes[at] = *b;
            }
            if let Some(c) = cut {
                bytes.truncate(c % (bytes.len() + 1));
            }
        }
        std::fs::write(dir.join(f), bytes).unwrap();
    }
    load_all(Format::Bitbrains, &dir);
}

/// Found by `fuzz_bitbrains_parquet` (20,000 cases, seed 11): one byte of tasks.parquet's footer
/// made a column chunk's offset negative, and the parquet crate asserted (a panic) instead of
/// returning an error.
#[test]
fn a_parquet_column_at_a_negative_offset_is_an_error() {
    bitbrains_with(&[(11570985988093699433, 155)], None, true);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(bytes).unwrap();
    z.finish().unwrap()
}

proptest! {
    #![proptest_config(fuzz_config())]

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
    fn fuzz_canonical_files_plain_and_gzip(vms in csvish(), usage in csvish(), zip in any::<(bool, bool)>()) {
        let s = Scratch::new();
        let dir = s.path().join("c");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("vms.csv"), if zip.0 { gzip(&vms) } else { vms }).unwrap();
        std::fs::write(dir.join("usage.csv"), if zip.1 { gzip(&usage) } else { usage }).unwrap();
        load_all(Format::Canonical, &dir);
    }

    #[test]
    fn fuzz_canonical_example_mutated(ms in mutations(), usage in any::<bool>()) {
        let s = Scratch::new();
        let dir = s.path().join("c");
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["vms.csv", "usage.csv"] {
            let text = std::fs::read_to_string(root().join("scenarios/traces/planetlab-mix").join(f));
            let text = text.unwrap();
            let bytes = if (f == "usage.csv") == usage { mutate(&text, &ms) } else { text.into_bytes() };
            std::fs::write(dir.join(f), bytes).unwrap();
        }
        load_all(Format::Canonical, &dir);
    }

    #[test]
    fn fuzz_bitbrains_parquet(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8), cut in any::<Option<usize>>(), which in any::<bool>()) {
        bitbrains_with(&edits, cut, which);
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
