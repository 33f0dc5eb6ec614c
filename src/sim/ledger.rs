//! The billing ledger: one line per (venue, category, rule) with an amount per day, in the
//! scenario's currency. Lines are registered once (usually when the simulation starts), so adding
//! a cost in the event loop is an index and an addition, with no allocation.

pub use crate::pricing::Category;
use crate::units::{DAY, SimTime};
use std::collections::HashMap;

/// A registered ledger line.
pub type LineId = usize;

#[derive(Debug, Clone)]
pub struct Line {
    pub venue: usize,
    pub category: Category,
    /// The price rule that produced the amounts, in words.
    pub rule: String,
    amounts: Vec<f64>,
}

impl Line {
    pub fn total(&self) -> f64 {
        self.amounts.iter().sum()
    }
}

#[derive(Debug, Clone)]
pub struct Ledger {
    days: usize,
    lines: Vec<Line>,
    index: HashMap<(usize, Category, String), LineId>,
}

/// One reported ledger row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LedgerRow<'a> {
    pub day: usize,
    pub venue: usize,
    pub category: Category,
    pub rule: &'a str,
    pub amount: f64,
}

impl Ledger {
    /// A ledger covering `horizon` seconds (the last day may be partial).
    pub fn new(horizon: SimTime) -> Ledger {
        Ledger {
            days: horizon.div_ceil(DAY).max(1) as usize,
            lines: Vec::new(),
            index: HashMap::new(),
        }
    }

    pub fn days(&self) -> usize {
        self.days
    }

    /// The line for a venue, category and rule, registered on first use.
    pub fn line(&mut self, venue: usize, category: Category, rule: impl Into<String>) -> LineId {
        let rule = rule.into();
        if let Some(&id) = self.index.get(&(venue, category, rule.clone())) {
            return id;
        }
        let id = self.lines.len();
        self.lines.push(Line {
            venue,
            category,
            rule: rule.clone(),
            amounts: vec![0.0; self.days],
        });
        self.index.insert((venue, category, rule), id);
        id
    }

    /// Books `amount` on the day containing time `t` (times past the horizon go on the last day).
    pub fn add(&mut self, line: LineId, t: SimTime, amount: f64) {
        let day = ((t / DAY) as usize).min(self.days - 1);
        self.lines[line].amounts[day] += amount;
    }

    /// Books `per_second` for every second of [from, to), split over the days it covers.
    pub fn spread(&mut self, line: LineId, from: SimTime, to: SimTime, per_second: f64) {
        let mut t = from;
        while t < to {
            let until = ((t / DAY + 1) * DAY).min(to);
            self.add(line, t, (until - t) as f64 * per_second);
            t = until;
        }
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// Every non-zero row, ordered by day, then venue, category and rule.
    pub fn rows(&self) -> Vec<LedgerRow<'_>> {
        let mut order: Vec<usize> = (0..self.lines.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&self.lines[a], &self.lines[b]);
            (x.venue, x.category, &x.rule).cmp(&(y.venue, y.category, &y.rule))
        });
        let mut rows = Vec::new();
        for day in 0..self.days {
            for &i in &order {
                let line = &self.lines[i];
                let amount = line.amounts[day];
                if amount != 0.0 {
                    rows.push(LedgerRow {
                        day,
                        venue: line.venue,
                        category: line.category,
                        rule: &line.rule,
                        amount,
                    });
                }
            }
        }
        rows
    }

    /// Sum over all days for one venue and category.
    pub fn total(&self, venue: usize, category: Category) -> f64 {
        self.lines
            .iter()
            .filter(|l| l.venue == venue && l.category == category)
            .map(Line::total)
            .sum()
    }

    /// Multiplies each day `d` of one line by `factor(d)` (yearly price escalation).
    pub fn scale_days(&mut self, line: LineId, factor: impl Fn(usize) -> f64) {
        for (d, a) in self.lines[line].amounts.iter_mut().enumerate() {
            *a *= factor(d);
        }
    }

    /// The amount of one line on each day.
    pub fn daily(&self, line: LineId) -> &[f64] {
        &self.lines[line].amounts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_splits_across_day_boundaries() {
        let mut l = Ledger::new(3 * DAY);
        let id = l.line(1, Category::Compute, "on-demand");
        // 1.0 per second from 22:00 on day 0 to 02:00 on day 1: 7,200 s on each day.
        l.spread(id, 22 * 3_600, DAY + 2 * 3_600, 1.0);
        let rows = l.rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].day, rows[0].amount, rows[1].day, rows[1].amount),
            (0, 7_200.0, 1, 7_200.0)
        );
        assert_eq!(l.total(1, Category::Compute), 14_400.0);
        assert_eq!(l.total(0, Category::Compute), 0.0);
    }

    #[test]
    fn lines_are_registered_once_and_rows_are_ordered() {
        let mut l = Ledger::new(DAY + 1); // 1 day and 1 second: two ledger days
        assert_eq!(l.days(), 2);
        let b = l.line(0, Category::Storage, "b");
        let a = l.line(0, Category::Compute, "a");
        assert_eq!(l.line(0, Category::Storage, "b"), b);
        l.add(b, 0, 1.0);
        l.add(a, 10 * DAY, 5.0); // past the horizon: the last day
        l.add(a, 0, 2.0);
        let rows: Vec<(usize, &str)> = l.rows().iter().map(|r| (r.day, r.rule)).collect();
        // Day 0: compute before storage; day 1: the overflow.
        assert_eq!(rows, [(0, "a"), (0, "b"), (1, "a")]);
    }
}
