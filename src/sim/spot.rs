//! Spot evictions: a VM placed on spot capacity is evicted at its venue's rate (exponential
//! times, from the spot stream). An evicted VM falls back by its group's policy: it restarts at
//! once on on-demand capacity (and stays on-demand), or it waits, down, and tries spot again
//! after the group's `spot_wait`.

use super::{Event, Placed, State};
use crate::engine::Engine;
use crate::random::{Purpose, stream};
use crate::scenario::SpotFallback;
use crate::units::{HOUR, SimTime};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp};

/// The spot side of the run: a random stream per venue and which VMs now run on-demand.
pub(super) struct Spot {
    /// Each venue's evictions draw from its own stream (common random numbers).
    rngs: Vec<ChaCha8Rng>,
    /// Evicted spot VMs that now run on-demand, by VM index.
    on_demand: Vec<bool>,
}

impl Spot {
    pub fn new(seed: u64, venues: usize, vms: usize) -> Self {
        Spot {
            rngs: (0..venues as u64)
                .map(|v| stream(seed, Purpose::Evictions, v, 0))
                .collect(),
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

    /// When a spot VM placed on venue `v` at `now` is evicted, at `per_hour` evictions an hour
    /// (none at 0).
    fn eviction_at(&mut self, v: usize, now: SimTime, per_hour: f64) -> Option<SimTime> {
        if per_hour <= 0.0 {
            return None;
        }
        let hours = Exp::new(per_hour)
            .expect("validated rate")
            .sample(&mut self.rngs[v]);
        Some(now.saturating_add((hours * HOUR as f64) as SimTime))
    }
}

impl State<'_> {
    /// Draws the eviction of VM `i`, about to be placed on spot capacity of venue `v` at `now`.
    pub(super) fn schedule_eviction(
        &mut self,
        engine: &mut Engine<Event>,
        (i, v): (u32, usize),
        now: SimTime,
        per_hour: f64,
    ) {
        let Some(at) = self.spot.eviction_at(v, now, per_hour) else {
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

#[cfg(test)]
mod tests {
    use super::super::testkit::{scenario, table, vm};
    use super::super::{Category, Target, scaling};
    use super::*;
    use crate::pricing::Purchase;

    #[test]
    fn no_rate_no_eviction() {
        let mut spot = Spot::new(1, 1, 1);
        assert_eq!(spot.eviction_at(0, 100, 0.0), None);
        // At a positive rate the eviction comes after the placement.
        assert!(spot.eviction_at(0, 100, 0.5).is_some_and(|t| t >= 100));
    }

    /// The state after a 2-vCPU spot VM of group "b" arrived at t = 0 on the cloud (the only
    /// venue the group may use), with `fallback` as the group's spot fallback.
    macro_rules! spot_vm {
        ($sc:ident, $tb:ident, $templates:ident, $state:ident, $engine:ident, $fallback:expr) => {
            let $sc = scenario(
                1,
                &format!(
                    "policy = \"cheapest\"\n[groups.b]\npurchase = \"spot\"\nvenues = [\"cloud\"]\nspot_fallback = \"{}\"\nspot_wait = \"30m\"\n",
                    $fallback
                ),
            );
            let $tb = table(vec![vm("v", 0, 0, None, 2.0, 8.0)], &["b"]);
            let (names, $templates) = scaling::templates(&$sc, &$tb);
            let mut $state = State::new(&$sc, &$tb, &$templates, names);
            let mut $engine = Engine::new();
            $state.arrive(&mut $engine, 0, 0);
        };
    }

    fn purchase(state: &State, i: usize) -> Option<Purchase> {
        match state.vms.placed[i] {
            Placed::At {
                target: Target::Instance(inst),
                ..
            } => Some(inst.purchase),
            _ => None,
        }
    }

    #[test]
    fn an_evicted_vm_falls_back_to_on_demand() {
        spot_vm!(sc, tb, templates, state, engine, "on-demand");
        assert_eq!(purchase(&state, 0), Some(Purchase::Spot));
        // Evicted at 2 h (placement number 1): 2 h of spot at 0.036/h = 0.072; it restarts at
        // once on on-demand c2 and stays there to the 10 h horizon: 8 h x 0.36 = 2.88.
        state.evict(&mut engine, 0, 1, 2 * HOUR);
        assert_eq!(purchase(&state, 0), Some(Purchase::OnDemand));
        assert!(state.spot.on_demand(0));
        // An eviction drawn for the first placement is stale now.
        state.evict(&mut engine, 0, 1, 3 * HOUR);
        assert_eq!(state.tally.interruptions.spot_evictions, 1);
        assert_eq!(state.tally.interruptions.restarts, 1);
        state.finish_all(10 * HOUR);
        let compute = state.tally.ledger.total(1, Category::Compute);
        assert!((compute - (0.072 + 2.88)).abs() < 1e-9, "{compute}");
        assert_eq!(state.tally.down_seconds, [0]);
    }

    #[test]
    fn an_evicted_vm_that_waits_is_down_until_its_retry() {
        spot_vm!(sc, tb, templates, state, engine, "wait");
        // Evicted at 2 h: down, and a retry 30 min later, at 7,200 + 1,800 = 9,000 s.
        let _ = engine.drain().count(); // the eviction drawn at the first placement
        state.evict(&mut engine, 0, 1, 2 * HOUR);
        assert_eq!(purchase(&state, 0), None);
        let events: Vec<_> = engine.drain().collect();
        assert!(matches!(events[..], [(9_000, Event::Retry(0))]));
        // The retry places it on spot again; it was down 1,800 s.
        state.retry(&mut engine, 0, 9_000);
        assert_eq!(purchase(&state, 0), Some(Purchase::Spot));
        assert_eq!(state.tally.down_seconds, [1_800]);
        assert_eq!(state.tally.interruptions.restarts, 1);
    }
}
