//! Burst returns under private-first: a VM placed on a public venue is a burst VM; once it has
//! stayed there at least the scenario's `min_stay`, it moves back to owned capacity as soon as a
//! site has room for it, oldest first. Returns are tried at every step boundary.

use super::hosts::Capacity;
use super::{Event, State, VenueState, Why};
use crate::engine::Engine;
use crate::units::SimTime;
use std::collections::BTreeSet;

/// At most this many burst VMs are tried per step, so a long queue cannot stall the run.
const TRIES_PER_STEP: usize = 64;

/// The burst VMs on public venues, oldest first, when the policy returns them.
pub(super) struct Returns {
    /// The shortest public stay before a return (`None`: the policy never returns VMs).
    min_stay: Option<SimTime>,
    /// (start of the public stay, VM).
    burst: BTreeSet<(SimTime, u32)>,
}

impl Returns {
    pub fn new(min_stay: Option<SimTime>) -> Self {
        Returns {
            min_stay,
            burst: BTreeSet::new(),
        }
    }

    /// VM `i` started a stay on a public venue at `at`.
    pub fn burst_started(&mut self, at: SimTime, i: u32) {
        if self.min_stay.is_some() {
            self.burst.insert((at, i));
        }
    }

    /// VM `i`'s public stay that began at `from` ended.
    pub fn burst_ended(&mut self, from: SimTime, i: u32) {
        self.burst.remove(&(from, i));
    }

    /// The burst VMs that have stayed at least `min_stay` by `now`, oldest first, at most
    /// `TRIES_PER_STEP`.
    fn due(&self, now: SimTime) -> Vec<(SimTime, u32)> {
        let Some(min_stay) = self.min_stay else {
            return Vec::new();
        };
        self.burst
            .iter()
            .take_while(|(t, _)| t + min_stay <= now)
            .take(TRIES_PER_STEP)
            .copied()
            .collect()
    }
}

impl State<'_> {
    /// Moves the burst VMs that are due back to owned capacity where a site has room.
    pub(super) fn try_returns(&mut self, engine: &mut Engine<Event>, now: SimTime) {
        for (t0, i) in self.returns.due(now) {
            let vm = self.vm(i);
            let need = Capacity::of(vm.vcpus, vm.mem_gib);
            let group = &self.fleet.groups[vm.group as usize];
            let choice = self.choice.policy.host_choice();
            let fits = self.venues.iter().any(|v| match v {
                VenueState::Site(s) => s.offer(vm, group, need, choice, false).is_some(),
                VenueState::Public(_) => false,
            });
            if !fits {
                continue;
            }
            self.returns.burst_ended(t0, i);
            self.finish(i, now);
            if self.place(engine, i, now, Why::Return) {
                self.tally.interruptions.returns += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{scenario, table, vm};
    use super::super::{Category, Placed, Target, scaling};
    use super::*;
    use crate::units::HOUR;

    #[test]
    fn burst_vms_are_due_after_the_minimum_stay_oldest_first() {
        let mut r = Returns::new(Some(4 * HOUR));
        r.burst_started(3 * HOUR, 7);
        r.burst_started(HOUR, 9);
        // At 5 h only VM 9 (from 1 h) has stayed 4 h; VM 7 is due at 3 + 4 = 7 h.
        assert_eq!(r.due(5 * HOUR), [(HOUR, 9)]);
        assert_eq!(r.due(7 * HOUR), [(HOUR, 9), (3 * HOUR, 7)]);
        r.burst_ended(HOUR, 9);
        assert_eq!(r.due(7 * HOUR), [(3 * HOUR, 7)]);
        // At most 64 tries a step.
        for i in 0..100 {
            r.burst_started(0, 100 + i);
        }
        assert_eq!(r.due(7 * HOUR).len(), TRIES_PER_STEP);
        // A policy without returns keeps no queue.
        let mut none = Returns::new(None);
        none.burst_started(0, 1);
        assert!(none.due(SimTime::MAX / 2).is_empty());
    }

    #[test]
    fn a_burst_vm_returns_when_room_frees() {
        // One host of 4 vCPU, private-first, burst VMs back after 4 h. VM a (4 vCPU) holds the
        // host from 0 to 2 h; VM b (4 vCPU) arrives at 1 h and bursts to c4 at 0.72/h.
        let sc = scenario(
            1,
            "policy = \"private-first\"\n[placement]\nmin_stay = \"4h\"\n",
        );
        let vms = vec![
            vm("a", 0, 0, Some(2 * HOUR), 4.0, 16.0),
            vm("b", 0, HOUR, None, 4.0, 16.0),
        ];
        let tb = table(vms, &["g"]);
        let (names, templates) = scaling::templates(&sc, &tb);
        let mut state = State::new(&sc, &tb, &templates, names);
        let mut engine = Engine::new();
        state.arrive(&mut engine, 0, 0);
        state.arrive(&mut engine, 1, HOUR);
        let on_site = |state: &State| {
            matches!(
                state.vms.placed[1],
                Placed::At {
                    target: Target::Slot(_),
                    ..
                }
            )
        };
        assert!(!on_site(&state));
        state.handle(&mut engine, 2 * HOUR, Event::Stop(0));
        // At 3 h the host is free, but b has stayed only 2 h: it stays on the cloud.
        state.try_returns(&mut engine, 3 * HOUR);
        assert!(!on_site(&state));
        // At 5 h (1 h + 4 h) it comes back: its cloud stay, 1 h to 5 h, is 4 h x 0.72 = 2.88.
        state.try_returns(&mut engine, 5 * HOUR);
        assert!(on_site(&state));
        assert_eq!(state.tally.interruptions.returns, 1);
        let compute = state.tally.ledger.total(1, Category::Compute);
        assert!((compute - 2.88).abs() < 1e-9, "{compute}");
    }
}
