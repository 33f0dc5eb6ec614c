//! A multi-year plan at hourly resolution: the example-hybrid scenario (44 VMs, two private
//! hosts, AWS with reservations, GCP spot, PlanetLab CPU samples) stretched to five years, with
//! `[money]` (escalation, a discount rate) and a growth rule on the private site, so that every
//! multi-year mechanism runs: 43,800 hourly steps.
//!
//!     cargo bench --bench years
//!
//! Prints the wall time (best of 20) and the mean CPU time of one `simulate` (simulation and
//! summary, trace loaded once beforehand). Results are in the README under "Benchmarks".

mod common;

use common::{cpu_seconds, peak_rss_mib};
use std::path::Path;
use std::time::Instant;

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example-hybrid.toml");
    let text = std::fs::read_to_string(&path)
        .expect("the example scenario")
        .replace("horizon = \"30d\"", "horizon = \"5y\"")
        + r#"
[money]
discount_rate_pct = 8
[[money.escalation]]
category = "power"
yearly_pct = 4
[[money.escalation]]
category = "compute"
yearly_pct = -3
[[growth]]
venue = "dc-east"
block = 1
threshold_pct = 70
lead_time = "60d"
max = 6
"#;
    let scenario = hybridplan::scenario::parse(&text, &path).expect("the 5-year scenario");
    let trace = hybridplan::trace::load(&scenario.trace).expect("the example trace");

    // CPU time is counted in 10 ms ticks: it is taken over all twenty runs and divided.
    let (mut best, runs) = (f64::INFINITY, 20);
    let mut summary = None;
    let c0 = cpu_seconds();
    for _ in 0..runs {
        let t0 = Instant::now();
        let (_, s) = hybridplan::simulate(&scenario, &trace).expect("runs");
        best = best.min(t0.elapsed().as_secs_f64());
        summary = Some(s);
    }
    let cpu = (cpu_seconds() - c0) / f64::from(runs);
    let s = summary.expect("ran at least once");
    let hosts = s.private_sites[0].hosts;
    println!(
        "years: example-hybrid over {} in {} steps of 1 h; {} events, {} usage samples",
        s.horizon,
        s.horizon_s / 3600,
        s.events,
        s.usage_samples
    );
    println!(
        "  total {:.2} {}, {} months of cash flow, NPV {:.2} at 8 %; dc-east ends with {hosts} hosts",
        s.total,
        s.currency,
        s.cash_flow.len(),
        s.npv.as_ref().map_or(0.0, |n| n.value)
    );
    println!("  simulate: {best:.3} s wall (best of {runs}), {cpu:.3} s CPU (mean of {runs})");
    println!("  peak RSS: {:.1} MiB", peak_rss_mib());
}
