//! `hybridplan optimize`: recommends where each workload group runs and how many hosts each
//! private site needs, by a mixed-integer model over the demand profile of the trace (good_lp,
//! pure-Rust microlp by default). The plan is written as a plan file for `policy = "plan"` and
//! can be checked by simulating it.

pub mod alone;
pub mod backup;
pub mod bill;
pub mod commit;
pub mod conflicts;
pub mod demand;
pub mod explain;
pub mod improve;
pub mod model;
pub mod periods;
mod recommend;
pub mod scaled;
pub mod validate;

pub use demand::Profile;
pub use explain::{Binding, Explanation, RunnerUp};
pub use model::{NoPlan, Options, Site, Solved};

pub use recommend::{GroupShares, Recommendation, SiteHosts, VenueCost, recommend};
pub use validate::Validation;

use crate::scenario::{Commitment, Scenario, VenueSize};
use crate::units::HOUR;

/// Utilisation assumed for a host's power in the model (the simulator uses the measured one).
pub const POWER_UTILISATION: f64 = 0.5;

/// The owned sites of a scenario as the model sees them: a private site's unit is one host,
/// an HCI site's a scale unit of `nodes[v]` nodes (for HCI venue v; else the scenario's), with
/// the resiliency reserve for a largest VM of `largest_gib`. Each unit's tenant capacity and
/// its cost over the horizon (fixed items plus power at `POWER_UTILISATION`).
pub fn sites(
    scenario: &Scenario,
    nodes: &dyn Fn(usize) -> Option<u32>,
    largest_gib: f64,
) -> Vec<Site> {
    let hours = scenario.horizon as f64 / HOUR as f64;
    // A unit's cost per year where the site is sized per year (escalated, contracts cut).
    let yearly = |v: usize, nodes: Option<u32>| -> Vec<f64> {
        if !periods::sized_per_year(scenario, v) {
            return Vec::new();
        }
        let rate = scenario.venues[v].rate;
        periods::unit_of(scenario, v, nodes).map_or(Vec::new(), |(items, power, per)| {
            periods::unit_costs(scenario, v, (&items, power), per, rate)
        })
    };
    scenario
        .venues
        .iter()
        .enumerate()
        .filter_map(|(v, venue)| {
            if let Some(book) = venue.private() {
                let (vcpus, mem_gib) = (book.vcpu_capacity(), book.mem_gib);
                let yearly_cost = yearly(v, None);
                return Some(Site {
                    venue: v,
                    name: venue.name.clone(),
                    vcpus,
                    mem_gib,
                    fits: (vcpus, mem_gib),
                    host_cost: match yearly_cost.is_empty() {
                        true => book.host_cost(hours, POWER_UTILISATION) * venue.rate,
                        false => yearly_cost.iter().sum(),
                    },
                    max_hosts: venue.max_hosts,
                    nodes: None,
                    yearly_cost,
                    owned: match venue.size {
                        VenueSize::Hosts(n) => n,
                        _ => 0,
                    },
                });
            }
            let book = venue.hci()?;
            let (owned_nodes, owned_units) = match venue.size {
                VenueSize::Hci { nodes, units } => (Some(nodes), units),
                _ => (None, 0),
            };
            let n = nodes(v).or(owned_nodes)?;
            let room = book.node_room(n);
            let node_cost = book.node_cost(hours, POWER_UTILISATION);
            let yearly_cost = yearly(v, Some(n));
            Some(Site {
                venue: v,
                name: venue.name.clone(),
                vcpus: room.vcpus * f64::from(n),
                mem_gib: book.tenant_mem_gib(n, largest_gib).max(0.0),
                fits: (room.vcpus, room.mem_gib),
                host_cost: match yearly_cost.is_empty() {
                    true => node_cost * f64::from(n) * venue.rate,
                    false => yearly_cost.iter().sum(),
                },
                max_hosts: None,
                nodes: Some(n),
                yearly_cost,
                // Units owned are of the scenario's size; another size is bought new.
                owned: if Some(n) == owned_nodes {
                    owned_units
                } else {
                    0
                },
            })
        })
        .collect()
}

/// The plan: the model solved for every unit size of each HCI site (one site at a time, the
/// others at their best so far, starting from the scenario's sizes), keeping the cheapest.
pub fn plan(
    scenario: &Scenario,
    profile: &Profile,
    opt: Options,
) -> Result<(Vec<Site>, Solved), NoPlan> {
    // The reserve is sized for the largest VM an HCI node can take.
    let largest_gib = |v: usize| -> f64 {
        let room = scenario.venues[v].hci().map(|b| b.node_room(b.nodes_max));
        profile
            .groups
            .iter()
            .filter(|g| room.is_some_and(|r| g.largest.1 <= r.mem_gib && g.largest.0 <= r.vcpus))
            .map(|g| g.largest.1)
            .fold(0.0, f64::max)
    };
    let largest = (0..scenario.venues.len())
        .map(largest_gib)
        .fold(0.0, f64::max);
    let mut chosen: Vec<Option<u32>> = vec![None; scenario.venues.len()];
    let venues = scenario.venues.len();
    let solve = |chosen: &[Option<u32>]| {
        let sites = sites(scenario, &|v| chosen[v], largest);
        model::solve(profile, venues, &sites, opt).map(|s| (sites, s))
    };
    let mut best = solve(&chosen);
    for (v, venue) in scenario.venues.iter().enumerate() {
        let Some(book) = venue.hci() else { continue };
        // Owned units are kept (they are paid for): more are bought of their size.
        if matches!(venue.size, VenueSize::Hci { units, .. } if units > 0) {
            continue;
        }
        for n in book.nodes_min..=book.nodes_max {
            if book.check_unit(n).is_err() {
                continue;
            }
            let mut trial = chosen.clone();
            trial[v] = Some(n);
            let Ok(r) = solve(&trial) else { continue };
            let better = match &best {
                Ok(b) => r.1.cost < b.1.cost - 1e-9,
                Err(_) => true,
            };
            if better {
                best = Ok(r);
                chosen = trial;
            }
        }
    }
    best
}

/// What the scenario's `[[commitments]]` cost over the horizon whatever the placement: the
/// model adds it to the planned total as a constant (its reserved instances are pools the
/// plan may fill at no further compute cost).
pub fn committed_cost(scenario: &Scenario) -> f64 {
    (0..scenario.venues.len())
        .map(|v| committed_on(scenario, v))
        .sum()
}

/// What the scenario's commitments on venue `v` cost over the horizon.
pub fn committed_on(scenario: &Scenario, v: usize) -> f64 {
    let hours = scenario.horizon as f64 / HOUR as f64;
    scenario
        .commitments
        .iter()
        .filter(|c| c.venue() == v)
        .map(|c| {
            let per_hour = match c {
                Commitment::Reserved { count, offer, .. } => {
                    f64::from(*count) * offer.effective_hourly()
                }
                Commitment::SavingsPlan { hourly, .. } => *hourly,
            };
            per_hour * hours * scenario.venues[c.venue()].rate
        })
        .sum()
}

/// Shares as millionths that add up to exactly 1,000,000 (the largest share takes the rounding),
/// for a plan file whose shares must add up to 1 and for optimize.json: (venue, millionths),
/// zero shares left out.
pub fn micro_shares(shares: &[f64]) -> Vec<(usize, u64)> {
    let mut out: Vec<(usize, u64)> = shares
        .iter()
        .enumerate()
        .map(|(v, s)| (v, (s * 1e6).round().max(0.0) as u64))
        .filter(|(_, m)| *m > 0)
        .collect();
    if let Some(big) = (0..out.len()).max_by_key(|&i| out[i].1) {
        let others: u64 = out
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != big)
            .map(|(_, (_, m))| m)
            .sum();
        out[big].1 = 1_000_000 - others.min(1_000_000);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn micro_shares_add_up_to_one() {
        // 0.4 - 4e-16 and 0.6 + 3e-16 as a solver returns them: 400,000 and 600,000.
        assert_eq!(
            super::micro_shares(&[0.3999999999999996, 0.0, 0.6000000000000003]),
            [(0, 400_000), (2, 600_000)]
        );
        // Thirds: 333,333 twice and the largest (the last of equals) takes the rest.
        assert_eq!(
            super::micro_shares(&[1.0 / 3.0; 3]),
            [(0, 333_333), (1, 333_333), (2, 333_334)]
        );
    }
}
