//! The cloud simulation on top of the generic engine: VMs arrive from the trace, are placed by
//! the scenario's policy on a public region (right-sized, reserved, spot or on-demand), a private
//! site's hosts or an HCI scale unit's nodes (first-fit), leave at their end time, and every cost
//! lands in the ledger with the rule that produced it. Usage samples are applied in step batches;
//! at every step boundary each site records its CPU use and bills its energy. No I/O happens here.

pub mod backup;
mod hosts;
pub mod ledger;
mod placement;
mod public;
mod site;

pub use backup::{BackupOutcome, SiteBackup};
pub use hosts::{Capacity, HostPool};
pub use ledger::{Category, Ledger, LedgerRow};
pub use public::CommitmentUse;

use crate::engine::Engine;
use crate::error::InputError;
use crate::pricing::BookKind;
use crate::scenario::{GroupPolicy, Scenario, VenueSize};
use crate::trace::{Sample, VmTable};
use crate::units::SimTime;
use placement::Offer;
use public::{Instance, PublicVenue};
use site::{Site, Slot};

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
    /// VMs of the trace that start at or after the end of the horizon.
    pub vms_outside_horizon: u64,
    /// VM starts and stops handled by the engine.
    pub events: u64,
    pub usage_samples: u64,
}

#[derive(Debug, Clone)]
pub struct VenueOutcome {
    pub placements: u64,
    pub vm_seconds: u64,
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
    /// Used cores / physical cores at the busiest step boundary, when the trace has usage.
    pub peak_cpu_used: Option<f64>,
    /// The same, averaged over all step boundaries.
    pub mean_cpu_used: Option<f64>,
    /// HCI: the most tenant memory in one unit, GiB, and that unit's limit at that moment
    /// (after the resiliency reserve and infrastructure).
    pub peak_unit_mem: Option<(f64, f64)>,
}

/// A VM that no venue could hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Shortfall {
    pub vm: u32,
    pub t: SimTime,
    pub kind: ShortfallKind,
    /// Every venue's reason, e.g. "dc-east: all 4 hosts full; aws: no instance type has ...".
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ShortfallKind {
    /// At least one venue could hold a VM of this size but had no room left.
    Capacity,
    /// No venue can ever hold a VM of this size.
    TooLarge,
}

impl ShortfallKind {
    pub fn name(self) -> &'static str {
        match self {
            ShortfallKind::Capacity => "capacity",
            ShortfallKind::TooLarge => "too-large",
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Event {
    Start(u32),
    Stop(u32),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Instance(Instance),
    Slot(Slot),
}

#[derive(Debug, Clone, Copy)]
enum Placed {
    Nowhere,
    At { venue: usize, target: Target },
}

enum VenueState<'s> {
    Public(PublicVenue<'s>),
    Site(Site<'s>),
}

struct State<'s> {
    scenario: &'s Scenario,
    table: &'s VmTable,
    venues: Vec<VenueState<'s>>,
    outcomes: Vec<VenueOutcome>,
    placed: Vec<Placed>,
    /// Milli-cores each VM on a site is using now (its latest sample).
    cpu_milli: Vec<u64>,
    /// Policy by group index.
    groups: Vec<GroupPolicy>,
    ledger: Ledger,
    shortfalls: Vec<Shortfall>,
    unplaced_vm_seconds: u64,
}

/// Simulates `scenario` over the VMs of `table`, with usage samples from `usage` (in time order)
/// when the trace has them. Fails only on a bad usage row.
pub fn run<U>(scenario: &Scenario, table: &VmTable, usage: Option<U>) -> Result<Outcome, InputError>
where
    U: Iterator<Item = Result<Sample, InputError>>,
{
    let horizon = scenario.horizon;
    let mut state = State::new(scenario, table);
    let mut engine: Engine<Event> = Engine::new();
    let mut arrivals = table
        .vms
        .iter()
        .enumerate()
        .take_while(|(_, v)| v.start < horizon)
        .map(|(i, v)| (v.start, Event::Start(i as u32)))
        .peekable();
    let has_usage = usage.is_some();
    if has_usage {
        for venue in &mut state.venues {
            if let VenueState::Site(site) = venue {
                site.use_samples();
            }
        }
    }
    let mut usage = usage.into_iter().flatten().peekable();
    let mut samples = 0u64;
    let mut steps = 0u64;

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
        steps += u64::from(has_usage);
        t = next;
    }
    // The samples after the horizon are not read; the rest of the file is not checked.
    for i in 0..state.placed.len() {
        if let Placed::At { .. } = state.placed[i] {
            state.finish(i as u32, horizon);
        }
    }
    Ok(state.into_outcome(engine.processed(), samples, steps))
}

impl<'s> State<'s> {
    fn new(scenario: &'s Scenario, table: &'s VmTable) -> Self {
        let horizon = scenario.horizon;
        let mut ledger = Ledger::new(horizon);
        let venues = scenario
            .venues
            .iter()
            .enumerate()
            .map(|(v, venue)| match (&venue.book.kind, venue.size) {
                (BookKind::Public(book), _) => VenueState::Public(PublicVenue::new(
                    v,
                    book,
                    venue.rate,
                    &scenario.commitments,
                    &mut ledger,
                    horizon,
                )),
                (BookKind::Private(book), VenueSize::Hosts(hosts)) => VenueState::Site(
                    Site::private(v, book, venue.rate, hosts, &mut ledger, horizon),
                ),
                (BookKind::Hci(book), VenueSize::Hci { nodes, units }) => VenueState::Site(
                    Site::hci(v, book, venue.rate, nodes, units, &mut ledger, horizon),
                ),
                _ => unreachable!("the scenario matched every venue's size to its book"),
            })
            .collect();
        let empty = VenueOutcome {
            placements: 0,
            vm_seconds: 0,
            site: None,
            commitments: Vec::new(),
        };
        State {
            scenario,
            table,
            venues,
            outcomes: vec![empty; scenario.venues.len()],
            placed: vec![Placed::Nowhere; table.vms.len()],
            cpu_milli: vec![0; table.vms.len()],
            groups: table.groups.iter().map(|g| scenario.group(g)).collect(),
            ledger,
            shortfalls: Vec::new(),
            unplaced_vm_seconds: 0,
        }
    }

    fn handle(&mut self, engine: &mut Engine<Event>, now: SimTime, event: Event) {
        match event {
            Event::Start(i) => self.start(engine, i, now),
            Event::Stop(i) => self.finish(i, now),
        }
    }

    fn start(&mut self, engine: &mut Engine<Event>, i: u32, now: SimTime) {
        let vm = &self.table.vms[i as usize];
        let group = &self.groups[vm.group as usize];
        let need = Capacity::of(vm.vcpus, vm.mem_gib);
        let offers = self.venues.iter().enumerate().map(|(v, venue)| {
            let offer = match venue {
                VenueState::Public(p) => p
                    .offer(vm, group, now)
                    .map(|(cost, inst)| (cost, Target::Instance(inst))),
                VenueState::Site(s) => s
                    .offer(vm, group, need)
                    .map(|(cost, slot)| (cost, Target::Slot(slot))),
            };
            offer.map(|(marginal_per_hour, target)| Offer {
                venue: v,
                marginal_per_hour,
                target,
            })
        });
        let Some(chosen) = placement::choose(self.scenario.policy, offers) else {
            self.record_shortfall(i, now, need);
            return;
        };
        match (&mut self.venues[chosen.venue], chosen.target) {
            (VenueState::Public(p), Target::Instance(inst)) => p.start(inst),
            (VenueState::Site(s), Target::Slot(slot)) => s.place(slot, need),
            _ => unreachable!("offers come from their own venue"),
        }
        self.placed[i as usize] = Placed::At {
            venue: chosen.venue,
            target: chosen.target,
        };
        self.outcomes[chosen.venue].placements += 1;
        if let Some(end) = vm.end.filter(|&e| e < self.scenario.horizon) {
            engine.schedule(end, Event::Stop(i));
        }
    }

    /// Ends VM `i` at `at` (its end time or the horizon): frees its room and bills it.
    fn finish(&mut self, i: u32, at: SimTime) {
        let Placed::At { venue: v, target } = self.placed[i as usize] else {
            return;
        };
        self.placed[i as usize] = Placed::Nowhere;
        let vm = &self.table.vms[i as usize];
        let group = &self.groups[vm.group as usize];
        self.outcomes[v].vm_seconds += at - vm.start;
        match (&mut self.venues[v], target) {
            (VenueState::Public(p), Target::Instance(inst)) => {
                p.finish(&mut self.ledger, vm, group, inst, at)
            }
            (VenueState::Site(s), Target::Slot(slot)) => {
                let used = std::mem::take(&mut self.cpu_milli[i as usize]);
                s.release(&mut self.ledger, slot, used, vm, group, at);
            }
            _ => unreachable!("targets always match their venue's kind"),
        }
    }

    fn apply_sample(&mut self, s: Sample) {
        let Placed::At {
            venue,
            target: Target::Slot(slot),
        } = self.placed[s.vm as usize]
        else {
            return;
        };
        if let VenueState::Site(site) = &mut self.venues[venue] {
            let vm = &self.table.vms[s.vm as usize];
            let now = (vm.vcpus * f64::from(s.cpu) * 1000.0).round() as u64;
            let old = std::mem::replace(&mut self.cpu_milli[s.vm as usize], now);
            site.set_used(slot, old, now);
        }
    }

    fn snapshot(&mut self, from: SimTime, to: SimTime) {
        for venue in &mut self.venues {
            if let VenueState::Site(site) = venue {
                site.snapshot(&mut self.ledger, from, to);
            }
        }
    }

    fn record_shortfall(&mut self, i: u32, now: SimTime, need: Capacity) {
        let vm = &self.table.vms[i as usize];
        let mut kind = ShortfallKind::TooLarge;
        let mut reasons = Vec::with_capacity(self.venues.len());
        for (v, venue) in self.venues.iter().enumerate() {
            let name = &self.scenario.venues[v].name;
            match venue {
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
                VenueState::Site(s) => {
                    kind = ShortfallKind::Capacity;
                    reasons.push(format!("{name}: all {} hosts full", s.hosts()));
                }
            }
        }
        let end = vm.end.unwrap_or(SimTime::MAX).min(self.scenario.horizon);
        self.unplaced_vm_seconds += end - now;
        self.shortfalls.push(Shortfall {
            vm: i,
            t: now,
            kind,
            reason: reasons.join("; "),
        });
    }

    fn into_outcome(mut self, events: u64, usage_samples: u64, steps: u64) -> Outcome {
        let horizon = self.scenario.horizon;
        for (outcome, venue) in self.outcomes.iter_mut().zip(&mut self.venues) {
            match venue {
                VenueState::Public(p) => outcome.commitments = p.close(&mut self.ledger, horizon),
                VenueState::Site(site) => {
                    let cpu = |x: f64| (steps > 0).then_some(x);
                    let hci = matches!(site.size(), VenueSize::Hci { .. });
                    outcome.site = Some(SiteOutcome {
                        size: site.size(),
                        hosts: site.hosts(),
                        capacity_per_host: site.per_host,
                        peak_allocated: site.peak_allocated,
                        peak_cpu_used: cpu(site.peak_cpu_used),
                        mean_cpu_used: cpu(site.sum_cpu_used / steps.max(1) as f64),
                        peak_unit_mem: hci.then_some(site.peak_unit_mem),
                    });
                }
            }
        }
        let backup =
            self.scenario.backup.as_ref().map(|plan| {
                backup::bill(plan, self.scenario.venues.len(), &mut self.ledger, horizon)
            });
        let start_in_horizon = self.table.vms.iter().filter(|v| v.start < horizon).count();
        Outcome {
            ledger: self.ledger,
            venues: self.outcomes,
            backup,
            shortfalls: self.shortfalls,
            unplaced_vm_seconds: self.unplaced_vm_seconds,
            vms_outside_horizon: (self.table.vms.len() - start_in_horizon) as u64,
            events,
            usage_samples,
        }
    }
}
