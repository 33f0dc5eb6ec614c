//! What each workload group asks for: requested vCPUs and memory at every step, and what all of
//! the group's VMs would cost on each public venue. VMs are aggregated per group, so the model's
//! size grows with groups x venues x steps, never with VMs.

use crate::pricing::{Purchase, VmUsage};
use crate::scenario::{GroupPolicy, Scenario, Venue};
use crate::trace::VmTable;
use crate::units::{HOUR, SimTime};

/// One group's demand.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupDemand {
    pub name: String,
    /// Requested vCPUs and GiB alive at each step boundary.
    pub vcpus: Vec<f64>,
    pub mem_gib: Vec<f64>,
    /// What the whole group's use costs on each venue (scenario order) apart from owned
    /// capacity: public instances, storage and traffic; HCI consumption per vCPU-hour. `None`
    /// for private sites (their cost is their hosts) and public venues where a VM fits no type.
    pub usage_cost: Vec<Option<f64>>,
    /// The largest VM's vCPUs and GiB: a private site whose hosts are smaller cannot take it.
    pub largest: (f64, f64),
    /// The venues the group may use (sovereignty, latency class), by scenario index.
    pub allowed: Vec<bool>,
    /// Where the group runs today and the one-off cost of moving all of it elsewhere.
    pub current: Option<(usize, f64)>,
}

/// Every group's demand over the horizon, sampled at step boundaries.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub step: SimTime,
    pub steps: usize,
    pub groups: Vec<GroupDemand>,
}

impl Profile {
    /// Builds the profile in one pass over the VMs (difference arrays, then prefix sums).
    pub fn build(scenario: &Scenario, table: &VmTable) -> Profile {
        let group = |name: &str| scenario.group(name);
        Self::of(
            scenario.horizon,
            scenario.step,
            &scenario.venues,
            &group,
            table,
        )
    }

    pub fn of(
        horizon: SimTime,
        step: SimTime,
        venues: &[Venue],
        group: &dyn Fn(&str) -> GroupPolicy,
        table: &VmTable,
    ) -> Profile {
        let step = step.max(1);
        let steps = horizon.div_ceil(step).max(1) as usize;
        let policies: Vec<GroupPolicy> = table.groups.iter().map(|n| group(n)).collect();
        let mut groups: Vec<GroupDemand> = table
            .groups
            .iter()
            .zip(&policies)
            .map(|(name, policy)| GroupDemand {
                name: name.clone(),
                vcpus: vec![0.0; steps + 1],
                mem_gib: vec![0.0; steps + 1],
                usage_cost: venues
                    .iter()
                    .map(|v| (v.public().is_some() || v.hci().is_some()).then_some(0.0))
                    .collect(),
                largest: (0.0, 0.0),
                allowed: (0..venues.len()).map(|v| policy.allows(v)).collect(),
                current: policy.current.map(|(v, _)| (v, 0.0)),
            })
            .collect();
        for vm in &table.vms {
            let end = vm.end.unwrap_or(horizon).min(horizon);
            if vm.start >= end {
                continue;
            }
            // Alive at boundary k*step when start <= k*step < end.
            let (first, last) = (
                vm.start.div_ceil(step) as usize,
                end.div_ceil(step) as usize,
            );
            let g = &mut groups[vm.group as usize];
            g.largest = (g.largest.0.max(vm.vcpus), g.largest.1.max(vm.mem_gib));
            if first < last {
                g.vcpus[first] += vm.vcpus;
                g.vcpus[last.min(steps)] -= vm.vcpus;
                g.mem_gib[first] += vm.mem_gib;
                g.mem_gib[last.min(steps)] -= vm.mem_gib;
            }
            let policy = &policies[vm.group as usize];
            let hours = (end - vm.start) as f64 / HOUR as f64;
            // Moving the group moves each of its VMs: the per-VM cost adds up over its VMs.
            if let Some((v, per_vm)) = policy.current
                && let Some(c) = g.current.as_mut()
            {
                *c = (v, c.1 + per_vm);
            }
            for (v, venue) in venues.iter().enumerate() {
                if let (Some(hci), Some(cost)) = (venue.hci(), g.usage_cost[v].as_mut()) {
                    *cost += hci.vm_hour_cost(vm.vcpus, policy.windows) * hours * venue.rate;
                }
                let (Some(book), Some(cost)) = (venue.public(), g.usage_cost[v].as_mut()) else {
                    continue;
                };
                // As the simulator buys: spot when the group asks and a type has a spot price.
                let spot = (policy.purchase == Purchase::Spot)
                    .then(|| book.cheapest_spot_fit(vm.vcpus, vm.mem_gib))
                    .flatten()
                    .map(|(i, _)| (i, Purchase::Spot));
                let fit = spot.or_else(|| {
                    let on_demand = book.cheapest_fit(vm.vcpus, vm.mem_gib);
                    on_demand.map(|(i, _)| (i, Purchase::OnDemand))
                });
                match fit {
                    Some((i, purchase)) => {
                        // As the simulator's offers price it (egress at the first tier).
                        let usage = VmUsage {
                            disk_gib: vm.disk_gib,
                            egress_gib_month: policy.egress_gib_per_vm_month,
                            inter_region_gib_month: policy.inter_region_gib_per_vm_month,
                        };
                        let hour = book.vm_hour_cost(i, purchase.into(), policy.windows, &usage);
                        *cost += hour.total() * hours * venue.rate;
                    }
                    None => g.usage_cost[v] = None,
                }
            }
        }
        for g in &mut groups {
            for series in [&mut g.vcpus, &mut g.mem_gib] {
                let mut run = 0.0;
                for x in series.iter_mut() {
                    run += *x;
                    // Sums of whole sizes: clear the rounding dust of additions and removals.
                    *x = (run * 1e6).round() / 1e6;
                }
                series.truncate(steps);
            }
        }
        Profile {
            step,
            steps,
            groups,
        }
    }
}

/// A series sorted ascending, for percentiles.
fn sorted(series: &[f64]) -> Vec<f64> {
    let mut v = series.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// Nearest-rank percentile `p` (0..=100) of a sorted series (0 for an empty one).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    crate::uncertainty::stats::nearest_rank(sorted, p / 100.0)
}

/// A group's demand in figures: percentiles of its vCPUs and GiB over the steps.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DemandStats {
    pub group: String,
    pub vcpus_p50: f64,
    pub vcpus_p95: f64,
    pub vcpus_peak: f64,
    pub mem_gib_p50: f64,
    pub mem_gib_p95: f64,
    pub mem_gib_peak: f64,
}

impl Profile {
    /// The profile collapsed to one step: each group's `p`-th percentile of vCPUs and of GiB.
    /// Summing per-group percentiles plans for more than the percentile of the sum (groups
    /// rarely peak together), so this errs on the side of capacity.
    pub fn at_percentile(&self, p: f64) -> Profile {
        Profile {
            step: self.step * self.steps as SimTime,
            steps: 1,
            groups: self
                .groups
                .iter()
                .map(|g| GroupDemand {
                    vcpus: vec![percentile(&sorted(&g.vcpus), p)],
                    mem_gib: vec![percentile(&sorted(&g.mem_gib), p)],
                    ..g.clone()
                })
                .collect(),
        }
    }

    /// P50, P95 and the peak of every group's demand.
    pub fn stats(&self) -> Vec<DemandStats> {
        self.groups
            .iter()
            .map(|g| {
                let (cpu, mem) = (sorted(&g.vcpus), sorted(&g.mem_gib));
                DemandStats {
                    group: g.name.clone(),
                    vcpus_p50: percentile(&cpu, 50.0),
                    vcpus_p95: percentile(&cpu, 95.0),
                    vcpus_peak: percentile(&cpu, 100.0),
                    mem_gib_p50: percentile(&mem, 50.0),
                    mem_gib_p95: percentile(&mem, 95.0),
                    mem_gib_peak: percentile(&mem, 100.0),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Vm;

    #[test]
    fn demand_counts_vms_alive_at_each_boundary() {
        let vm = |id: &str, start: u64, end: Option<u64>, vcpus: f64| Vm {
            id: id.into(),
            group: 0,
            start,
            end,
            vcpus,
            mem_gib: vcpus * 4.0,
            disk_gib: 0.0,
        };
        let table = VmTable::new(
            vec![
                vm("a", 0, Some(2 * HOUR), 2.0),
                vm("b", HOUR / 2, None, 4.0),
            ],
            vec!["g".into()],
        );
        let p = Profile::of(4 * HOUR, HOUR, &[], &|_| GroupPolicy::default(), &table);
        // Boundaries 0, 1 h, 2 h, 3 h: a alive at 0 and 1 h; b (from 0.5 h) at 1 h, 2 h, 3 h.
        assert_eq!(p.groups[0].vcpus, [2.0, 6.0, 4.0, 4.0]);
        assert_eq!(p.groups[0].mem_gib, [8.0, 24.0, 16.0, 16.0]);
        // Sorted 2, 4, 4, 6: P50 is rank ceil(0.5 x 4) = 2 -> 4; P95 rank 4 -> 6; P25 rank 1 -> 2.
        let one = p.at_percentile(50.0);
        assert_eq!(
            (one.steps, one.groups[0].vcpus.as_slice()),
            (1, [4.0].as_slice())
        );
        assert_eq!(p.at_percentile(25.0).groups[0].mem_gib, [8.0]);
        let s = &p.stats()[0];
        assert_eq!((s.vcpus_p50, s.vcpus_p95, s.vcpus_peak), (4.0, 6.0, 6.0));
    }
}
