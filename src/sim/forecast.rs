//! The demand forecast of the block-by-block growth rule (`[[growth]]`): the peak allocation of
//! each day, kept over a sliding window of days, and the straight line through those peaks
//! (least squares) projected a lead time ahead. A block ordered when the projection passes the
//! threshold arrives before the site fills, not a lead time after.

use crate::units::{DAY, SimTime};
use std::collections::VecDeque;

/// Daily peaks over the last `window_days` days and today's peak so far.
pub(crate) struct Trend {
    window_days: u64,
    /// (day, peak) of each completed day in the window, oldest first.
    days: VecDeque<(u64, f64)>,
    /// The day of the latest observation (`None` before the first) and its peak so far.
    today: Option<u64>,
    peak: f64,
}

impl Trend {
    /// A trend over `window` (at least a day: whole days, rounded down).
    pub(crate) fn new(window: SimTime) -> Trend {
        Trend {
            window_days: (window / DAY).max(1),
            days: VecDeque::new(),
            today: None,
            peak: 0.0,
        }
    }

    /// Records `value` (here: hosts' worth of allocated vCPUs or memory) at time `now`; times
    /// never go back.
    pub(crate) fn observe(&mut self, now: SimTime, value: f64) {
        let day = now / DAY;
        if self.today != Some(day) {
            if let Some(last) = self.today {
                self.days.push_back((last, self.peak));
            }
            (self.today, self.peak) = (Some(day), value);
            // The window holds today and the `window_days - 1` days before it.
            while self
                .days
                .front()
                .is_some_and(|&(d, _)| d + self.window_days <= day)
            {
                self.days.pop_front();
            }
        } else {
            self.peak = self.peak.max(value);
        }
    }

    /// Today's peak plus the least-squares slope (per day) of the window's daily peaks, today
    /// included, times `ahead`. A falling or flat trend projects today's peak: the rule never
    /// orders later than one that looks at today alone.
    pub(crate) fn project(&self, ahead: SimTime) -> f64 {
        let Some(today) = self.today else { return 0.0 };
        let points = self.days.iter().copied().chain([(today, self.peak)]);
        let (mut n, mut sx, mut sy, mut sxy, mut sxx) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (d, y) in points {
            // Days counted back from today keep the sums small.
            let x = d as f64 - today as f64;
            (n, sx, sy, sxy, sxx) = (n + 1.0, sx + x, sy + y, sxy + x * y, sxx + x * x);
        }
        let spread = n * sxx - sx * sx;
        let slope = if spread > 0.0 {
            (n * sxy - sx * sy) / spread
        } else {
            0.0
        };
        self.peak + slope.max(0.0) * ahead as f64 / DAY as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linear_rise_is_projected_along_its_line() {
        // Peaks 1, 2, 3, 4 on days 0..=3 (observed at noon, with a lower value earlier in the
        // day that the peak ignores): slope 1 a day, so 10 days ahead of day 3: 4 + 10 = 14.
        let mut t = Trend::new(30 * DAY);
        for d in 0..4u64 {
            t.observe(d * DAY, d as f64);
            t.observe(d * DAY + DAY / 2, d as f64 + 1.0);
        }
        assert_eq!(t.project(10 * DAY), 14.0);
        // Half a day ahead: 4 + 0.5.
        assert_eq!(t.project(DAY / 2), 4.5);
    }

    #[test]
    fn the_window_forgets_old_days_and_a_fall_counts_as_flat() {
        // A 3-day window: peaks 10 (day 0), then 1, 2, 3 (days 1-3). On day 3 the window holds
        // days 1-3 only: slope 1, 3 + 1 x 2 = 5 two days ahead. Without forgetting day 0 the
        // line would fall.
        let mut t = Trend::new(3 * DAY);
        for (d, y) in [(0, 10.0), (1, 1.0), (2, 2.0), (3, 3.0)] {
            t.observe(d * DAY, y);
        }
        assert_eq!(t.project(2 * DAY), 5.0);
        // Falling peaks 5, 4, 3: the projection is today's 3, not lower.
        let mut f = Trend::new(30 * DAY);
        for (d, y) in [(0, 5.0), (1, 4.0), (2, 3.0)] {
            f.observe(d * DAY, y);
        }
        assert_eq!(f.project(10 * DAY), 3.0);
        // One day only: no slope.
        let mut one = Trend::new(30 * DAY);
        one.observe(0, 2.0);
        assert_eq!(one.project(10 * DAY), 2.0);
    }
}
