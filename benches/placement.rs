//! Placement benchmark on the workload of a well-known VM-placement benchmark: identical hosts of
//! 144 vCPUs and 200 GiB, VMs of 1, 2, 4 or 8 vCPUs and 0.5, 1 or 2 GiB (drawn uniformly,
//! seeded), all arriving at t = 0 and living 100 s. The load is CPU-bound: a full host still has
//! about 155 GiB free, the case that made best-fit scan every full host.
//!
//!     cargo bench --bench placement                                  # 100k VMs, 10k hosts
//!     cargo bench --bench placement -- --vms 1000000 --hosts 100000
//!     cargo bench --bench placement -- --policy first-fit
//!
//! Prints the wall time of `sim::run` (best of three, one core) with its CPU time, VMs placed per
//! second and the process's peak resident memory (VmHWM). Results are in the README under "Benchmarks".

mod common;

use common::peak_rss_mib;
use hybridplan::pricing::BookKind;
use hybridplan::trace::{Sample, Vm, VmTable};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
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

/// `vms` VMs at t = 0 for 100 s, sizes drawn uniformly from 1/2/4/8 vCPUs x 0.5/1/2 GiB.
fn generate(vms: usize) -> VmTable {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let table = (0..vms)
        .map(|i| Vm {
            id: format!("vm-{i}"),
            group: 0,
            start: 0,
            end: Some(100),
            vcpus: [1.0, 2.0, 4.0, 8.0][rng.random_range(0..4)],
            mem_gib: [0.5, 1.0, 2.0][rng.random_range(0..3)],
            disk_gib: 0.0,
        })
        .collect();
    VmTable::new(table, vec!["vms".to_string()])
}

/// CPU time of this thread so far, seconds (utime + stime from /proc, 10 ms ticks): on a shared
/// machine wall time counts other processes' turns too.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime and stime are 12th and 13th.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: Vec<f64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse().ok())
        .collect();
    ticks.iter().sum::<f64>() / 100.0
}

fn main() {
    let (vms, hosts) = (number("--vms", 100_000), number("--hosts", 10_000));
    let policy = arg("--policy").unwrap_or_else(|| "best-fit".to_string());
    // One private site and nothing else: a VM that finds no host is a shortfall.
    let text = format!(
        r#"
name = "placement"
horizon = "1d"
step = "1h"
seed = 7
currency = "USD"
policy = "{policy}"
[trace]
vms = "generated.csv"
[[venues]]
name = "private"
book = "../pricing/private-kvm-2s32c.toml"
hosts = {hosts}
"#
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/placement-bench.toml");
    let mut scenario = hybridplan::scenario::parse(&text, &path).expect("bench scenario");
    // The benchmark's host: 144 vCPUs (no overcommit) and 200 GiB.
    for v in &mut scenario.venues {
        if let BookKind::Private(p) = &mut v.book.kind {
            (p.cores, p.cpu_overcommit, p.mem_gib) = (144, 1.0, 200.0);
        }
    }
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
