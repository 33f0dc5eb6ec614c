//! The billing ledger: one amount per (day, venue, category), in the scenario's currency. A
//! dense array, so adding a cost never allocates; rows with nothing in them are not reported.

use crate::units::{DAY, SimTime};
use serde::Serialize;

/// What a cost is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Public instance-hours, by the book's billing granularity.
    Compute,
    /// Public block storage, GiB-months.
    Storage,
    /// Public internet egress, GiB.
    Egress,
    /// Private hosts, their monthly cost prorated over the horizon.
    Hosts,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Compute,
        Category::Storage,
        Category::Egress,
        Category::Hosts,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Category::Compute => "compute",
            Category::Storage => "storage",
            Category::Egress => "egress",
            Category::Hosts => "hosts",
        }
    }
}

const CATEGORIES: usize = Category::ALL.len();

#[derive(Debug, Clone)]
pub struct Ledger {
    days: usize,
    venues: usize,
    amounts: Vec<f64>,
}

/// One reported ledger row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LedgerRow {
    pub day: usize,
    pub venue: usize,
    pub category: Category,
    pub amount: f64,
}

impl Ledger {
    /// A ledger covering `horizon` seconds (the last day may be partial).
    pub fn new(horizon: SimTime, venues: usize) -> Ledger {
        let days = horizon.div_ceil(DAY).max(1) as usize;
        Ledger {
            days,
            venues,
            amounts: vec![0.0; days * venues * CATEGORIES],
        }
    }

    pub fn days(&self) -> usize {
        self.days
    }

    fn slot(&self, day: usize, venue: usize, category: Category) -> usize {
        (day.min(self.days - 1) * self.venues + venue) * CATEGORIES + category as usize
    }

    /// Books `amount` on the day containing time `t` (times past the horizon go on the last day).
    pub fn add(&mut self, t: SimTime, venue: usize, category: Category, amount: f64) {
        let slot = self.slot((t / DAY) as usize, venue, category);
        self.amounts[slot] += amount;
    }

    /// Books `per_second` for every second of [from, to), split over the days it covers.
    pub fn spread(
        &mut self,
        from: SimTime,
        to: SimTime,
        venue: usize,
        category: Category,
        per_second: f64,
    ) {
        let mut t = from;
        while t < to {
            let day_end = (t / DAY + 1) * DAY;
            let until = day_end.min(to);
            self.add(t, venue, category, (until - t) as f64 * per_second);
            t = until;
        }
    }

    /// Every non-zero row, ordered by day, then venue, then category.
    pub fn rows(&self) -> impl Iterator<Item = LedgerRow> + '_ {
        self.amounts
            .iter()
            .enumerate()
            .filter(|(_, a)| **a != 0.0)
            .map(|(i, &amount)| {
                let category = Category::ALL[i % CATEGORIES];
                let venue = (i / CATEGORIES) % self.venues;
                let day = i / CATEGORIES / self.venues;
                LedgerRow {
                    day,
                    venue,
                    category,
                    amount,
                }
            })
    }

    /// Sum over all days for one venue and category.
    pub fn total(&self, venue: usize, category: Category) -> f64 {
        (0..self.days)
            .map(|d| self.amounts[self.slot(d, venue, category)])
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_splits_across_day_boundaries() {
        let mut l = Ledger::new(3 * DAY, 2);
        // 1.0 per second from 22:00 on day 0 to 02:00 on day 1: 7,200 s on each day.
        l.spread(22 * 3_600, DAY + 2 * 3_600, 1, Category::Compute, 1.0);
        let rows: Vec<LedgerRow> = l.rows().collect();
        assert_eq!(
            rows,
            vec![
                LedgerRow {
                    day: 0,
                    venue: 1,
                    category: Category::Compute,
                    amount: 7_200.0
                },
                LedgerRow {
                    day: 1,
                    venue: 1,
                    category: Category::Compute,
                    amount: 7_200.0
                },
            ]
        );
        assert_eq!(l.total(1, Category::Compute), 14_400.0);
        assert_eq!(l.total(0, Category::Compute), 0.0);
    }

    #[test]
    fn partial_last_day_and_overflow_land_on_the_last_day() {
        let mut l = Ledger::new(DAY + 1, 1); // 1 day and 1 second: two ledger days
        assert_eq!(l.days(), 2);
        l.add(10 * DAY, 0, Category::Hosts, 5.0);
        assert_eq!(l.rows().next().unwrap().day, 1);
    }
}
