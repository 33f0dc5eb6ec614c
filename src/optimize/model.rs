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
    /// Units the scenario already has: paid for, so the plan keeps them (and may add more).
    pub owned: u32,
    /// HCI: nodes per scale unit (`None`: the units are hosts).
    pub nodes: Option<u32>,
    /// Sized per year (periods.rs): one unit's cost in each of the profile's periods (they add
    /// up to `host_cost`). Empty: one count for the whole horizon.
    pub yearly_cost: Vec<f64>,
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
    /// `shares[g][v]`: share of group g on venue v (its reserved instances included).
    pub shares: Vec<Vec<f64>>,
    /// `pooled[g][p]`: the part of it on the profile's pool p of reserved instances.
    pub pooled: Vec<Vec<f64>>,
    /// Hosts per site, in the order of the sites given (at the end of the horizon).
    pub hosts: Vec<u32>,
    /// Units in service per site in each of the profile's periods (one count for a site not
    /// sized per year).
    pub schedule: Vec<Vec<u32>>,
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

impl NoPlan {
    /// Why, in plain words.
    pub fn reasons(self) -> Vec<String> {
        match self {
            NoPlan::NoVenue(groups) => vec![format!(
                "no allowed venue can hold group(s) {}: a VM of each is larger than every allowed public instance type and private host",
                groups.join(", ")
            )],
            NoPlan::Conflict(reasons) => reasons,
            NoPlan::Infeasible => vec![
                "the groups' allowed venues and the sites' max_hosts leave no placement for all demand".into(),
            ],
            NoPlan::Solver(m) => vec![format!("the solver failed: {m}")],
        }
    }
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
    /// Units as continuous variables: the LP relaxation, a lower bound on the optimum.
    pub relax: bool,
}

/// Distinct demand steps: (vCPUs, GiB) per group, within each period. Identical steps of a
/// period constrain alike, so only one of each is kept.
pub fn distinct_steps(profile: &Profile) -> Vec<usize> {
    let mut seen = std::collections::HashSet::new();
    (0..profile.steps)
        .filter(|&t| {
            let period = super::periods::period_of(&profile.periods, t) as u64;
            let key: Vec<u64> = std::iter::once(period)
                .chain(profile.groups.iter().flat_map(|g| {
                    // VM counts matter only where reserved instances hold them.
                    let vms = if profile.pools.is_empty() {
                        0.0
                    } else {
                        g.vms[t]
                    };
                    [g.vcpus[t].to_bits(), g.mem_gib[t].to_bits(), vms.to_bits()]
                }))
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
            let conflicts = super::conflicts::conflicts(profile, sites, opt);
            if conflicts.is_empty() {
                NoPlan::Infeasible
            } else {
                NoPlan::Conflict(conflicts)
            }
        }
        e => e,
    })
}

/// The model's decision variables: `x[g][v]` a group's share on a venue, `y[g][p]` its share
/// on a pool of reserved instances, `n[s][p]` a site's units in service in period p (one
/// period for a site not sized per year), `h[s]` its units at the end (its last period's).
struct Vars {
    x: Vec<Vec<Option<Variable>>>,
    y: Vec<Vec<Option<Variable>>>,
    n: Vec<Vec<Variable>>,
    h: Vec<Variable>,
}

impl Site {
    /// Whether the site is sized per period of `profile`.
    fn per_period(&self, profile: &Profile) -> bool {
        profile.periods.len() > 1 && self.yearly_cost.len() == profile.periods.len()
    }
}

impl Vars {
    /// Site s's units in service at step t.
    fn units_at(&self, profile: &Profile, s: usize, t: usize) -> Variable {
        let p = super::periods::period_of(&profile.periods, t);
        self.n[s][p.min(self.n[s].len() - 1)]
    }
}

/// The variables, where a group may go: an allowed venue, a site whose unit takes its largest
/// VM, a public venue where each VM fits a type, a pool whose type fits each VM. Units range
/// from those owned to the most the site may have.
fn variables(
    vars: &mut ProblemVariables,
    profile: &Profile,
    venues: usize,
    sites: &[Site],
    opt: Options,
    tweak: &Tweak,
) -> Result<Vars, NoPlan> {
    let site_of = |v: usize| sites.iter().position(|s| s.venue == v);
    let mut share = || {
        let def = variable().min(0.0).max(1.0);
        vars.add(if opt.whole_groups { def.integer() } else { def })
    };
    let mut x = Vec::with_capacity(profile.groups.len());
    let mut y = Vec::with_capacity(profile.groups.len());
    for (gi, g) in profile.groups.iter().enumerate() {
        let may = |v: usize| (tweak.any_venue || g.allowed[v]) && tweak.exclude != Some((gi, v));
        let fits = |s: &Site| g.largest.0 <= s.fits.0 && g.largest.1 <= s.fits.1;
        x.push(
            (0..venues)
                .map(|v| {
                    let open = may(v)
                        && match site_of(v) {
                            Some(s) => fits(&sites[s]),
                            None => g.usage_cost[v].is_some(),
                        };
                    open.then(&mut share)
                })
                .collect::<Vec<_>>(),
        );
        y.push(
            (profile.pools.iter().zip(&g.pool_cost))
                .map(|(p, c)| (c.is_some() && may(p.venue)).then(&mut share))
                .collect::<Vec<_>>(),
        );
    }
    let homeless: Vec<String> = profile
        .groups
        .iter()
        .zip(x.iter().zip(&y))
        .filter(|(_, (xs, ys))| xs.iter().chain(ys.iter()).all(Option::is_none))
        .map(|(g, _)| g.name.clone())
        .collect();
    if !homeless.is_empty() {
        return Err(NoPlan::NoVenue(homeless));
    }
    // Every period's units between those owned and the most the site may have; the tweak's
    // bounds hold at the end (the last period).
    let n: Vec<Vec<Variable>> = sites
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let most = max_hosts(profile, s, opt).max(s.owned);
            let (least, most) = match tweak.hosts {
                Some((site, least, most)) if site == i => (least, most),
                _ => (s.owned, most),
            };
            let periods = if s.per_period(profile) {
                profile.periods.len()
            } else {
                1
            };
            (0..periods)
                .map(|p| {
                    let floor = if p + 1 == periods { least } else { s.owned };
                    let def = variable().min(floor.min(most)).max(most);
                    vars.add(if tweak.relax { def } else { def.integer() })
                })
                .collect()
        })
        .collect();
    let h = n.iter().filter_map(|ns| ns.last().copied()).collect();
    Ok(Vars { x, y, n, h })
}

/// The model with `tweak` applied.
pub fn solve_with(
    profile: &Profile,
    venues: usize,
    sites: &[Site],
    opt: Options,
    tweak: &Tweak,
) -> Result<Solved, NoPlan> {
    let mut vars = ProblemVariables::new();
    let v = variables(&mut vars, profile, venues, sites, opt, tweak)?;
    let mut model = vars.minimise(cost(profile, sites, &v)).using(SOLVER);
    for (xs, ys) in v.x.iter().zip(&v.y) {
        let all: Expression = xs.iter().chain(ys).flatten().copied().sum();
        model = model.with(all.eq(1.0));
    }
    // Units are bought, never given back: each period has at least the units of the one before.
    for ns in &v.n {
        for w in ns.windows(2) {
            model = model.with((w[1] - w[0]).geq(0.0));
        }
    }
    let usable = 1.0 - opt.headroom;
    for t in distinct_steps(profile) {
        for (s, site) in sites.iter().enumerate() {
            let on_site = |f: &dyn Fn(usize) -> f64| -> Expression {
                v.x.iter()
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
            let units = v.units_at(profile, s, t);
            model = model.with(cpu.leq(site.vcpus * usable * (units + free)));
            model = model.with(mem.leq(site.mem_gib * usable * (units + free)));
        }
        // A reserved instance holds one VM.
        for (p, pool) in profile.pools.iter().enumerate() {
            let vms: Expression = (v.y.iter().enumerate())
                .filter_map(|(g, ys)| ys[p].map(|var| profile.groups[g].vms[t] * var))
                .sum();
            model = model.with(vms.leq(pool.count));
        }
    }
    let sol = model.solve().map_err(|e| match e {
        good_lp::ResolutionError::Infeasible => NoPlan::Infeasible,
        e => NoPlan::Solver(e.to_string()),
    })?;
    Ok(solution(profile, venues, sites, &v, &sol))
}

/// The solver's values as a plan, with its cost in parts.
fn solution(
    profile: &Profile,
    venues: usize,
    sites: &[Site],
    v: &Vars,
    sol: &impl Solution,
) -> Solved {
    let value = |var: &Option<Variable>| var.map_or(0.0, |var| clean(sol.value(var)));
    let pooled: Vec<Vec<f64>> =
        v.y.iter()
            .map(|ys| ys.iter().map(value).collect())
            .collect();
    // A pool's share is its venue's share in the plan: the simulator uses the reserved
    // instances of a venue while they are free.
    let shares: Vec<Vec<f64>> = (v.x.iter().zip(&pooled))
        .map(|(xs, ps)| {
            let mut sh: Vec<f64> = xs.iter().map(value).collect();
            for (p, pool) in profile.pools.iter().enumerate() {
                sh[pool.venue] += ps[p];
            }
            sh
        })
        .collect();
    let hosts: Vec<u32> = v.h.iter().map(|h| sol.value(*h).round() as u32).collect();
    let schedule: Vec<Vec<u32>> = (v.n.iter())
        .map(|ns| ns.iter().map(|n| sol.value(*n).round() as u32).collect())
        .collect();
    // Whole units, or the LP relaxation's fractions.
    let lp = |var: &Variable| {
        let n = sol.value(*var);
        if (n - n.round()).abs() < 1e-6 {
            n.round()
        } else {
            n
        }
    };
    let site_cost: Vec<f64> = (sites.iter().zip(&v.n))
        .map(|(s, ns)| match ns.len() {
            1 => s.host_cost * lp(&ns[0]),
            _ => (s.yearly_cost.iter().zip(ns)).map(|(c, n)| c * lp(n)).sum(),
        })
        .collect();
    let usage_cost: Vec<f64> = (0..venues)
        .map(|u| {
            let groups = profile.groups.iter().zip(v.x.iter().zip(&pooled));
            groups
                .map(|(g, (xs, ps))| {
                    let on_pools: f64 = (profile.pools.iter().enumerate())
                        .filter(|(_, pool)| pool.venue == u)
                        .map(|(p, _)| g.pool_cost[p].map_or(0.0, |c| c * ps[p]))
                        .sum();
                    g.usage_cost[u].map_or(0.0, |c| c * value(&xs[u])) + on_pools
                })
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
    Solved {
        shares,
        pooled,
        hosts,
        schedule,
        cost,
        site_cost,
        usage_cost,
        migration,
    }
}

/// Total cost: the sites' units, each group's share of its public cost (and of what it pays
/// on reserved instances), and moving the share of each group that leaves its current venue.
fn cost(profile: &Profile, sites: &[Site], v: &Vars) -> Expression {
    // A site sized per year pays for each year's units that year.
    let hosts: Expression = (sites.iter().zip(&v.n))
        .map(|(s, ns)| -> Expression {
            match ns.len() {
                1 => s.host_cost * ns[0],
                _ => (s.yearly_cost.iter().zip(ns)).map(|(c, n)| *c * *n).sum(),
            }
        })
        .sum();
    let public: Expression = (profile.groups.iter().zip(v.x.iter().zip(&v.y)))
        .flat_map(|(g, (xs, ys))| {
            let on_venues = xs.iter().zip(&g.usage_cost);
            on_venues
                .chain(ys.iter().zip(&g.pool_cost))
                .filter_map(|(var, c)| Some((*c)? * (*var)?))
        })
        .sum();
    // c x (1 - x[g][current]); a current venue the group may not use is all moved. Reserved
    // instances on the current venue count as staying.
    let moves: Expression = (profile.groups.iter().zip(v.x.iter().zip(&v.y)))
        .filter_map(|(g, (xs, ys))| {
            let (cur, c) = g.current?;
            let stay: Expression = (profile.pools.iter().zip(ys))
                .filter(|(p, _)| p.venue == cur)
                .filter_map(|(_, y)| *y)
                .chain(xs[cur])
                .map(|var| c * var)
                .sum();
            Some(c - stay)
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
#[path = "model_tests.rs"]
pub(super) mod tests;
