//! Bad trace input: each case is a clear error naming the file (and line or row), never a panic.

use crate::common;

use common::{Scratch, hybridplan};
use hybridplan::trace::{self, Format, ReadOptions, TraceSpec};
use parquet::data_type::{DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::path::Path;
use std::sync::Arc;

/// A column of a hand-made Parquet file.
enum Col<'a> {
    I32(&'a [i32]),
    I64(&'a [i64]),
    F64(&'a [f64]),
}

/// Writes a one-row-group Parquet file; `schema` is a Parquet message type.
fn write_parquet(path: &Path, schema: &str, cols: &[Col]) {
    let schema = Arc::new(parse_message_type(schema).unwrap());
    let file = std::fs::File::create(path).unwrap();
    let mut writer =
        SerializedFileWriter::new(file, schema, Arc::new(WriterProperties::builder().build()))
            .unwrap();
    let mut group = writer.next_row_group().unwrap();
    for col in cols {
        let mut w = group.next_column().unwrap().unwrap();
        match col {
            Col::I32(v) => w.typed::<Int32Type>().write_batch(v, None, None).unwrap(),
            Col::I64(v) => w.typed::<Int64Type>().write_batch(v, None, None).unwrap(),
            Col::F64(v) => w.typed::<DoubleType>().write_batch(v, None, None).unwrap(),
        };
        w.close().unwrap();
    }
    group.close().unwrap();
    writer.close().unwrap();
}

const TASKS: &str = "message t { REQUIRED INT32 id; REQUIRED INT64 submission_time; REQUIRED INT64 duration; REQUIRED INT32 cpu_count; REQUIRED DOUBLE cpu_capacity; REQUIRED INT64 mem_capacity; }";
const FRAGMENTS: &str =
    "message f { REQUIRED INT32 id; REQUIRED INT64 duration; REQUIRED DOUBLE cpu_usage; }";

fn good_tasks(dir: &Path) {
    write_parquet(
        &dir.join("tasks.parquet"),
        TASKS,
        &[
            Col::I32(&[1, 2]),
            Col::I64(&[0, 60_000]),
            Col::I64(&[600_000, 600_000]),
            Col::I32(&[1, 2]),
            Col::F64(&[2000.0, 4000.0]),
            Col::I64(&[1_048_576, 2_097_152]),
        ],
    );
}

fn error(format: Format, dir: &Path, options: ReadOptions) -> String {
    let spec = TraceSpec::from_path(format, dir, options);
    let result = trace::load(&spec).and_then(|t| {
        // Reading must fail at load or while streaming the samples.
        if let Some(samples) = t.samples()? {
            for s in samples {
                s?;
            }
        }
        Ok(t)
    });
    let err = result.expect_err("expected an error").to_string();
    err.replace(&format!("{}/", dir.display()), "")
}

#[test]
fn bitbrains_hand_made_files_read_with_documented_units() {
    let s = Scratch::new();
    good_tasks(s.path());
    // VM 1: 300 s at 1000 of 2000 MHz (0.5), then 300 s at 2400 MHz (above capacity: 1.0).
    write_parquet(
        &s.path().join("fragments.parquet"),
        FRAGMENTS,
        &[
            Col::I32(&[1, 1, 2]),
            Col::I64(&[300_000, 300_000, 300_000]),
            Col::F64(&[1000.0, 2400.0, 1000.0]),
        ],
    );
    let t = trace::load(&TraceSpec::from_path(
        Format::Bitbrains,
        s.path(),
        ReadOptions::default(),
    ))
    .unwrap();
    let vm1 = &t.table.vms[0];
    // 600,000 ms = 600 s; 1,048,576 KB = 1 GiB.
    assert_eq!(
        (vm1.start, vm1.end, vm1.vcpus, vm1.mem_gib),
        (0, Some(600), 1.0, 1.0)
    );
    // VM 2 was submitted 60,000 ms after VM 1: it starts at 60 s.
    assert_eq!(t.table.vms[1].start, 60);
    let samples: Vec<_> = t.samples().unwrap().unwrap().map(Result::unwrap).collect();
    let got: Vec<(u32, u32, f32)> = samples.iter().map(|s| (s.vm, s.t, s.cpu)).collect();
    // VM 2's sample at 60 s is 1000 / 4000 = 0.25.
    assert_eq!(got, [(0, 0, 0.5), (1, 60, 0.25), (0, 300, 1.0)]);
    assert_eq!(
        t.notes,
        ["1 fragments above the VM's CPU capacity clamped to 100 %"]
    );
}

#[test]
fn bitbrains_not_parquet() {
    let s = Scratch::new();
    s.write("tasks.parquet", "id,duration\n1,2\n");
    assert!(
        error(Format::Bitbrains, s.path(), ReadOptions::default())
            .starts_with("tasks.parquet: is not a readable Parquet file")
    );
}

#[test]
fn bitbrains_truncated() {
    let s = Scratch::new();
    good_tasks(s.path());
    let bytes = std::fs::read(s.path().join("tasks.parquet")).unwrap();
    std::fs::write(s.path().join("tasks.parquet"), &bytes[..bytes.len() / 2]).unwrap();
    let err = error(Format::Bitbrains, s.path(), ReadOptions::default());
    assert!(
        err.starts_with("tasks.parquet: is not a readable Parquet file"),
        "{err}"
    );
}

#[test]
fn bitbrains_missing_column() {
    let s = Scratch::new();
    write_parquet(
        &s.path().join("tasks.parquet"),
        "message t { REQUIRED INT32 id; }",
        &[Col::I32(&[1])],
    );
    assert_eq!(
        error(Format::Bitbrains, s.path(), ReadOptions::default()),
        "tasks.parquet: missing column \"submission_time\" (columns: id)"
    );
}

#[test]
fn bitbrains_wrong_column_type() {
    let s = Scratch::new();
    write_parquet(
        &s.path().join("tasks.parquet"),
        &TASKS.replace("REQUIRED INT32 cpu_count", "REQUIRED INT64 cpu_count"),
        &[
            Col::I32(&[1]),
            Col::I64(&[0]),
            Col::I64(&[1000]),
            Col::I64(&[1]),
            Col::F64(&[2000.0]),
            Col::I64(&[1024]),
        ],
    );
    assert_eq!(
        error(Format::Bitbrains, s.path(), ReadOptions::default()),
        "tasks.parquet: column \"cpu_count\" is INT64, expected INT32"
    );
}

#[test]
fn bitbrains_fragment_of_an_unknown_vm() {
    let s = Scratch::new();
    good_tasks(s.path());
    write_parquet(
        &s.path().join("fragments.parquet"),
        FRAGMENTS,
        &[
            Col::I32(&[1, 99]),
            Col::I64(&[300_000, 300_000]),
            Col::F64(&[1.0, 1.0]),
        ],
    );
    assert_eq!(
        error(Format::Bitbrains, s.path(), ReadOptions::default()),
        "fragments.parquet: row 2: usage for unknown VM 99 (not in tasks.parquet)"
    );
}

#[test]
fn bitbrains_missing_fragments_file() {
    let s = Scratch::new();
    good_tasks(s.path());
    assert_eq!(
        error(Format::Bitbrains, s.path(), ReadOptions::default()),
        "fragments.parquet: file not found"
    );
}

#[test]
fn planetlab_empty_folder() {
    let s = Scratch::new();
    std::fs::create_dir(s.path().join("day")).unwrap();
    assert_eq!(
        error(
            Format::Planetlab,
            &s.path().join("day"),
            ReadOptions::default()
        ),
        format!(
            "{}: has no VM files (expected one file per VM, or folders of them)",
            s.path().join("day").display()
        )
    );
}

#[test]
fn planetlab_non_numeric_cell() {
    let s = Scratch::new();
    s.write("day/vm-a", "10\n20\n");
    s.write("day/vm-b", "10\nabc\n");
    let err = error(
        Format::Planetlab,
        &s.path().join("day"),
        ReadOptions::default(),
    );
    assert_eq!(err, "vm-b:2: CPU \"abc\" is not a whole percentage 0..=100");
}

#[test]
fn missing_trace_folder() {
    let s = Scratch::new();
    let err = error(
        Format::Planetlab,
        &s.path().join("nope"),
        ReadOptions::default(),
    );
    assert!(err.ends_with("nope: folder not found"), "{err}");
}

const VMTABLE_ROW: &str = "vm1,sub,dep,0,600,90,10,50,Interactive,2,4\n";

#[test]
fn azure_non_numeric_time() {
    let s = Scratch::new();
    s.write("vmtable.csv", &VMTABLE_ROW.replace(",0,600,", ",abc,600,"));
    s.write("vm_cpu_readings.csv", "0,vm1,1,2,1.5\n");
    assert_eq!(
        error(Format::AzureV1, s.path(), ReadOptions::default()),
        "vmtable.csv:1: created \"abc\" is not a whole number of seconds >= 0"
    );
}

#[test]
fn azure_wrong_number_of_fields() {
    let s = Scratch::new();
    s.write("vmtable.csv", "vm1,sub,dep,0,600\n");
    s.write("vm_cpu_readings.csv", "0,vm1,1,2,1.5\n");
    assert_eq!(
        error(Format::AzureV1, s.path(), ReadOptions::default()),
        "vmtable.csv:1: row has 5 fields; a vmtable row has 11"
    );
}

#[test]
fn azure_reading_of_an_unknown_vm() {
    let s = Scratch::new();
    s.write("vmtable.csv", VMTABLE_ROW);
    s.write("vm_cpu_readings.csv", "0,vm1,1,2,1.5\n300,ghost,1,2,1.5\n");
    assert_eq!(
        error(Format::AzureV1, s.path(), ReadOptions::default()),
        "vm_cpu_readings.csv:2: usage for unknown VM \"ghost\" (not in the vmtable; --skip-unknown-vms skips such rows)"
    );
}

#[test]
fn azure_readings_are_read_as_documented() {
    let s = Scratch::new();
    s.write(
        "vmtable.csv",
        &format!("{VMTABLE_ROW}vm2,sub,dep,300,300,1,1,1,Delay-insensitive,>24,>64\n"),
    );
    s.write("vm_cpu_readings.csv", "0,vm1,1,2,1.5\n300,vm1,1,90,45\n");
    let t = trace::load(&TraceSpec::from_path(
        Format::AzureV1,
        s.path(),
        ReadOptions::default(),
    ))
    .unwrap();
    let vm2 = &t.table.vms[1];
    // ">24" cores and ">64" GB are read at their lower bounds; deleted == created gets 300 s.
    assert_eq!((vm2.vcpus, vm2.mem_gib, vm2.end), (24.0, 64.0, Some(600)));
    let cpus: Vec<f32> = t
        .samples()
        .unwrap()
        .unwrap()
        .map(|s| s.unwrap().cpu)
        .collect();
    assert_eq!(cpus, [0.015, 0.45]); // avg CPU % / 100
    assert_eq!(t.notes.len(), 2, "{:?}", t.notes);
}

#[test]
fn azure_missing_files() {
    let s = Scratch::new();
    s.write("readme.txt", "nothing here");
    let err = error(Format::AzureV1, s.path(), ReadOptions::default());
    assert!(
        err.ends_with(": no vmtable file here (looked for names containing vmtable)"),
        "{err}"
    );
}

#[test]
fn google_usage_of_an_unknown_task() {
    let s = Scratch::new();
    s.write("task_events.csv", "0,,1,0,5,1,u,3,9,0.125,0.0625,0,0\n");
    s.write("task_usage.csv", "0,300000000,2,0,5,0.1,0.02\n");
    assert_eq!(
        error(Format::Google2011, s.path(), ReadOptions::default()),
        "task_usage.csv:1: usage for unknown task 2-0 (never scheduled in task_events; --skip-unknown-vms skips such rows)"
    );
}

#[test]
fn google_tasks_are_sized_with_the_scale_factors() {
    let s = Scratch::new();
    // Task 1-0 scheduled at 600 s, finishes at 900 s; asks 0.125 CPU and 0.0625 memory.
    s.write("task_events.csv", "#header\n600000000,,1,0,5,1,u,3,9,0.125,0.0625,0,0\n900000000,,1,0,5,4,u,3,9,0.125,0.0625,0,0\n");
    s.write(
        "task_usage.csv",
        "600000000,900000000,1,0,5,0.0625,0.03125\n",
    );
    let t = trace::load(&TraceSpec::from_path(
        Format::Google2011,
        s.path(),
        ReadOptions::default(),
    ))
    .unwrap();
    let vm = &t.table.vms[0];
    // 0.125 x 32 cores = 4 vCPU; 0.0625 x 64 GiB = 4 GiB.
    assert_eq!(
        (vm.id.as_str(), vm.start, vm.end, vm.vcpus, vm.mem_gib),
        ("1-0", 600, Some(900), 4.0, 4.0)
    );
    let sample = t.samples().unwrap().unwrap().next().unwrap().unwrap();
    // Used 0.0625 of 0.125 requested = 0.5; memory 0.03125 of 0.0625 = 0.5.
    assert_eq!((sample.t, sample.cpu, sample.mem()), (600, 0.5, Some(0.5)));
}

#[test]
fn gzip_compressed_canonical_csv_reads_like_plain() {
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;
    let s = Scratch::new();
    let gz = |name: &str, text: &str| {
        let mut e = GzEncoder::new(
            std::fs::File::create(s.path().join(name)).unwrap(),
            Compression::default(),
        );
        e.write_all(text.as_bytes()).unwrap();
        e.finish().unwrap();
    };
    gz(
        "vms.csv.gz",
        "id,group,start_s,end_s,vcpus,mem_gib,disk_gib\na,g,0,,2,4,0\n",
    );
    gz("usage.csv.gz", "id,t_s,cpu_util\na,0,0.5\na,300,0.75\n");
    let t = trace::load(&TraceSpec::from_path(
        Format::Canonical,
        s.path(),
        ReadOptions::default(),
    ))
    .unwrap();
    let cpus: Vec<f32> = t
        .samples()
        .unwrap()
        .unwrap()
        .map(|s| s.unwrap().cpu)
        .collect();
    assert_eq!(cpus, [0.5, 0.75]);
}

#[test]
fn cli_trace_errors_exit_2_and_convert_writes_nothing() {
    let s = Scratch::new();
    s.write("day/vm-a", "10\n200\n");
    let out = s.path().join("out");
    let (code, _, stderr) = hybridplan(&[
        "trace",
        "convert",
        s.path().join("day").to_str().unwrap(),
        "--format",
        "planetlab",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.ends_with("vm-a:2: CPU \"200\" is not a whole percentage 0..=100\n"),
        "{stderr}"
    );
    assert!(!out.exists());
    let (code, _, stderr) = hybridplan(&[
        "trace",
        "stats",
        s.path().to_str().unwrap(),
        "--format",
        "planetlab",
        "--size",
        "2x4",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("size \"2x4\" is not VCPUS:GIB"), "{stderr}");
}
