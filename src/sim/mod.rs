//! The cloud simulation on top of the generic engine: VMs arrive from the trace, are placed by
//! the scenario's policy on a public region (right-sized, reserved, spot or on-demand), a private
//! site's hosts or an HCI scale unit's nodes, leave at their end time, and every cost lands in
//! the ledger with the rule that produced it. Spot VMs are evicted at the book's rate
//! (spot.rs); hosts fail and are repaired when the scenario turns failures on, and their VMs
//! restart elsewhere or wait (failures.rs); under private-first, burst VMs come back when owned
//! room frees up (returns.rs). Usage samples are applied in step batches; at every step boundary
//! each site records its CPU use and bills its energy. Random draws come from streams seeded by
//! the scenario's seed. No I/O happens here.

pub mod autoscale;
pub mod backup;
mod capacity;
mod failures;
mod forecast;
mod hosts;
pub mod ledger;
mod migration;
pub mod money;
mod outcome;
mod placement;
mod public;
mod returns;
mod scaling;
mod site;
mod spot;
mod state;
#[cfg(test)]
mod testkit;
mod transfers;
mod usage;

pub use backup::{BackupOutcome, SiteBackup};
pub use hosts::{Capacity, HostPool};
pub use ledger::{Category, Ledger, LedgerRow};
pub use migration::Moved;
pub use outcome::{Interruptions, Outcome, Shortfall, ShortfallKind, SiteOutcome, VenueOutcome};
pub use public::CommitmentUse;
pub use scaling::ScaledGroup;
pub use transfers::SiteTransfers;

use crate::engine::Engine;
use crate::error::InputError;
use crate::pricing::Purchase;
use crate::scenario::{GroupPolicy, Scenario};
use crate::trace::{Sample, Vm, VmTable};
use crate::units::{HOUR, SimTime};
use placement::Offer;
use public::{Instance, PublicVenue};
use site::{Site, Slot};
use state::State;

/// One stay of a VM on a venue, as billing sees it.
pub struct Stay<'a> {
    pub index: u32,
    pub vm: &'a Vm,
    pub group: &'a GroupPolicy,
    pub from: SimTime,
    pub at: SimTime,
}

#[derive(Debug, Clone, Copy)]
enum Event {
    Start(u32),
    Stop(u32),
    /// A spot eviction of a VM's placement number `placement_no` (stale once the VM moved).
    Evict(u32, u32),
    /// A VM that is down tries to start again.
    Retry(u32),
    Fail {
        venue: u32,
        host: u32,
    },
    Repair {
        venue: u32,
        host: u32,
    },
    /// Autoscaler `k` evaluates its policy.
    Scale(u32),
    /// The backup window opens.
    BackupNight,
    /// A shipped seed drive reaches the backup target.
    DriveArrived(u32),
    /// The next backup flow completes (stale unless the transfers' generation still matches).
    FlowDone(u32),
    /// A private site's hosts or an HCI venue's units in service become `count`.
    Capacity {
        venue: u32,
        count: u32,
    },
    /// Migration `k`'s cutover ends: its group's VMs move.
    Migrate(u32),
    /// Migration `k`'s copy starts over a `[backup]` site's link it shares (`wan_site`).
    CopyStart(u32),
    /// A growth block ordered for a site arrives: `by` more hosts or units than are then in
    /// service (dated changes in the meantime included), up to the rule's maximum.
    Grow {
        venue: u32,
        by: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Instance(Instance),
    Slot(Slot),
}

#[derive(Debug, Clone, Copy)]
enum Placed {
    Nowhere,
    /// `venue` in 32 bits: every VM holds a `Placed`.
    At {
        venue: u32,
        target: Target,
    },
}

enum VenueState<'s> {
    Public(PublicVenue<'s>),
    Site(Site<'s>),
}

/// Why a VM is being placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    Arrival,
    /// After an eviction or failure: HCI units may use their reserve.
    Restart,
    /// A burst VM returning: owned venues only.
    Return,
}
/// Simulates `scenario` over the VMs of `table`, with usage samples from `usage` (in time order)
/// when the trace has them. Fails only on a bad usage row.
pub fn run<U>(scenario: &Scenario, table: &VmTable, usage: Option<U>) -> Result<Outcome, InputError>
where
    U: Iterator<Item = Result<Sample, InputError>>,
{
    let horizon = scenario.horizon;
    let (group_names, templates) = scaling::templates(scenario, table);
    let mut state = State::new(scenario, table, &templates, group_names);
    if let Some(storage) = &scenario.storage {
        for venue in &mut state.venues {
            if let VenueState::Public(p) = venue {
                p.price_disks(&mut state.tally.ledger, table, storage, &scenario.path)?;
            }
        }
    }
    let mut engine: Engine<Event> = Engine::new();
    state.schedule_first_failures(&mut engine);
    state.start_scalers(&mut engine);
    state.start_transfers(&mut engine);
    state.start_capacity(&mut engine);
    state.start_migrations(&mut engine);
    if state.choice.policy.host_choice() == placement::HostChoice::BestFit {
        for venue in &mut state.venues {
            if let VenueState::Site(site) = venue {
                site.index_free_memory();
            }
        }
    }
    let mut arrivals = table
        .vms
        .iter()
        .enumerate()
        .take_while(|(_, v)| v.start < horizon)
        .map(|(i, v)| (v.start, Event::Start(i as u32)))
        .peekable();
    let has_usage = usage.is_some();
    state.scaling.has_usage = has_usage;
    if has_usage {
        for venue in &mut state.venues {
            if let VenueState::Site(site) = venue {
                site.use_samples();
            }
        }
    }
    let mut usage = usage.into_iter().flatten().peekable();
    let mut samples = 0u64;

    let mut t = 0;
    while t < horizon {
        let next = (t + scenario.step).min(horizon);
        engine.run_until(next, &mut arrivals, |engine, now, event| {
            state.handle(engine, now, event)
        });
        while let Some(sample) = usage.next_if(|s| s.as_ref().map_or(true, |s| s.time() < next)) {
            state.apply_sample(sample?);
            samples += 1;
        }
        state.snapshot(t, next);
        state.order_growth(&mut engine, next);
        state.try_returns(&mut engine, next);
        t = next;
    }
    state.finish_all(horizon);
    state.close_capacity(horizon);
    let mut outcome = state.into_outcome(engine.processed(), samples);
    money::apply(scenario, &mut outcome.ledger);
    Ok(outcome)
}

impl<'s> State<'s> {
    fn handle(&mut self, engine: &mut Engine<Event>, now: SimTime, event: Event) {
        match event {
            Event::Start(i) => self.arrive(engine, i, now),
            Event::Stop(i) => {
                let vm = self.vm(i);
                if let Some(k) = self.scaling.scaled[vm.group as usize] {
                    self.scaling.demanding[i as usize] = false;
                    let used = std::mem::take(&mut self.vms.cpu_milli[i as usize]);
                    self.scaling.scalers[k].add_demand(vm.vcpus, false);
                    self.scaling.scalers[k].change_used(used, 0);
                }
                self.finish(i, now);
                self.end_downtime(i, now);
            }
            Event::Evict(i, placement_no) => self.evict(engine, i, placement_no, now),
            Event::Retry(i) => self.retry(engine, i, now),
            Event::Fail { venue, host } => self.fail(engine, venue as usize, host as usize, now),
            Event::Repair { venue, host } => {
                self.repair(engine, venue as usize, host as usize, now)
            }
            Event::Scale(k) => self.scale(engine, k as usize, now),
            Event::Capacity { venue, count } => {
                self.resize_site(engine, venue as usize, count, now)
            }
            Event::Migrate(k) => self.migrate(engine, k as usize, now),
            Event::Grow { venue, by } => self.grow_site(engine, venue as usize, by, now),
            Event::BackupNight
            | Event::DriveArrived(_)
            | Event::FlowDone(_)
            | Event::CopyStart(_) => self.backup_event(engine, now, event),
        }
    }

    fn arrive(&mut self, engine: &mut Engine<Event>, i: u32, now: SimTime) {
        let vm = self.vm(i);
        if let Some(end) = vm.end.filter(|&e| e < self.scenario.horizon) {
            engine.schedule(end, Event::Stop(i));
        }
        // A VM of an autoscaled group is demand for its instances, not placed itself.
        if let Some(k) = self.scaling.scaled[vm.group as usize] {
            self.scaling.scalers[k].add_demand(vm.vcpus, true);
            self.scaling.demanding[i as usize] = true;
            return;
        }
        if !self.place(engine, i, now, Why::Arrival) {
            self.record_shortfall(i, now);
        }
    }

    /// Asks every venue for an offer, lets the policy choose, and places the VM.
    fn place(&mut self, engine: &mut Engine<Event>, i: u32, now: SimTime, why: Why) -> bool {
        let vm = self.vm(i);
        let group = &self.fleet.groups[vm.group as usize];
        let need = Capacity::of(vm.vcpus, vm.mem_gib);
        let choice = self.choice.policy.host_choice();
        for (v, venue) in self.venues.iter().enumerate() {
            let offer = match venue {
                // Sovereignty and latency: the group's venues only.
                _ if !group.allows(v) => None,
                VenueState::Public(_) if why == Why::Return => None,
                VenueState::Public(p) => p
                    .offer(vm, group, now, self.spot.on_demand(i))
                    .map(|(cost, inst)| (cost, Target::Instance(inst), false)),
                VenueState::Site(s) => s
                    .offer(vm, group, need, choice, why == Why::Restart)
                    .map(|(cost, slot)| (cost, Target::Slot(slot), true)),
            };
            self.choice.offers[v] = offer.map(|(marginal_per_hour, _, owned)| Offer {
                marginal_per_hour,
                owned,
            });
            self.choice.targets[v] = offer.map(|o| o.1);
        }
        let chosen = match why {
            // A returning VM takes the first owned venue with room.
            Why::Return => self.choice.offers.iter().position(Option::is_some),
            _ => self.choice.policy.choose(vm.group, &self.choice.offers),
        };
        let Some(v) = chosen else { return false };
        let target = self.choice.targets[v].expect("the chosen venue made an offer");
        match (&mut self.venues[v], target) {
            (VenueState::Public(p), Target::Instance(inst)) => {
                p.start(inst);
                let rate = p.book.spot_evictions(inst.ix as usize);
                if inst.purchase == Purchase::Spot {
                    self.schedule_eviction(engine, (i, v), now, rate);
                }
                self.returns.burst_started(now, i);
            }
            (VenueState::Site(s), Target::Slot(slot)) => {
                s.place(slot, need, i);
                s.disks.take(slot.unit(), vm.disk_gib);
                s.set_used(slot, 0, self.vms.cpu_milli[i as usize]);
                s.set_mem_used(0, self.vms.mem_mib[i as usize], false);
            }
            _ => unreachable!("offers come from their own venue"),
        }
        self.vms.placed[i as usize] = Placed::At {
            venue: v as u32,
            target,
        };
        self.vms.since[i as usize] = now;
        self.vms.placement_no[i as usize] += 1;
        self.outcomes[v].placements += 1;
        true
    }

    /// Ends VM `i`'s current stay at `at`: frees its room and bills it.
    fn finish(&mut self, i: u32, at: SimTime) {
        let Placed::At { venue: v, target } = self.vms.placed[i as usize] else {
            return;
        };
        let v = v as usize;
        self.vms.placed[i as usize] = Placed::Nowhere;
        let stay = Stay {
            index: i,
            vm: self.vm(i),
            group: &self.fleet.groups[self.vm(i).group as usize],
            from: self.vms.since[i as usize],
            at,
        };
        let out = &mut self.outcomes[v];
        out.vm_seconds += at - stay.from;
        out.group_vm_seconds[stay.vm.group as usize] += at - stay.from;
        let ledger = &mut self.tally.ledger;
        match (&mut self.venues[v], target) {
            (VenueState::Public(p), Target::Instance(inst)) => {
                p.finish(ledger, stay.vm, stay.group, inst, stay.from, at);
                p.bill_disks(ledger, i, stay.vm, stay.from, at);
                self.returns.burst_ended(stay.from, i);
            }
            (VenueState::Site(s), Target::Slot(slot)) => {
                // The VM keeps its latest use; it is taken off this host and, if the VM is
                // placed again, put on the next one.
                s.release(ledger, slot, self.vms.cpu_milli[i as usize], &stay);
                s.set_mem_used(self.vms.mem_mib[i as usize], 0, false);
            }
            _ => unreachable!("targets always match their venue's kind"),
        }
    }

    /// At the end of the horizon: bills every stay still running and every downtime still open.
    fn finish_all(&mut self, horizon: SimTime) {
        for i in 0..self.vms.placed.len() {
            match self.vms.placed[i] {
                Placed::At { .. } => self.finish(i as u32, horizon),
                Placed::Nowhere => self.end_downtime(i as u32, horizon),
            }
        }
    }

    /// Marks VM `i` down from `now` (SLA time is lost until it runs again or ends).
    fn go_down(&mut self, i: u32, now: SimTime) {
        if self.vms.down_since[i as usize] == SimTime::MAX {
            self.vms.down_since[i as usize] = now;
        }
    }

    fn end_downtime(&mut self, i: u32, now: SimTime) {
        let since = std::mem::replace(&mut self.vms.down_since[i as usize], SimTime::MAX);
        if since < now {
            let g = self.vm(i).group as usize;
            self.tally.down_seconds[g] += now - since;
        }
    }

    /// Places an interrupted VM (evicted, or off a failed host) again, or leaves it down and
    /// retries after `retry`.
    fn restart(
        &mut self,
        engine: &mut Engine<Event>,
        i: u32,
        now: SimTime,
        retry: SimTime,
    ) -> bool {
        if self.place(engine, i, now, Why::Restart) {
            self.tally.interruptions.restarts += 1;
            self.end_downtime(i, now);
            true
        } else {
            self.go_down(i, now);
            if now + retry < self.end_of(i) {
                engine.schedule(now + retry, Event::Retry(i));
            }
            false
        }
    }

    fn retry(&mut self, engine: &mut Engine<Event>, i: u32, now: SimTime) {
        if matches!(self.vms.placed[i as usize], Placed::Nowhere)
            && now < self.end_of(i)
            && self.vms.down_since[i as usize] != SimTime::MAX
        {
            self.restart(engine, i, now, HOUR);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::{scenario, table, vm};
    use super::*;

    #[test]
    fn a_run_bills_hosts_and_stays_and_records_what_fits_nowhere() {
        // One host of 4 vCPU at 1.00/h and the per-hour cloud, first-fit, over 10 h.
        // a (2 vCPU, 0-10 h) goes to the host; b (4 vCPU, 1-3 h) no longer fits there (2 vCPU
        // free), so it runs on c4 at 0.72/h: 2 h x 0.72 = 1.44; c (8 vCPU from 2 h) fits no host
        // and no instance type: a too-large shortfall, unplaced for 10 - 2 = 8 h = 28,800 s.
        // The host costs 1 x 10 h x 1.00 = 10.00 whatever runs on it.
        let sc = scenario(1, "policy = \"first-fit\"\n");
        let vms = vec![
            vm("a", 0, 0, None, 2.0, 4.0),
            vm("b", 0, HOUR, Some(3 * HOUR), 4.0, 16.0),
            vm("c", 0, 2 * HOUR, None, 8.0, 8.0),
        ];
        let tb = table(vms, &["g"]);
        let out = run(&sc, &tb, None::<std::iter::Empty<_>>).unwrap();
        assert!((out.ledger.total(0, Category::Hosts) - 10.0).abs() < 1e-9);
        assert!((out.ledger.total(1, Category::Compute) - 1.44).abs() < 1e-9);
        let (dc, cloud) = (&out.venues[0], &out.venues[1]);
        assert_eq!((dc.placements, dc.vm_seconds), (1, 10 * HOUR));
        assert_eq!((cloud.placements, cloud.vm_seconds), (1, 2 * HOUR));
        assert_eq!(out.shortfalls.len(), 1);
        let s = &out.shortfalls[0];
        assert_eq!(
            (s.vm.as_str(), s.t, s.kind),
            ("c", 2 * HOUR, ShortfallKind::TooLarge)
        );
        assert_eq!(out.unplaced_vm_seconds, 8 * HOUR);
        // Hosts 4 vCPU / 16 GiB; the largest type is c4 (4 vCPU, 16 GiB).
        assert_eq!(
            s.reason,
            "dc: larger than a host (4 vCPU, 16 GiB); cloud: no instance type has 8 vCPU and 8 GiB (largest 4 vCPU, 16 GiB)"
        );
        // Start, stop and arrival events: a, b, b's stop, c.
        assert_eq!(out.events, 4);
        assert_eq!(out.interruptions, Interruptions::default());
    }

    #[test]
    fn a_restart_that_finds_no_room_retries_an_hour_later() {
        // One host, the group kept off the cloud. a (4 vCPU) fills the host; b (4 vCPU) is
        // interrupted at 1 h and cannot restart: it goes down and retries at 1 h + 1 h = 2 h.
        let sc = scenario(1, "policy = \"first-fit\"\n[groups.g]\nvenues = [\"dc\"]\n");
        let vms = vec![vm("a", 0, 0, None, 4.0, 8.0), vm("b", 0, 0, None, 4.0, 8.0)];
        let tb = table(vms, &["g"]);
        let (names, templates) = scaling::templates(&sc, &tb);
        let mut state = State::new(&sc, &tb, &templates, names);
        let mut engine = Engine::new();
        state.arrive(&mut engine, 0, 0);
        assert!(!state.restart(&mut engine, 1, HOUR, HOUR));
        let events: Vec<_> = engine.drain().collect();
        assert!(matches!(events[..], [(7_200, Event::Retry(1))]));
        // a leaves at 3 h; the retry at 3 h places b: down from 1 h to 3 h, 7,200 s.
        state.finish(0, 3 * HOUR);
        state.retry(&mut engine, 1, 3 * HOUR);
        assert!(matches!(state.vms.placed[1], Placed::At { venue: 0, .. }));
        assert_eq!(state.tally.down_seconds, [2 * HOUR]);
        assert_eq!(state.tally.interruptions.restarts, 1);
    }
}
