//! What a run tells people and machines: the ledger as CSV, the totals table printed by the
//! CLI, the comparison of two runs and the HTML page. The figures come from
//! [`crate::summary::Summary`]; rendering functions write to `impl Write`; only `files` touches
//! the file system.

mod compare;
pub mod files;
pub mod focus;
pub mod html;
mod rightsize;
mod text;

pub use compare::{
    change, compare_rows, compare_table, daily_totals, has_cash_flows, payback_line, venue_names,
    venue_total,
};
pub use rightsize::rightsize_line;
pub use text::totals_table;

use crate::scenario::Scenario;
use crate::sim::Outcome;
/// What the report renders (re-exported: the CLI's optimize still names it here).
pub use crate::summary::Summary;
use crate::summary::ledger_venue_names;
use crate::text::csv_cell;
use std::io::Write;

/// ledger.csv: `day,venue,category,rule,amount`, one row per non-zero (day, venue, category,
/// rule), day 0 being the first day of the horizon; amounts in the scenario currency with six
/// decimals. Names are neutralised for spreadsheets ([`csv_cell`]); amounts are numbers.
pub fn write_ledger_csv(
    scenario: &Scenario,
    outcome: &Outcome,
    out: impl Write,
) -> std::io::Result<()> {
    let names = ledger_venue_names(scenario);
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["day", "venue", "category", "rule", "amount"])?;
    for row in outcome.ledger.rows() {
        w.write_record([
            row.day.to_string().as_str(),
            &csv_cell(names[row.venue]),
            row.category.name(),
            &csv_cell(row.rule),
            &format!("{:.6}", row.amount),
        ])?;
    }
    w.flush()
}
