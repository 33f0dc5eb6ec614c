//! Requirements that leave no plan, in words: groups bound to capped sites that cannot hold
//! their demand even at `max_hosts`.

use super::demand::Profile;
use super::model::{Options, Site};

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
