//! The providers' billing rules as a run bills them, worked by hand from the published rules:
//! GCP sustained use, Azure Hybrid Benefit, an AWS partial-upfront reservation, a spot
//! eviction falling back to on-demand.

use super::*;
use crate::pricing::{Book, BookKind, Term, Upfront};
use crate::sim::testkit::vm;
use std::path::Path;

fn book(body: &str) -> PublicBook {
    let text = format!(
        "name = \"t\"\ncurrency = \"USD\"\nsource = \"hand\"\nas_of = \"2026-11-01\"\n[public]\nregion = \"r\"\nbilling = \"per-second\"\nminimum = \"60s\"\nstorage_gb_month = 0.0\negress_gb = 0.0\n{body}"
    );
    match Book::parse(&text, Path::new("t.toml")).unwrap().kind {
        BookKind::Public(b) => b,
        _ => unreachable!("a public book"),
    }
}

/// Bills one VM of `vcpus`/`mem` for `hours` on `book` (with `commitments`) over a horizon of
/// `horizon_h` hours; returns the ledger.
fn run_one(
    book: &PublicBook,
    group: &GroupPolicy,
    commitments: &[Commitment],
    (vcpus, mem): (f64, f64),
    hours: u64,
    horizon_h: u64,
) -> Ledger {
    let horizon = horizon_h * HOUR;
    let mut ledger = Ledger::new(horizon);
    let mut venue = PublicVenue::new(0, book, 1.0, commitments, &mut ledger, horizon);
    let end = hours * HOUR;
    let v = vm("a", 0, 0, Some(end), vcpus, mem).1;
    let (_, instance) = venue.offer(&v, group, 0, false).unwrap();
    venue.start(instance);
    venue.finish(&mut ledger, &v, group, instance, 0, end);
    venue.close(&mut ledger, horizon);
    ledger
}

const N1: &str = r#"sustained_use = { n1 = [1.0, 0.8, 0.6, 0.4] }
[[public.instances]]
name = "n1-standard-16"
vcpus = 16
mem_gib = 60
hourly = 0.76
"#;

#[test]
fn gcp_sustained_use_discount_on_an_n1_standard_16() {
    // https://cloud.google.com/compute/docs/sustained-use-discounts: N1 usage is charged at
    // 100 %, 80 %, 60 % and 40 % of the base rate in each quarter of the month. List month:
    // 730 h x 0.76 = 554.80; GCP bills 554.80 x (0.25 + 0.2 + 0.15 + 0.1) = 388.36.
    let b = book(N1);
    let g = GroupPolicy::default();
    let full = run_one(&b, &g, &[], (16.0, 60.0), 730, 730);
    assert!((full.total(0, Category::Compute) - 388.36).abs() < 1e-6);
    // Half a month, 365 h: 182.5 h at 100 % + 182.5 h at 80 % = 328.5 h x 0.76 = 249.66
    // (list 277.40).
    let half = run_one(&b, &g, &[], (16.0, 60.0), 365, 730);
    assert!((half.total(0, Category::Compute) - 249.66).abs() < 1e-6);
    // The ledger names the rule.
    let rules: Vec<&str> = full.lines().iter().map(|l| l.rule.as_str()).collect();
    assert!(
        rules.iter().any(|r| r.contains("sustained-use discount")),
        "{rules:?}"
    );
}

#[test]
fn azure_hybrid_benefit_removes_the_windows_licence() {
    // Azure D4s v5, East US: Linux 0.192/h, Windows 0.376/h (0.192 + 4 vCPU x 0.046). With
    // Azure Hybrid Benefit the customer's own Windows Server licence covers the OS: the VM is
    // billed at the Linux rate (https://azure.microsoft.com/pricing/hybrid-benefit/).
    // 730 h: Windows 274.48, with AHB 140.16.
    let b = book(
        "windows_per_vcpu_hour = 0.046\nhybrid_benefit = true\n[[public.instances]]\nname = \"Standard_D4s_v5\"\nfamily = \"Dsv5\"\nvcpus = 4\nmem_gib = 16\nhourly = 0.192\n",
    );
    let windows = GroupPolicy {
        windows: true,
        ..GroupPolicy::default()
    };
    let ahb = GroupPolicy {
        hybrid_benefit: crate::pricing::Brought::ALL,
        ..windows.clone()
    };
    let full = run_one(&b, &windows, &[], (4.0, 16.0), 730, 730);
    assert!((full.total(0, Category::Compute) - 274.48).abs() < 1e-6);
    let own = run_one(&b, &ahb, &[], (4.0, 16.0), 730, 730);
    assert!((own.total(0, Category::Compute) - 140.16).abs() < 1e-6);
}

#[test]
fn sql_server_is_billed_per_vcpu_and_hybrid_benefit_removes_what_is_brought() {
    use crate::pricing::{Brought, SqlEdition};
    // Azure D4s v5 (0.192/h Linux, Windows + 4 x 0.046 = 0.184) with SQL Server Standard at
    // 0.10 per vCPU-hour, 4-vCPU minimum: 0.40/h. 730 h:
    //   licence-included 0.776 x 730 = 566.48 (Windows 134.32, SQL 292.00);
    //   both licences brought 0.192 x 730 = 140.16;
    //   only SQL brought (hybrid_benefit = ["sql"]) 0.376 x 730 = 274.48.
    let b = book(
        "windows_per_vcpu_hour = 0.046\nhybrid_benefit = true\n[public.sql]\nstandard = { vcpu_hour = 0.10, min_vcpus = 4 }\n[[public.instances]]\nname = \"Standard_D4s_v5\"\nfamily = \"Dsv5\"\nvcpus = 4\nmem_gib = 16\nhourly = 0.192\n",
    );
    let sql = GroupPolicy {
        windows: true,
        sql: Some(SqlEdition::Standard),
        ..GroupPolicy::default()
    };
    let month = |g: &GroupPolicy| run_one(&b, g, &[], (4.0, 16.0), 730, 730);
    let full = month(&sql);
    assert!((full.total(0, Category::Compute) - 566.48).abs() < 1e-6);
    let rule = |l: &Ledger, start: &str| -> f64 {
        l.lines()
            .iter()
            .filter(|x| x.rule.starts_with(start))
            .map(|x| x.total())
            .sum()
    };
    let sql_rule = "SQL Server Standard licence 0.1/vCPU-hour, 4 vCPU minimum";
    assert!((rule(&full, sql_rule) - 292.0).abs() < 1e-6);
    assert!((rule(&full, "Windows licence") - 134.32).abs() < 1e-6);
    let both = GroupPolicy {
        hybrid_benefit: Brought::ALL,
        ..sql.clone()
    };
    assert!((month(&both).total(0, Category::Compute) - 140.16).abs() < 1e-6);
    let only_sql = GroupPolicy {
        hybrid_benefit: Brought {
            windows: false,
            sql: true,
        },
        ..sql.clone()
    };
    let l = month(&only_sql);
    assert!((l.total(0, Category::Compute) - 274.48).abs() < 1e-6);
    assert_eq!(rule(&l, sql_rule), 0.0);
    // A 2 vCPU Linux VM with Enterprise (0.375, 4-vCPU minimum) on a 2 vCPU type at 0.096:
    // 4 x 0.375 = 1.50/h of licence, 1.596 x 730 = 1,165.08.
    let b = book(
        "[public.sql]\nenterprise = { vcpu_hour = 0.375, min_vcpus = 4 }\n[[public.instances]]\nname = \"Standard_D2s_v5\"\nvcpus = 2\nmem_gib = 8\nhourly = 0.096\n",
    );
    let ent = GroupPolicy {
        sql: Some(SqlEdition::Enterprise),
        ..GroupPolicy::default()
    };
    let l = run_one(&b, &ent, &[], (2.0, 8.0), 730, 730);
    assert!((l.total(0, Category::Compute) - 1_165.08).abs() < 1e-6);
    assert!((rule(&l, "SQL Server Enterprise licence") - 1_095.0).abs() < 1e-6);
}

#[test]
fn an_aws_partial_upfront_reservation_bills_upfront_and_hourly() {
    // m6a.xlarge 1y standard partial upfront (the EC2 price list, 2026-10-01): 477 upfront
    // plus 0.054/h. Effective 477 / 8,760 + 0.054 = 0.0544521 + 0.054 = 0.1084521/h, paid
    // for every hour of the term used or not: a 720 h horizon carries 0.1084521 x 720 =
    // 78.0855. The VM it covers adds no compute.
    let b = book(
        "[[public.instances]]\nname = \"m6a.xlarge\"\nvcpus = 4\nmem_gib = 16\nhourly = 0.1728\n[[public.reserved]]\ninstance = \"m6a.xlarge\"\nterm = \"1y\"\nupfront = \"partial\"\nupfront_cost = 477.0\nhourly = 0.054\n",
    );
    let offer = b
        .reserved_offer(0, Term::OneYear, Upfront::Partial)
        .unwrap()
        .clone();
    let c = [Commitment::Reserved {
        venue: 0,
        count: 1,
        offer,
    }];
    let ledger = run_one(&b, &GroupPolicy::default(), &c, (4.0, 16.0), 300, 720);
    let reserved = ledger.total(0, Category::Reserved);
    assert!(
        (reserved - (477.0 / 8_760.0 + 0.054) * 720.0).abs() < 1e-6,
        "{reserved}"
    );
    assert!((reserved - 78.0855).abs() < 1e-4);
    assert_eq!(ledger.total(0, Category::Compute), 0.0);
}

#[test]
fn a_spot_eviction_falls_back_to_on_demand() {
    // m5.large spot in us-east-1 at 0.0353/h, on-demand 0.096/h; the Spot Instance Advisor
    // puts m5 in the "5-10%" bucket: 7.5 % of instances interrupted a month, a rate of
    // -ln(0.925) / 730 = 1.06797e-4 per instance-hour.
    let b = book(
        "[public.spot_interruption]\nm5 = \"5-10%\"\n[[public.instances]]\nname = \"m5.large\"\nvcpus = 2\nmem_gib = 8\nhourly = 0.096\nspot_hourly = 0.0353\n",
    );
    assert!((b.spot_evictions(0) - 0.077_961_541_5 / 730.0).abs() < 1e-12);
    // The VM runs 2 h on spot, is evicted, restarts on-demand and runs 3 h more:
    // 2 x 0.0353 + 3 x 0.096 = 0.0706 + 0.288 = 0.3586.
    let horizon = 10 * HOUR;
    let mut ledger = Ledger::new(horizon);
    let mut venue = PublicVenue::new(0, &b, 1.0, &[], &mut ledger, horizon);
    let spot = GroupPolicy {
        purchase: Purchase::Spot,
        ..GroupPolicy::default()
    };
    let v = vm("a", 0, 0, Some(5 * HOUR), 2.0, 8.0).1;
    let (_, on_spot) = venue.offer(&v, &spot, 0, false).unwrap();
    assert_eq!(on_spot.purchase, Purchase::Spot);
    venue.start(on_spot);
    venue.finish(&mut ledger, &v, &spot, on_spot, 0, 2 * HOUR);
    let (_, fallback) = venue.offer(&v, &spot, 2 * HOUR, true).unwrap();
    assert_eq!(fallback.purchase, Purchase::OnDemand);
    venue.start(fallback);
    venue.finish(&mut ledger, &v, &spot, fallback, 2 * HOUR, 5 * HOUR);
    venue.close(&mut ledger, horizon);
    assert!((ledger.total(0, Category::Compute) - 0.3586).abs() < 1e-9);
}
