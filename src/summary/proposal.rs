//! Figures a proposal states beside summary.json's totals (they are not written to it): unit
//! costs per venue and per group, and the run's cost split into recurring run-rate and one-off
//! payments. Built from the same outcome as the summary, so they add up to its total.
//!
//! A group's cost is not in the ledger (a host or a store is paid for whole, not per VM): each
//! venue's cost is shared among the groups that ran there in proportion to their vCPU-hours,
//! so an owned site's idle capacity is carried by the groups that use it. vCPU-hours are a
//! group's VM-hours on a venue times its VMs' mean vCPUs (weighted by their hours in the
//! horizon; an autoscaled group's instance size).

use super::Summary;
use crate::scenario::{Commitment, Scenario};
use crate::sim::Outcome;
use crate::trace::VmTable;
use crate::units::{HOUR, HOURS_PER_MONTH};

/// What one venue or group cost and what it ran.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitCost {
    pub name: String,
    pub cost: f64,
    pub vm_hours: f64,
    pub vcpu_hours: f64,
}

impl UnitCost {
    /// Cost per VM-month (730 VM-hours); `None` without VM-hours.
    pub fn per_vm_month(&self) -> Option<f64> {
        (self.vm_hours > 0.0).then(|| self.cost / (self.vm_hours / HOURS_PER_MONTH))
    }

    /// Cost per vCPU-hour; `None` without vCPU-hours.
    pub fn per_vcpu_hour(&self) -> Option<f64> {
        (self.vcpu_hours > 0.0).then(|| self.cost / self.vcpu_hours)
    }
}

/// Unit costs of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitCosts {
    /// Venues that ran VMs, in scenario order.
    pub by_venue: Vec<UnitCost>,
    /// Groups that ran, in the outcome's order.
    pub by_group: Vec<UnitCost>,
    /// All venues together (the backup service left out).
    pub workload: UnitCost,
    /// Cost no VM-hour carries: the backup service and venues that ran nothing.
    pub shared: f64,
}

/// Mean vCPUs of each group's VMs, weighted by their seconds within the horizon (indexed like
/// `outcome.groups`): the trace's groups, then autoscaled groups at their instance size.
fn mean_vcpus(scenario: &Scenario, table: &VmTable, outcome: &Outcome) -> Vec<f64> {
    let mut sums = vec![(0.0, 0.0); outcome.groups.len()];
    for vm in &table.vms {
        let end = vm.end.unwrap_or(scenario.horizon).min(scenario.horizon);
        if vm.start < end && (vm.group as usize) < sums.len() {
            let secs = (end - vm.start) as f64;
            let s = &mut sums[vm.group as usize];
            *s = (s.0 + vm.vcpus * secs, s.1 + secs);
        }
    }
    outcome
        .groups
        .iter()
        .zip(sums)
        .map(|(name, (weighted, secs))| match secs > 0.0 {
            true => weighted / secs,
            false => scenario
                .autoscale
                .iter()
                .find(|a| &a.group == name)
                .map_or(0.0, |a| a.vcpus),
        })
        .collect()
}

impl UnitCosts {
    pub fn build(scenario: &Scenario, table: &VmTable, outcome: &Outcome, s: &Summary) -> Self {
        let vcpus = mean_vcpus(scenario, table, outcome);
        let hours = |secs: u64| secs as f64 / HOUR as f64;
        let mut by_group: Vec<UnitCost> = outcome
            .groups
            .iter()
            .map(|g| UnitCost {
                name: g.clone(),
                cost: 0.0,
                vm_hours: 0.0,
                vcpu_hours: 0.0,
            })
            .collect();
        let mut by_venue = Vec::new();
        let mut shared = 0.0;
        for (v, o) in outcome.venues.iter().enumerate() {
            let cost = s.venues.get(v).map_or(0.0, |x| x.total);
            let vcpu_of = |g: usize| hours(o.group_vm_seconds[g]) * vcpus[g];
            let vcpu_hours: f64 = (0..o.group_vm_seconds.len()).map(vcpu_of).sum();
            if o.vm_seconds == 0 || vcpu_hours <= 0.0 {
                shared += cost;
                continue;
            }
            for (g, row) in by_group.iter_mut().enumerate() {
                let share = vcpu_of(g) / vcpu_hours;
                row.cost += cost * share;
                row.vm_hours += hours(o.group_vm_seconds[g]);
                row.vcpu_hours += vcpu_of(g);
            }
            by_venue.push(UnitCost {
                name: scenario.venues[v].name.clone(),
                cost,
                vm_hours: hours(o.vm_seconds),
                vcpu_hours,
            });
        }
        // The backup service (ledger venue after the scenario's) runs no VMs.
        shared += s
            .venues
            .iter()
            .skip(outcome.venues.len())
            .map(|x| x.total)
            .sum::<f64>();
        by_group.retain(|g| g.vm_hours > 0.0);
        // The total less what no VM carries, so the row agrees with the headline to the cent
        // (a sum of venues rounded to cents can be a cent off).
        let workload = UnitCost {
            name: "all venues".into(),
            cost: crate::units::cents(s.total - shared),
            vm_hours: by_venue.iter().map(|u| u.vm_hours).sum(),
            vcpu_hours: by_venue.iter().map(|u| u.vcpu_hours).sum(),
        };
        UnitCosts {
            by_venue,
            by_group,
            workload,
            shared,
        }
    }
}

/// The run's cost as recurring run-rate and one-off payments.
#[derive(Debug, Clone, PartialEq)]
pub struct CostSplit {
    /// One-off charges within the total, e.g. ("seeding", 6000.0).
    pub one_off: Vec<(String, f64)>,
    /// The rest of the total: what recurs while the plan runs.
    pub recurring: f64,
    /// `recurring` per 730-hour month.
    pub recurring_per_month: f64,
    /// Up-front payments of commitments, paid in cash on day one; the total carries only their
    /// amortised share of the horizon (already in `recurring`).
    pub upfront: Vec<(String, f64)>,
}

/// Ledger categories that are paid once, not while the plan runs.
pub const ONE_OFF_CATEGORIES: [&str; 1] = ["seeding"];

impl CostSplit {
    pub fn build(scenario: &Scenario, s: &Summary) -> Self {
        let one_off: Vec<(String, f64)> = s
            .by_category
            .iter()
            .filter(|(c, a)| ONE_OFF_CATEGORIES.contains(&c.as_ref()) && **a != 0.0)
            .map(|(c, a)| (c.to_string(), *a))
            .collect();
        let recurring = s.total - one_off.iter().map(|x| x.1).sum::<f64>();
        let months = s.horizon_s as f64 / (HOURS_PER_MONTH * HOUR as f64);
        let upfront = scenario
            .commitments
            .iter()
            .filter_map(|c| match c {
                Commitment::Reserved {
                    venue,
                    count,
                    offer,
                } if offer.upfront_cost > 0.0 => {
                    let v = &scenario.venues[*venue];
                    let t = v.public()?.instances.get(offer.instance)?;
                    let label = format!(
                        "{}: {count} x {} reserved, {} {}-upfront",
                        v.name,
                        t.name,
                        offer.term.name(),
                        offer.upfront.name()
                    );
                    Some((label, f64::from(*count) * offer.upfront_cost * v.rate))
                }
                _ => None,
            })
            .collect();
        CostSplit {
            one_off,
            recurring,
            recurring_per_month: recurring / months.max(1e-9),
            upfront,
        }
    }
}
