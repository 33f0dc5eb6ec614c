//! plan: follows a plan file. A group with an order tries its venues in that order; a group with
//! shares sends each VM to the venue furthest below its share so far (the earliest on ties),
//! falling back to the next furthest when that venue cannot hold it. Groups the plan does not
//! cover (and no "*" rule) go first-fit. With the plan's `return_after` (every rule an order),
//! VMs on public venues return to owned capacity as under private-first.

use super::{Offer, Placement, first};
use crate::scenario::{PlanRule, Scenario};

pub struct FollowPlan {
    /// The rule of each trace group.
    rules: Vec<Option<PlanRule>>,
    /// VMs placed so far per group, and per (group, venue).
    placed: Vec<u64>,
    by_venue: Vec<Vec<u64>>,
    /// The plan's `return_after`.
    return_after: Option<crate::units::SimTime>,
}

impl FollowPlan {
    pub fn new(scenario: &Scenario, groups: &[String]) -> Self {
        let plan = scenario.plan.as_ref();
        let venues = scenario.venues.len();
        FollowPlan {
            rules: groups
                .iter()
                .map(|g| plan.and_then(|p| p.rule(g)).cloned())
                .collect(),
            placed: vec![0; groups.len()],
            by_venue: vec![vec![0; venues]; groups.len()],
            return_after: plan.and_then(|p| p.return_after),
        }
    }
}

impl Placement for FollowPlan {
    fn choose(&mut self, group: u32, offers: &[Option<Offer>]) -> Option<usize> {
        let g = group as usize;
        let chosen = match &self.rules[g] {
            None => first(offers),
            Some(PlanRule::Order(order)) => order.iter().copied().find(|&v| offers[v].is_some()),
            Some(PlanRule::Shares(shares)) => {
                // Deficit = share x (VMs so far + this one) - VMs already there.
                let n = (self.placed[g] + 1) as f64;
                let mut ranked: Vec<(usize, f64)> = shares
                    .iter()
                    .map(|&(v, share)| (v, share * n - self.by_venue[g][v] as f64))
                    .collect();
                ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                ranked
                    .into_iter()
                    .map(|r| r.0)
                    .find(|&v| offers[v].is_some())
            }
        };
        if let Some(v) = chosen {
            self.placed[g] += 1;
            self.by_venue[g][v] += 1;
        }
        chosen
    }

    fn returns_after(&self) -> Option<crate::units::SimTime> {
        self.return_after
    }

    /// The plan was made for the venues before the move; a rule naming only those would strand
    /// the group's VMs (down for the rest of the run, paid nowhere).
    fn moved(&mut self, group: u32, venue: usize) {
        self.rules[group as usize] = Some(PlanRule::Order(vec![venue]));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::offer;
    use super::*;

    fn plan(rule: PlanRule) -> FollowPlan {
        FollowPlan {
            rules: vec![Some(rule)],
            placed: vec![0],
            by_venue: vec![vec![0; 3]],
            return_after: None,
        }
    }

    #[test]
    fn shares_are_followed_vm_by_vm() {
        // 25 % to venue 0, 75 % to venue 2: of 4 VMs, one goes to 0 and three to 2.
        let mut p = plan(PlanRule::Shares(vec![(0, 0.25), (2, 0.75)]));
        let all = [offer(0.0, true), offer(0.0, false), offer(0.0, false)];
        let picks: Vec<usize> = (0..4).map(|_| p.choose(0, &all).unwrap()).collect();
        // Deficits: VM 1: 0.25 vs 0.75 -> 2; VM 2: 0.5 vs 0.5 -> 0 (earlier); VM 3: -0.25 vs
        // 1.25 -> 2; VM 4: 0 vs 1.0 -> 2.
        assert_eq!(picks, [2, 0, 2, 2]);
        // When the planned venue is full, the next furthest below its share.
        assert_eq!(p.choose(0, &[offer(0.0, true), None, None]), Some(0));
    }

    #[test]
    fn an_order_is_tried_in_turn() {
        let mut p = plan(PlanRule::Order(vec![2, 0]));
        assert_eq!(
            p.choose(0, &[offer(0.0, true), None, offer(0.0, false)]),
            Some(2)
        );
        assert_eq!(p.choose(0, &[offer(0.0, true), None, None]), Some(0));
        assert_eq!(p.choose(0, &[None, offer(0.0, false), None]), None); // venue 1 is not planned
    }

    #[test]
    fn a_migration_overrides_the_rule() {
        // The plan keeps the group wholly on venue 0; a migration then allows only venue 1,
        // so venue 0 offers nothing. Without the move the rule finds no venue (the VM would be
        // stranded, down for the rest of the run); after it the group goes to venue 1.
        let mut p = plan(PlanRule::Shares(vec![(0, 1.0)]));
        let after = [None, offer(0.0, true), None];
        assert_eq!(p.choose(0, &after), None);
        p.moved(0, 1);
        assert_eq!(p.choose(0, &after), Some(1));
    }
}
