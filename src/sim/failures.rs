//! Host failures at private and HCI sites (when the scenario turns them on): each host fails at
//! its book's annual failure rate (exponential times between failures) and is repaired after a
//! lognormal time around the book's median. A failed host's VMs restart elsewhere (an HCI unit
//! may use its resiliency reserve, else the placement policy picks a venue) or wait, down, for
//! that host's repair.

use super::{Event, State, VenueState, Why};
use crate::engine::Engine;
use crate::pricing;
use crate::random::{Purpose, stream};
use crate::units::{HOUR, SimTime, YEAR};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal};
use std::collections::HashMap;

/// The failure side of the run: a random stream per host, the VMs waiting for a repair and the
/// count of failures per venue.
pub(super) struct Failures {
    seed: u64,
    /// Each host's failures and repairs draw from its own stream (common random numbers: a
    /// host's history does not depend on the workload or on other hosts), made on first use.
    rngs: HashMap<(usize, usize), ChaCha8Rng>,
    /// VMs waiting for a failed host's repair, as (venue, host, VM).
    waiting: Vec<(usize, usize, u32)>,
    /// Host failures by venue.
    pub per_venue: Vec<u64>,
}

impl Failures {
    pub fn new(seed: u64, venues: usize) -> Self {
        Failures {
            seed,
            rngs: HashMap::new(),
            waiting: Vec::new(),
            per_venue: vec![0; venues],
        }
    }

    /// The stream of host `host` of venue `v`.
    fn rng(&mut self, v: usize, host: usize) -> &mut ChaCha8Rng {
        let seed = self.seed;
        self.rngs
            .entry((v, host))
            .or_insert_with(|| stream(seed, Purpose::Failures, v as u64, host as u64))
    }

    /// When host `host` of venue `v`, up at `now`, fails next, at `afr` failures a year.
    fn next_failure(&mut self, (v, host): (usize, usize), now: SimTime, afr: f64) -> SimTime {
        let years = Exp::new(afr)
            .expect("validated rate")
            .sample(self.rng(v, host));
        now.saturating_add((years * YEAR as f64) as SimTime)
    }

    /// When host `host` of venue `v`, failed at `now`, is back: a lognormal repair time around
    /// the median, at least one second.
    fn repaired_at(
        &mut self,
        (v, host): (usize, usize),
        now: SimTime,
        f: &pricing::Failures,
    ) -> SimTime {
        let median = f.repair as f64;
        let repair = LogNormal::new(median.ln(), f.repair_sigma)
            .expect("validated")
            .sample(self.rng(v, host));
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
        let at = self.failures.next_failure((venue, host), now, afr);
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
        let back = self.failures.repaired_at((v, host), now, &f);
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

#[cfg(test)]
mod tests {
    use super::super::testkit::{scenario, table, vm};
    use super::super::{Placed, State, Target, scaling};
    use super::*;

    #[test]
    fn a_repair_lasts_the_median_when_the_spread_is_zero() {
        // ln-normal with sigma 0 is the median itself: exp(ln 1800) = 1800.0000000000005,
        // truncated to 1800 s; a host failing at t = 1,000 s is back at 2,800 s.
        let model = pricing::Failures {
            afr: 0.05,
            repair: 1_800,
            repair_sigma: 0.0,
        };
        let mut f = Failures::new(1, 1);
        assert_eq!(f.repaired_at((0, 0), 1_000, &model), 2_800);
        // Never less than a second, however short the median.
        let tiny = pricing::Failures { repair: 1, ..model };
        assert!(f.repaired_at((0, 0), 5, &tiny) >= 6);
    }

    #[test]
    fn waiting_vms_are_released_by_their_own_host_only() {
        let mut f = Failures::new(1, 2);
        f.wait(0, 3, 10);
        f.wait(1, 3, 11);
        f.wait(0, 3, 12);
        assert_eq!(f.ready(0, 3), [10, 12]);
        assert!(f.ready(0, 3).is_empty());
        assert_eq!(f.ready(1, 3), [11]);
    }

    #[test]
    fn a_failed_hosts_vms_restart_elsewhere_or_wait_for_its_repair() {
        // Two hosts of 4 vCPU; the group may only run on "dc". VMs a, b, c of 2 vCPU each from
        // t = 0: first-fit puts a and b on host 0 (2 + 2 = 4 vCPU) and c on host 1.
        let sc = scenario(
            2,
            "policy = \"first-fit\"\nfailures = true\n[groups.g]\nvenues = [\"dc\"]\n",
        );
        let vms = (0..3)
            .map(|k| vm(&format!("v{k}"), 0, 0, None, 2.0, 4.0))
            .collect();
        let tb = table(vms, &["g"]);
        let (names, templates) = scaling::templates(&sc, &tb);
        let mut state = State::new(&sc, &tb, &templates, names);
        let mut engine = Engine::new();
        // First failures at 0.001 % a year fall far beyond the 10 h horizon: none scheduled.
        state.schedule_first_failures(&mut engine);
        assert_eq!(engine.pending(), 0);
        for i in 0..3 {
            state.arrive(&mut engine, i, 0);
        }
        let host = |state: &State, i: usize| match state.vms.placed[i] {
            Placed::At {
                target: Target::Slot(s),
                ..
            } => Some(s.host),
            _ => None,
        };
        assert_eq!(
            (host(&state, 0), host(&state, 1), host(&state, 2)),
            (Some(0), Some(0), Some(1))
        );

        // Host 0 fails at t = 1,000 s. a restarts on host 1 (2 vCPU free); b finds no room
        // (host 0 down, host 1 full, the cloud not allowed) and waits, down, for the repair,
        // which takes 30 min: back at 1,000 + 1,800 = 2,800 s.
        state.fail(&mut engine, 0, 0, 1_000);
        assert_eq!((host(&state, 0), host(&state, 1)), (Some(1), None));
        assert_eq!(state.tally.interruptions.host_failures, 1);
        assert_eq!(state.tally.interruptions.restarts, 1);
        assert_eq!(state.failures.per_venue, [1, 0]);
        let events: Vec<_> = engine.drain().collect();
        assert!(matches!(
            events[..],
            [(2_800, Event::Repair { venue: 0, host: 0 })]
        ));

        // At the repair b restarts on host 0, after 2,800 - 1,000 = 1,800 s down; the host's
        // next failure is drawn (beyond the horizon again).
        state.repair(&mut engine, 0, 0, 2_800);
        assert_eq!(host(&state, 1), Some(0));
        assert_eq!(state.tally.interruptions.restarts, 2);
        assert_eq!(state.tally.down_seconds, [1_800]);
        assert_eq!(engine.pending(), 0);
    }
}
