//! Scale benchmark of the simulator core: a generated trace of 100,000 VMs against 1,000 private
//! hosts and two public regions (the real AWS and GCP books) over 30 days.
//!
//!     cargo bench --bench scale                      # defaults: --vms 100000 --hosts 1000 --days 30
//!     cargo bench --bench scale -- --days 365        # same VMs spread over a year
//!
//! Prints events per second of `sim::run` (best of five runs, one core) and the process's peak
//! resident memory (VmHWM). Results are in the README under "Benchmarks".

use hybridplan::pricing::Book;
use hybridplan::scenario::{Policy, Scenario, Venue};
use hybridplan::trace::{Sample, TraceSpec, Vm, VmTable};
use hybridplan::units::{Currency, DAY};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
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

fn book(rel: &str) -> Book {
    Book::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).expect("example price book")
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
    let table = (0..vms)
        .map(|i| {
            let start = rng.random_range(0..horizon);
            let life = (-(1.0 - rng.random::<f64>()).ln() * 6.0 * DAY as f64) as u64 + 60;
            let end = (rng.random_range(0..10) != 0).then_some(start + life);
            let (vcpus, mem_gib) = sizes[rng.random_range(0..sizes.len())];
            Vm {
                id: format!("vm-{i}"),
                group: (i % 3) as u32,
                start,
                end,
                vcpus,
                mem_gib,
                disk_gib: 50.0,
            }
        })
        .collect();
    VmTable::new(table, groups)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let (vms, hosts, days) = (
        arg("--vms", 100_000),
        arg("--hosts", 1_000),
        arg("--days", 30),
    );
    let horizon = days * DAY;
    let usd = Currency::parse("USD").unwrap();
    let venue = |name: &str, rel: &str, hosts: Option<u32>| Venue {
        name: name.into(),
        book: book(rel),
        rate: 1.0,
        hosts,
    };
    let scenario = Scenario {
        path: PathBuf::from("bench"),
        name: "scale".into(),
        description: String::new(),
        horizon,
        step: 3_600,
        seed: 7,
        currency: usd,
        policy: Policy::Cheapest,
        trace: TraceSpec::Canonical {
            vms: PathBuf::new(),
            usage: None,
        },
        egress_gib_per_vm_month: BTreeMap::from([("*".to_string(), 5.0)]),
        venues: vec![
            venue(
                "private",
                "pricing/private-kvm-2s32c.toml",
                Some(hosts as u32),
            ),
            venue("aws", "pricing/aws-us-east-1.toml", None),
            venue("gcp", "pricing/gcp-us-central1.toml", None),
        ],
    };
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
    println!("scale: {vms} VMs, {hosts} private hosts + 2 public regions, {days} days");
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
