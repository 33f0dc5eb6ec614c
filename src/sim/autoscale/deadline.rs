//! Deadline autoscaling for a job queue, as the MiCADO orchestrator does: with `remaining`
//! items, each taking `item_time` of one instance, and `remaining time` to the deadline,
//! instances = ceil(remaining / (remaining time / item_time)). Between evaluations the running
//! instances work through the queue at one item per `item_time` each.

use super::{ScalePolicy, Signal};
use crate::units::SimTime;

pub struct Deadline {
    remaining: f64,
    item_time: SimTime,
    deadline: SimTime,
    emptied: Option<SimTime>,
}

impl Deadline {
    pub fn new(items: u64, item_time: SimTime, deadline: SimTime) -> Self {
        Deadline {
            remaining: items as f64,
            item_time,
            deadline,
            emptied: None,
        }
    }
}

impl ScalePolicy for Deadline {
    fn target(&mut self, s: &Signal) -> u32 {
        if self.remaining > 0.0 {
            // Work done since the last evaluation by the instances that ran.
            self.remaining -= f64::from(s.running) * s.elapsed as f64 / self.item_time as f64;
            if self.remaining <= 1e-9 {
                self.remaining = 0.0;
                self.emptied = Some(s.now);
            }
        }
        if self.remaining == 0.0 {
            return 0;
        }
        let left = self.deadline.saturating_sub(s.now).max(1) as f64;
        (self.remaining / (left / self.item_time as f64)).ceil() as u32
    }

    fn queue(&self) -> Option<(f64, Option<SimTime>)> {
        Some((self.remaining, self.emptied))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(now: SimTime, running: u32, elapsed: SimTime) -> Signal {
        Signal {
            now,
            demand_cores: 0.0,
            running,
            elapsed,
        }
    }

    #[test]
    fn workers_follow_remaining_work_over_remaining_time() {
        // 100 items of 1 h each, due in 10 h: ceil(100 / (10 h / 1 h)) = 10 instances.
        let mut p = Deadline::new(100, 3_600, 36_000);
        assert_eq!(p.target(&at(0, 0, 0)), 10);
        // 10 instances for 1 h do 10 items: 90 left in 9 h -> still 10.
        assert_eq!(p.target(&at(3_600, 10, 3_600)), 10);
        // Only 5 ran the next hour: 85 left in 8 h -> ceil(85 / 8) = 11.
        assert_eq!(p.target(&at(7_200, 5, 3_600)), 11);
        // 11 instances for 8 h do 88 >= 85: the queue empties, no instance is needed.
        assert_eq!(p.target(&at(36_000, 11, 28_800)), 0);
        assert_eq!(p.queue(), Some((0.0, Some(36_000))));
    }
}
