//! Hand-worked optima of the model, its explanation and conflicts, and a proptest against
//! exhaustive enumeration.

use super::*;
use crate::optimize::demand::GroupDemand;

/// One group of a constant 10 vCPUs / 40 GiB over two steps; venue 0 a private site of
/// 8-vCPU, 32-GiB hosts at 100 each; venue 1 public at 150 for the whole group (also used by
/// the explanation's tests).
pub(crate) fn instance(public: Option<f64>) -> (Profile, Vec<Site>) {
    let profile = Profile {
        step: 3600,
        steps: 2,
        periods: vec![0],
        pools: Vec::new(),
        groups: vec![GroupDemand {
            name: "g".into(),
            vcpus: vec![10.0, 10.0],
            mem_gib: vec![40.0, 40.0],
            vms: vec![10.0, 10.0],
            usage_cost: vec![None, public],
            pool_cost: Vec::new(),
            largest: (4.0, 16.0),
            allowed: vec![true, true],
            current: None,
        }],
    };
    let site = Site {
        venue: 0,
        name: "dc".into(),
        vcpus: 8.0,
        mem_gib: 32.0,
        fits: (8.0, 32.0),
        host_cost: 100.0,
        max_hosts: None,
        nodes: None,
        owned: 0,
        yearly_cost: Vec::new(),
    };
    (profile, vec![site])
}

#[test]
fn the_optimum_is_hand_checked() {
    let (p, sites) = instance(Some(150.0));
    let opt = Options {
        headroom: 0.0,
        whole_groups: false,
    };
    // All private: 40 / 32 -> 2 hosts = 200. All public: 150. Best: share s private with
    // 40 s <= 32 and 10 s <= 8 on one host: s = 0.8, cost 100 + 0.2 x 150 = 130.
    let s = solve(&p, 2, &sites, opt).unwrap();
    assert_eq!(s.hosts, [1]);
    assert!((s.shares[0][0] - 0.8).abs() < 1e-6 && (s.shares[0][1] - 0.2).abs() < 1e-6);
    assert!((s.cost - 130.0).abs() < 1e-6, "{s:?}");
    // Whole groups: 200 private or 150 public.
    let s = solve(
        &p,
        2,
        &sites,
        Options {
            whole_groups: true,
            ..opt
        },
    )
    .unwrap();
    assert_eq!(
        (s.hosts.as_slice(), s.shares[0].as_slice()),
        ([0].as_slice(), [0.0, 1.0].as_slice())
    );
    assert!((s.cost - 150.0).abs() < 1e-6);
    // Headroom 20 %: a host offers 25.6 GiB, so s = 0.64 and 100 + 0.36 x 150 = 154; two
    // hosts (51.2 GiB) hold it all for 200; public alone 150 is cheapest.
    let s = solve(
        &p,
        2,
        &sites,
        Options {
            headroom: 0.2,
            ..opt
        },
    )
    .unwrap();
    assert!((s.cost - 150.0).abs() < 1e-6, "{s:?}");
}

#[test]
fn a_group_with_no_venue_is_named() {
    let (p, _) = instance(None);
    let opt = Options {
        headroom: 0.0,
        whole_groups: false,
    };
    assert_eq!(
        solve(&p, 2, &[], opt),
        Err(NoPlan::NoVenue(vec!["g".into()]))
    );
}

#[test]
fn the_explanation_is_hand_checked() {
    let (p, sites) = instance(Some(150.0));
    let opt = Options {
        headroom: 0.0,
        whole_groups: false,
    };
    let s = solve(&p, 2, &sites, opt).unwrap();
    let ctx = crate::optimize::explain::Context {
        names: &["dc", "cloud"],
        currency: "USD",
        fixed: Vec::new(),
    };
    let e = crate::optimize::explain::explain(&p, &sites, opt, &s, &ctx);
    // The plan (1 host, 80 % private, 130) fills the host: 0.8 x 10 = 8 vCPU, 0.8 x 40 =
    // 32 GiB. 1 % more of a host (8.08 vCPU, 32.32 GiB) lets the share grow by 0.32 / 40 =
    // 0.008, saving 0.008 x 150 = 1.2: 120 per host of capacity.
    assert_eq!(e.binding.len(), 1, "{e:?}");
    assert!(e.binding[0].constraint.starts_with("dc: vCPU"), "{e:?}");
    assert!((e.binding[0].marginal_cost + 120.0).abs() < 1e-6, "{e:?}");
    // Runner-up: 2 hosts all private (200), 0 hosts all public (150), or the group off the
    // site (150): 0 hosts at 150, 20 more than the plan.
    let r = e.runner_up.unwrap();
    assert_eq!(r.design, "dc 0 hosts");
    assert!(
        (r.cost - 150.0).abs() < 1e-6 && (r.extra - 20.0).abs() < 1e-6,
        "{r:?}"
    );
}

#[test]
fn moving_off_the_current_venue_is_costed() {
    let (mut p, sites) = instance(Some(150.0));
    let opt = Options {
        headroom: 0.0,
        whole_groups: false,
    };
    // The group runs on the cloud today; moving a share s to the host costs 100 + 150 (1 -
    // s) + m s, s <= 0.8. At m = 60 (the whole group): 250 - 90 s -> 178 at s = 0.8, so
    // staying public (150) wins. At m = 20: 250 - 130 s -> 146 at s = 0.8, of which 16 is
    // moving.
    p.groups[0].current = Some((1, 60.0));
    let s = solve(&p, 2, &sites, opt).unwrap();
    assert!((s.cost - 150.0).abs() < 1e-6 && s.migration == 0.0, "{s:?}");
    p.groups[0].current = Some((1, 20.0));
    let s = solve(&p, 2, &sites, opt).unwrap();
    assert!(
        (s.cost - 146.0).abs() < 1e-6 && (s.migration - 16.0).abs() < 1e-6,
        "{s:?}"
    );
}

#[test]
fn a_group_bound_to_a_site_too_small_is_a_conflict_in_words() {
    let (mut p, mut sites) = instance(Some(150.0));
    // Only the site, at most one host: 32 GiB for 40 GiB of demand.
    p.groups[0].allowed = vec![true, false];
    sites[0].max_hosts = Some(1);
    let opt = Options {
        headroom: 0.0,
        whole_groups: false,
    };
    let Err(NoPlan::Conflict(reasons)) = solve(&p, 2, &sites, opt) else {
        panic!("expected a conflict");
    };
    assert_eq!(reasons.len(), 1);
    let r = &reasons[0];
    assert!(
        r.contains("group(s) g may run only on capped sites (dc: max_hosts = 1"),
        "{r}"
    );
    assert!(
        r.contains("hold 8.0 vCPU and 32.0 GiB at most, but need 10.0 vCPU and 40.0 GiB"),
        "{r}"
    );
    // Allowed on the cloud too, it is a plan again: 1 host + 20 % public = 130.
    p.groups[0].allowed = vec![true, true];
    assert!((solve(&p, 2, &sites, opt).unwrap().cost - 130.0).abs() < 1e-6);
}

/// The cheapest whole-group assignment by trying every one: each group on one allowed
/// venue; the site gets the fewest hosts that hold its groups at every step.
fn enumerate(p: &Profile, site: &Site, venues: usize, usable: f64) -> Option<f64> {
    let n = p.groups.len();
    let mut best: Option<f64> = None;
    for code in 0..venues.pow(n as u32) {
        let pick: Vec<usize> = (0..n)
            .map(|g| code / venues.pow(g as u32) % venues)
            .collect();
        let mut cost = 0.0;
        let mut ok = true;
        for (g, &v) in pick.iter().enumerate() {
            let grp = &p.groups[g];
            if !grp.allowed[v] {
                ok = false;
            } else if v == site.venue {
                ok &= grp.largest.0 <= site.fits.0 && grp.largest.1 <= site.fits.1;
            } else {
                match grp.usage_cost[v] {
                    Some(c) => cost += c,
                    None => ok = false,
                }
            }
        }
        if !ok {
            continue;
        }
        let need = (0..p.steps)
            .map(|t| {
                let on = |f: &dyn Fn(usize) -> f64| -> f64 {
                    (0..n).filter(|&g| pick[g] == site.venue).map(f).sum()
                };
                let cpu = on(&|g| p.groups[g].vcpus[t]) / (site.vcpus * usable);
                let mem = on(&|g| p.groups[g].mem_gib[t]) / (site.mem_gib * usable);
                (cpu.max(mem) - 1e-9).ceil().max(0.0)
            })
            .fold(0.0, f64::max);
        cost += need * site.host_cost;
        if best.is_none_or(|b| cost < b) {
            best = Some(cost);
        }
    }
    best
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// On random small instances (1 to 3 groups, 1 to 3 steps, a site and two public
    /// venues), the whole-group model finds exactly the cheapest assignment, and the
    /// continuous model never costs more.
    #[test]
    fn the_model_matches_exhaustive_enumeration(
        groups in proptest::collection::vec(
            (proptest::collection::vec((1u32..=12, 1u32..=48), 3), 10u32..400, 10u32..400, proptest::bool::ANY),
            1..=3,
        ),
        steps in 1usize..=3,
        host_cost in 50u32..300,
        headroom in proptest::sample::select(vec![0.0, 0.1, 0.25]),
    ) {
        let profile = Profile {
            step: 3600,
            steps,
            periods: vec![0],
            pools: Vec::new(),
            groups: groups
                .iter()
                .enumerate()
                .map(|(i, (demand, a, b, public_only))| GroupDemand {
                    name: format!("g{i}"),
                    vcpus: demand[..steps].iter().map(|d| f64::from(d.0)).collect(),
                    mem_gib: demand[..steps].iter().map(|d| f64::from(d.1)).collect(),
                    vms: demand[..steps].iter().map(|d| f64::from(d.0)).collect(),
                    usage_cost: vec![None, Some(f64::from(*a)), Some(f64::from(*b))],
                    pool_cost: Vec::new(),
                    largest: (1.0, 4.0),
                    allowed: vec![!public_only, true, true],
                    current: None,
                })
                .collect(),
        };
        let site = Site {
            venue: 0,
            name: "dc".into(),
            vcpus: 16.0,
            mem_gib: 64.0,
            fits: (16.0, 64.0),
            host_cost: f64::from(host_cost),
            max_hosts: None,
            nodes: None,
            owned: 0,
            yearly_cost: Vec::new(),
        };
        let whole = Options { headroom, whole_groups: true };
        let expected = enumerate(&profile, &site, 3, 1.0 - headroom).unwrap();
        let got = solve(&profile, 3, std::slice::from_ref(&site), whole).unwrap();
        proptest::prop_assert!((got.cost - expected).abs() < 1e-6 * expected.max(1.0), "{} vs {}", got.cost, expected);
        let shares = solve(&profile, 3, &[site], Options { whole_groups: false, ..whole }).unwrap();
        proptest::prop_assert!(shares.cost <= got.cost + 1e-6 * got.cost.max(1.0));
    }
}

/// Capacity already paid for: an owned host and one reserved instance.
#[test]
fn an_owned_reservation_and_an_owned_host_are_used_first() {
    use crate::optimize::demand::Pool;
    // Two VMs of 8 vCPU / 32 GiB at every step; venue 0 a site of 8-vCPU, 32-GiB hosts at 100
    // each, one owned; venue 1 public at 150 for the whole group, with one reserved instance
    // that holds one VM at 10 for the whole group (its storage and traffic).
    let (mut p, mut sites) = instance(Some(150.0));
    p.groups[0].vcpus = vec![16.0, 16.0];
    p.groups[0].mem_gib = vec![64.0, 64.0];
    p.groups[0].vms = vec![2.0, 2.0];
    p.groups[0].largest = (8.0, 32.0);
    p.groups[0].pool_cost = vec![Some(10.0)];
    p.pools = vec![Pool {
        venue: 1,
        name: "cloud reserved r".into(),
        count: 1.0,
        instance: 0,
        fits: (8.0, 32.0),
    }];
    sites[0].owned = 1;
    let opt = Options {
        headroom: 0.0,
        whole_groups: false,
    };
    // The owned host holds half the group (32 of 64 GiB) and costs 100 whatever; the
    // reservation holds one VM of two: y x 2 <= 1, so half, for 10 x 0.5 = 5. Nothing is left
    // for on-demand: 100 + 5 = 105. Without the reservation the other half would pay
    // 150 x 0.5 = 75 (175); a second host 200.
    let s = solve(&p, 2, &sites, opt).unwrap();
    assert_eq!(s.hosts, [1]);
    assert!((s.pooled[0][0] - 0.5).abs() < 1e-6, "{s:?}");
    assert!((s.shares[0][0] - 0.5).abs() < 1e-6 && (s.shares[0][1] - 0.5).abs() < 1e-6);
    assert!((s.cost - 105.0).abs() < 1e-6, "{s:?}");
    assert!((s.usage_cost[1] - 5.0).abs() < 1e-6, "{s:?}");
    // Not owned, the host would go: the reservation's half (5) and on-demand's (75) = 80.
    sites[0].owned = 0;
    let s = solve(&p, 2, &sites, opt).unwrap();
    assert_eq!(s.hosts, [0]);
    assert!((s.cost - 80.0).abs() < 1e-6, "{s:?}");
    // The LP relaxation (hosts as fractions) is a lower bound: half a host takes 16 GiB, a
    // quarter of the group, for 50 instead of 0.25 x 150 = 37.5 on-demand, so the bound is 80.
    let lp = solve_with(
        &p,
        2,
        &sites,
        opt,
        &Tweak {
            relax: true,
            ..Tweak::default()
        },
    )
    .unwrap();
    assert!(
        lp.cost <= s.cost + 1e-6 && (lp.cost - 80.0).abs() < 1e-6,
        "{lp:?}"
    );
}

/// Three yearly periods of one step each, a group of `gib` GiB in each year (1 vCPU), on a
/// private site of 8-vCPU, 32-GiB hosts costing `yearly` per host in each year, and (venue 1)
/// a public venue at `public` for the whole group when given.
fn growing(gib: [f64; 3], yearly: [f64; 3], public: Option<f64>) -> (Profile, Vec<Site>) {
    let (mut profile, mut sites) = instance(public);
    profile.steps = 3;
    profile.periods = vec![0, 1, 2];
    let g = &mut profile.groups[0];
    (g.vcpus, g.mem_gib, g.vms) = (vec![1.0; 3], gib.to_vec(), vec![1.0; 3]);
    g.largest = (1.0, 8.0);
    sites[0].yearly_cost = yearly.to_vec();
    sites[0].host_cost = yearly.iter().sum();
    (profile, sites)
}

#[test]
fn a_site_sized_per_year_buys_hosts_as_demand_arrives() {
    let opt = Options {
        headroom: 0.0,
        whole_groups: false,
    };
    // Memory needs 4 hosts in year 1 (100 GiB / 32 = 3.1), 6 in year 2 (190 / 32 = 5.9) and 9
    // in year 3 (270 / 32 = 8.4): additions 4, 2, 3. At 100 a host-year: 4 x 100 + 6 x 100 +
    // 9 x 100 = 1,900, against 9 hosts for all three years (the year-3 peak on day one):
    // 9 x 300 = 2,700.
    let (p, sites) = growing([100.0, 190.0, 270.0], [100.0; 3], None);
    let s = solve(&p, 1, &sites, opt).unwrap();
    assert_eq!(s.schedule, [vec![4, 6, 9]]);
    assert_eq!(s.hosts, [9]);
    assert!((s.cost - 1_900.0).abs() < 1e-6, "{s:?}");
    assert!((s.site_cost[0] - 1_900.0).abs() < 1e-6);
    // Prices escalating 10 % a year (100, 110, 121): 4 x 100 + 6 x 110 + 9 x 121 = 400 + 660
    // + 1,089 = 2,149; on day one 9 x 331 = 2,979.
    let (p, sites) = growing([100.0, 190.0, 270.0], [100.0, 110.0, 121.0], None);
    let s = solve(&p, 1, &sites, opt).unwrap();
    assert_eq!(s.schedule, [vec![4, 6, 9]]);
    assert!((s.cost - 2_149.0).abs() < 1e-6, "{s:?}");
    // Hosts bought are kept: a peak in year 1 (270 GiB: 9 hosts) keeps 9 in service after it
    // (9 x 300 = 2,700), never 9, 4, 6.
    let (p, sites) = growing([270.0, 100.0, 190.0], [100.0; 3], None);
    let s = solve(&p, 1, &sites, opt).unwrap();
    assert_eq!(s.schedule, [vec![9, 9, 9]]);
    assert!((s.cost - 2_700.0).abs() < 1e-6, "{s:?}");
}

#[test]
fn a_public_venue_is_weighed_against_every_year_s_hosts() {
    let opt = Options {
        headroom: 0.0,
        whole_groups: false,
    };
    // Year demand 64, 64, 96 GiB; hosts 100 a year; the whole group on the public venue costs
    // P over the three years. All private: 2 + 2 + 3 hosts = 700. A share s private (the same
    // in every year) keeps 2 hosts in year 3 only with 96 s <= 64, s <= 2/3: 600 + P / 3.
    // P = 120: all public (120 < 600 + 40 < 700).
    let (p, sites) = growing([64.0, 64.0, 96.0], [100.0; 3], Some(120.0));
    let s = solve(&p, 2, &sites, opt).unwrap();
    assert_eq!(s.schedule, [vec![0, 0, 0]]);
    assert!((s.cost - 120.0).abs() < 1e-6, "{s:?}");
    // P = 1,000: all private, 2, 2, 3 hosts = 700 (600 + 333.33 = 933.33 with s = 2/3).
    let (p, sites) = growing([64.0, 64.0, 96.0], [100.0; 3], Some(1_000.0));
    let s = solve(&p, 2, &sites, opt).unwrap();
    assert_eq!(s.schedule, [vec![2, 2, 3]]);
    assert!((s.cost - 700.0).abs() < 1e-6, "{s:?}");
}
