//! What each workload group asks for: requested vCPUs and memory at every step, and what all of
//! the group's VMs would cost on each public venue. VMs are aggregated per group, so the model's
//! size grows with groups x venues x steps, never with VMs.

use crate::pricing::{PriceModel, PublicBook, Purchase, VmUsage};
use crate::scenario::{Commitment, GroupPolicy, Scenario, Venue};
use crate::trace::VmTable;
use crate::units::{HOUR, HOURS_PER_MONTH, SimTime};

/// One group's demand.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupDemand {
    pub name: String,
    /// Requested vCPUs and GiB alive at each step boundary.
    pub vcpus: Vec<f64>,
    pub mem_gib: Vec<f64>,
    /// VMs alive at each step boundary (a reserved instance holds one VM whatever its size).
    pub vms: Vec<f64>,
    /// What the whole group's use costs on each venue (scenario order) apart from owned
    /// capacity: public instances, storage and traffic; HCI consumption per vCPU-hour. `None`
    /// for private sites (their cost is their hosts) and public venues where a VM fits no type.
    pub usage_cost: Vec<Option<f64>>,
    /// What the whole group costs on each of the profile's `pools` (reserved instances already
    /// paid for): storage, traffic and the Windows uplift. `None` where a VM does not fit the
    /// reserved type or the group may not use the venue.
    pub pool_cost: Vec<Option<f64>>,
    /// The largest VM's vCPUs and GiB: a private site whose hosts are smaller cannot take it.
    pub largest: (f64, f64),
    /// The venues the group may use (sovereignty, latency class), by scenario index.
    pub allowed: Vec<bool>,
    /// Where the group runs today and the one-off cost of moving all of it elsewhere.
    pub current: Option<(usize, f64)>,
}

/// Capacity already paid for on a public venue: `count` reserved instances of one type, each
/// holding one VM that fits it at no further compute cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Pool {
    pub venue: usize,
    /// E.g. "aws-us-east-1 reserved m6a.2xlarge".
    pub name: String,
    pub count: f64,
    /// Position of the type in the venue's book, and its vCPUs and GiB.
    pub instance: usize,
    pub fits: (f64, f64),
}

/// Every group's demand over the horizon, sampled at step boundaries, and the reserved
/// capacity the scenario already pays for.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub step: SimTime,
    pub steps: usize,
    /// The first step of each period the sites are sized for (periods.rs): `[0]`, one count
    /// for the horizon, unless the scenario spans more than a year (then one per year).
    pub periods: Vec<usize>,
    pub groups: Vec<GroupDemand>,
    pub pools: Vec<Pool>,
}

/// The scenario's reserved instances as pools (savings plans are spend, not capacity).
pub fn pools(venues: &[Venue], commitments: &[Commitment]) -> Vec<Pool> {
    commitments
        .iter()
        .filter_map(|c| match c {
            Commitment::Reserved {
                venue,
                count,
                offer,
            } => {
                let t = &venues[*venue].public()?.instances[offer.instance];
                Some(Pool {
                    venue: *venue,
                    name: format!("{} reserved {}", venues[*venue].name, t.name),
                    count: f64::from(*count),
                    instance: offer.instance,
                    fits: (f64::from(t.vcpus), t.mem_gib),
                })
            }
            Commitment::SavingsPlan { .. } => None,
        })
        .collect()
}

/// What one VM costs on a public venue over `hours` as the simulator's offers price it (spot
/// when the group asks and a type has a spot price; Windows and SQL Server licences unless the
/// group brings its own to a book with Azure Hybrid Benefit; storage; traffic at the first
/// paid egress tier), before the venue's price factor. `None` when no type fits.
///
/// An on-demand type whose family has a GCP sustained-use schedule pays, for each whole 730 h
/// month of the VM's run, the schedule's full-month rate (N1: 70 % of list), as the simulator
/// bills a layer of usage that runs all month; the hours left over pay list (the simulator may
/// bill them lower when other VMs of the family fill the month: the estimate never undercuts
/// the bill).
pub fn public_cost(
    book: &PublicBook,
    policy: &GroupPolicy,
    (vcpus, mem_gib, disk_gib): (f64, f64, f64),
    hours: f64,
) -> Option<f64> {
    let spot = (policy.purchase == Purchase::Spot)
        .then(|| book.cheapest_spot_fit(vcpus, mem_gib))
        .flatten()
        .map(|(i, _)| (i, Purchase::Spot));
    let (i, purchase) = spot.or_else(|| {
        let on_demand = book.cheapest_fit(vcpus, mem_gib);
        on_demand.map(|(i, _)| (i, Purchase::OnDemand))
    })?;
    let paid = policy.licences_paid(book);
    let hour = book.vm_hour_cost(i, purchase.into(), paid, &usage(policy, disk_gib));
    let mut cost = hour.total() * hours;
    if let (Purchase::OnDemand, Some(sud)) = (purchase, book.sustained_use(i)) {
        let months = (hours / HOURS_PER_MONTH).floor();
        let saved_per_month = HOURS_PER_MONTH - sud.billed_hours(HOURS_PER_MONTH);
        cost -= hour.instance * months * saved_per_month;
    }
    Some(cost)
}

/// A VM's storage and traffic as the pricing formulas take them.
fn usage(policy: &GroupPolicy, disk_gib: f64) -> VmUsage {
    VmUsage {
        disk_gib,
        egress_gib_month: policy.egress_gib_per_vm_month,
        inter_region_gib_month: policy.inter_region_gib_per_vm_month,
    }
}

/// What one VM costs over `hours` on a free reservation of `pool`'s type: no instance, but
/// storage, traffic and the Windows and SQL Server licences.
pub fn pool_cost(
    book: &PublicBook,
    pool: &Pool,
    policy: &GroupPolicy,
    disk: f64,
    hours: f64,
) -> f64 {
    let model = PriceModel::Reserved;
    let paid = policy.licences_paid(book);
    let hour = book.vm_hour_cost(pool.instance, model, paid, &usage(policy, disk));
    hour.total() * hours
}

impl Profile {
    /// Builds the profile in one pass over the VMs (difference arrays, then prefix sums), with
    /// the scenario's reserved instances as pools and each autoscaled group planned with the
    /// instances its policy runs.
    pub fn build(
        scenario: &Scenario,
        trace: &crate::trace::Trace,
    ) -> Result<Profile, crate::error::Error> {
        let group = |name: &str| scenario.group(name);
        let pools = pools(&scenario.venues, &scenario.commitments);
        let mut profile = Self::of(
            scenario.horizon,
            scenario.step,
            &scenario.venues,
            &pools,
            &group,
            &trace.table,
        );
        super::scaled::plan_instances(scenario, trace, &mut profile)?;
        profile.periods = super::periods::first_steps(scenario.horizon, profile.step);
        Ok(profile)
    }

    pub fn of(
        horizon: SimTime,
        step: SimTime,
        venues: &[Venue],
        pools: &[Pool],
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
            .map(|(name, policy)| GroupDemand::empty(name, policy, venues, pools, steps))
            .collect();
        for vm in &table.vms {
            let end = vm.end.unwrap_or(horizon).min(horizon);
            if vm.start >= end {
                continue;
            }
            let g = &mut groups[vm.group as usize];
            let policy = &policies[vm.group as usize];
            g.add(
                vm.start.div_ceil(step),
                end.div_ceil(step),
                steps,
                (vm.vcpus, vm.mem_gib),
            );
            // Moving the group moves each of its VMs: the per-VM cost adds up over its VMs.
            if let Some((v, per_vm)) = policy.current
                && let Some(c) = g.current.as_mut()
            {
                *c = (v, c.1 + per_vm);
            }
            let hours = (end - vm.start) as f64 / HOUR as f64;
            g.add_cost(
                venues,
                pools,
                policy,
                (vm.vcpus, vm.mem_gib, vm.disk_gib),
                hours,
            );
        }
        for g in &mut groups {
            g.finish(steps);
        }
        Profile {
            step,
            steps,
            periods: vec![0],
            groups,
            pools: pools.to_vec(),
        }
    }
}

impl GroupDemand {
    /// A group with no VMs yet: costs at zero where the group may run.
    pub fn empty(
        name: &str,
        policy: &GroupPolicy,
        venues: &[Venue],
        pools: &[Pool],
        steps: usize,
    ) -> GroupDemand {
        GroupDemand {
            name: name.to_string(),
            vcpus: vec![0.0; steps + 1],
            mem_gib: vec![0.0; steps + 1],
            vms: vec![0.0; steps + 1],
            usage_cost: venues
                .iter()
                .map(|v| (v.public().is_some() || v.hci().is_some()).then_some(0.0))
                .collect(),
            pool_cost: pools
                .iter()
                .map(|p| policy.allows(p.venue).then_some(0.0))
                .collect(),
            largest: (0.0, 0.0),
            allowed: (0..venues.len()).map(|v| policy.allows(v)).collect(),
            current: policy.current.map(|(v, _)| (v, 0.0)),
        }
    }

    /// A VM of `size` alive at the boundaries `first..last` (difference arrays until `finish`).
    pub fn add(&mut self, first: u64, last: u64, steps: usize, size: (f64, f64)) {
        let (first, last) = (first as usize, (last as usize).min(steps));
        self.largest = (self.largest.0.max(size.0), self.largest.1.max(size.1));
        if first < last {
            for (series, x) in [
                (&mut self.vcpus, size.0),
                (&mut self.mem_gib, size.1),
                (&mut self.vms, 1.0),
            ] {
                series[first] += x;
                series[last] -= x;
            }
        }
    }

    /// Adds what a VM of `size` (vCPUs, GiB, disk GiB) running `hours` costs on every venue
    /// and pool; a venue or pool where it fits nothing is closed to the group.
    pub fn add_cost(
        &mut self,
        venues: &[Venue],
        pools: &[Pool],
        policy: &GroupPolicy,
        size: (f64, f64, f64),
        hours: f64,
    ) {
        for (v, venue) in venues.iter().enumerate() {
            let Some(cost) = self.usage_cost[v].as_mut() else {
                continue;
            };
            if let Some(hci) = venue.hci() {
                *cost += hci.vm_hour_cost(size.0, policy.windows) * hours * venue.rate;
            } else if let Some(book) = venue.public() {
                match public_cost(book, policy, size, hours) {
                    Some(c) => *cost += c * venue.rate,
                    None => self.usage_cost[v] = None,
                }
            }
        }
        for (p, pool) in pools.iter().enumerate() {
            let fits = size.0 <= pool.fits.0 && size.1 <= pool.fits.1;
            let (Some(cost), Some(book)) =
                (self.pool_cost[p].as_mut(), venues[pool.venue].public())
            else {
                continue;
            };
            if fits {
                *cost += pool_cost(book, pool, policy, size.2, hours) * venues[pool.venue].rate;
            } else {
                self.pool_cost[p] = None;
            }
        }
    }

    /// Prefix sums of the difference arrays, cut to `steps`.
    pub fn finish(&mut self, steps: usize) {
        for series in [&mut self.vcpus, &mut self.mem_gib, &mut self.vms] {
            let mut run = 0.0;
            for x in series.iter_mut() {
                run += *x;
                // Sums of whole sizes: clear the rounding dust of additions and removals.
                *x = (run * 1e6).round() / 1e6;
            }
            series.truncate(steps);
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
            // One step: one period, sized for the percentile of the whole horizon.
            periods: vec![0],
            groups: self
                .groups
                .iter()
                .map(|g| GroupDemand {
                    vcpus: vec![percentile(&sorted(&g.vcpus), p)],
                    mem_gib: vec![percentile(&sorted(&g.mem_gib), p)],
                    vms: vec![percentile(&sorted(&g.vms), p)],
                    ..g.clone()
                })
                .collect(),
            pools: self.pools.clone(),
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
        let vm = |id: &str, start: u64, end: Option<u64>, vcpus: f64| {
            let vm = Vm {
                group: 0,
                start,
                end,
                vcpus,
                mem_gib: vcpus * 4.0,
                disk_gib: 0.0,
            };
            (id.to_string(), vm)
        };
        let table = VmTable::new(
            vec![
                vm("a", 0, Some(2 * HOUR), 2.0),
                vm("b", HOUR / 2, None, 4.0),
            ],
            vec!["g".into()],
        );
        let p = Profile::of(
            4 * HOUR,
            HOUR,
            &[],
            &[],
            &|_| GroupPolicy::default(),
            &table,
        );
        // Boundaries 0, 1 h, 2 h, 3 h: a alive at 0 and 1 h; b (from 0.5 h) at 1 h, 2 h, 3 h.
        assert_eq!(p.groups[0].vcpus, [2.0, 6.0, 4.0, 4.0]);
        assert_eq!(p.groups[0].mem_gib, [8.0, 24.0, 16.0, 16.0]);
        assert_eq!(p.groups[0].vms, [1.0, 2.0, 1.0, 1.0]);
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

    fn book(path: &str) -> PublicBook {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        match crate::pricing::Book::load(&root.join(path)).unwrap().kind {
            crate::pricing::BookKind::Public(p) => p,
            _ => unreachable!("a public book"),
        }
    }

    #[test]
    fn the_optimizer_prices_sustained_use_and_hybrid_benefit_as_billed() {
        // GCP's n1-standard-16 (0.76/h list) with N1's schedule, as issue 20 and the
        // simulator's billing test price it.
        let text = "name = \"t\"\ncurrency = \"USD\"\nsource = \"hand\"\nas_of = \"2026-11-01\"\n[public]\nregion = \"r\"\nbilling = \"per-second\"\nstorage_gb_month = 0.0\negress_gb = 0.0\nsustained_use = { n1 = [1.0, 0.8, 0.6, 0.4] }\n[[public.instances]]\nname = \"n1-standard-16\"\nvcpus = 16\nmem_gib = 60\nhourly = 0.76\n";
        let gcp = match crate::pricing::Book::parse(text, std::path::Path::new("t.toml"))
            .unwrap()
            .kind
        {
            crate::pricing::BookKind::Public(p) => p,
            _ => unreachable!("a public book"),
        };
        let policy = GroupPolicy::default();
        let size = (16.0, 60.0, 0.0);
        // A full month: 554.80 list x (0.25 + 0.2 + 0.15 + 0.1) = 388.36, what the simulator
        // bills (before: 554.80).
        let month = public_cost(&gcp, &policy, size, 730.0).unwrap();
        assert!((month - 388.36).abs() < 1e-9, "{month}");
        // 1,000 h: one whole month at 388.36, then 270 h at list 0.76 = 205.20; 593.56.
        let long = public_cost(&gcp, &policy, size, 1000.0).unwrap();
        assert!((long - 593.56).abs() < 1e-9, "{long}");
        // Less than a month (100 h): list, 76.00.
        let short = public_cost(&gcp, &policy, size, 100.0).unwrap();
        assert!((short - 76.0).abs() < 1e-9, "{short}");

        // Azure Hybrid Benefit: a Windows group bringing its licences pays Linux rates. The
        // cheapest fit for 4 vCPU, 16 GiB in East US is Standard_D4s_v5: 730 h x 0.192 =
        // 140.16 with AHB, 730 h x 0.376 (its listed Windows price) = 274.48 without.
        let azure = book("pricing/azure-eastus.toml");
        let windows = GroupPolicy {
            windows: true,
            ..GroupPolicy::default()
        };
        let paid = public_cost(&azure, &windows, (4.0, 16.0, 0.0), 730.0).unwrap();
        assert!((paid - 274.48).abs() < 1e-9, "{paid}");
        let ahb = GroupPolicy {
            hybrid_benefit: crate::pricing::Brought::ALL,
            ..windows
        };
        let own = public_cost(&azure, &ahb, (4.0, 16.0, 0.0), 730.0).unwrap();
        assert!((own - 140.16).abs() < 1e-9, "{own}");

        // SQL Server Standard on top (0.10 per vCPU-hour, 4-vCPU minimum, from the book):
        // 0.192 + 0.184 + 0.40 = 0.776/h, 566.48 a month licence-included; 140.16 bringing
        // both licences; 0.376/h = 274.48 bringing only SQL Server.
        let sql = GroupPolicy {
            sql: Some(crate::pricing::SqlEdition::Standard),
            hybrid_benefit: crate::pricing::Brought::default(),
            ..ahb.clone()
        };
        let paid = public_cost(&azure, &sql, (4.0, 16.0, 0.0), 730.0).unwrap();
        assert!((paid - 566.48).abs() < 1e-9, "{paid}");
        let both = GroupPolicy {
            hybrid_benefit: crate::pricing::Brought::ALL,
            ..sql.clone()
        };
        let own = public_cost(&azure, &both, (4.0, 16.0, 0.0), 730.0).unwrap();
        assert!((own - 140.16).abs() < 1e-9, "{own}");
        let sql_only = GroupPolicy {
            hybrid_benefit: crate::pricing::Brought {
                windows: false,
                sql: true,
            },
            ..sql
        };
        let own = public_cost(&azure, &sql_only, (4.0, 16.0, 0.0), 730.0).unwrap();
        assert!((own - 274.48).abs() < 1e-9, "{own}");
    }
}
