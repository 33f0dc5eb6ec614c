//! The cloud simulation on top of the generic engine: VMs arrive from the trace, are placed by
//! the scenario's policy on a public region (right-sized, reserved, spot or on-demand), a private
//! site's hosts or an HCI scale unit's nodes, leave at their end time, and every cost lands in
//! the ledger with the rule that produced it. Spot VMs are evicted at the book's rate; hosts fail
//! and are repaired when the scenario turns failures on, and their VMs restart elsewhere or wait;
//! under private-first, burst VMs come back when owned room frees up. Usage samples are applied
//! in step batches; at every step boundary each site records its CPU use and bills its energy.
//! Random draws come from streams seeded by the scenario's seed. No I/O happens here.

pub mod autoscale;
pub mod backup;
mod hosts;
pub mod ledger;
mod placement;
mod public;
mod scaling;
mod site;
mod transfers;

pub use backup::{BackupOutcome, SiteBackup};
pub use hosts::{Capacity, HostPool};
pub use ledger::{Category, Ledger, LedgerRow};
pub use public::CommitmentUse;
pub use scaling::ScaledGroup;
pub use transfers::SiteTransfers;

use crate::engine::Engine;
use crate::error::InputError;
use crate::pricing::{BookKind, Purchase};
use crate::scenario::{GroupPolicy, Scenario, SpotFallback, VenueSize};
use crate::trace::{Sample, Vm, VmTable};
use crate::units::{DAY, HOUR, SimTime};
use placement::{Offer, Placement};
use public::{Instance, PublicVenue};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal};
use site::{Site, Slot};
use std::collections::BTreeSet;

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

/// Why a VM is being placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    Arrival,
    /// After an eviction or failure: HCI units may use their reserve.
    Restart,
    /// A burst VM returning: owned venues only.
    Return,
}

struct State<'s> {
    scenario: &'s Scenario,
    table: &'s VmTable,
    /// One VM record per autoscaler, shared by all its instances.
    templates: &'s [Vm],
    /// For each VM past the trace's: its autoscaler.
    instance_of: Vec<u32>,
    group_names: Vec<String>,
    scalers: Vec<scaling::Scaler>,
    /// The autoscaler of each group, if any.
    scaled: Vec<Option<usize>>,
    has_usage: bool,
    /// Trace VMs of autoscaled groups that are asking for capacity now.
    demanding: Vec<bool>,
    transfers: Option<transfers::Transfers>,
    policy: Box<dyn Placement>,
    venues: Vec<VenueState<'s>>,
    outcomes: Vec<VenueOutcome>,
    placed: Vec<Placed>,
    /// When each VM's current placement began; how many placements it has had.
    since: Vec<SimTime>,
    placement_no: Vec<u32>,
    /// When a down VM went down (`SimTime::MAX`: not down).
    down_since: Vec<SimTime>,
    /// Evicted spot VMs that now run on-demand.
    on_demand: Vec<bool>,
    /// Milli-cores each VM on a site is using now (its latest sample).
    cpu_milli: Vec<u64>,
    /// MiB each VM uses now, from samples with memory utilisation (0 until one comes).
    mem_mib: Vec<u64>,
    /// Policy by group index.
    groups: Vec<GroupPolicy>,
    /// Burst VMs on public venues under private-first, oldest first.
    burst: BTreeSet<(SimTime, u32)>,
    /// VMs waiting for a failed host's repair, by (venue, host).
    waiting: Vec<(usize, usize, u32)>,
    offers: Vec<Option<Offer>>,
    targets: Vec<Option<Target>>,
    fail_rng: ChaCha8Rng,
    spot_rng: ChaCha8Rng,
    ledger: Ledger,
    shortfalls: Vec<Shortfall>,
    unplaced_vm_seconds: u64,
    down_seconds: Vec<u64>,
    interruptions: Interruptions,
    site_failures: Vec<u64>,
}

/// A random stream for one mechanism, derived from the scenario's seed.
fn stream(seed: u64, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    rng
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
    let mut engine: Engine<Event> = Engine::new();
    state.schedule_first_failures(&mut engine);
    state.start_scalers(&mut engine);
    state.start_transfers(&mut engine);
    if state.policy.host_choice() == placement::HostChoice::BestFit {
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
    state.has_usage = has_usage;
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
        if state.policy.returns_after().is_some() {
            state.try_returns(&mut engine, next);
        }
        t = next;
    }
    // The samples after the horizon are not read; the rest of the file is not checked.
    for i in 0..state.placed.len() {
        match state.placed[i] {
            Placed::At { .. } => state.finish(i as u32, horizon),
            Placed::Nowhere => state.end_downtime(i as u32, horizon),
        }
    }
    Ok(state.into_outcome(engine.processed(), samples))
}

impl<'s> State<'s> {
    fn new(
        scenario: &'s Scenario,
        table: &'s VmTable,
        templates: &'s [Vm],
        group_names: Vec<String>,
    ) -> Self {
        let horizon = scenario.horizon;
        let mut ledger = Ledger::new(horizon);
        let venues: Vec<VenueState<'s>> = scenario
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
            group_vm_seconds: vec![0; group_names.len()],
            site: None,
            commitments: Vec::new(),
        };
        let n = table.vms.len();
        let scalers = scenario
            .autoscale
            .iter()
            .map(scaling::Scaler::new)
            .collect();
        let mut scaled = vec![None; group_names.len()];
        for (k, t) in templates.iter().enumerate() {
            scaled[t.group as usize] = Some(k);
        }
        State {
            scenario,
            table,
            templates,
            instance_of: Vec::new(),
            scalers,
            scaled,
            has_usage: false,
            demanding: vec![false; table.vms.len()],
            transfers: None,
            policy: placement::for_scenario(scenario, &group_names),
            outcomes: vec![empty; venues.len()],
            offers: vec![None; venues.len()],
            targets: vec![None; venues.len()],
            site_failures: vec![0; venues.len()],
            venues,
            placed: vec![Placed::Nowhere; n],
            since: vec![0; n],
            placement_no: vec![0; n],
            down_since: vec![SimTime::MAX; n],
            on_demand: vec![false; n],
            cpu_milli: vec![0; n],
            mem_mib: vec![0; n],
            groups: group_names.iter().map(|g| scenario.group(g)).collect(),
            burst: BTreeSet::new(),
            waiting: Vec::new(),
            fail_rng: stream(scenario.seed, 1),
            spot_rng: stream(scenario.seed, 2),
            ledger,
            shortfalls: Vec::new(),
            unplaced_vm_seconds: 0,
            down_seconds: vec![0; group_names.len()],
            group_names,
            interruptions: Interruptions::default(),
        }
    }

    fn handle(&mut self, engine: &mut Engine<Event>, now: SimTime, event: Event) {
        match event {
            Event::Start(i) => self.arrive(engine, i, now),
            Event::Stop(i) => {
                let vm = self.vm(i);
                if let Some(k) = self.scaled[vm.group as usize] {
                    self.demanding[i as usize] = false;
                    let used = std::mem::take(&mut self.cpu_milli[i as usize]);
                    self.scalers[k].add_demand(vm.vcpus, false);
                    self.scalers[k].change_used(used, 0);
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
            Event::BackupNight => {
                if let Some(t) = self.transfers.as_mut() {
                    t.night(now);
                }
                if now + DAY < self.scenario.horizon {
                    engine.schedule(now + DAY, Event::BackupNight);
                }
                self.schedule_completion(engine);
            }
            Event::DriveArrived(site) => {
                if let Some(t) = self.transfers.as_mut() {
                    t.drive_arrived(site as usize, now);
                }
            }
            Event::FlowDone(generation) => {
                if let Some(t) = self
                    .transfers
                    .as_mut()
                    .filter(|t| t.generation == generation)
                {
                    t.complete(now);
                    self.schedule_completion(engine);
                }
            }
        }
    }

    /// Starts the backup service's transfers: seeds, drive arrivals and the first window.
    fn start_transfers(&mut self, engine: &mut Engine<Event>) {
        let Some(plan) = &self.scenario.backup else {
            return;
        };
        let (t, drives) = transfers::Transfers::new(plan);
        self.transfers = Some(t);
        for (site, at) in drives {
            if at < self.scenario.horizon {
                engine.schedule(at, Event::DriveArrived(site as u32));
            }
        }
        if plan.window_start < self.scenario.horizon {
            engine.schedule(plan.window_start, Event::BackupNight);
        }
        self.schedule_completion(engine);
    }

    /// Schedules the next flow completion at the current rates.
    fn schedule_completion(&mut self, engine: &mut Engine<Event>) {
        let Some(t) = &self.transfers else { return };
        if let Some(at) = t.next_completion().filter(|&at| at < self.scenario.horizon) {
            engine.schedule(at.max(engine.now()), Event::FlowDone(t.generation));
        }
    }

    /// VM `i`: a trace VM, or an autoscaled instance (sharing its autoscaler's record).
    fn vm(&self, i: u32) -> &'s Vm {
        let n = self.table.vms.len();
        match (i as usize).checked_sub(n) {
            None => &self.table.vms[i as usize],
            Some(k) => &self.templates[self.instance_of[k] as usize],
        }
    }

    /// The end of VM `i`'s lifetime within the horizon.
    fn end_of(&self, i: u32) -> SimTime {
        self.vm(i)
            .end
            .unwrap_or(SimTime::MAX)
            .min(self.scenario.horizon)
    }

    fn arrive(&mut self, engine: &mut Engine<Event>, i: u32, now: SimTime) {
        let vm = self.vm(i);
        if let Some(end) = vm.end.filter(|&e| e < self.scenario.horizon) {
            engine.schedule(end, Event::Stop(i));
        }
        // A VM of an autoscaled group is demand for its instances, not placed itself.
        if let Some(k) = self.scaled[vm.group as usize] {
            self.scalers[k].add_demand(vm.vcpus, true);
            self.demanding[i as usize] = true;
            return;
        }
        if !self.place(engine, i, now, Why::Arrival) {
            self.record_shortfall(i, now);
        }
    }

    /// Asks every venue for an offer, lets the policy choose, and places the VM.
    fn place(&mut self, engine: &mut Engine<Event>, i: u32, now: SimTime, why: Why) -> bool {
        let vm = self.vm(i);
        let group = &self.groups[vm.group as usize];
        let need = Capacity::of(vm.vcpus, vm.mem_gib);
        let choice = self.policy.host_choice();
        for (v, venue) in self.venues.iter().enumerate() {
            let offer = match venue {
                // Sovereignty and latency: the group's venues only.
                _ if !group.allows(v) => None,
                VenueState::Public(_) if why == Why::Return => None,
                VenueState::Public(p) => p
                    .offer(vm, group, now, self.on_demand[i as usize])
                    .map(|(cost, inst)| (cost, Target::Instance(inst), false)),
                VenueState::Site(s) => s
                    .offer(vm, group, need, choice, why == Why::Restart)
                    .map(|(cost, slot)| (cost, Target::Slot(slot), true)),
            };
            self.offers[v] = offer.map(|(marginal_per_hour, _, owned)| Offer {
                marginal_per_hour,
                owned,
            });
            self.targets[v] = offer.map(|o| o.1);
        }
        let chosen = match why {
            // A returning VM takes the first owned venue with room.
            Why::Return => self.offers.iter().position(Option::is_some),
            _ => self.policy.choose(vm.group, &self.offers),
        };
        let Some(v) = chosen else { return false };
        let target = self.targets[v].expect("the chosen venue made an offer");
        match (&mut self.venues[v], target) {
            (VenueState::Public(p), Target::Instance(inst)) => {
                p.start(inst);
                let rate = p.book.spot_evictions_per_hour;
                if inst.purchase == Purchase::Spot {
                    self.schedule_eviction(engine, i, now, rate);
                }
                if self.policy.returns_after().is_some() {
                    self.burst.insert((now, i));
                }
            }
            (VenueState::Site(s), Target::Slot(slot)) => {
                s.place(slot, need, i);
                s.set_used(slot, 0, self.cpu_milli[i as usize]);
                s.set_mem_used(0, self.mem_mib[i as usize], false);
            }
            _ => unreachable!("offers come from their own venue"),
        }
        self.placed[i as usize] = Placed::At { venue: v, target };
        self.since[i as usize] = now;
        self.placement_no[i as usize] += 1;
        self.outcomes[v].placements += 1;
        true
    }

    fn schedule_eviction(
        &mut self,
        engine: &mut Engine<Event>,
        i: u32,
        now: SimTime,
        per_hour: f64,
    ) {
        if per_hour <= 0.0 {
            return;
        }
        let hours = Exp::new(per_hour)
            .expect("validated rate")
            .sample(&mut self.spot_rng);
        let at = now.saturating_add((hours * HOUR as f64) as SimTime);
        if at < self.end_of(i) {
            // The placement about to be made gets number placement_no + 1.
            engine.schedule(at, Event::Evict(i, self.placement_no[i as usize] + 1));
        }
    }

    /// Ends VM `i`'s current stay at `at`: frees its room and bills it.
    fn finish(&mut self, i: u32, at: SimTime) {
        let Placed::At { venue: v, target } = self.placed[i as usize] else {
            return;
        };
        self.placed[i as usize] = Placed::Nowhere;
        let stay = Stay {
            index: i,
            vm: self.vm(i),
            group: &self.groups[self.vm(i).group as usize],
            from: self.since[i as usize],
            at,
        };
        let out = &mut self.outcomes[v];
        out.vm_seconds += at - stay.from;
        out.group_vm_seconds[stay.vm.group as usize] += at - stay.from;
        match (&mut self.venues[v], target) {
            (VenueState::Public(p), Target::Instance(inst)) => {
                p.finish(&mut self.ledger, stay.vm, stay.group, inst, stay.from, at);
                self.burst.remove(&(stay.from, i));
            }
            (VenueState::Site(s), Target::Slot(slot)) => {
                // The VM keeps its latest use; it is taken off this host and, if the VM is
                // placed again, put on the next one.
                s.release(&mut self.ledger, slot, self.cpu_milli[i as usize], &stay);
                s.set_mem_used(self.mem_mib[i as usize], 0, false);
            }
            _ => unreachable!("targets always match their venue's kind"),
        }
    }

    /// Marks VM `i` down from `now` (SLA time is lost until it runs again or ends).
    fn go_down(&mut self, i: u32, now: SimTime) {
        if self.down_since[i as usize] == SimTime::MAX {
            self.down_since[i as usize] = now;
        }
    }

    fn end_downtime(&mut self, i: u32, now: SimTime) {
        let since = std::mem::replace(&mut self.down_since[i as usize], SimTime::MAX);
        if since < now {
            let g = self.vm(i).group as usize;
            self.down_seconds[g] += now - since;
        }
    }

    fn evict(&mut self, engine: &mut Engine<Event>, i: u32, placement_no: u32, now: SimTime) {
        let current = matches!(self.placed[i as usize], Placed::At { .. });
        if !current || self.placement_no[i as usize] != placement_no {
            return; // the VM has moved or ended since the eviction was drawn
        }
        self.interruptions.spot_evictions += 1;
        self.finish(i, now);
        let group = self.groups[self.vm(i).group as usize].clone();
        match group.spot_fallback {
            SpotFallback::OnDemand => {
                self.on_demand[i as usize] = true;
                self.restart(engine, i, now, HOUR);
            }
            SpotFallback::Wait => {
                self.go_down(i, now);
                let at = now + group.spot_wait;
                if at < self.end_of(i) {
                    engine.schedule(at, Event::Retry(i));
                }
            }
        }
    }

    /// Places an interrupted VM again, or leaves it down and retries after `retry`.
    fn restart(
        &mut self,
        engine: &mut Engine<Event>,
        i: u32,
        now: SimTime,
        retry: SimTime,
    ) -> bool {
        if self.place(engine, i, now, Why::Restart) {
            self.interruptions.restarts += 1;
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
        if matches!(self.placed[i as usize], Placed::Nowhere)
            && now < self.end_of(i)
            && self.down_since[i as usize] != SimTime::MAX
        {
            self.restart(engine, i, now, HOUR);
        }
    }

    /// Draws each host's first failure (sites whose books have a failure model).
    fn schedule_first_failures(&mut self, engine: &mut Engine<Event>) {
        if !self.scenario.failures {
            return;
        }
        for venue in &mut self.venues {
            if let VenueState::Site(site) = venue {
                site.track_vms();
            }
        }
        for v in 0..self.venues.len() {
            let VenueState::Site(site) = &self.venues[v] else {
                continue;
            };
            let Some(f) = site.failures() else { continue };
            for host in 0..site.hosts() {
                self.schedule_failure(engine, v, host, 0, f.afr);
            }
        }
    }

    fn schedule_failure(
        &mut self,
        engine: &mut Engine<Event>,
        venue: usize,
        host: usize,
        now: SimTime,
        afr: f64,
    ) {
        let years = Exp::new(afr)
            .expect("validated rate")
            .sample(&mut self.fail_rng);
        let at = now.saturating_add((years * crate::units::YEAR as f64) as SimTime);
        if at < self.scenario.horizon {
            engine.schedule(
                at,
                Event::Fail {
                    venue: venue as u32,
                    host: host as u32,
                },
            );
        }
    }

    fn fail(&mut self, engine: &mut Engine<Event>, v: usize, host: usize, now: SimTime) {
        let VenueState::Site(site) = &self.venues[v] else {
            return;
        };
        let Some(f) = site.failures() else { return };
        let victims = site.vms_on(host);
        self.interruptions.host_failures += 1;
        self.site_failures[v] += 1;
        for &i in &victims {
            self.finish(i, now);
        }
        if let VenueState::Site(site) = &mut self.venues[v] {
            site.fail(host);
        }
        let median = f.repair as f64;
        let repair = LogNormal::new(median.ln(), f.repair_sigma)
            .expect("validated")
            .sample(&mut self.fail_rng);
        let back = now.saturating_add(repair.max(1.0) as SimTime);
        if back < self.scenario.horizon {
            engine.schedule(
                back,
                Event::Repair {
                    venue: v as u32,
                    host: host as u32,
                },
            );
        }
        for i in victims {
            // Elsewhere in the site (an HCI unit may use its reserve), else by the policy; else
            // the VM waits for this host's repair.
            if !self.place(engine, i, now, Why::Restart) {
                self.go_down(i, now);
                self.waiting.push((v, host, i));
            } else {
                self.interruptions.restarts += 1;
            }
        }
    }

    fn repair(&mut self, engine: &mut Engine<Event>, v: usize, host: usize, now: SimTime) {
        let VenueState::Site(site) = &mut self.venues[v] else {
            return;
        };
        site.repair(host);
        let afr = site.failures().map(|f| f.afr);
        let (ready, still): (Vec<_>, Vec<_>) = self
            .waiting
            .drain(..)
            .partition(|w| (w.0, w.1) == (v, host));
        self.waiting = still;
        for (_, _, i) in ready {
            if now < self.end_of(i) {
                self.restart(engine, i, now, HOUR);
            }
        }
        if let Some(afr) = afr {
            self.schedule_failure(engine, v, host, now, afr);
        }
    }

    /// private-first: moves burst VMs that have stayed long enough back to owned capacity,
    /// oldest first (at most 64 tries a step, so a long queue cannot stall the run).
    fn try_returns(&mut self, engine: &mut Engine<Event>, now: SimTime) {
        let Some(min_stay) = self.policy.returns_after() else {
            return;
        };
        let eligible: Vec<(SimTime, u32)> = self
            .burst
            .iter()
            .take_while(|(t, _)| t + min_stay <= now)
            .take(64)
            .copied()
            .collect();
        for (t0, i) in eligible {
            let vm = self.vm(i);
            let need = Capacity::of(vm.vcpus, vm.mem_gib);
            let fits = self.venues.iter().any(|v| match v {
                VenueState::Site(s) => s
                    .offer(
                        vm,
                        &self.groups[vm.group as usize],
                        need,
                        self.policy.host_choice(),
                        false,
                    )
                    .is_some(),
                VenueState::Public(_) => false,
            });
            if !fits {
                continue;
            }
            self.burst.remove(&(t0, i));
            self.finish(i, now);
            if self.place(engine, i, now, Why::Return) {
                self.interruptions.returns += 1;
            }
        }
    }

    fn apply_sample(&mut self, s: Sample) {
        let vm = self.vm(s.vm);
        let milli = (vm.vcpus * f64::from(s.cpu) * 1000.0).round() as u64;
        if let Some(k) = self.scaled[vm.group as usize] {
            // Demand of an autoscaled group (its trace VMs are not placed). Samples are applied
            // at the end of their step, so a VM may already have ended: it asks for nothing.
            if self.demanding[s.vm as usize] {
                let old = std::mem::replace(&mut self.cpu_milli[s.vm as usize], milli);
                self.scalers[k].change_used(old, milli);
            }
            return;
        }
        self.set_cpu(s.vm, milli);
        if let Some(m) = s.mem() {
            let mib = (vm.mem_gib * f64::from(m) * 1024.0).round() as u64;
            let old = std::mem::replace(&mut self.mem_mib[s.vm as usize], mib);
            if let Placed::At {
                venue,
                target: Target::Slot(_),
            } = self.placed[s.vm as usize]
                && let VenueState::Site(site) = &mut self.venues[venue]
            {
                site.set_mem_used(old, mib, true);
            }
        }
    }

    /// Sets the milli-cores VM `i` uses now; a VM on a site passes it on to its host.
    fn set_cpu(&mut self, i: u32, milli: u64) {
        let old = std::mem::replace(&mut self.cpu_milli[i as usize], milli);
        if let Placed::At {
            venue,
            target: Target::Slot(slot),
        } = self.placed[i as usize]
            && let VenueState::Site(site) = &mut self.venues[venue]
        {
            site.set_used(slot, old, milli);
        }
    }

    fn snapshot(&mut self, from: SimTime, to: SimTime) {
        for venue in &mut self.venues {
            if let VenueState::Site(site) = venue {
                site.snapshot(&mut self.ledger, from, to);
            }
        }
    }

    fn record_shortfall(&mut self, i: u32, now: SimTime) {
        let vm = self.vm(i);
        let need = Capacity::of(vm.vcpus, vm.mem_gib);
        let mut kind = ShortfallKind::TooLarge;
        let mut reasons = Vec::with_capacity(self.venues.len());
        let group = &self.groups[vm.group as usize];
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
                VenueState::Site(s) => {
                    kind = ShortfallKind::Capacity;
                    reasons.push(format!("{name}: all {} hosts full", s.hosts()));
                }
            }
        }
        self.unplaced_vm_seconds += self.end_of(i) - now;
        self.shortfalls.push(Shortfall {
            vm: vm.id.clone(),
            group: self.group_names[vm.group as usize].clone(),
            t: now,
            kind,
            reason: reasons.join("; "),
        });
    }

    fn into_outcome(mut self, events: u64, usage_samples: u64) -> Outcome {
        let horizon = self.scenario.horizon;
        let carbon: Vec<Option<f64>> = self
            .scenario
            .venues
            .iter()
            .map(|v| v.carbon_kg_per_kwh)
            .collect();
        for (v, (outcome, venue)) in self.outcomes.iter_mut().zip(&mut self.venues).enumerate() {
            match venue {
                VenueState::Public(p) => outcome.commitments = p.close(&mut self.ledger, horizon),
                VenueState::Site(site) => {
                    let hci = matches!(site.size(), VenueSize::Hci { .. });
                    let energy = site.has_power().then_some(site.energy_kwh);
                    outcome.site = Some(SiteOutcome {
                        size: site.size(),
                        hosts: site.hosts(),
                        capacity_per_host: site.per_host,
                        peak_allocated: site.peak_allocated,
                        cpu_used: std::mem::take(&mut site.cpu_series),
                        mem_allocated: std::mem::take(&mut site.mem_series),
                        mem_used: std::mem::take(&mut site.mem_used_series),
                        energy_kwh: energy,
                        carbon_kg: energy.zip(carbon[v]).map(|(kwh, kg)| kwh * kg),
                        peak_unit_mem: hci.then_some(site.peak_unit_mem),
                        failures: self.site_failures[v],
                    });
                }
            }
        }
        let transfers = self.transfers.take().map(|t| t.sites).unwrap_or_default();
        let backup = self.scenario.backup.as_ref().map(|plan| {
            let mut b = backup::bill(plan, self.scenario.venues.len(), &mut self.ledger, horizon);
            b.transfers = transfers;
            b
        });
        let start_in_horizon = self.table.vms.iter().filter(|v| v.start < horizon).count();
        Outcome {
            ledger: self.ledger,
            venues: self.outcomes,
            backup,
            shortfalls: self.shortfalls,
            unplaced_vm_seconds: self.unplaced_vm_seconds,
            down_seconds: self.down_seconds,
            autoscale: self
                .scalers
                .iter()
                .zip(&self.scenario.autoscale)
                .map(|(s, a)| s.outcome(a))
                .collect(),
            groups: self.group_names,
            interruptions: self.interruptions,
            vms_outside_horizon: (self.table.vms.len() - start_in_horizon) as u64,
            events,
            usage_samples,
        }
    }
}
