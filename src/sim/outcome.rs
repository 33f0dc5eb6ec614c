//! What a run produced, before it is rendered: costs, each venue's use, shortfalls,
//! interruptions and autoscaling; and how the simulation's state becomes that outcome.

use super::backup::{self, BackupOutcome};
use super::hosts::Capacity;
use super::ledger::Ledger;
use super::public::CommitmentUse;
use super::scaling::ScaledGroup;
use super::{State, VenueState};
use crate::scenario::VenueSize;
use crate::units::SimTime;

/// Everything a run produced, before it is rendered.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub ledger: Ledger,
    /// One per scenario venue, in scenario order; the backup service, if any, is venue
    /// `venues.len()` in the ledger.
    pub venues: Vec<VenueOutcome>,
    pub backup: Option<BackupOutcome>,
    pub shortfalls: Vec<Shortfall>,
    pub unplaced_vm_seconds: u64,
    /// Group names: the trace's, then autoscaled groups that have no trace VMs.
    pub groups: Vec<String>,
    /// Seconds VMs were down after an eviction or a host failure, by group.
    pub down_seconds: Vec<u64>,
    /// Autoscaled groups, in scenario order.
    pub autoscale: Vec<ScaledGroup>,
    pub interruptions: Interruptions,
    /// One per scenario migration, in order.
    pub migrations: Vec<super::migration::Moved>,
    /// VMs of the trace that start at or after the end of the horizon.
    pub vms_outside_horizon: u64,
    /// Events handled by the engine.
    pub events: u64,
    pub usage_samples: u64,
}

/// Counts of the things that moved VMs during the run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interruptions {
    pub spot_evictions: u64,
    pub host_failures: u64,
    /// VMs restarted on another host or venue after a failure or eviction.
    pub restarts: u64,
    /// Burst VMs moved back to owned capacity (private-first).
    pub returns: u64,
}

#[derive(Debug, Clone)]
pub struct VenueOutcome {
    pub placements: u64,
    pub vm_seconds: u64,
    /// VM-seconds by group (indexed like `Outcome::groups`).
    pub group_vm_seconds: Vec<u64>,
    /// Present for private and HCI venues.
    pub site: Option<SiteOutcome>,
    /// Reservations and savings plans bought on a public venue, with their use.
    pub commitments: Vec<CommitmentUse>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SiteOutcome {
    pub size: VenueSize,
    pub hosts: usize,
    pub capacity_per_host: Capacity,
    /// The most vCPU and memory allocated at any moment, summed over hosts.
    pub peak_allocated: Capacity,
    /// Used cores / physical cores at every step boundary (empty without usage samples).
    pub cpu_used: Vec<f32>,
    /// Allocated memory / memory capacity at every step boundary.
    pub mem_allocated: Vec<f32>,
    /// Used memory (from samples with memory utilisation) / capacity at every step boundary.
    pub mem_used: Vec<f32>,
    /// Facility energy (IT energy x PUE), kWh, when the book has a power model.
    pub energy_kwh: Option<f64>,
    /// Emissions of that energy at the venue's carbon intensity, kgCO2e.
    pub carbon_kg: Option<f64>,
    /// HCI: the most tenant memory in one unit, GiB, and that unit's limit at that moment
    /// (after the resiliency reserve and infrastructure).
    pub peak_unit_mem: Option<(f64, f64)>,
    /// Host failures at this site.
    pub failures: u64,
    /// When storage is a limit: usable GiB per unit and the most in use in a unit.
    pub storage_gib: Option<(f64, f64)>,
    /// When capacity grows by date: (time, hosts or units in service from then), from 0.
    pub capacity: Vec<(SimTime, u32)>,
}

/// A VM that no venue could hold when it arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct Shortfall {
    pub vm: String,
    pub group: String,
    pub t: SimTime,
    pub kind: ShortfallKind,
    /// Every venue's reason, e.g. "dc-east: all 4 hosts full; aws: no instance type has ...".
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ShortfallKind {
    /// At least one venue could hold a VM of this size but had no room left.
    Capacity,
    /// At least one site had no storage left for the VM's disks (and none had other room).
    Storage,
    /// No venue can ever hold a VM of this size.
    TooLarge,
}

impl ShortfallKind {
    pub fn name(self) -> &'static str {
        match self {
            ShortfallKind::Capacity => "capacity",
            ShortfallKind::Storage => "storage",
            ShortfallKind::TooLarge => "too-large",
        }
    }
}
impl State<'_> {
    /// Records that VM `i` fit nowhere at `now`, with every venue's reason.
    pub(super) fn record_shortfall(&mut self, i: u32, now: SimTime) {
        let vm = self.vm(i);
        let need = Capacity::of(vm.vcpus, vm.mem_gib);
        let mut kind = ShortfallKind::TooLarge;
        let mut reasons = Vec::with_capacity(self.venues.len());
        let group = &self.fleet.groups[vm.group as usize];
        for (v, venue) in self.venues.iter().enumerate() {
            let name = &self.scenario.venues[v].name;
            match venue {
                _ if !group.allows(v) => {
                    reasons.push(format!("{name}: not among the group's allowed venues"));
                }
                VenueState::Public(p) => {
                    let (c, m) = p.book.largest();
                    reasons.push(format!(
                        "{name}: no instance type has {} vCPU and {} GiB (largest {c} vCPU, {m} GiB)",
                        vm.vcpus, vm.mem_gib
                    ));
                }
                VenueState::Site(s) if s.too_large(need) => reasons.push(format!(
                    "{name}: larger than a host ({} vCPU, {} GiB)",
                    s.per_host.milli_vcpu as f64 / 1000.0,
                    s.per_host.mib as f64 / 1024.0
                )),
                VenueState::Site(s) if s.disks.too_large(vm.disk_gib) => reasons.push(format!(
                    "{name}: {} GiB of disks is more than its usable storage ({:.1} GiB)",
                    vm.disk_gib,
                    s.disks.limit_gib().unwrap_or(0.0)
                )),
                VenueState::Site(s) if s.disks.most_free_gib().is_some_and(|f| f < vm.disk_gib) => {
                    kind = kind.min(ShortfallKind::Storage);
                    reasons.push(format!(
                        "{name}: storage full ({:.1} GiB free, the VM's disks need {} GiB)",
                        s.disks.most_free_gib().unwrap_or(0.0),
                        vm.disk_gib
                    ));
                }
                VenueState::Site(s) => {
                    kind = ShortfallKind::Capacity;
                    reasons.push(format!("{name}: all {} hosts full", s.hosts_in_service()));
                }
            }
        }
        self.tally.unplaced_vm_seconds += self.end_of(i) - now;
        self.tally.shortfalls.push(Shortfall {
            vm: self.vm_id(i),
            group: self.fleet.group_names[vm.group as usize].clone(),
            t: now,
            kind,
            reason: reasons.join("; "),
        });
    }

    /// The run's outcome: closes public venues (egress tiers, savings plans) and bills backup.
    pub(super) fn into_outcome(mut self, events: u64, usage_samples: u64) -> Outcome {
        let horizon = self.scenario.horizon;
        let carbon: Vec<Option<f64>> = self
            .scenario
            .venues
            .iter()
            .map(|v| v.carbon_kg_per_kwh)
            .collect();
        for (v, (outcome, venue)) in self.outcomes.iter_mut().zip(&mut self.venues).enumerate() {
            match venue {
                VenueState::Public(p) => {
                    outcome.commitments = p.close(&mut self.tally.ledger, horizon)
                }
                VenueState::Site(site) => {
                    let hci = matches!(site.size(), VenueSize::Hci { .. });
                    let energy = site.has_power().then_some(site.energy_kwh);
                    outcome.site = Some(SiteOutcome {
                        size: site.size(),
                        hosts: site.hosts_in_service(),
                        capacity: site
                            .capacity_history()
                            .map(<[_]>::to_vec)
                            .unwrap_or_default(),
                        capacity_per_host: site.per_host,
                        peak_allocated: site.peak_allocated,
                        cpu_used: std::mem::take(&mut site.cpu_series),
                        mem_allocated: std::mem::take(&mut site.mem_series),
                        mem_used: std::mem::take(&mut site.mem_used_series),
                        energy_kwh: energy,
                        carbon_kg: energy.zip(carbon[v]).map(|(kwh, kg)| kwh * kg),
                        peak_unit_mem: hci.then_some(site.peak_unit_mem),
                        failures: self.failures.per_venue[v],
                        storage_gib: site.disks.limit_gib().map(|l| (l, site.disks.peak_gib())),
                    });
                }
            }
        }
        let transfers = self.transfers.take().map(|t| t.sites).unwrap_or_default();
        let backup = self.scenario.backup.as_ref().map(|plan| {
            let mut b = backup::bill(
                plan,
                self.scenario.venues.len(),
                &mut self.tally.ledger,
                horizon,
            );
            b.transfers = transfers;
            b
        });
        let start_in_horizon = self
            .fleet
            .table
            .vms
            .iter()
            .filter(|v| v.start < horizon)
            .count();
        Outcome {
            ledger: self.tally.ledger,
            venues: self.outcomes,
            backup,
            shortfalls: self.tally.shortfalls,
            unplaced_vm_seconds: self.tally.unplaced_vm_seconds,
            down_seconds: self.tally.down_seconds,
            autoscale: self
                .scaling
                .scalers
                .iter()
                .zip(&self.scenario.autoscale)
                .map(|(s, a)| s.outcome(a))
                .collect(),
            groups: self.fleet.group_names,
            interruptions: self.tally.interruptions,
            migrations: self.tally.migrations,
            vms_outside_horizon: (self.fleet.table.vms.len() - start_in_horizon) as u64,
            events,
            usage_samples,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{scenario, table, vm};
    use super::super::{Category, scaling};
    use super::*;
    use crate::engine::Engine;
    use crate::units::HOUR;

    #[test]
    fn a_full_site_is_a_capacity_shortfall_and_the_outcome_counts_the_run() {
        // One host of 4 vCPU; the group may not use the cloud. a (4 vCPU) fills the host from
        // 0 h; b (2 vCPU) arrives at 4 h and fits nowhere: a capacity shortfall (a host could
        // hold it), unplaced for the rest of the 10 h horizon, 6 h = 21,600 s.
        let sc = scenario(1, "policy = \"first-fit\"\n[groups.g]\nvenues = [\"dc\"]\n");
        let vms = vec![
            vm("a", 0, 0, None, 4.0, 8.0),
            vm("b", 0, 4 * HOUR, None, 2.0, 4.0),
        ];
        let tb = table(vms, &["g"]);
        let (names, templates) = scaling::templates(&sc, &tb);
        let mut state = State::new(&sc, &tb, &templates, names);
        let mut engine = Engine::new();
        state.arrive(&mut engine, 0, 0);
        state.arrive(&mut engine, 1, 4 * HOUR);
        state.finish_all(sc.horizon);
        let out = state.into_outcome(2, 0);
        assert_eq!(out.shortfalls.len(), 1);
        let s = &out.shortfalls[0];
        assert_eq!((s.group.as_str(), s.kind), ("g", ShortfallKind::Capacity));
        assert_eq!(
            s.reason,
            "dc: all 1 hosts full; cloud: not among the group's allowed venues"
        );
        assert_eq!(out.unplaced_vm_seconds, 6 * HOUR);
        // The site: 1 host, a's 4 vCPU / 8 GiB at the peak, no failures; 10 h of VM time.
        let site = out.venues[0].site.as_ref().unwrap();
        assert_eq!((site.hosts, site.failures), (1, 0));
        assert_eq!(site.peak_allocated, Capacity::of(4.0, 8.0));
        assert_eq!(out.venues[0].group_vm_seconds, [10 * HOUR]);
        assert!(out.venues[1].site.is_none());
        // No power model in the fixture's book: no energy, no carbon.
        assert_eq!((site.energy_kwh, site.carbon_kg), (None, None));
        assert!((out.ledger.total(0, Category::Hosts) - 10.0).abs() < 1e-9);
        assert_eq!((out.events, out.vms_outside_horizon), (2, 0));
    }
}
