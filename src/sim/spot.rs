//! Spot evictions: a VM placed on spot capacity is evicted at its venue's rate (exponential
//! times, from the spot stream). An evicted VM falls back by its group's policy: it restarts at
//! once on on-demand capacity (and stays on-demand), or it waits, down, and tries spot again
//! after the group's `spot_wait`.

use super::{Event, Placed, State};
use crate::engine::Engine;
use crate::scenario::SpotFallback;
use crate::units::{HOUR, SimTime};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp};

/// The spot side of the run: its random stream and which VMs now run on-demand.
pub(super) struct Spot {
    rng: ChaCha8Rng,
    /// Evicted spot VMs that now run on-demand, by VM index.
    on_demand: Vec<bool>,
}

impl Spot {
    pub fn new(rng: ChaCha8Rng, vms: usize) -> Self {
        Spot {
            rng,
            on_demand: vec![false; vms],
        }
    }

    /// Room for one more VM (an autoscaled instance).
    pub fn push(&mut self) {
        self.on_demand.push(false);
    }

    /// Whether VM `i` was evicted and now runs on-demand.
    pub fn on_demand(&self, i: u32) -> bool {
        self.on_demand[i as usize]
    }

    /// When a spot VM placed at `now` is evicted, at `per_hour` evictions an hour (none at 0).
    fn eviction_at(&mut self, now: SimTime, per_hour: f64) -> Option<SimTime> {
        if per_hour <= 0.0 {
            return None;
        }
        let hours = Exp::new(per_hour)
            .expect("validated rate")
            .sample(&mut self.rng);
        Some(now.saturating_add((hours * HOUR as f64) as SimTime))
    }
}

impl State<'_> {
    /// Draws the eviction of VM `i`, about to be placed on spot capacity at `now`.
    pub(super) fn schedule_eviction(
        &mut self,
        engine: &mut Engine<Event>,
        i: u32,
        now: SimTime,
        per_hour: f64,
    ) {
        let Some(at) = self.spot.eviction_at(now, per_hour) else {
            return;
        };
        if at < self.end_of(i) {
            // The placement about to be made gets number placement_no + 1.
            engine.schedule(at, Event::Evict(i, self.vms.placement_no[i as usize] + 1));
        }
    }

    /// Evicts VM `i` if it is still on the placement the eviction was drawn for.
    pub(super) fn evict(
        &mut self,
        engine: &mut Engine<Event>,
        i: u32,
        placement_no: u32,
        now: SimTime,
    ) {
        let current = matches!(self.vms.placed[i as usize], Placed::At { .. });
        if !current || self.vms.placement_no[i as usize] != placement_no {
            return; // the VM has moved or ended since the eviction was drawn
        }
        self.tally.interruptions.spot_evictions += 1;
        self.finish(i, now);
        let group = &self.fleet.groups[self.vm(i).group as usize];
        match group.spot_fallback {
            SpotFallback::OnDemand => {
                self.spot.on_demand[i as usize] = true;
                self.restart(engine, i, now, HOUR);
            }
            SpotFallback::Wait => {
                let at = now + group.spot_wait;
                self.go_down(i, now);
                if at < self.end_of(i) {
                    engine.schedule(at, Event::Retry(i));
                }
            }
        }
    }
}
