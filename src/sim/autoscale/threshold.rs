//! Threshold autoscaling: scale out by `step` when utilisation (demand / running cores) has
//! stayed above `out_above` for `sustain`, in by one when it has stayed below `in_below` for
//! `sustain_in` (the longer of `sustain` and the scale-down stabilisation window), and take no
//! action within `cooldown` of the last one.

use super::{ScalePolicy, Signal};
use crate::units::SimTime;

#[derive(Debug, Default)]
pub struct Threshold {
    pub vcpus: f64,
    pub out_above: f64,
    pub in_below: f64,
    pub sustain: SimTime,
    pub sustain_in: SimTime,
    pub cooldown: SimTime,
    pub step: u32,
    pub above_since: Option<SimTime>,
    pub below_since: Option<SimTime>,
    pub last_action: Option<SimTime>,
}

impl ScalePolicy for Threshold {
    fn target(&mut self, s: &Signal) -> u32 {
        let capacity = f64::from(s.running) * self.vcpus;
        let u = if capacity > 0.0 {
            s.demand_cores / capacity
        } else if s.demand_cores > 0.0 {
            f64::INFINITY
        } else {
            0.0
        };
        let (above, below) = (u > self.out_above, u < self.in_below);
        self.above_since = if above {
            self.above_since.or(Some(s.now))
        } else {
            None
        };
        self.below_since = if below {
            self.below_since.or(Some(s.now))
        } else {
            None
        };
        let cooled = self.last_action.is_none_or(|t| s.now >= t + self.cooldown);
        let held = |since: Option<SimTime>, hold| since.is_some_and(|t| s.now >= t + hold);
        if cooled && held(self.above_since, self.sustain) {
            self.last_action = Some(s.now);
            self.above_since = None;
            return s.running + self.step;
        }
        if cooled && held(self.below_since, self.sustain_in) && s.running > 0 {
            self.last_action = Some(s.now);
            self.below_since = None;
            return s.running - 1;
        }
        s.running
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(now: SimTime, demand: f64, running: u32) -> Signal {
        Signal {
            now,
            demand_cores: demand,
            running,
            elapsed: 300,
        }
    }

    fn policy(sustain: SimTime, cooldown: SimTime, stabilization: SimTime) -> Threshold {
        Threshold {
            vcpus: 4.0,
            out_above: 0.75,
            in_below: 0.3,
            sustain,
            sustain_in: sustain.max(stabilization),
            cooldown,
            step: 1,
            ..Threshold::default()
        }
    }

    #[test]
    fn scales_out_after_the_sustain_period_and_respects_the_cooldown() {
        // 4-vCPU instances; out above 75 % for 10 min, in below 30 %, cooldown 15 min.
        let mut p = policy(600, 900, 0);
        // 2 instances = 8 cores; 7 cores of demand = 87.5 %: above from t = 0.
        assert_eq!(p.target(&at(0, 7.0, 2)), 2);
        assert_eq!(p.target(&at(300, 7.0, 2)), 2); // held 5 min: not yet
        assert_eq!(p.target(&at(600, 7.0, 2)), 3); // held 10 min: out by one
        // 3 instances = 12 cores; 11 cores = 92 % again, held 10 min by t = 1,200, but the
        // cooldown (until 1,500) holds the action back.
        assert_eq!(p.target(&at(900, 11.0, 3)), 3);
        assert_eq!(p.target(&at(1_200, 11.0, 3)), 3);
        assert_eq!(p.target(&at(1_500, 11.0, 3)), 4);
    }

    #[test]
    fn scales_in_when_demand_stays_low() {
        let mut p = policy(600, 0, 0);
        // 4 instances = 16 cores; 2 cores = 12.5 %.
        assert_eq!(p.target(&at(0, 2.0, 4)), 4);
        assert_eq!(p.target(&at(600, 2.0, 4)), 3);
        // A spike resets the low streak.
        assert_eq!(p.target(&at(900, 6.0, 3)), 3);
        assert_eq!(p.target(&at(1_200, 2.0, 3)), 3);
    }

    #[test]
    fn scale_in_waits_for_the_stabilisation_window() {
        // Sustain 10 min, window 30 min: 4 instances at 12.5 % from t = 0 scale in at 30 min,
        // not at 10 min.
        let mut p = policy(600, 0, 1_800);
        for t in [0, 600, 1_200] {
            assert_eq!(p.target(&at(t, 2.0, 4)), 4, "t = {t}");
        }
        assert_eq!(p.target(&at(1_800, 2.0, 4)), 3);
        // Scale-out is not held back by the window: 87.5 % held 10 min.
        let mut p = policy(600, 0, 1_800);
        p.target(&at(0, 7.0, 2));
        assert_eq!(p.target(&at(600, 7.0, 2)), 3);
    }
}
