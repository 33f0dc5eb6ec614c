//! Placement benchmark on the workload of a well-known VM-placement benchmark: identical hosts of
//! 144 vCPUs and 200 GiB, VMs of 1, 2, 4 or 8 vCPUs and 0.5, 1 or 2 GiB (drawn uniformly,
//! seeded), all arriving at t = 0 and living 100 s. The load is CPU-bound: a full host still has
//! about 155 GiB free, the case that made best-fit scan every full host.
//!
//!     cargo bench --bench placement                                  # 100k VMs, 10k hosts
//!     cargo bench --bench placement -- --vms 1000000 --hosts 100000
//!     cargo bench --bench placement -- --policy first-fit
//!     cargo bench --bench placement -- --csv --vms 1000000 --hosts 100000
//!     cargo bench --bench placement -- --csv --vms 10000 --hosts 1000 --days 30
//!     cargo bench --bench placement -- --out DIR --vms 1000000 --hosts 100000 --policy first-fit
//!
//! Without `--csv`: the wall time of `sim::run` on a table built in memory (best of three, one
//! core) with its CPU time, VMs placed per second and the process's peak resident memory
//! (VmHWM). With `--csv`: end to end, as `hybridplan run` does it: the workload is written as
//! canonical CSV (rows streamed to disk, no table in memory), then read back (`trace::load`) and
//! simulated once, the peak memory being that of reading and simulating. `--days D`: the VMs
//! live the whole D days instead of 100 s, with a usage sample every hour (usage.csv, streamed
//! during the run): events per second count the samples. Results are in the README under
//! "Benchmarks". `--out DIR` only writes the workload, its host book and `DIR/placement.toml`,
//! for timing `hybridplan run DIR/placement.toml` from outside (e.g. with `/usr/bin/time -v`).

mod common;

use common::{cpu_seconds, peak_rss_mib};
use hybridplan::pricing::BookKind;
use hybridplan::scenario::Scenario;
use hybridplan::trace::{self, Sample, Vm, VmTable};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1).cloned()
}

fn number(name: &str, default: u64) -> u64 {
    arg(name).map_or(default, |v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} takes a whole number"))
    })
}

/// One VM size, uniformly from 1/2/4/8 vCPUs x 0.5/1/2 GiB.
fn size(rng: &mut impl Rng) -> (f64, f64) {
    (
        [1.0, 2.0, 4.0, 8.0][rng.random_range(0..4)],
        [0.5, 1.0, 2.0][rng.random_range(0..3)],
    )
}

/// `vms` VMs at t = 0 for 100 s.
fn generate(vms: usize) -> VmTable {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let table: Vec<(String, Vm)> = (0..vms)
        .map(|i| {
            let (vcpus, mem_gib) = size(&mut rng);
            let vm = Vm {
                group: 0,
                start: 0,
                end: Some(100),
                vcpus,
                mem_gib,
                disk_gib: 0.0,
            };
            (format!("vm-{i}"), vm)
        })
        .collect();
    VmTable::new(table, vec!["vms".to_string()])
}

/// The same workload as canonical CSV in `dir`: vms.csv, and with `days` > 0 VMs that run to
/// the end of the horizon with an hourly usage.csv. Returns the bytes of each file.
fn write_csv(dir: &Path, vms: usize, days: u64) -> (u64, u64) {
    let create = |name: &str| {
        let file = std::fs::File::create(dir.join(name)).expect("create");
        std::io::BufWriter::with_capacity(1 << 20, file)
    };
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut out = create("vms.csv");
    writeln!(out, "id,group,start_s,end_s,vcpus,mem_gib,disk_gib").expect("write");
    let end = if days > 0 { "" } else { "100" };
    for i in 0..vms {
        let (vcpus, mem) = size(&mut rng);
        writeln!(out, "vm-{i},vms,0,{end},{vcpus},{mem},0").expect("write");
    }
    out.flush().expect("flush");
    if days > 0 {
        let mut out = create("usage.csv");
        writeln!(out, "id,t_s,cpu_util").expect("write");
        for hour in 0..days * 24 {
            for i in 0..vms {
                let cpu = rng.random_range(0..1000u32);
                writeln!(out, "vm-{i},{},0.{cpu:03}", hour * 3600).expect("write");
            }
        }
        out.flush().expect("flush");
    }
    let size = |n: &str| std::fs::metadata(dir.join(n)).map_or(0, |m| m.len());
    (size("vms.csv"), size("usage.csv"))
}

/// Writes, in `dir`, the benchmark's host book (the shipped KVM book with 144 vCPUs, no
/// overcommit, 200 GiB) and a scenario of one private site of `hosts` such hosts and nothing else
/// (a VM that finds no host is a shortfall) over the canonical CSV in `dir`; loads it.
fn scenario(policy: &str, hosts: u64, days: u64, dir: &Path) -> Scenario {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing/private-kvm-2s32c.toml");
    let book = std::fs::read_to_string(shipped)
        .expect("shipped book")
        .replace("cores = 32\n", "cores = 144\n")
        .replace("mem_gib = \"256GiB\"", "mem_gib = \"200GiB\"")
        .replace("cpu_overcommit = 4.0", "cpu_overcommit = 1.0");
    std::fs::write(dir.join("host-144c-200g.toml"), book).expect("write book");
    let text = format!(
        "name = \"placement\"\nhorizon = \"{}d\"\nstep = \"1h\"\nseed = 7\ncurrency = \"USD\"\n\
         policy = \"{policy}\"\n[trace]\npath = \".\"\n[[venues]]\nname = \"private\"\n\
         book = \"host-144c-200g.toml\"\nhosts = {hosts}\n",
        days.max(1),
    );
    let path = dir.join("placement.toml");
    std::fs::write(&path, text).expect("write scenario");
    let scenario = hybridplan::scenario::load(&path).expect("bench scenario");
    match &scenario.venues[0].book.kind {
        BookKind::Private(p) => {
            assert_eq!((p.cores, p.cpu_overcommit, p.mem_gib), (144, 1.0, 200.0))
        }
        _ => panic!("the bench book is private"),
    }
    scenario
}

/// `sim::run` on a table in memory, best of three.
fn in_memory(vms: u64, hosts: u64, policy: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = scenario(policy, hosts, 0, dir.path());
    let table = generate(vms as usize);
    let (mut best, mut best_cpu) = (f64::INFINITY, f64::INFINITY);
    let mut outcome = None;
    for _ in 0..3 {
        let (t0, cpu0) = (Instant::now(), cpu_seconds());
        let out = hybridplan::sim::run(
            &scenario,
            &table,
            None::<std::iter::Empty<Result<Sample, _>>>,
        )
        .expect("no usage, no errors");
        best = best.min(t0.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(cpu_seconds() - cpu0);
        outcome = Some(out);
    }
    let out = outcome.expect("ran at least once");
    let placed = out.venues[0].placements;
    println!("placement: {vms} VMs on {hosts} hosts of 144 vCPU / 200 GiB, {policy}");
    println!(
        "  placed {placed}, shortfalls {}; {:.3} s (best of 3; CPU {:.2} s) = {:.2} M VMs placed/s",
        out.shortfalls.len(),
        best,
        best_cpu,
        placed as f64 / best / 1e6
    );
    println!("  peak RSS: {:.1} MiB", peak_rss_mib());
}

/// Writes the workload as CSV, then reads and simulates it once, as `hybridplan run` does.
fn end_to_end(vms: u64, hosts: u64, policy: &str, days: u64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (vms_bytes, usage_bytes) = write_csv(dir.path(), vms as usize, days);
    let scenario = scenario(policy, hosts, days, dir.path());
    let rss_before = peak_rss_mib();
    let (t0, cpu0) = (Instant::now(), cpu_seconds());
    let trace = trace::load(&scenario.trace).expect("trace loads");
    let (read, read_cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - cpu0);
    let samples = trace.samples().expect("usage opens");
    let out = hybridplan::sim::run(&scenario, &trace.table, samples).expect("valid usage");
    let (total, total_cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - cpu0);
    let (sim, sim_cpu) = (total - read, total_cpu - read_cpu);
    let placed = out.venues[0].placements;
    let mb = |bytes: u64| bytes as f64 / 1e6;
    println!("placement end to end: {vms} VMs on {hosts} hosts, {policy}");
    println!(
        "  read vms.csv ({:.1} MB) in {read:.3} s (CPU {read_cpu:.2} s = {:.0} MB/s)",
        mb(vms_bytes),
        mb(vms_bytes) / read_cpu.max(0.01)
    );
    if days > 0 {
        println!(
            "  {days} days with hourly usage: usage.csv ({:.1} MB) streamed during the simulation",
            mb(usage_bytes)
        );
    }
    println!(
        "  simulate {sim:.3} s (CPU {sim_cpu:.2} s); total {total:.3} s (CPU {total_cpu:.2} s)"
    );
    println!(
        "  placed {placed}, shortfalls {}: {:.2} M VMs placed/s end to end; {} events + {} usage samples = {:.2} M events/s of simulation",
        out.shortfalls.len(),
        placed as f64 / total / 1e6,
        out.events,
        out.usage_samples,
        (out.events + out.usage_samples) as f64 / sim / 1e6
    );
    println!(
        "  peak RSS {:.1} MiB ({rss_before:.1} MiB before reading) = {:.0} bytes per VM",
        peak_rss_mib(),
        peak_rss_mib() * 1_048_576.0 / vms as f64
    );
}

fn main() {
    let (vms, hosts) = (number("--vms", 100_000), number("--hosts", 10_000));
    let policy = arg("--policy").unwrap_or_else(|| "best-fit".to_string());
    if let Some(dir) = arg("--out") {
        // Only write the workload, for timing `hybridplan run DIR/placement.toml` from outside.
        let dir = Path::new(&dir);
        std::fs::create_dir_all(dir).expect("create --out folder");
        let days = number("--days", 0);
        let (vms_bytes, usage_bytes) = write_csv(dir, vms as usize, days);
        scenario(&policy, hosts, days, dir);
        println!(
            "wrote {} ({:.1} MB of CSV)",
            dir.join("placement.toml").display(),
            (vms_bytes + usage_bytes) as f64 / 1e6
        );
    } else if std::env::args().any(|a| a == "--csv") {
        end_to_end(vms, hosts, &policy, number("--days", 0));
    } else {
        in_memory(vms, hosts, &policy);
    }
}
