//! `hybridplan optimize`: recommends where each workload group runs and how many hosts each
//! private site needs, by a mixed-integer model over the demand profile of the trace (good_lp,
//! pure-Rust microlp by default). The plan is written as a plan file for `policy = "plan"` and
//! can be checked by simulating it.

pub mod backup;
pub mod commit;
pub mod demand;
pub mod explain;
pub mod model;
mod recommend;

pub use demand::Profile;
pub use explain::{Binding, Explanation, RunnerUp};
pub use model::{NoPlan, Options, Site, Solved};
pub use recommend::{GroupShares, Recommendation, SiteHosts, Validation, VenueCost};

use crate::scenario::{Commitment, Scenario, VenueSize};
use crate::units::HOUR;

/// Utilisation assumed for a host's power in the model (the simulator uses the measured one).
pub const POWER_UTILISATION: f64 = 0.5;

/// The private sites of a scenario as the model sees them: one host's tenant capacity and its
/// cost over the horizon (fixed items plus power at `POWER_UTILISATION`).
pub fn sites(scenario: &Scenario) -> Vec<Site> {
    let hours = scenario.horizon as f64 / HOUR as f64;
    scenario
        .venues
        .iter()
        .enumerate()
        .filter_map(|(v, venue)| {
            let book = venue.private()?;
            let power = book
                .power()
                .map_or(0.0, |p| p.cost(POWER_UTILISATION, hours));
            Some(Site {
                venue: v,
                name: venue.name.clone(),
                vcpus: book.vcpu_capacity(),
                mem_gib: book.mem_gib,
                host_cost: (book.hosts_cost(1, scenario.horizon) + power) * venue.rate,
                max_hosts: venue.max_hosts,
            })
        })
        .collect()
}

/// Venues the model leaves out (HCI scale units are not sized yet), by name.
pub fn left_out(scenario: &Scenario) -> Vec<&str> {
    scenario
        .venues
        .iter()
        .filter(|v| matches!(v.size, VenueSize::Hci { .. }))
        .map(|v| v.name.as_str())
        .collect()
}

/// What the scenario's `[[commitments]]` cost over the horizon whatever the placement: the
/// model adds it to the planned total as a constant (it does not yet use reserved capacity).
pub fn committed_cost(scenario: &Scenario) -> f64 {
    let hours = scenario.horizon as f64 / HOUR as f64;
    scenario
        .commitments
        .iter()
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
