//! What the whole workload would cost if it all ran on one venue, for each venue of a scenario:
//! the report's venue comparison, so a customer sees why a plan splits the work. Counted with
//! the optimizer's own prices (the demand profile's per-venue usage costs, the sites' unit
//! costs from [`super::sites`]): a public venue pays every VM on the cheapest type that fits
//! (spot where the group asks for it); an owned site buys the whole hosts (or HCI scale units)
//! its busiest step needs with the headroom kept free, plus HCI consumption fees. Commitments
//! already bought and the backup service are the same wherever the workload runs and are left
//! out. Groups' venue restrictions are ignored (every venue is priced for all of the work) and
//! listed, so the reader sees which venue a group could not really use.

use super::Profile;
use super::model::Site;
use crate::scenario::{Scenario, VenueSize};

/// One venue with all the workload on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Alone {
    pub venue: String,
    /// public, private or hci.
    pub kind: &'static str,
    /// The workload's cost over the horizon there; `None` when the venue cannot hold it.
    pub cost: Option<f64>,
    /// What is bought: "on-demand instances", "12 hosts", "3 x 4-node units".
    pub bought: String,
    /// Why the venue cannot hold the workload (when `cost` is `None`).
    pub cannot: Option<String>,
    /// Groups whose policy keeps them off this venue (priced here all the same).
    pub not_allowed: Vec<String>,
}

/// Each of the scenario's venues alone, in scenario order (the backup service is not a venue
/// a workload runs on). `headroom` is the share of each owned unit kept free.
pub fn venues_alone(scenario: &Scenario, profile: &Profile, headroom: f64) -> Vec<Alone> {
    scenario
        .venues
        .iter()
        .enumerate()
        .map(|(v, venue)| {
            let not_allowed = profile
                .groups
                .iter()
                .filter(|g| !g.allowed[v])
                .map(|g| g.name.clone())
                .collect();
            let (kind, priced) = if venue.public().is_some() {
                ("public", public_alone(profile, v))
            } else if venue.private().is_some() {
                ("private", private_alone(scenario, profile, v, headroom))
            } else {
                ("hci", hci_alone(scenario, profile, v, headroom))
            };
            let (cost, bought, cannot) = match priced {
                Ok((cost, bought)) => (Some(cost), bought, None),
                Err(why) => (None, String::new(), Some(why)),
            };
            Alone {
                venue: venue.name.clone(),
                kind,
                cost,
                bought,
                cannot,
                not_allowed,
            }
        })
        .collect()
}

type Priced = Result<(f64, String), String>;

/// Every group's VMs on public venue `v`: the sum of their usage costs there.
fn public_alone(profile: &Profile, v: usize) -> Priced {
    let mut total = 0.0;
    for g in &profile.groups {
        match g.usage_cost[v] {
            Some(c) => total += c,
            None => return Err(format!("a VM of group {} fits no instance type", g.name)),
        }
    }
    Ok((total, "instances at list price".to_string()))
}

/// The busiest step's requested vCPUs and GiB, all groups together.
fn peak(profile: &Profile) -> (f64, f64) {
    let at = |t: usize| -> (f64, f64) {
        profile.groups.iter().fold((0.0, 0.0), |(c, m), g| {
            (
                c + g.vcpus.get(t).copied().unwrap_or(0.0),
                m + g.mem_gib.get(t).copied().unwrap_or(0.0),
            )
        })
    };
    (0..profile.steps)
        .map(at)
        .fold((0.0, 0.0), |(c, m), (a, b)| (c.max(a), m.max(b)))
}

/// The largest VM of any group, vCPUs and GiB.
fn largest(profile: &Profile) -> (f64, f64) {
    profile.groups.iter().fold((0.0, 0.0), |(c, m), g| {
        (c.max(g.largest.0), m.max(g.largest.1))
    })
}

/// Whole units of `site` that hold the busiest step with `headroom` free, at least those owned.
fn units_needed(site: &Site, peak: (f64, f64), headroom: f64) -> u32 {
    let usable = (1.0 - headroom).max(1e-9);
    let by_cpu = peak.0 / (site.vcpus * usable).max(1e-12);
    let by_mem = peak.1 / (site.mem_gib * usable).max(1e-12);
    // Round before the ceiling: 2.0000000001 units of dust is 2 units.
    let need = ((by_cpu.max(by_mem) * 1e6).round() / 1e6).ceil();
    (need.min(1e6) as u32).max(site.owned)
}

/// Why `site` cannot take the workload at `units`, if it cannot.
fn site_limit(site: &Site, units: u32, largest: (f64, f64)) -> Option<String> {
    if largest.0 > site.fits.0 || largest.1 > site.fits.1 {
        return Some(format!(
            "its largest VM ({:.0} vCPU, {:.0} GiB) does not fit one {}",
            largest.0,
            largest.1,
            if site.nodes.is_some() { "node" } else { "host" }
        ));
    }
    match site.max_hosts {
        Some(max) if units > max => Some(format!(
            "it would need {} and max_hosts is {max}",
            site.units(units)
        )),
        _ => None,
    }
}

/// The workload on private site `v`: whole hosts for the busiest step.
fn private_alone(scenario: &Scenario, profile: &Profile, v: usize, headroom: f64) -> Priced {
    let sites = super::sites(scenario, &|_| None, largest(profile).1);
    let site = sites.iter().find(|s| s.venue == v).ok_or("no host class")?;
    let units = units_needed(site, peak(profile), headroom);
    if let Some(why) = site_limit(site, units, largest(profile)) {
        return Err(why);
    }
    Ok((f64::from(units) * site.host_cost, site.units(units)))
}

/// The workload on HCI site `v`: scale units of the size the scenario owns, or else the
/// cheapest size the platform allows, plus its consumption fees.
fn hci_alone(scenario: &Scenario, profile: &Profile, v: usize, headroom: f64) -> Priced {
    let venue = &scenario.venues[v];
    let book = venue.hci().ok_or("not an HCI venue")?;
    let sizes: Vec<u32> = match venue.size {
        VenueSize::Hci { nodes, units } if units > 0 => vec![nodes],
        _ => (book.nodes_min..=book.nodes_max)
            .filter(|n| book.check_unit(*n).is_ok())
            .collect(),
    };
    let fees: f64 = profile.groups.iter().filter_map(|g| g.usage_cost[v]).sum();
    let big = largest(profile);
    let mut best: Option<(f64, String)> = None;
    let mut why = format!("no unit size of {} is allowed", book.nodes_min);
    for n in sizes {
        let sites = super::sites(scenario, &|u| (u == v).then_some(n), big.1);
        let Some(site) = sites.iter().find(|s| s.venue == v) else {
            continue;
        };
        let units = units_needed(site, peak(profile), headroom);
        if let Some(w) = site_limit(site, units, big) {
            why = w;
            continue;
        }
        let cost = f64::from(units) * site.host_cost + fees;
        if best.as_ref().is_none_or(|b| cost < b.0 - 1e-9) {
            best = Some((cost, site.units(units)));
        }
    }
    best.ok_or(why)
}

/// The optimizer's default share of each owned unit kept free (`optimize --headroom`).
pub const DEFAULT_HEADROOM: f64 = 0.1;

/// Every venue alone, with the parts of the total that are the same wherever the workload
/// runs, so each venue's figure reads as a whole total beside the run's.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub venues: Vec<Alone>,
    /// Commitments already bought and the backup service, from the run: (part, amount).
    pub fixed: Vec<(String, f64)>,
    pub headroom: f64,
}

impl Comparison {
    pub fn build(
        scenario: &Scenario,
        profile: &Profile,
        summary: &crate::summary::Summary,
        headroom: f64,
    ) -> Comparison {
        let mut fixed = Vec::new();
        let committed = super::committed_cost(scenario);
        if committed != 0.0 {
            fixed.push(("commitments already bought".to_string(), committed));
        }
        for v in summary.venues.iter().filter(|v| v.kind == "backup") {
            fixed.push((format!("backup service {}", v.name), v.total));
        }
        Comparison {
            venues: venues_alone(scenario, profile, headroom),
            fixed,
            headroom,
        }
    }

    /// A venue's whole total: the workload there plus the fixed parts.
    pub fn total(&self, a: &Alone) -> Option<f64> {
        a.cost
            .map(|c| c + self.fixed.iter().map(|f| f.1).sum::<f64>())
    }

    /// The cheapest venue that can hold everything, if any.
    pub fn cheapest(&self) -> Option<&Alone> {
        self.venues
            .iter()
            .filter(|a| a.cost.is_some())
            .min_by(|a, b| a.cost.unwrap_or(0.0).total_cmp(&b.cost.unwrap_or(0.0)))
    }
}
