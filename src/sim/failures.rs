//! Host failures at private and HCI sites (when the scenario turns them on): each host fails at
//! its book's annual failure rate (exponential times between failures) and is repaired after a
//! lognormal time around the book's median. A failed host's VMs restart elsewhere (an HCI unit
//! may use its resiliency reserve, else the placement policy picks a venue) or wait, down, for
//! that host's repair.

use super::{Event, State, VenueState, Why};
use crate::engine::Engine;
use crate::pricing;
use crate::units::{HOUR, SimTime, YEAR};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal};

/// The failure side of the run: its random stream, the VMs waiting for a repair and the count
/// of failures per venue.
pub(super) struct Failures {
    rng: ChaCha8Rng,
    /// VMs waiting for a failed host's repair, as (venue, host, VM).
    waiting: Vec<(usize, usize, u32)>,
    /// Host failures by venue.
    pub per_venue: Vec<u64>,
}

impl Failures {
    pub fn new(rng: ChaCha8Rng, venues: usize) -> Self {
        Failures {
            rng,
            waiting: Vec::new(),
            per_venue: vec![0; venues],
        }
    }

    /// When a host that is up at `now` fails next, at `afr` failures a year.
    fn next_failure(&mut self, now: SimTime, afr: f64) -> SimTime {
        let years = Exp::new(afr).expect("validated rate").sample(&mut self.rng);
        now.saturating_add((years * YEAR as f64) as SimTime)
    }

    /// When a host that failed at `now` is back: a lognormal repair time around the median,
    /// at least one second.
    fn repaired_at(&mut self, now: SimTime, f: &pricing::Failures) -> SimTime {
        let median = f.repair as f64;
        let repair = LogNormal::new(median.ln(), f.repair_sigma)
            .expect("validated")
            .sample(&mut self.rng);
        now.saturating_add(repair.max(1.0) as SimTime)
    }

    /// VM `i` waits, down, for host `host` of venue `v` to be repaired.
    fn wait(&mut self, v: usize, host: usize, i: u32) {
        self.waiting.push((v, host, i));
    }

    /// The VMs that were waiting for host `host` of venue `v`, in the order they began to wait.
    fn ready(&mut self, v: usize, host: usize) -> Vec<u32> {
        let (ready, still): (Vec<_>, Vec<_>) = self
            .waiting
            .drain(..)
            .partition(|w| (w.0, w.1) == (v, host));
        self.waiting = still;
        ready.into_iter().map(|w| w.2).collect()
    }
}

impl State<'_> {
    /// Draws each host's first failure (sites whose books have a failure model).
    pub(super) fn schedule_first_failures(&mut self, engine: &mut Engine<Event>) {
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
        let at = self.failures.next_failure(now, afr);
        if at < self.scenario.horizon {
            let (venue, host) = (venue as u32, host as u32);
            engine.schedule(at, Event::Fail { venue, host });
        }
    }

    /// Host `host` of venue `v` fails at `now`: its VMs stop, the repair is scheduled, and each
    /// VM restarts elsewhere or waits for the repair.
    pub(super) fn fail(&mut self, engine: &mut Engine<Event>, v: usize, host: usize, now: SimTime) {
        let VenueState::Site(site) = &self.venues[v] else {
            return;
        };
        let Some(f) = site.failures() else { return };
        let victims = site.vms_on(host);
        self.tally.interruptions.host_failures += 1;
        self.failures.per_venue[v] += 1;
        for &i in &victims {
            self.finish(i, now);
        }
        if let VenueState::Site(site) = &mut self.venues[v] {
            site.fail(host);
        }
        let back = self.failures.repaired_at(now, &f);
        if back < self.scenario.horizon {
            let (venue, host) = (v as u32, host as u32);
            engine.schedule(back, Event::Repair { venue, host });
        }
        for i in victims {
            // Elsewhere in the site (an HCI unit may use its reserve), else by the policy; else
            // the VM waits for this host's repair.
            if !self.place(engine, i, now, Why::Restart) {
                self.go_down(i, now);
                self.failures.wait(v, host, i);
            } else {
                self.tally.interruptions.restarts += 1;
            }
        }
    }

    /// Host `host` of venue `v` is back, empty: the VMs that waited for it restart, and its
    /// next failure is drawn.
    pub(super) fn repair(
        &mut self,
        engine: &mut Engine<Event>,
        v: usize,
        host: usize,
        now: SimTime,
    ) {
        let VenueState::Site(site) = &mut self.venues[v] else {
            return;
        };
        site.repair(host);
        let afr = site.failures().map(|f| f.afr);
        for i in self.failures.ready(v, host) {
            if now < self.end_of(i) {
                self.restart(engine, i, now, HOUR);
            }
        }
        if let Some(afr) = afr {
            self.schedule_failure(engine, v, host, now, afr);
        }
    }
}
