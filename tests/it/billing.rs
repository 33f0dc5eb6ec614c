//! Tiny scenarios whose costs, placements and shortfalls are worked out by hand.

use crate::common;

use common::Scratch;
use hybridplan::run_scenario;

const HEAD: &str =
    "currency = \"USD\"\nsource = \"hand-made test prices\"\nas_of = \"2026-11-01\"\n";

/// Public book: "a" 2 vCPU / 4 GiB at $0.10/h, "b" 4 vCPU / 16 GiB at $0.30/h; storage
/// $0.10 per GiB-month, egress $0.05 per GiB.
fn public_book(billing: &str) -> String {
    format!(
        "name = \"test public\"\n{HEAD}[public]\nregion = \"r\"\n{billing}\nstorage_gb_month = 0.10\negress_gb = 0.05\n\
         [[public.instances]]\nname = \"b\"\nvcpus = 4\nmem_gib = 16\nhourly = 0.30\n\
         [[public.instances]]\nname = \"a\"\nvcpus = 2\nmem_gib = 4\nhourly = 0.10\n"
    )
}

/// Private book: 4 cores x overcommit 2 = 8 vCPU, 16 GiB, $730 per host-month = $1 per host-hour.
fn private_book() -> String {
    format!(
        "name = \"test private\"\n{HEAD}[private]\ncores = 4\nmem_gib = 16\ncpu_overcommit = 2.0\nhost_monthly = 730.0\n"
    )
}

fn scenario(horizon: &str, policy: &str, extra: &str, venues: &str, usage: bool) -> String {
    let usage = if usage { "usage = \"usage.csv\"\n" } else { "" };
    format!(
        "name = \"t\"\nhorizon = \"{horizon}\"\nstep = \"1h\"\nseed = 1\ncurrency = \"USD\"\npolicy = \"{policy}\"\n\
         [trace]\nvms = \"vms.csv\"\n{usage}{extra}\n{venues}"
    )
}

const PUBLIC_VENUE: &str = "[[venues]]\nname = \"cloud\"\nbook = \"public.toml\"\n";
const PRIVATE_VENUE: &str = "[[venues]]\nname = \"dc\"\nbook = \"private.toml\"\nhosts = 2\n";
const VM_HEADER: &str = "id,group,start_s,end_s,vcpus,mem_gib,disk_gib\n";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn public_compute_storage_and_egress_per_second_with_minimum() {
    let s = Scratch::new();
    s.write(
        "public.toml",
        &public_book("billing = \"per-second\"\nminimum = \"60s\""),
    );
    s.write(
        "vms.csv",
        &format!("{VM_HEADER}v1,web,0,7200,2,4,73\nv2,web,100,130,3,8,0\n"),
    );
    let path = s.write(
        "t.toml",
        &scenario(
            "1d",
            "cheapest",
            "[groups.web]\negress_gib_per_vm_month = 365\n",
            PUBLIC_VENUE,
            false,
        ),
    );
    let run = run_scenario(&path).unwrap();
    let venue = &run.summary.venues[0];
    // v1 fits "a" (2 vCPU, 4 GiB): 2 h x $0.10 = $0.20.
    // v2 needs 3 vCPU / 8 GiB, so "b": it ran 30 s, billed the 60 s minimum: 60 / 3600 x $0.30 = $0.005.
    // compute = 0.20 + 0.005 = 0.205.
    let ledger = &run.outcome.ledger;
    use hybridplan::sim::Category;
    assert!(
        close(ledger.total(0, Category::Compute), 0.205),
        "{}",
        ledger.total(0, Category::Compute)
    );
    // Storage: 73 GiB x $0.10 per GiB-month x 2 h / 730 h = $0.02 (v2 has no disk).
    assert!(close(ledger.total(0, Category::Storage), 0.02));
    // Egress: 365 GiB per VM-month x $0.05 x 2 h / 730 h = $0.05 for v1,
    // plus 365 x 0.05 x 30 s / (730 x 3600 s) = $0.000208333 for v2.
    assert!(close(
        ledger.total(0, Category::Egress),
        0.05 + 365.0 * 0.05 * 30.0 / (730.0 * 3600.0)
    ));
    assert_eq!(venue.placements, 2);
    // VM-hours: 2 h + 30 s = 2.0083 h.
    assert_eq!(venue.vm_hours, 2.0083);
}

#[test]
fn per_hour_billing_charges_every_started_hour_on_the_stop_day() {
    let s = Scratch::new();
    s.write("public.toml", &public_book("billing = \"per-hour\""));
    // Runs 23:00 on day 0 to 00:00:01 on day 1 (3,601 s): two started hours billed.
    s.write("vms.csv", &format!("{VM_HEADER}v1,web,82800,86401,2,4,0\n"));
    let path = s.write(
        "t.toml",
        &scenario("2d", "first-fit", "", PUBLIC_VENUE, false),
    );
    let run = run_scenario(&path).unwrap();
    let rows = run.outcome.ledger.rows();
    let got: Vec<(usize, &str, f64)> = rows.iter().map(|r| (r.day, r.rule, r.amount)).collect();
    // Day 0: 3,600 s x $0.10/h = $0.10. Day 1: the 1 s that ran (0.10 / 3,600) and, as its own
    // rule, the rounding to 2 started hours (3,599 s more). Total $0.20 = 2 h x $0.10.
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!((got[0].0, got[0].1), (0, "on-demand a at 0.1/h"));
    assert!(close(got[0].2, 0.10));
    assert_eq!((got[1].0, got[1].1), (1, "on-demand a at 0.1/h"));
    assert!(close(got[1].2, 0.10 / 3_600.0));
    assert_eq!(
        (got[2].0, got[2].1),
        (1, "per-hour billing: every started hour in full")
    );
    assert!(close(got[2].2, 3_599.0 * 0.10 / 3_600.0));
}

#[test]
fn private_packing_host_cost_and_shortfalls() {
    let s = Scratch::new();
    s.write("private.toml", &private_book());
    s.write(
        "vms.csv",
        &format!(
            "{VM_HEADER}a,app,0,,4,8,0\nb,app,0,,4,8,0\nc,app,0,,4,8,0\nd,app,0,,4,8,0\ne,app,3600,7200,1,1,0\nhuge,app,0,,16,8,0\n"
        ),
    );
    let path = s.write(
        "t.toml",
        &scenario("1d", "first-fit", "", PRIVATE_VENUE, false),
    );
    let run = run_scenario(&path).unwrap();
    let sm = &run.summary;
    // Two hosts of 8 vCPU / 16 GiB: a and b fill host 0 (8 vCPU, 16 GiB), c and d fill host 1.
    // "huge" (16 vCPU) is larger than a host: too-large. "e" (1 vCPU) arrives when both are full:
    // capacity. It would have run 1 h, "huge" 24 h: 25 VM-hours unplaced.
    assert_eq!(sm.venues[0].placements, 4);
    assert_eq!(sm.vms.unplaced, 2);
    assert_eq!(sm.shortfalls.by_kind.get("capacity"), Some(&1));
    assert_eq!(sm.shortfalls.by_kind.get("too-large"), Some(&1));
    assert_eq!(sm.vms.vm_hours_unplaced, 25.0);
    assert_eq!(
        sm.shortfalls.first[0].reason,
        "dc: larger than a host (8 vCPU, 16 GiB)"
    );
    assert_eq!(sm.shortfalls.first[1].reason, "dc: all 2 hosts full");
    // Hosts: 2 x $1/h x 24 h = $48, spread evenly over the day.
    assert_eq!(sm.total, 48.0);
    let site = &sm.private_sites[0];
    assert_eq!(
        (
            site.peak_vcpu_allocated_ratio,
            site.peak_mem_allocated_ratio
        ),
        (1.0, 1.0)
    );
    assert_eq!(site.peak_cpu_used_ratio, None); // no usage file
}

#[test]
fn cheapest_prefers_paid_for_hosts_and_first_fit_follows_scenario_order() {
    let s = Scratch::new();
    s.write("public.toml", &public_book("billing = \"per-second\""));
    s.write("private.toml", &private_book());
    s.write("vms.csv", &format!("{VM_HEADER}v,app,0,3600,2,4,0\n"));
    let venues = format!("{PUBLIC_VENUE}{PRIVATE_VENUE}");
    let first =
        run_scenario(&s.write("f.toml", &scenario("1d", "first-fit", "", &venues, false))).unwrap();
    let cheap =
        run_scenario(&s.write("c.toml", &scenario("1d", "cheapest", "", &venues, false))).unwrap();
    // first-fit: the public venue is listed first and can hold it: 1 h x $0.10.
    assert_eq!(
        (
            first.summary.venues[0].placements,
            first.summary.venues[1].placements
        ),
        (1, 0)
    );
    assert_eq!(first.summary.venues[0].total, 0.10);
    // cheapest: a private host costs nothing more than the $48 already paid.
    assert_eq!(
        (
            cheap.summary.venues[0].placements,
            cheap.summary.venues[1].placements
        ),
        (0, 1)
    );
    assert_eq!(cheap.summary.total, 48.0);
}

#[test]
fn usage_sets_site_cpu_utilisation_at_step_boundaries() {
    let s = Scratch::new();
    s.write("private.toml", &private_book());
    s.write("vms.csv", &format!("{VM_HEADER}v,app,0,,4,8,0\n"));
    s.write("usage.csv", "id,t_s,cpu_util\nv,0,0.5\nv,3600,0.25\n");
    let path = s.write(
        "t.toml",
        &scenario("2h", "first-fit", "", PRIVATE_VENUE, true),
    );
    let run = run_scenario(&path).unwrap();
    let site = &run.summary.private_sites[0];
    // Physical cores: 2 hosts x 4 = 8. End of hour 1: 4 vCPU x 0.5 = 2 cores = 0.25 of 8.
    // End of hour 2: 4 x 0.25 = 1 core = 0.125. Peak 0.25, mean (0.25 + 0.125) / 2 = 0.1875.
    assert_eq!(site.peak_cpu_used_ratio, Some(0.25));
    assert_eq!(site.mean_cpu_used_ratio, Some(0.1875));
    assert_eq!(run.summary.usage_samples, 2);
}

#[test]
fn exchange_rates_convert_book_prices() {
    let s = Scratch::new();
    s.write(
        "public.toml",
        &public_book("billing = \"per-second\"").replace("\"USD\"", "\"EUR\""),
    );
    s.write("vms.csv", &format!("{VM_HEADER}v,app,0,36000,2,4,0\n"));
    let path = s.write(
        "t.toml",
        &scenario(
            "1d",
            "first-fit",
            "[exchange_rates]\nEUR = 1.5\n",
            PUBLIC_VENUE,
            false,
        ),
    );
    let run = run_scenario(&path).unwrap();
    // 10 h x EUR 0.10 = EUR 1.00 = USD 1.50 at 1.5 USD per EUR.
    assert_eq!(run.summary.total, 1.5);
}
