//! Why the plan is what it is: which capacities bind and what relaxing each would be worth,
//! what the groups' venue restrictions cost, and the runner-up design. microlp gives no dual
//! values, so each marginal cost is a re-solve of the model with that one constraint relaxed.

use super::Profile;
use super::model::{Options, Site, Solved, Tweak, distinct_steps, solve_with};
use crate::units::cents;
use serde::Serialize;

/// The share of a host added to a binding site to price its capacity.
const MARGIN: f64 = 0.01;

/// A constraint that holds the cost up, and what relaxing it would change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Binding {
    pub constraint: String,
    /// How the constraint was relaxed for the re-solve.
    pub relaxed: String,
    /// What relaxing changes the total by (negative: it saves), per unit the `relaxed` text
    /// names.
    pub marginal_cost: f64,
    /// The shadow price: what one more unit of the constrained quantity is worth (the total
    /// falls by this much), in `unit` (per-hour prices to 6 decimals, others to cents).
    pub shadow_price: f64,
    /// The shadow price's unit, e.g. "USD per vCPU-hour of capacity at dc-east".
    pub unit: String,
}

/// One part of the total, for the plan and the runner-up side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    pub part: String,
    pub plan: f64,
    pub runner_up: f64,
}

/// The best design other than the plan, counted like the plan: every part the plan's total
/// has (sites, public use with its storage, traffic and licences, sunk commitments, the
/// backup service), so the two totals compare like for like.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunnerUp {
    pub design: String,
    /// Its total over the horizon.
    pub cost: f64,
    /// Its cost minus the plan's.
    pub extra: f64,
    /// The parts of both totals.
    pub parts: Vec<Part>,
}

/// What the explanation needs besides the model: the venue names, the reporting currency, and
/// the parts of the total that the model does not choose (sunk commitments, the backup
/// service), which both the plan and every alternative pay.
#[derive(Debug, Clone, PartialEq)]
pub struct Context<'a> {
    pub names: &'a [&'a str],
    pub currency: &'a str,
    pub fixed: Vec<(String, f64)>,
}

impl Context<'_> {
    /// A design's total counted as the plan's: the model's cost without the one-off
    /// migration, plus the fixed parts.
    pub fn total(&self, s: &Solved) -> f64 {
        s.cost - s.migration + self.fixed.iter().map(|f| f.1).sum::<f64>()
    }

    /// The parts of `s`'s total: each site, each public venue, then the fixed parts.
    fn parts(&self, sites: &[Site], s: &Solved) -> Vec<(String, f64)> {
        let mut out = Vec::new();
        for (site, (n, c)) in sites.iter().zip(s.hosts.iter().zip(&s.site_cost)) {
            out.push((
                format!("{} ({})", self.names[site.venue], site.units(*n)),
                c + s.usage_cost[site.venue],
            ));
        }
        for (v, name) in self.names.iter().enumerate() {
            if !sites.iter().any(|site| site.venue == v) {
                out.push((format!("{name} (public)"), s.usage_cost[v]));
            }
        }
        out.extend(self.fixed.iter().cloned());
        out
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Explanation {
    pub binding: Vec<Binding>,
    pub runner_up: Option<RunnerUp>,
}

/// Share of capacity used at the busiest distinct step, and whether CPU or memory; `schedule`
/// holds the site's units in each period (one count for a site not sized per year).
fn peak_use(
    profile: &Profile,
    site: &Site,
    shares: &[Vec<f64>],
    schedule: &[u32],
    usable: f64,
) -> (f64, &'static str, usize) {
    let mut best = (0.0, "memory", 0);
    for t in distinct_steps(profile) {
        let p = super::periods::period_of(&profile.periods, t);
        let hosts = schedule.get(p).or(schedule.last()).copied().unwrap_or(0);
        let (mut cpu, mut mem) = (0.0, 0.0);
        for (g, sh) in profile.groups.iter().zip(shares) {
            cpu += g.vcpus[t] * sh[site.venue];
            mem += g.mem_gib[t] * sh[site.venue];
        }
        let room = f64::from(hosts) * usable;
        for (used, of, what) in [(cpu, site.vcpus, "vCPU"), (mem, site.mem_gib, "memory")] {
            let r = used / (of * room).max(1e-12);
            if r > best.0 {
                best = (r, what, t);
            }
        }
    }
    best
}

/// Explains `solved` by re-solving the model with one change at a time; `names` are the
/// scenario's venue names.
pub fn explain(
    profile: &Profile,
    sites: &[Site],
    opt: Options,
    solved: &Solved,
    ctx: &Context,
) -> Explanation {
    let (names, cur) = (ctx.names, ctx.currency);
    let usable = 1.0 - opt.headroom;
    let horizon_h = profile.step as f64 * profile.steps as f64 / 3600.0;
    let resolve = |t: Tweak| solve_with(profile, names.len(), sites, opt, &t).ok();
    let mut out = Explanation::default();
    for (i, site) in sites.iter().enumerate() {
        let n = solved.hosts[i];
        let name = names[site.venue];
        if n > 0 {
            // A site sized per year: its units in each year (`n` is the last year's).
            let schedule = solved.schedule.get(i).filter(|s| !s.is_empty());
            let schedule = schedule.map_or(vec![n], |s| s.clone());
            let (used, what, t) = peak_use(profile, site, &solved.shares, &schedule, usable);
            let p = super::periods::period_of(&profile.periods, t);
            let in_service = schedule.get(p).copied().unwrap_or(n);
            // The value of capacity with the hosts as they are: 1 % of a host more, free,
            // scaled to a whole host (the shadow price microlp does not report).
            let tweak = Tweak {
                free_capacity: Some((i, MARGIN)),
                hosts: Some((i, n, n)),
                ..Tweak::default()
            };
            if used >= 0.999
                && let Some(r) = resolve(tweak)
            {
                let hours = t as f64 * profile.step as f64 / 3600.0;
                // The free capacity is MARGIN of a unit's usable vCPUs and memory at every
                // step: priced per unit-hour of the dimension that binds.
                let (per, of) = match what {
                    "vCPU" => ("vCPU-hour of capacity", site.vcpus),
                    _ => ("GiB-hour of memory", site.mem_gib),
                };
                let amount = MARGIN * usable * of * horizon_h;
                out.binding.push(Binding {
                    constraint: format!(
                        "{name}: {what} at hour {hours:.0} fills {} to {:.0} %",
                        site.units(in_service),
                        usable * 100.0
                    ),
                    relaxed: format!(
                        "a {u}'s worth more capacity at {name} (priced from 1 % more, {} kept; a {u} costs {:.2})",
                        site.units(n),
                        site.host_cost,
                        u = site.unit()
                    ),
                    marginal_cost: cents((r.cost - solved.cost) / MARGIN),
                    shadow_price: ((solved.cost - r.cost) / amount.max(1e-12) * 1e6).round() / 1e6,
                    unit: format!("{cur} per {per} at {name}"),
                });
            }
        }
        if site.max_hosts == Some(n)
            && let Some(r) = resolve(Tweak {
                hosts: Some((i, site.owned, n + 1)),
                ..Tweak::default()
            })
        {
            out.binding.push(Binding {
                constraint: format!("{name}: max_hosts = {n}"),
                relaxed: format!("max_hosts = {}", n + 1),
                marginal_cost: cents(r.cost - solved.cost),
                shadow_price: cents(solved.cost - r.cost),
                unit: format!("{cur} per {} more allowed at {name}", site.unit()),
            });
        }
    }
    let restricted: Vec<&str> = profile
        .groups
        .iter()
        .filter(|g| g.allowed.contains(&false))
        .map(|g| g.name.as_str())
        .collect();
    if !restricted.is_empty()
        && let Some(r) = resolve(Tweak {
            any_venue: true,
            ..Tweak::default()
        })
        && r.cost < solved.cost - 0.005
    {
        out.binding.push(Binding {
            constraint: format!(
                "allowed venues (sovereignty, latency class) of {}",
                restricted.join(", ")
            ),
            relaxed: "every venue allowed".into(),
            marginal_cost: cents(r.cost - solved.cost),
            shadow_price: cents(solved.cost - r.cost),
            unit: format!("{cur} over the horizon, for the restrictions as a whole"),
        });
    }
    out.runner_up = runner_up(profile, sites, solved, ctx, &resolve);
    out
}

/// The cheapest design that differs from the plan in one decision: one site with fewer or more
/// hosts, or the largest group kept off its main venue.
fn runner_up(
    profile: &Profile,
    sites: &[Site],
    solved: &Solved,
    ctx: &Context,
    resolve: &dyn Fn(Tweak) -> Option<Solved>,
) -> Option<RunnerUp> {
    let names = ctx.names;
    let mut candidates: Vec<(String, Solved)> = Vec::new();
    let describe = |s: &Solved| -> String {
        sites
            .iter()
            .zip(&s.hosts)
            .map(|(site, n)| format!("{} {}", names[site.venue], site.units(*n)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (i, site) in sites.iter().enumerate() {
        let n = solved.hosts[i];
        let most = site.max_hosts.unwrap_or(u32::MAX / 2);
        let mut bounds = vec![(n + 1, most.max(n + 1))];
        // Owned units are paid for whatever the design: an alternative keeps them, as the
        // plan does (fewer would drop their cost from its total but not from the bill).
        if n > site.owned {
            bounds.push((site.owned, n - 1));
        }
        for (least, most) in bounds {
            if let Some(r) = resolve(Tweak {
                hosts: Some((i, least, most)),
                ..Tweak::default()
            }) {
                candidates.push((describe(&r), r));
            }
        }
    }
    // The group with the most vCPU-hours, off the venue holding most of it.
    let big = (0..profile.groups.len()).max_by(|&a, &b| {
        let sum = |g: usize| profile.groups[g].vcpus.iter().sum::<f64>();
        sum(a).total_cmp(&sum(b))
    });
    if let Some(g) = big {
        let shares = &solved.shares[g];
        let main = (0..shares.len()).max_by(|&a, &b| shares[a].total_cmp(&shares[b]));
        if let Some(v) = main
            && let Some(r) = resolve(Tweak {
                exclude: Some((g, v)),
                ..Tweak::default()
            })
        {
            let what = format!("{} kept off {}", profile.groups[g].name, names[v]);
            let sites = describe(&r);
            let design = if sites.is_empty() {
                what
            } else {
                format!("{what}; {sites}")
            };
            candidates.push((design, r));
        }
    }
    let (design, r) = candidates
        .into_iter()
        .min_by(|a, b| a.1.cost.total_cmp(&b.1.cost))?;
    let (plan, cost) = (ctx.total(solved), ctx.total(&r));
    Some(RunnerUp {
        design,
        cost: cents(cost),
        extra: cents(cost - plan),
        parts: like_for_like(ctx.parts(sites, solved), ctx.parts(sites, &r)),
    })
}

/// The parts of two totals side by side, in the same order (a site's part names its units, so
/// the names of the two may differ); parts that are 0 in both left out.
fn like_for_like(plan: Vec<(String, f64)>, other: Vec<(String, f64)>) -> Vec<Part> {
    plan.into_iter()
        .zip(other)
        .filter(|((_, x), (_, y))| *x != 0.0 || *y != 0.0)
        .map(|((a, x), (b, y))| Part {
            part: if a == b { a } else { format!("{a} / {b}") },
            plan: cents(x),
            runner_up: cents(y),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runner_up_is_counted_like_the_plan_and_capacity_has_a_shadow_price() {
        // One group of 10 vCPU / 40 GiB for 2 hours; a host of 8 vCPU / 32 GiB costs 100, the
        // cloud 150 for all of it. The plan: 1 host taking 80 % (100 + 0.2 x 150 = 130).
        let (profile, sites) = crate::optimize::model::tests::instance(Some(150.0));
        let opt = Options {
            headroom: 0.0,
            whole_groups: false,
        };
        let solved = crate::optimize::model::solve(&profile, 2, &sites, opt).unwrap();
        // Sunk commitments of 20 and a backup service of 50 are paid whatever the design.
        let ctx = Context {
            names: &["dc", "cloud"],
            currency: "USD",
            fixed: vec![
                ("commitments (sunk)".into(), 20.0),
                ("backup service".into(), 50.0),
            ],
        };
        let e = explain(&profile, &sites, opt, &solved, &ctx);
        // Plan 130 + 70 = 200; runner-up: no host, all public, 150 + 70 = 220: +20. Without
        // the fixed parts on its side it would have looked 50 cheaper than the plan.
        let r = e.runner_up.unwrap();
        assert_eq!(
            (r.design.as_str(), r.cost, r.extra),
            ("dc 0 hosts", 220.0, 20.0)
        );
        let parts: Vec<(&str, f64, f64)> = r
            .parts
            .iter()
            .map(|p| (p.part.as_str(), p.plan, p.runner_up))
            .collect();
        assert_eq!(
            parts,
            [
                ("dc (1 hosts) / dc (0 hosts)", 100.0, 0.0),
                ("cloud (public)", 30.0, 150.0),
                ("commitments (sunk)", 20.0, 20.0),
                ("backup service", 50.0, 50.0),
            ]
        );
        // 1 % of a host more (0.08 vCPU and 0.32 GiB for both hours) lets the share grow by
        // 0.008, saving 0.008 x 150 = 1.2 over 0.01 x 8 x 2 = 0.16 vCPU-hours: 7.5 USD per
        // vCPU-hour (one vCPU, with its 4 GiB, for the 2 hours moves 0.1 of the group: 15).
        let b = &e.binding[0];
        assert_eq!(b.unit, "USD per vCPU-hour of capacity at dc");
        assert!((b.shadow_price - 7.5).abs() < 1e-6, "{b:?}");
    }
}
