//! Placement policies, one file each: given what each venue offers for one VM, pick a venue;
//! and how a site picks a host. The simulator asks every venue for an offer, then the policy.

mod best_fit;
mod cheapest;
mod first_fit;
mod plan;
mod private_first;

use crate::scenario::{Policy, Scenario};
use crate::units::SimTime;

/// A venue's offer for one VM: what it would cost per hour from now on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Offer {
    pub marginal_per_hour: f64,
    /// A private or HCI venue (owned capacity).
    pub owned: bool,
}

/// How a site picks a host among those that can hold a VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostChoice {
    /// The lowest-numbered host.
    FirstFit,
    /// The host left with the least free memory.
    BestFit,
}

pub trait Placement {
    /// Picks a venue for a VM of group `group` (an index into the trace's groups);
    /// `offers[v]` is venue v's offer, `None` where it cannot hold the VM.
    fn choose(&mut self, group: u32, offers: &[Option<Offer>]) -> Option<usize>;

    fn host_choice(&self) -> HostChoice {
        HostChoice::FirstFit
    }

    /// For policies that return burst VMs to owned capacity: the shortest public stay.
    fn returns_after(&self) -> Option<SimTime> {
        None
    }

    /// Group `group` may run only on `venue` from now on (a migration moved it there): a
    /// policy with its own per-group venues (a plan) follows the move instead of its rule.
    fn moved(&mut self, _group: u32, _venue: usize) {}
}

/// The scenario's policy; `groups` are the trace's group names.
pub fn for_scenario(scenario: &Scenario, groups: &[String]) -> Box<dyn Placement> {
    match scenario.policy {
        Policy::FirstFit => Box::new(first_fit::FirstFit),
        Policy::BestFit => Box::new(best_fit::BestFit),
        Policy::Cheapest => Box::new(cheapest::Cheapest),
        Policy::PrivateFirst => Box::new(private_first::PrivateFirst {
            min_stay: scenario.min_stay,
        }),
        Policy::Plan => Box::new(plan::FollowPlan::new(scenario, groups)),
    }
}

/// The first venue with an offer.
fn first(offers: &[Option<Offer>]) -> Option<usize> {
    offers.iter().position(Option::is_some)
}

/// The venue with the lowest offer among those `keep` allows; the earliest on ties.
fn lowest(offers: &[Option<Offer>], keep: impl Fn(&Offer) -> bool) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (v, o) in offers.iter().enumerate() {
        if let Some(o) = o.filter(|o| keep(o))
            && best.is_none_or(|(_, c)| o.marginal_per_hour < c)
        {
            best = Some((v, o.marginal_per_hour));
        }
    }
    best.map(|b| b.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn offer(cost: f64, owned: bool) -> Option<Offer> {
        Some(Offer {
            marginal_per_hour: cost,
            owned,
        })
    }

    #[test]
    fn first_and_lowest() {
        let offers = [None, offer(0.5, false), offer(0.1, false), offer(0.1, true)];
        assert_eq!(first(&offers), Some(1));
        assert_eq!(lowest(&offers, |_| true), Some(2)); // the earliest of the two at 0.1
        assert_eq!(lowest(&offers, |o| o.owned), Some(3));
        assert_eq!(lowest(&[None, None], |_| true), None);
    }
}
