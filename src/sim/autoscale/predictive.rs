//! Predictive autoscaling: a least-squares line through the demand seen over `window`, projected
//! `lead` ahead; instances = ceil(max(projected demand, demand now) / (target utilisation x
//! vCPUs)). A falling trend never takes away cores the demand uses now: like AWS predictive
//! scaling beside dynamic scaling, the forecast only adds capacity ahead of need.

use super::{ScalePolicy, Signal};
use crate::units::SimTime;
use std::collections::VecDeque;

pub struct Predictive {
    vcpus: f64,
    window: SimTime,
    lead: SimTime,
    target: f64,
    history: VecDeque<(SimTime, f64)>,
}

impl Predictive {
    pub fn new(vcpus: f64, window: SimTime, lead: SimTime, target: f64) -> Self {
        Predictive {
            vcpus,
            window,
            lead,
            target,
            history: VecDeque::new(),
        }
    }

    /// The demand the trend line gives at `t` (the last value when there is no trend yet).
    fn project(&self, t: SimTime) -> f64 {
        let n = self.history.len() as f64;
        if n < 2.0 {
            return self.history.back().map_or(0.0, |h| h.1);
        }
        let t0 = self.history[0].0 as f64;
        let (mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0);
        for &(ti, y) in &self.history {
            let x = ti as f64 - t0;
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        let denom = n * sxx - sx * sx;
        let slope = if denom.abs() > 0.0 {
            (n * sxy - sx * sy) / denom
        } else {
            0.0
        };
        let intercept = (sy - slope * sx) / n;
        (intercept + slope * (t as f64 - t0)).max(0.0)
    }
}

impl ScalePolicy for Predictive {
    fn target(&mut self, s: &Signal) -> u32 {
        self.history.push_back((s.now, s.demand_cores));
        while self
            .history
            .front()
            .is_some_and(|h| h.0 + self.window < s.now)
        {
            self.history.pop_front();
        }
        let need = self.project(s.now + self.lead).max(s.demand_cores);
        (need / (self.target * self.vcpus)).ceil() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_a_linear_trend_ahead_of_time() {
        // Demand grows 1 core per 10 minutes: 10, 11, 12 cores at 0, 600, 1,200 s.
        let mut p = Predictive::new(2.0, 3_600, 1_800, 0.5);
        let s = |now, d| Signal {
            now,
            demand_cores: d,
            running: 0,
            elapsed: 600,
        };
        assert_eq!(p.target(&s(0, 10.0)), 10); // one point: 10 / (0.5 x 2) = 10
        p.target(&s(600, 11.0));
        // At 1,200 s the line projects 30 min ahead to 3,000 s: 10 + 3,000 / 600 = 15 cores;
        // 15 / (0.5 x 2 vCPU) = 15 instances.
        assert_eq!(p.target(&s(1_200, 12.0)), 15);
        // A falling trend: 12, 10 cores. The line projects 10 - 2 x 3 = 4 cores 30 min ahead of
        // 1,800 s, below the 10 used now: 10 / (0.5 x 2) = 10 instances.
        let mut p = Predictive::new(2.0, 3_600, 1_800, 0.5);
        p.target(&s(1_200, 12.0));
        assert_eq!(p.target(&s(1_800, 10.0)), 10);
    }
}
