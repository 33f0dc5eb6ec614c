//! Autoscaling policies, one file each: from a group's signal at an evaluation, how many
//! instances it should run.

mod deadline;
mod predictive;
mod threshold;

use crate::scenario::{Autoscale, ScaleRule};
use crate::units::SimTime;
use std::collections::VecDeque;

/// What a policy sees at an evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signal {
    pub now: SimTime,
    /// Cores the group's demand asks for now.
    pub demand_cores: f64,
    /// Instances running now.
    pub running: u32,
    /// Seconds since the previous evaluation.
    pub elapsed: SimTime,
}

pub trait ScalePolicy {
    /// Instances wanted now (the caller clamps to min..=max).
    fn target(&mut self, signal: &Signal) -> u32;

    /// Deadline queues: (items left, when the queue emptied).
    fn queue(&self) -> Option<(f64, Option<SimTime>)> {
        None
    }
}

/// A policy made stable, as Kubernetes' HorizontalPodAutoscaler does: a scale-down goes only to
/// the highest count recommended within the last `window` (scale-ups are not held back), and no
/// change comes within `cooldown` of the last one.
pub struct Stabilized<P> {
    inner: P,
    cooldown: SimTime,
    window: SimTime,
    bounds: (u32, u32),
    /// Recommendations (clamped to the bounds) within the window, oldest first.
    recent: VecDeque<(SimTime, u32)>,
    last_change: Option<SimTime>,
}

impl<P: ScalePolicy> Stabilized<P> {
    pub fn new(inner: P, cooldown: SimTime, window: SimTime, bounds: (u32, u32)) -> Self {
        Stabilized {
            inner,
            cooldown,
            window,
            bounds,
            recent: VecDeque::new(),
            last_change: None,
        }
    }
}

impl<P: ScalePolicy> ScalePolicy for Stabilized<P> {
    fn target(&mut self, s: &Signal) -> u32 {
        let want = self.inner.target(s).clamp(self.bounds.0, self.bounds.1);
        self.recent.push_back((s.now, want));
        while self
            .recent
            .front()
            .is_some_and(|r| r.0 + self.window <= s.now && r.0 < s.now)
        {
            self.recent.pop_front();
        }
        let want = if want < s.running {
            let highest = self.recent.iter().map(|r| r.1).max().unwrap_or(want);
            highest.min(s.running)
        } else {
            want
        };
        let cooling = self.last_change.is_some_and(|t| s.now < t + self.cooldown);
        if want == s.running || cooling {
            return s.running;
        }
        self.last_change = Some(s.now);
        want
    }

    fn queue(&self) -> Option<(f64, Option<SimTime>)> {
        self.inner.queue()
    }
}

pub fn for_config(a: &Autoscale) -> Box<dyn ScalePolicy> {
    match a.rule {
        ScaleRule::Threshold {
            out_above,
            in_below,
            sustain,
            cooldown,
            stabilization,
            step,
        } => Box::new(threshold::Threshold {
            vcpus: a.vcpus,
            out_above,
            in_below,
            sustain,
            // Scale-in waits for the stabilisation window too: a dip must last that long.
            sustain_in: sustain.max(stabilization),
            cooldown,
            step,
            ..threshold::Threshold::default()
        }),
        ScaleRule::Deadline {
            items,
            item_time,
            deadline,
        } => Box::new(deadline::Deadline::new(items, item_time, deadline)),
        ScaleRule::Predictive {
            window,
            lead,
            target,
            cooldown,
            stabilization,
        } => Box::new(Stabilized::new(
            predictive::Predictive::new(a.vcpus, window, lead, target),
            cooldown,
            stabilization,
            (a.min, a.max),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recommends whatever it is told.
    struct Echo(u32);

    impl ScalePolicy for Echo {
        fn target(&mut self, _: &Signal) -> u32 {
            self.0
        }
    }

    fn at(now: SimTime, running: u32) -> Signal {
        Signal {
            now,
            demand_cores: 0.0,
            running,
            elapsed: 600,
        }
    }

    #[test]
    fn scale_down_takes_the_highest_recommendation_of_the_window() {
        // Window 30 min, no cooldown, evaluations every 10 min.
        let mut p = Stabilized::new(Echo(10), 0, 1_800, (0, 100));
        assert_eq!(p.target(&at(0, 4)), 10); // up at once
        p.inner.0 = 6;
        // 10 was recommended at 0, within 30 min of 600 and 1,200: hold 10.
        assert_eq!(p.target(&at(600, 10)), 10);
        assert_eq!(p.target(&at(1_200, 10)), 10);
        // At 1,800 the 10 of t = 0 leaves the window; the highest left is 6.
        assert_eq!(p.target(&at(1_800, 10)), 6);
    }

    #[test]
    fn no_change_within_the_cooldown() {
        let mut p = Stabilized::new(Echo(8), 3_600, 0, (2, 20));
        assert_eq!(p.target(&at(0, 4)), 8);
        p.inner.0 = 12;
        assert_eq!(p.target(&at(600, 8)), 8); // 10 min after the change: held
        assert_eq!(p.target(&at(3_600, 8)), 12);
        // Bounds apply before the comparison: 30 clamps to 20.
        p.inner.0 = 30;
        assert_eq!(p.target(&at(7_200, 12)), 20);
    }
}
