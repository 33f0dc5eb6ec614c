//! Optimizer scale, with the default solver (microlp):
//! - placement: 5,000 groups x 20 venues (4 private sites, 16 public) x 24 hourly steps;
//! - sizing: 50 private sites (50 integer host counts) and 2 public venues for 100 groups over
//!   24 steps.
//!
//! Run:
//!
//!     cargo bench --bench optimize
//!     cargo bench --bench optimize -- --groups 1000 --sizing-groups 500
//!
//! Demand is generated (seeded): each group a diurnal curve of 2..64 vCPUs at 4 GiB each.
//! Results are in the README under "Benchmarks".

use hybridplan::optimize::Profile;
use hybridplan::optimize::demand::GroupDemand;
use hybridplan::optimize::model::{Options, SOLVER_NAME, Site, solve};
use rand::{RngExt, SeedableRng};
use std::time::Instant;

const STEPS: usize = 24;

fn profile(groups: usize, venues: usize, sites: usize, seed: u64) -> Profile {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let groups = (0..groups)
        .map(|g| {
            let base: f64 = rng.random_range(2.0..64.0_f64).round();
            let swing: f64 = rng.random_range(0.0..0.6);
            let vcpus: Vec<f64> = (0..STEPS)
                .map(|t| {
                    let day = (t as f64 / STEPS as f64 * std::f64::consts::TAU).sin();
                    (base * (1.0 + swing * day)).round().max(1.0)
                })
                .collect();
            let hourly = base * rng.random_range(0.03..0.06_f64);
            GroupDemand {
                name: format!("g{g}"),
                mem_gib: vcpus.iter().map(|v| v * 4.0).collect(),
                vms: vcpus.iter().map(|v| v / 4.0).collect(),
                vcpus,
                pool_cost: Vec::new(),
                usage_cost: (0..venues)
                    .map(|v| {
                        (v >= sites).then(|| hourly * STEPS as f64 * rng.random_range(0.8..1.3))
                    })
                    .collect(),
                largest: (4.0, 16.0),
                allowed: vec![true; venues],
                current: None,
            }
        })
        .collect();
    Profile {
        step: 3600,
        steps: STEPS,
        periods: vec![0],
        groups,
        pools: Vec::new(),
    }
}

fn sites(n: usize, seed: u64) -> Vec<Site> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|v| Site {
            venue: v,
            name: format!("dc{v}"),
            vcpus: 64.0,
            mem_gib: 256.0,
            fits: (64.0, 256.0),
            nodes: None,
            host_cost: rng.random_range(1.5..3.0) * STEPS as f64,
            max_hosts: None,
            owned: 0,
            yearly_cost: Vec::new(),
        })
        .collect()
}

fn time(label: &str, profile: &Profile, venues: usize, sites: &[Site]) {
    let opt = Options {
        headroom: 0.1,
        whole_groups: false,
    };
    let t0 = Instant::now();
    let solved = solve(profile, venues, sites, opt).expect("a plan");
    let secs = t0.elapsed().as_secs_f64();
    let hosts: u32 = solved.hosts.iter().sum();
    println!(
        "{label} ({SOLVER_NAME}): {} groups x {venues} venues x {STEPS} steps, {} integer host counts: {secs:.2} s (cost {:.2}, {hosts} hosts)",
        profile.groups.len(),
        sites.len(),
        solved.cost
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| -> usize {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map_or(default, |v| v.parse().expect("a number"))
    };
    let placement = profile(arg("--groups", 5000), 20, 4, 1);
    time("placement", &placement, 20, &sites(4, 2));
    let sizing = profile(arg("--sizing-groups", 100), 52, 50, 3);
    time("sizing", &sizing, 52, &sites(50, 4));
}
