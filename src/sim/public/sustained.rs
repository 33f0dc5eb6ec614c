//! GCP sustained-use discounts on a public venue: on-demand spend of each family with a
//! schedule in the book is kept per hour, and each 730 h month is billed once the run is over
//! by `SustainedUse::month_cost` (usage combined across the family's instances, GCP's
//! inferred instances), as GCP's invoice does.

use crate::pricing::{PublicBook, SustainedUse};
use crate::sim::ledger::{Category, Ledger, LineId};
use crate::units::{HOUR, HOURS_PER_MONTH, SimTime};

pub(super) struct Sustained {
    /// The families with a schedule, and each instance type's position among them.
    schedules: Vec<SustainedUse>,
    family_of: Vec<Option<usize>>,
    /// On-demand spend at list price, per family and hour of the horizon.
    usage: Vec<Vec<f64>>,
    lines: Vec<LineId>,
}

impl Sustained {
    /// `None` when the book has no sustained-use schedule (nothing to track).
    pub fn new(
        v: usize,
        book: &PublicBook,
        ledger: &mut Ledger,
        horizon: SimTime,
    ) -> Option<Sustained> {
        if book.sustained_use.is_empty() {
            return None;
        }
        let families: Vec<&String> = book.sustained_use.keys().collect();
        let family_of = book
            .instances
            .iter()
            .map(|t| families.iter().position(|f| **f == t.family))
            .collect();
        let hours = horizon.div_ceil(HOUR) as usize;
        let lines = book
            .sustained_use
            .iter()
            .map(|(family, s)| {
                let shares: Vec<String> =
                    s.0.iter().map(|m| format!("{:.2}", m * 100.0)).collect();
                let rule = format!(
                    "on-demand {family} after sustained-use discount ({} % of list in each {} of the month)",
                    shares.join("/"),
                    if s.0.len() == 4 { "quarter" } else { "slice" }
                );
                ledger.line(v, Category::Compute, rule)
            })
            .collect();
        Some(Sustained {
            schedules: book.sustained_use.values().cloned().collect(),
            family_of,
            usage: vec![vec![0.0; hours]; families.len()],
            lines,
        })
    }

    /// The schedule index of instance type `ix`, if its family has one.
    pub fn family(&self, ix: usize) -> Option<usize> {
        self.family_of[ix]
    }

    /// Records list-price spend of family `f` from `from` to `at` at `per_second`.
    pub fn add(&mut self, f: usize, from: SimTime, at: SimTime, per_second: f64) {
        let usage = &mut self.usage[f];
        let mut s = from;
        while s < at {
            let until = ((s / HOUR + 1) * HOUR).min(at);
            let h = ((s / HOUR) as usize).min(usage.len() - 1);
            usage[h] += (until - s) as f64 * per_second;
            s = until;
        }
    }

    /// Bills each family month by month: the discounted month spread over its hours in
    /// proportion to their list-price spend.
    pub fn close(&self, ledger: &mut Ledger) {
        let month = HOURS_PER_MONTH as usize;
        for (f, usage) in self.usage.iter().enumerate() {
            for (m, hours) in usage.chunks(month).enumerate() {
                let list: f64 = hours.iter().sum();
                if list <= 0.0 {
                    continue;
                }
                let billed = self.schedules[f].month_cost(hours);
                for (h, spend) in hours.iter().enumerate().filter(|(_, s)| **s > 0.0) {
                    let t = ((m * month + h) as SimTime) * HOUR;
                    ledger.add(self.lines[f], t, billed * spend / list);
                }
            }
        }
    }
}
