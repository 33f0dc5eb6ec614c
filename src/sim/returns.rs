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
