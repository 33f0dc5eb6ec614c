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
}

/// The best design other than the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunnerUp {
    pub design: String,
    /// Its total over the horizon (without sunk commitments; the CLI adds them).
    pub cost: f64,
    /// Its cost minus the plan's.
    pub extra: f64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Explanation {
    pub binding: Vec<Binding>,
    pub runner_up: Option<RunnerUp>,
}

/// Share of capacity used at the busiest distinct step, and whether CPU or memory.
fn peak_use(
    profile: &Profile,
    site: &Site,
    shares: &[Vec<f64>],
    hosts: u32,
    usable: f64,
) -> (f64, &'static str, usize) {
    let mut best = (0.0, "memory", 0);
    for t in distinct_steps(profile) {
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
    names: &[&str],
    sites: &[Site],
    opt: Options,
    solved: &Solved,
) -> Explanation {
    let usable = 1.0 - opt.headroom;
    let resolve = |t: Tweak| solve_with(profile, names.len(), sites, opt, &t).ok();
    let mut out = Explanation::default();
    for (i, site) in sites.iter().enumerate() {
        let n = solved.hosts[i];
        let name = names[site.venue];
        if n > 0 {
            let (used, what, t) = peak_use(profile, site, &solved.shares, n, usable);
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
                out.binding.push(Binding {
                    constraint: format!(
                        "{name}: {what} at hour {hours:.0} fills {} to {:.0} %",
                        site.units(n),
                        usable * 100.0
                    ),
                    relaxed: format!(
                        "a {u}'s worth more capacity at {name} (priced from 1 % more, {} kept; a {u} costs {:.2})",
                        site.units(n),
                        site.host_cost,
                        u = site.unit()
                    ),
                    marginal_cost: cents((r.cost - solved.cost) / MARGIN),
                });
            }
        }
        if site.max_hosts == Some(n)
            && let Some(r) = resolve(Tweak {
                hosts: Some((i, 0, n + 1)),
                ..Tweak::default()
            })
        {
            out.binding.push(Binding {
                constraint: format!("{name}: max_hosts = {n}"),
                relaxed: format!("max_hosts = {}", n + 1),
                marginal_cost: cents(r.cost - solved.cost),
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
        });
    }
    out.runner_up = runner_up(profile, names, sites, solved, &resolve);
    out
}

/// The cheapest design that differs from the plan in one decision: one site with fewer or more
/// hosts, or the largest group kept off its main venue.
fn runner_up(
    profile: &Profile,
    names: &[&str],
    sites: &[Site],
    solved: &Solved,
    resolve: &dyn Fn(Tweak) -> Option<Solved>,
) -> Option<RunnerUp> {
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
        if n > 0 {
            bounds.push((0, n - 1));
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
    candidates
        .into_iter()
        .min_by(|a, b| a.1.cost.total_cmp(&b.1.cost))
        .map(|(design, r)| RunnerUp {
            design,
            cost: cents(r.cost),
            extra: cents(r.cost - solved.cost),
        })
}
