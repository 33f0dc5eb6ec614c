//! Scale benchmark of the simulator core: a generated trace of 100,000 VMs against 1,000 private
//! hosts and two public regions (the real AWS and GCP books) over 30 days.
//!
//!     cargo bench --bench scale                      # defaults: --vms 100000 --hosts 1000 --days 30
//!     cargo bench --bench scale -- --days 365        # same VMs spread over a year
//!     cargo bench --bench scale -- --full            # failures, autoscaling, spot, backup on
//!
//! Prints events per second of `sim::run` (best of five runs, one core) and the process's peak
//! resident memory (VmHWM). Results are in the README under "Benchmarks".

mod common;

use common::peak_rss_mib;
use hybridplan::trace::{Sample, Vm, VmTable};
use hybridplan::units::DAY;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;
use std::time::Instant;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} takes a whole number"))
        })
        .unwrap_or(default)
}

/// VMs arrive uniformly over the horizon, live an exponential time (mean 6 days; a tenth run to
/// the end), and take one of five common sizes.
fn generate(vms: usize, horizon: u64) -> VmTable {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let sizes = [
        (2.0, 8.0),
        (4.0, 16.0),
        (2.0, 4.0),
        (8.0, 32.0),
        (4.0, 32.0),
    ];
    let groups = vec!["web".to_string(), "batch".to_string(), "db".to_string()];
    let table: Vec<(String, Vm)> = (0..vms)
        .map(|i| {
            let start = rng.random_range(0..horizon);
            let life = (-(1.0 - rng.random::<f64>()).ln() * 6.0 * DAY as f64) as u64 + 60;
            let end = (rng.random_range(0..10) != 0).then_some(start + life);
            let (vcpus, mem_gib) = sizes[rng.random_range(0..sizes.len())];
            let vm = Vm {
                group: (i % 3) as u32,
                start,
                end,
                vcpus,
                mem_gib,
                disk_gib: 50.0,
            };
            (format!("vm-{i}"), vm)
        })
        .collect();
    VmTable::new(table, groups)
}

fn main() {
    let (vms, hosts, days) = (
        arg("--vms", 100_000),
        arg("--hosts", 1_000),
        arg("--days", 30),
    );
    let horizon = days * DAY;
    // --full switches on every mechanism: host failures (at 50 times the book's rate, so that
    // there are some), private-first bursting with returns, a threshold-autoscaled web group,
    // spot batch VMs that wait after an eviction, and a backup service for 20 sites.
    let full = std::env::args().any(|a| a == "--full");
    let mechanisms = if full {
        r#"failures = true
[placement]
min_stay = "2h"
[groups.batch]
purchase = "spot"
spot_fallback = "wait"
[[autoscale]]
group = "web"
policy = "threshold"
vcpus = 4
mem_gib = 16
min = 100
max = 5000
initial = 1000
interval = "15m"
[backup]
name = "backup"
book = "../pricing/backup-msp.toml"
compression = 1.6
dedup = 3.0
change_rate = 0.02
retention_daily = 14
seeding = "wan"
target_ingress_mbps = 2000
"#
        .to_string()
            + &(0..20)
                .map(|i| format!("[[backup.sites]]\nname = \"site-{i}\"\nprotected_tb = {}\nservers = 10\nlink_mbps = 100\nrtt_ms = 30\nloss_pct = 0.1\n", 2 + i % 7))
                .collect::<String>()
    } else {
        String::new()
    };
    let policy = if full { "private-first" } else { "cheapest" };
    // The trace is generated below and handed to the simulator directly; the scenario's trace
    // file is never read.
    let text = format!(
        r#"
name = "scale"
horizon = "{days}d"
step = "1h"
seed = 7
currency = "USD"
policy = "{policy}"
{mechanisms}
[trace]
vms = "generated.csv"
[groups."*"]
egress_gib_per_vm_month = 5
[[venues]]
name = "private"
book = "../pricing/private-kvm-2s32c.toml"
hosts = {hosts}
[[venues]]
name = "aws"
book = "../pricing/aws-us-east-1.toml"
[[venues]]
name = "gcp"
book = "../pricing/gcp-us-central1.toml"
"#
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/scale-bench.toml");
    let mut scenario = hybridplan::scenario::parse(&text, &path).expect("bench scenario");
    if full {
        // 50 x the book's 4.8 % a year: about 20 failures a month over 1,000 hosts.
        for v in &mut scenario.venues {
            if let hybridplan::pricing::BookKind::Private(p) = &mut v.book.kind
                && let Some(f) = p.failures.as_mut()
            {
                f.afr *= 50.0;
            }
        }
    }
    let table = generate(vms as usize, horizon);
    let rss_after_trace = peak_rss_mib();

    let mut best = f64::INFINITY;
    let mut outcome = None;
    for _ in 0..5 {
        let t0 = Instant::now();
        let out = hybridplan::sim::run(
            &scenario,
            &table,
            None::<std::iter::Empty<Result<Sample, _>>>,
        )
        .expect("no usage, no errors");
        best = best.min(t0.elapsed().as_secs_f64());
        outcome = Some(out);
    }
    let out = outcome.expect("ran at least once");
    let placed: Vec<String> = out
        .venues
        .iter()
        .map(|v| v.placements.to_string())
        .collect();
    let what = if full { ", all mechanisms on" } else { "" };
    println!("scale: {vms} VMs, {hosts} private hosts + 2 public regions, {days} days{what}");
    let i = &out.interruptions;
    if full {
        println!(
            "  {} host failures, {} spot evictions, {} restarts, {} returns; autoscaled web peak {} instances",
            i.host_failures,
            i.spot_evictions,
            i.restarts,
            i.returns,
            out.autoscale[0].peak_instances
        );
    }
    println!(
        "  placements private/aws/gcp: {}; shortfalls: {}",
        placed.join("/"),
        out.shortfalls.len()
    );
    println!(
        "  events: {} in {:.3} s (best of 5) = {:.2} M events/s",
        out.events,
        best,
        out.events as f64 / best / 1e6
    );
    println!(
        "  peak RSS: {:.1} MiB (of which {:.1} MiB after generating the VM table)",
        peak_rss_mib(),
        rss_after_trace
    );
}
