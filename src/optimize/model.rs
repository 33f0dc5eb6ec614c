//! The placement and sizing model: the share of each group on each venue (continuous, or whole
//! groups as binaries), an integer host count per private site, capacity at every distinct
//! demand step, and total cost over the horizon. Built from small named pieces so each
//! constraint family can be read (and tested) on its own.

use super::demand::Profile;
use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, variable};

/// An owned site the model sizes, in units it buys whole: hosts of a private site, or scale
/// units of `nodes` nodes of an HCI site.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Index of the venue in the scenario, and its name.
    pub venue: usize,
    pub name: String,
    /// What one unit offers tenants (vCPUs after overcommit, GiB; for HCI after the
    /// infrastructure and the resiliency reserve).
    pub vcpus: f64,
    pub mem_gib: f64,
    /// The largest VM one unit can take (one host; one HCI node).
    pub fits: (f64, f64),
    /// Cost of one unit over the horizon.
    pub host_cost: f64,
    /// The most units the site may have (`max_hosts` of the venue).
    pub max_hosts: Option<u32>,
    /// HCI: nodes per scale unit (`None`: the units are hosts).
    pub nodes: Option<u32>,
}

/// The solver: pure-Rust microlp by default; HiGHS with the `highs` cargo feature (it builds
/// HiGHS from source: cmake and libclang-dev are needed).
#[cfg(not(feature = "highs"))]
const SOLVER: fn(good_lp::variable::UnsolvedProblem) -> good_lp::solvers::microlp::MicroLpProblem =
    good_lp::microlp;
#[cfg(feature = "highs")]
const SOLVER: fn(good_lp::variable::UnsolvedProblem) -> good_lp::solvers::highs::HighsProblem =
    good_lp::highs;

/// The solver's name, for outputs.
pub const SOLVER_NAME: &str = if cfg!(feature = "highs") {
    "HiGHS"
} else {
    "microlp"
};

impl Site {
    /// What the site buys: "host" or "unit" (an HCI scale unit).
    pub fn unit(&self) -> &'static str {
        if self.nodes.is_some() { "unit" } else { "host" }
    }

    /// `n` of the site's units in words: "3 hosts" or "2 x 4-node units".
    pub fn units(&self, n: u32) -> String {
        match self.nodes {
            Some(nodes) => format!("{n} x {nodes}-node units"),
            None => format!("{n} hosts"),
        }
    }
}

/// Model options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Share of each host kept free for packing losses and bursts (0.1 = plan to 90 %).
    pub headroom: f64,
    /// Each group goes to exactly one venue.
    pub whole_groups: bool,
}

/// The optimum.
#[derive(Debug, Clone, PartialEq)]
pub struct Solved {
    /// `shares[g][v]`: share of group g on venue v.
    pub shares: Vec<Vec<f64>>,
    /// Hosts per site, in the order of the sites given.
    pub hosts: Vec<u32>,
    pub cost: f64,
    /// Cost of the hosts per site, and of the public share per venue.
    pub site_cost: Vec<f64>,
    pub usage_cost: Vec<f64>,
    /// One-off cost of moving groups off their current venue (included in `cost`).
    pub migration: f64,
}

/// Why no plan exists.
#[derive(Debug, Clone, PartialEq)]
pub enum NoPlan {
    /// Groups with no venue: some VM fits no public instance type and no private host.
    NoVenue(Vec<String>),
    /// Requirements that conflict, in words (e.g. groups bound to sites too small for them).
    Conflict(Vec<String>),
    /// The solver found the constraints contradictory without a conflict found in words.
    Infeasible,
    Solver(String),
}

/// Changes to the model for the explanation's re-solves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tweak {
    /// A site (index into the sites) gets this share of one host's capacity for free.
    pub free_capacity: Option<(usize, f64)>,
    /// Bounds on a site's hosts: (site, least, most).
    pub hosts: Option<(usize, u32, u32)>,
    /// Ignore the groups' allowed venues.
    pub any_venue: bool,
    /// Keep a group off a venue: (group, venue).
    pub exclude: Option<(usize, usize)>,
}

/// Distinct demand steps: (vCPUs, GiB) per group. Identical steps constrain alike, so only one
/// of each is kept.
pub fn distinct_steps(profile: &Profile) -> Vec<usize> {
    let mut seen = std::collections::HashSet::new();
    (0..profile.steps)
        .filter(|&t| {
            let key: Vec<u64> = profile
                .groups
                .iter()
                .flat_map(|g| [g.vcpus[t].to_bits(), g.mem_gib[t].to_bits()])
                .collect();
            seen.insert(key)
        })
        .collect()
}

/// The most hosts a site may get: its `max_hosts`, else what all demand at its peak on that
/// site alone would need with the headroom kept free, plus one.
fn max_hosts(profile: &Profile, site: &Site, opt: Options) -> u32 {
    let peak = |f: &dyn Fn(usize) -> f64| (0..profile.steps).map(f).fold(0.0, f64::max);
    let cpu = peak(&|t| profile.groups.iter().map(|g| g.vcpus[t]).sum());
    let mem = peak(&|t| profile.groups.iter().map(|g| g.mem_gib[t]).sum());
    let usable = (1.0 - opt.headroom).max(1e-9);
    let need = ((cpu / site.vcpus).max(mem / site.mem_gib) / usable).ceil();
    site.max_hosts.unwrap_or(need.min(1e6) as u32 + 1)
}

pub fn solve(
    profile: &Profile,
    venues: usize,
    sites: &[Site],
    opt: Options,
) -> Result<Solved, NoPlan> {
    solve_with(profile, venues, sites, opt, &Tweak::default()).map_err(|e| match e {
        NoPlan::Infeasible => {
            let conflicts = conflicts(profile, sites, opt);
            if conflicts.is_empty() {
                NoPlan::Infeasible
            } else {
                NoPlan::Conflict(conflicts)
            }
        }
        e => e,
    })
}

/// The model with `tweak` applied.
pub fn solve_with(
    profile: &Profile,
    venues: usize,
    sites: &[Site],
    opt: Options,
    tweak: &Tweak,
) -> Result<Solved, NoPlan> {
    let site_of = |v: usize| sites.iter().position(|s| s.venue == v);
    let mut vars = ProblemVariables::new();
    // x[g][v]: a variable where group g may go to venue v.
    let x: Vec<Vec<Option<Variable>>> = profile
        .groups
        .iter()
        .enumerate()
        .map(|(gi, g)| {
            (0..venues)
                .map(|v| {
                    let fits = |s: &Site| g.largest.0 <= s.fits.0 && g.largest.1 <= s.fits.1;
                    let allowed = (tweak.any_venue || g.allowed[v])
                        && tweak.exclude != Some((gi, v))
                        && match site_of(v) {
                            Some(s) => fits(&sites[s]),
                            None => g.usage_cost[v].is_some(),
                        };
                    allowed.then(|| {
                        let def = variable().min(0.0).max(1.0);
                        vars.add(if opt.whole_groups { def.integer() } else { def })
                    })
                })
                .collect()
        })
        .collect();
    let homeless: Vec<String> = profile
        .groups
        .iter()
        .zip(&x)
        .filter(|(_, xs)| xs.iter().all(Option::is_none))
        .map(|(g, _)| g.name.clone())
        .collect();
    if !homeless.is_empty() {
        return Err(NoPlan::NoVenue(homeless));
    }
    let h: Vec<Variable> = sites
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (least, most) = match tweak.hosts {
                Some((site, least, most)) if site == i => (least, most),
                _ => (0, max_hosts(profile, s, opt)),
            };
            vars.add(variable().integer().min(least).max(most))
        })
        .collect();

    let objective = cost(profile, sites, &x, &h);
    let mut model = vars.minimise(objective.clone()).using(SOLVER);
    for xs in &x {
        model = model.with(xs.iter().flatten().copied().sum::<Expression>().eq(1.0));
    }
    let usable = 1.0 - opt.headroom;
    for t in distinct_steps(profile) {
        for (s, site) in sites.iter().enumerate() {
            let on_site = |f: &dyn Fn(usize) -> f64| -> Expression {
                x.iter()
                    .enumerate()
                    .filter_map(|(g, xs)| xs[site.venue].map(|var| f(g) * var))
                    .sum()
            };
            let cpu = on_site(&|g| profile.groups[g].vcpus[t]);
            let mem = on_site(&|g| profile.groups[g].mem_gib[t]);
            let free = match tweak.free_capacity {
                Some((site, share)) if site == s => share,
                _ => 0.0,
            };
            model = model.with(cpu.leq(site.vcpus * usable * (h[s] + free)));
            model = model.with(mem.leq(site.mem_gib * usable * (h[s] + free)));
        }
    }
    let sol = model.solve().map_err(|e| match e {
        good_lp::ResolutionError::Infeasible => NoPlan::Infeasible,
        e => NoPlan::Solver(e.to_string()),
    })?;

    let shares: Vec<Vec<f64>> = x
        .iter()
        .map(|xs| {
            xs.iter()
                .map(|v| v.map_or(0.0, |v| clean(sol.value(v))))
                .collect()
        })
        .collect();
    let hosts: Vec<u32> = h.iter().map(|v| sol.value(*v).round() as u32).collect();
    let site_cost: Vec<f64> = sites
        .iter()
        .zip(&hosts)
        .map(|(s, n)| s.host_cost * f64::from(*n))
        .collect();
    let usage_cost: Vec<f64> = (0..venues)
        .map(|v| {
            profile
                .groups
                .iter()
                .zip(&shares)
                .map(|(g, sh)| g.usage_cost[v].map_or(0.0, |c| c * sh[v]))
                .sum()
        })
        .collect();
    let migration: f64 = profile
        .groups
        .iter()
        .zip(&shares)
        .filter_map(|(g, sh)| g.current.map(|(v, c)| c * (1.0 - sh[v])))
        .sum();
    let cost = site_cost.iter().sum::<f64>() + usage_cost.iter().sum::<f64>() + migration;
    Ok(Solved {
        shares,
        hosts,
        cost,
        site_cost,
        usage_cost,
        migration,
    })
}

/// Groups that may run only on sites with a `max_hosts` whose demand those sites cannot hold
/// even at their limit, in words. Each set of such sites is checked with every group that is
/// bound to it (a group bound to a subset counts too).
pub fn conflicts(profile: &Profile, sites: &[Site], opt: Options) -> Vec<String> {
    let usable = 1.0 - opt.headroom;
    let capped = |v: usize| sites.iter().find(|s| s.venue == v && s.max_hosts.is_some());
    // Each group's venues when all of them are capped sites.
    let bound: Vec<Option<Vec<usize>>> = profile
        .groups
        .iter()
        .map(|g| {
            let venues: Vec<usize> = (0..g.allowed.len()).filter(|&v| g.allowed[v]).collect();
            venues
                .iter()
                .all(|&v| capped(v).is_some())
                .then_some(venues)
        })
        .collect();
    let mut sets: Vec<&Vec<usize>> = bound.iter().flatten().collect();
    sets.sort();
    sets.dedup();
    let mut out = Vec::new();
    for set in sets {
        let members: Vec<usize> = (0..profile.groups.len())
            .filter(|&g| {
                bound[g]
                    .as_ref()
                    .is_some_and(|b| b.iter().all(|v| set.contains(v)))
            })
            .collect();
        let cap = |f: &dyn Fn(&Site) -> f64| -> f64 {
            set.iter()
                .filter_map(|&v| capped(v))
                .map(|s| f(s) * f64::from(s.max_hosts.unwrap_or(0)) * usable)
                .sum()
        };
        let (cpu_cap, mem_cap) = (cap(&|s| s.vcpus), cap(&|s| s.mem_gib));
        let at = |t: usize| -> (f64, f64) {
            members.iter().fold((0.0, 0.0), |(c, m), &g| {
                (
                    c + profile.groups[g].vcpus[t],
                    m + profile.groups[g].mem_gib[t],
                )
            })
        };
        let worst = (0..profile.steps)
            .map(|t| (t, at(t)))
            .filter(|(_, (c, m))| *c > cpu_cap + 1e-9 || *m > mem_cap + 1e-9)
            .max_by(|a, b| {
                (a.1.1 / mem_cap)
                    .max(a.1.0 / cpu_cap)
                    .total_cmp(&(b.1.1 / mem_cap).max(b.1.0 / cpu_cap))
            });
        if let Some((t, (cpu, mem))) = worst {
            let names: Vec<&str> = members
                .iter()
                .map(|&g| profile.groups[g].name.as_str())
                .collect();
            let limits: Vec<String> = set
                .iter()
                .filter_map(|&v| capped(v))
                .map(|s| {
                    format!(
                        "{}: max_hosts = {} of {} vCPU and {} GiB",
                        s.name,
                        s.max_hosts.unwrap_or(0),
                        s.vcpus,
                        s.mem_gib
                    )
                })
                .collect();
            out.push(format!(
                "group(s) {} may run only on capped sites ({}; {:.0} % usable after headroom), which hold {cpu_cap:.1} vCPU and {mem_cap:.1} GiB at most, but need {cpu:.1} vCPU and {mem:.1} GiB at step {t} ({} h); allow more venues or raise max_hosts",
                names.join(", "),
                limits.join(", "),
                usable * 100.0,
                t as f64 * profile.step as f64 / 3600.0,
            ));
        }
    }
    out
}

/// Total cost: the sites' hosts, each group's share of its public cost, and moving the share
/// of each group that leaves its current venue.
fn cost(
    profile: &Profile,
    sites: &[Site],
    x: &[Vec<Option<Variable>>],
    h: &[Variable],
) -> Expression {
    let hosts: Expression = sites.iter().zip(h).map(|(s, v)| s.host_cost * *v).sum();
    let public: Expression = profile
        .groups
        .iter()
        .zip(x)
        .flat_map(|(g, xs)| {
            xs.iter()
                .zip(&g.usage_cost)
                .filter_map(|(var, c)| Some((*c)? * (*var)?))
        })
        .sum();
    // c x (1 - x[g][current]); a current venue the group may not use is all moved.
    let moves: Expression = profile
        .groups
        .iter()
        .zip(x)
        .filter_map(|(g, xs)| {
            let (v, c) = g.current?;
            Some(match xs[v] {
                Some(var) => c - c * var,
                None => Expression::from(c),
            })
        })
        .sum();
    hosts + public + moves
}

/// Solver noise: shares within 1e-7 of 0 or 1 are those values.
fn clean(v: f64) -> f64 {
    if v.abs() < 1e-7 {
        0.0
    } else if (v - 1.0).abs() < 1e-7 {
        1.0
    } else {
        v
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::optimize::demand::GroupDemand;

    /// One group of a constant 10 vCPUs / 40 GiB over two steps; venue 0 a private site of
    /// 8-vCPU, 32-GiB hosts at 100 each; venue 1 public at 150 for the whole group.
    /// One group on one site or a cloud (also used by the explanation's tests).
    pub(crate) fn instance(public: Option<f64>) -> (Profile, Vec<Site>) {
        let profile = Profile {
            step: 3600,
            steps: 2,
            groups: vec![GroupDemand {
                name: "g".into(),
                vcpus: vec![10.0, 10.0],
                mem_gib: vec![40.0, 40.0],
                usage_cost: vec![None, public],
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
                groups: groups
                    .iter()
                    .enumerate()
                    .map(|(i, (demand, a, b, public_only))| GroupDemand {
                        name: format!("g{i}"),
                        vcpus: demand[..steps].iter().map(|d| f64::from(d.0)).collect(),
                        mem_gib: demand[..steps].iter().map(|d| f64::from(d.1)).collect(),
                        usage_cost: vec![None, Some(f64::from(*a)), Some(f64::from(*b))],
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
            };
            let whole = Options { headroom, whole_groups: true };
            let expected = enumerate(&profile, &site, 3, 1.0 - headroom).unwrap();
            let got = solve(&profile, 3, std::slice::from_ref(&site), whole).unwrap();
            proptest::prop_assert!((got.cost - expected).abs() < 1e-6 * expected.max(1.0), "{} vs {}", got.cost, expected);
            let shares = solve(&profile, 3, &[site], Options { whole_groups: false, ..whole }).unwrap();
            proptest::prop_assert!(shares.cost <= got.cost + 1e-6 * got.cost.max(1.0));
        }
    }
}
