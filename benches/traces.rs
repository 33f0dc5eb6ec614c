//! Trace reading benchmarks, each case in its own process so that its peak memory is its own.
//!
//!     cargo bench --bench traces                 # every case
//!     cargo bench --bench traces -- planetlab    # one case
//!
//! Cases: `planetlab` (all ten days in ../shared/data/traces/planetlab), `bitbrains`
//! (../shared/data/traces/bitbrains-small), `canonical` (a generated canonical CSV of about
//! 200 MB, read and streamed through the usage reader), `vms` (two generated VM tables of 1M
//! rows: short rows like the placement benchmark's, and wide rows shaped like a VM table
//! converted from the Azure Public Dataset V1). Each prints the best wall time of three reads,
//! the throughput, the samples held and the process's peak resident memory (VmHWM); the `vms`
//! and `canonical` cases also CPU time a read (user + system, and user alone). Results are in
//! the README under "Benchmarks".

mod common;

use common::{cpu_seconds, peak_rss_mib, user_seconds};
use hybridplan::trace::{self, Format, ReadOptions, Sample, TraceSpec};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/traces")
        .join(rel)
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..runs {
        drop(last.take());
        let t0 = Instant::now();
        let out = f();
        best = best.min(t0.elapsed().as_secs_f64());
        last = Some(out);
    }
    (best, last.expect("ran"))
}

fn count_samples(t: &trace::Trace) -> u64 {
    let mut n = 0;
    for s in t.samples().expect("samples").into_iter().flatten() {
        s.expect("valid sample");
        n += 1;
    }
    n
}

fn files_case(name: &str, format: Format, path: PathBuf) {
    if !path.exists() {
        println!("{name}: skipped, {} not found", path.display());
        return;
    }
    let spec = TraceSpec::from_path(format, &path, ReadOptions::default());
    let (secs, t) = best_of(3, || trace::load(&spec).expect("trace loads"));
    let samples = count_samples(&t);
    let held = samples as f64 * std::mem::size_of::<Sample>() as f64 / 1_048_576.0;
    println!(
        "{name}: {} VMs, {samples} samples in {secs:.3} s ({:.1} M samples/s); samples held {held:.1} MiB, peak RSS {:.1} MiB",
        t.table.vms.len(),
        samples as f64 / secs / 1e6,
        peak_rss_mib()
    );
}

fn canonical_case() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 20,000 VMs x 1,000 samples: about 20 M usage rows, ~200 MB of CSV.
    let (vms, per_vm) = (20_000u32, 1_000u32);
    let mut text = String::from("id,group,start_s,end_s,vcpus,mem_gib,disk_gib\n");
    for v in 0..vms {
        text.push_str(&format!("vm-{v},g{},0,,2,8,50\n", v % 7));
    }
    std::fs::write(dir.path().join("vms.csv"), text).expect("write vms");
    let mut usage = std::io::BufWriter::new(
        std::fs::File::create(dir.path().join("usage.csv")).expect("create"),
    );
    use std::io::Write;
    writeln!(usage, "id,t_s,cpu_util").expect("write");
    for k in 0..per_vm {
        for v in 0..vms {
            writeln!(usage, "vm-{v},{},0.{:03}", k * 300, (v * 7 + k * 13) % 1000).expect("write");
        }
    }
    drop(usage);
    let bytes = std::fs::metadata(dir.path().join("usage.csv"))
        .expect("size")
        .len() as f64;
    let spec = TraceSpec::from_path(Format::Canonical, dir.path(), ReadOptions::default());
    let t = trace::load(&spec).expect("loads");
    let (cpu0, user0) = (cpu_seconds(), user_seconds());
    let (secs, n) = best_of(3, || count_samples(&t));
    let cpu = (cpu_seconds() - cpu0) / 3.0;
    let user = (user_seconds() - user0) / 3.0;
    println!(
        "canonical: {n} usage rows, {:.0} MB streamed in {secs:.3} s = {:.0} MB/s (CPU {cpu:.2} s a pass = {:.0} MB/s; user {user:.2} s = {:.0} MB/s); peak RSS {:.1} MiB",
        bytes / 1e6,
        bytes / 1e6 / secs,
        bytes / 1e6 / cpu,
        bytes / 1e6 / user,
        peak_rss_mib()
    );
}

/// 1M VM rows read with `trace::load`: short rows (`vm-123,vms,0,100,4,0.5,0`, about 27 bytes,
/// the placement benchmark's) and wide ones shaped like an Azure V1 VM table after `trace
/// convert` (a 64-character base64 vmid, the VM category as the group, created and deleted
/// seconds within 30 days in start order, a core bucket and a memory bucket; about 100 bytes).
fn vms_case() {
    const ROWS: u64 = 1_000_000;
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let categories = ["Delay-insensitive", "Interactive", "Unknown"];
    let sizes = [
        (1, "0.75"),
        (1, "1.75"),
        (2, "3.5"),
        (4, "7"),
        (8, "14"),
        (24, "64"),
    ];
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        // xorshift64*: cheap, fixed, good enough to vary the fields.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    for (name, wide) in [("short", false), ("wide", true)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = std::fs::File::create(dir.path().join("vms.csv")).expect("create");
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        use std::io::Write;
        writeln!(out, "id,group,start_s,end_s,vcpus,mem_gib,disk_gib").expect("write");
        for i in 0..ROWS {
            let r = next();
            if wide {
                let id: String = (0..64)
                    .map(|k| B64[(next() >> (k % 58)) as usize % 64] as char)
                    .collect();
                // In start order, as `trace convert` writes a table: 30 days, 300 s steps.
                let start = i * 2_592_000 / ROWS / 300 * 300;
                let end = start + 300 * (1 + (r >> 32) % 2000);
                let (cores, mem) = sizes[(r >> 20) as usize % sizes.len()];
                let group = categories[(r >> 8) as usize % 3];
                writeln!(out, "{id},{group},{start},{end},{cores},{mem},0").expect("write");
            } else {
                let (vcpus, mem) = (
                    [1, 2, 4, 8][r as usize % 4],
                    ["0.5", "1", "2"][(r >> 8) as usize % 3],
                );
                writeln!(out, "vm-{i},vms,0,100,{vcpus},{mem},0").expect("write");
            }
        }
        out.flush().expect("flush");
        drop(out);
        let bytes = std::fs::metadata(dir.path().join("vms.csv"))
            .expect("size")
            .len() as f64;
        let spec = TraceSpec::from_path(Format::Canonical, dir.path(), ReadOptions::default());
        let (cpu0, user0) = (cpu_seconds(), user_seconds());
        let (secs, t) = best_of(3, || trace::load(&spec).expect("loads"));
        let cpu = (cpu_seconds() - cpu0) / 3.0;
        let user = (user_seconds() - user0) / 3.0;
        assert_eq!(t.table.vms.len() as u64, ROWS);
        let fresh = fresh_pages_seconds(table_bytes(&t.table));
        println!(
            "vms {name}: {ROWS} rows, {:.1} MB ({:.0} bytes a row) in {secs:.3} s = {:.0} MB/s (CPU {cpu:.3} s a read = {:.0} MB/s, {:.1} M rows/s; user {user:.3} s = {:.0} MB/s)",
            bytes / 1e6,
            bytes / ROWS as f64,
            bytes / 1e6 / secs,
            bytes / 1e6 / cpu,
            ROWS as f64 / cpu / 1e6,
            bytes / 1e6 / user
        );
        println!(
            "vms {name}: the table holds {:.1} MiB; writing a byte to each page of as much fresh memory takes {:.3} s",
            table_bytes(&t.table) as f64 / 1_048_576.0,
            fresh
        );
    }
}

/// The bytes a VM table holds: its VMs, and each id's text and end offset.
fn table_bytes(table: &trace::VmTable) -> usize {
    let ids: usize = (0..table.vms.len() as u32)
        .map(|i| table.id(i).len() + 8)
        .sum();
    table.vms.len() * std::mem::size_of::<trace::Vm>() + ids
}

/// The time to touch `bytes` of memory the kernel has not handed out yet (one write a 4 KiB
/// page): the floor of building a table that size, whatever the parsing costs.
fn fresh_pages_seconds(bytes: usize) -> f64 {
    let t0 = Instant::now();
    let mut memory = vec![0u8; bytes];
    for page in memory.chunks_mut(4096) {
        page[0] = 1;
    }
    let secs = t0.elapsed().as_secs_f64();
    std::hint::black_box(&memory);
    secs
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match args.first().map(String::as_str) {
        Some("planetlab") => files_case("planetlab", Format::Planetlab, shared("planetlab")),
        Some("bitbrains") => files_case("bitbrains", Format::Bitbrains, shared("bitbrains-small")),
        Some("canonical") => canonical_case(),
        Some("vms") => vms_case(),
        Some(other) => {
            panic!("unknown case {other}; expected planetlab, bitbrains, canonical or vms")
        }
        None => {
            let exe = std::env::current_exe().expect("own path");
            for case in ["planetlab", "bitbrains", "canonical", "vms"] {
                let status = std::process::Command::new(&exe)
                    .arg(case)
                    .status()
                    .expect("run case");
                assert!(status.success(), "case {case} failed");
            }
        }
    }
}
