//! Invariants over random small scenarios: no host is ever over capacity, raising a price never
//! lowers the total, and the same seed gives the same output.

use crate::common;

use common::Scratch;
use hybridplan::run_scenario;
use proptest::prelude::*;

const HEAD: &str = "currency = \"USD\"\nsource = \"test\"\nas_of = \"2026-11-01\"\n";

fn books(s: &Scratch, hourly: f64) {
    s.write(
        "public.toml",
        &format!(
            "name = \"p\"\n{HEAD}[public]\nregion = \"r\"\nbilling = \"per-hour\"\nstorage_gb_month = 0.1\negress_gb = 0.05\nspot_evictions_per_hour = 0.5\n\
             [[public.instances]]\nname = \"s\"\nvcpus = 2\nmem_gib = 8\nhourly = {hourly}\nspot_hourly = {}\n\
             [[public.instances]]\nname = \"l\"\nvcpus = 8\nmem_gib = 32\nhourly = {}\n",
            hourly / 3.0,
            hourly * 4.0
        ),
    );
    s.write(
        "private.toml",
        &format!("name = \"h\"\n{HEAD}[private]\ncores = 4\nmem_gib = 16\ncpu_overcommit = 2.0\nhost_monthly = 500.0\n[private.failures]\nafr_pct = 2000\nrepair = \"6h\"\n"),
    );
}

/// VMs: (start hour, hours, vcpus, GiB, group 0/1).
fn trace(vms: &[(u64, u64, u32, u32, u8)]) -> String {
    let mut t = String::from("id,group,start_s,end_s,vcpus,mem_gib,disk_gib\n");
    for (i, (start, len, c, m, g)) in vms.iter().enumerate() {
        t.push_str(&format!(
            "v{i},{},{},{},{c},{m},10\n",
            if *g == 0 { "web" } else { "batch" },
            start * 3600,
            (start + len) * 3600
        ));
    }
    t
}

fn scenario(policy: &str, hosts: u32, seed: u64) -> String {
    let min_stay = if policy == "private-first" {
        "[placement]\nmin_stay = \"1h\"\n"
    } else {
        ""
    };
    format!(
        "name = \"p\"\nhorizon = \"3d\"\nstep = \"1h\"\nseed = {seed}\ncurrency = \"USD\"\npolicy = \"{policy}\"\nfailures = true\n{min_stay}\
         [trace]\nvms = \"vms.csv\"\n[groups.batch]\npurchase = \"spot\"\n[groups.\"*\"]\negress_gib_per_vm_month = 20\n\
         [[venues]]\nname = \"dc\"\nbook = \"private.toml\"\nhosts = {hosts}\n[[venues]]\nname = \"cloud\"\nbook = \"public.toml\"\n"
    )
}

fn vms() -> impl Strategy<Value = Vec<(u64, u64, u32, u32, u8)>> {
    prop::collection::vec((0u64..60, 1u64..30, 1u32..9, 1u32..33, 0u8..2), 1..30)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever the policy, failures and evictions, allocation never exceeds a site's capacity
    /// (the host index would also refuse it), and every VM is placed or counted as a shortfall.
    #[test]
    fn capacity_is_never_exceeded(vms in vms(), hosts in 1u32..4, policy in prop::sample::select(vec!["first-fit", "best-fit", "cheapest", "private-first"])) {
        let s = Scratch::new();
        books(&s, 0.2);
        s.write("vms.csv", &trace(&vms));
        let r = run_scenario(&s.write("t.toml", &scenario(policy, hosts, 1))).unwrap();
        let site = &r.summary.private_sites[0];
        prop_assert!(site.peak_vcpu_allocated <= site.vcpu_capacity + 1e-9);
        prop_assert!(site.peak_mem_gib_allocated <= site.mem_gib_capacity + 1e-9);
        prop_assert_eq!(r.summary.vms.placed + r.summary.vms.unplaced, vms.len() as u64 - r.summary.vms.outside_horizon);
        prop_assert!(r.summary.total >= 0.0);
    }

    /// Under first-fit a public price rise changes no placement, so the total cannot fall.
    #[test]
    fn a_price_rise_never_lowers_the_total(vms in vms(), hosts in 1u32..3) {
        let s = Scratch::new();
        s.write("vms.csv", &trace(&vms));
        books(&s, 0.2);
        let before = run_scenario(&s.write("t.toml", &scenario("first-fit", hosts, 1))).unwrap().summary.total;
        books(&s, 0.3);
        let after = run_scenario(&s.path().join("t.toml")).unwrap().summary.total;
        prop_assert!(after >= before - 1e-9, "{} < {}", after, before);
    }

    /// The same seed gives byte-identical summaries and ledgers.
    #[test]
    fn the_same_seed_gives_the_same_output(vms in vms(), seed in 0u64..1000) {
        let s = Scratch::new();
        books(&s, 0.2);
        s.write("vms.csv", &trace(&vms));
        let path = s.write("t.toml", &scenario("cheapest", 2, seed));
        let a = run_scenario(&path).unwrap();
        let b = run_scenario(&path).unwrap();
        let json = |r: &hybridplan::Run| { let mut v = Vec::new(); r.summary.write_json(&mut v).unwrap(); v };
        prop_assert_eq!(json(&a), json(&b));
        let ledger = |r: &hybridplan::Run| { let mut v = Vec::new(); hybridplan::report::write_ledger_csv(&r.scenario, &r.outcome, &mut v).unwrap(); v };
        prop_assert_eq!(ledger(&a), ledger(&b));
    }
}

proptest! {
    /// `diff`: a run never differs from itself, and moving every figure by less than the
    /// tolerance never counts, while moving one by more always does.
    #[test]
    fn diff_respects_the_tolerance(
        values in proptest::collection::vec(1.0f64..1e6, 1..20),
        share in 0.0f64..0.004,
        pick in 0usize..20,
    ) {
        use hybridplan::regress::{Tolerance, compare};
        let doc = |scale: f64, bump: Option<usize>| {
            let venues: Vec<serde_json::Value> = values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let x = if bump == Some(i) { v * 1.01 } else { v * scale };
                    serde_json::json!({"name": format!("v{i}"), "total": x})
                })
                .collect();
            serde_json::json!({ "venues": venues })
        };
        let tol = Tolerance { relative: 0.005, absolute: 0.0 };
        let base = doc(1.0, None);
        prop_assert!(compare(&base, &base, tol).is_empty());
        prop_assert!(!compare(&base, &doc(1.0 + share, None), tol).iter().any(|c| c.beyond));
        let i = pick % values.len();
        let moved: Vec<String> = compare(&base, &doc(1.0, Some(i)), tol)
            .into_iter()
            .filter(|c| c.beyond)
            .map(|c| c.path)
            .collect();
        prop_assert_eq!(moved, vec![format!("venues[v{i}].total")]);
    }
}
