//! The cloud simulation on top of the generic engine: VMs arrive from the trace, are placed by
//! the scenario's policy on a public region (right-sized to the cheapest instance type that fits)
//! or on a private site's hosts (first-fit, CPU with overcommit, memory without), leave at their
//! end time, and every cost lands in the ledger. Usage samples are applied in step batches and
//! give each private site its CPU utilisation at every step boundary. No I/O happens here.

mod hosts;
pub mod ledger;
mod placement;

pub use hosts::{Capacity, HostPool};
pub use ledger::{Category, Ledger, LedgerRow};

use crate::engine::Engine;
use crate::error::InputError;
use crate::pricing::{BookKind, PrivateBook, PublicBook};
use crate::scenario::Scenario;
use crate::trace::{Sample, Vm, VmTable};
use crate::units::{HOUR, HOURS_PER_MONTH, SimTime};
use placement::Offer;

/// Everything a run produced, before it is rendered.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub ledger: Ledger,
    /// One per scenario venue, in scenario order.
    pub venues: Vec<VenueOutcome>,
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
    /// Present for private venues.
    pub site: Option<SiteOutcome>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SiteOutcome {
    pub hosts: usize,
    pub capacity_per_host: Capacity,
    /// The most vCPU and memory allocated at any moment, summed over hosts.
    pub peak_allocated: Capacity,
    /// Used cores / physical cores at the busiest step boundary, when the trace has usage.
    pub peak_cpu_used: Option<f64>,
    /// The same, averaged over all step boundaries.
    pub mean_cpu_used: Option<f64>,
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
    Instance(usize),
    Host(usize),
}

#[derive(Debug, Clone, Copy)]
enum Placed {
    Nowhere,
    At { venue: usize, target: Target },
}

struct Site<'s> {
    book: &'s PrivateBook,
    pool: HostPool,
    per_host: Capacity,
    allocated: Capacity,
    peak_allocated: Capacity,
    cpu_used_milli: u64,
    peak_cpu_used: f64,
    sum_cpu_used: f64,
}

enum VenueState<'s> {
    Public(&'s PublicBook),
    Private(Site<'s>),
}

struct State<'s> {
    scenario: &'s Scenario,
    table: &'s VmTable,
    venues: Vec<VenueState<'s>>,
    outcomes: Vec<VenueOutcome>,
    placed: Vec<Placed>,
    /// Milli-cores each VM on a private host is using now (its latest sample).
    cpu_milli: Vec<u64>,
    /// Egress GiB per VM-month by group index.
    egress: Vec<f64>,
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
        if has_usage {
            state.snapshot();
            steps += 1;
        }
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
        let mut ledger = Ledger::new(scenario.horizon, scenario.venues.len());
        let venues = scenario
            .venues
            .iter()
            .enumerate()
            .map(|(v, venue)| match &venue.book.kind {
                BookKind::Public(book) => VenueState::Public(book),
                BookKind::Private(book) => {
                    let hosts = venue.hosts.unwrap_or(0);
                    // Hosts are paid for whether or not anything runs on them.
                    let per_second = book.hosts_cost(hosts, 1) * venue.rate;
                    ledger.spread(0, scenario.horizon, v, Category::Hosts, per_second);
                    let per_host = Capacity::of(book.vcpu_capacity(), book.mem_gib);
                    VenueState::Private(Site {
                        book,
                        pool: HostPool::new(hosts as usize, per_host),
                        per_host,
                        allocated: Capacity::default(),
                        peak_allocated: Capacity::default(),
                        cpu_used_milli: 0,
                        peak_cpu_used: 0.0,
                        sum_cpu_used: 0.0,
                    })
                }
            })
            .collect();
        State {
            scenario,
            table,
            venues,
            outcomes: vec![
                VenueOutcome {
                    placements: 0,
                    vm_seconds: 0,
                    site: None
                };
                scenario.venues.len()
            ],
            placed: vec![Placed::Nowhere; table.vms.len()],
            cpu_milli: vec![0; table.vms.len()],
            egress: table
                .groups
                .iter()
                .map(|g| scenario.egress_for(g))
                .collect(),
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

    /// What venue `v` would charge per hour to hold `vm`, and where, if it can.
    fn offer(&self, v: usize, vm: &Vm, need: Capacity) -> Option<Offer<Target>> {
        let rate = self.scenario.venues[v].rate;
        match &self.venues[v] {
            VenueState::Public(book) => {
                let (ix, instance) = book.cheapest_fit(vm.vcpus, vm.mem_gib)?;
                let per_month = vm.disk_gib * book.storage_gb_month
                    + self.egress[vm.group as usize] * book.egress_gb;
                Some(Offer {
                    venue: v,
                    marginal_per_hour: (instance.hourly + per_month / HOURS_PER_MONTH) * rate,
                    target: Target::Instance(ix),
                })
            }
            // A host already paid for costs nothing more to use.
            VenueState::Private(site) => site.pool.first_fit(need).map(|host| Offer {
                venue: v,
                marginal_per_hour: 0.0,
                target: Target::Host(host),
            }),
        }
    }

    fn start(&mut self, engine: &mut Engine<Event>, i: u32, now: SimTime) {
        let vm = &self.table.vms[i as usize];
        let need = Capacity::of(vm.vcpus, vm.mem_gib);
        let offers = (0..self.venues.len()).map(|v| self.offer(v, vm, need));
        let Some(chosen) = placement::choose(self.scenario.policy, offers) else {
            self.record_shortfall(i, now, need);
            return;
        };
        if let (VenueState::Private(site), Target::Host(host)) =
            (&mut self.venues[chosen.venue], chosen.target)
        {
            site.pool.take(host, need);
            site.allocated.milli_vcpu += need.milli_vcpu;
            site.allocated.mib += need.mib;
            site.peak_allocated.milli_vcpu = site
                .peak_allocated
                .milli_vcpu
                .max(site.allocated.milli_vcpu);
            site.peak_allocated.mib = site.peak_allocated.mib.max(site.allocated.mib);
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
        let runtime = at - vm.start;
        self.outcomes[v].vm_seconds += runtime;
        let rate = self.scenario.venues[v].rate;
        match (&mut self.venues[v], target) {
            (VenueState::Public(book), Target::Instance(ix)) => {
                let hourly = book.instances[ix].hourly * rate;
                let per_second = hourly / HOUR as f64;
                self.ledger
                    .spread(vm.start, at, v, Category::Compute, per_second);
                // Rounding up to the billing granularity is charged when the instance stops.
                let extra = book.billing.billed_seconds(runtime) - runtime;
                if extra > 0 {
                    self.ledger
                        .add(at - 1, v, Category::Compute, extra as f64 * per_second);
                }
                let month_seconds = HOURS_PER_MONTH * HOUR as f64;
                let storage = vm.disk_gib * book.storage_gb_month * rate / month_seconds;
                self.ledger
                    .spread(vm.start, at, v, Category::Storage, storage);
                let egress = self.egress[vm.group as usize] * book.egress_gb * rate / month_seconds;
                self.ledger
                    .spread(vm.start, at, v, Category::Egress, egress);
            }
            (VenueState::Private(site), Target::Host(host)) => {
                let need = Capacity::of(vm.vcpus, vm.mem_gib);
                site.pool.give(host, need);
                site.allocated.milli_vcpu -= need.milli_vcpu;
                site.allocated.mib -= need.mib;
                site.cpu_used_milli -= std::mem::take(&mut self.cpu_milli[i as usize]);
            }
            _ => unreachable!("targets always match their venue's kind"),
        }
    }

    fn apply_sample(&mut self, s: Sample) {
        let Placed::At { venue, .. } = self.placed[s.vm as usize] else {
            return;
        };
        if let VenueState::Private(site) = &mut self.venues[venue] {
            let vm = &self.table.vms[s.vm as usize];
            let now = (vm.vcpus * f64::from(s.cpu) * 1000.0).round() as u64;
            let old = std::mem::replace(&mut self.cpu_milli[s.vm as usize], now);
            site.cpu_used_milli = site.cpu_used_milli - old + now;
        }
    }

    fn snapshot(&mut self) {
        for venue in &mut self.venues {
            if let VenueState::Private(site) = venue {
                let cores = site.pool.hosts() as f64 * f64::from(site.book.cores) * 1000.0;
                let used = site.cpu_used_milli as f64 / cores;
                site.peak_cpu_used = site.peak_cpu_used.max(used);
                site.sum_cpu_used += used;
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
                VenueState::Public(book) => {
                    let (c, m) = book.largest();
                    reasons.push(format!(
                        "{name}: no instance type has {} vCPU and {} GiB (largest {c} vCPU, {m} GiB)",
                        vm.vcpus, vm.mem_gib
                    ));
                }
                VenueState::Private(site) if !site.per_host.holds(need) => reasons.push(format!(
                    "{name}: larger than a host ({} vCPU, {} GiB)",
                    site.book.vcpu_capacity(),
                    site.book.mem_gib
                )),
                VenueState::Private(site) => {
                    kind = ShortfallKind::Capacity;
                    reasons.push(format!("{name}: all {} hosts full", site.pool.hosts()));
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
        for (outcome, venue) in self.outcomes.iter_mut().zip(&self.venues) {
            if let VenueState::Private(site) = venue {
                let cpu = |x: f64| (steps > 0).then_some(x);
                outcome.site = Some(SiteOutcome {
                    hosts: site.pool.hosts(),
                    capacity_per_host: site.per_host,
                    peak_allocated: site.peak_allocated,
                    peak_cpu_used: cpu(site.peak_cpu_used),
                    mean_cpu_used: cpu(site.sum_cpu_used / steps.max(1) as f64),
                });
            }
        }
        let start_in_horizon = self
            .table
            .vms
            .iter()
            .filter(|v| v.start < self.scenario.horizon)
            .count();
        Outcome {
            ledger: self.ledger,
            venues: self.outcomes,
            shortfalls: self.shortfalls,
            unplaced_vm_seconds: self.unplaced_vm_seconds,
            vms_outside_horizon: (self.table.vms.len() - start_in_horizon) as u64,
            events,
            usage_samples,
        }
    }
}
