//! Money over time in summary.json: the cash flow of each 730-hour month split into capital,
//! operating and one-off spending with its running total, its net present value at the
//! scenario's discount rate, and the commitments that run on past the horizon.
//!
//! Cash, not cost: capital bought on a date (`[[money.capital]]`) counts in full in the month it
//! is paid, and its residual value comes back in the month it is sold at a refresh, where the
//! ledger (and `total`) spreads it as depreciation. A book's hardware capex is already priced
//! monthly (amortised over its life, as if financed) and counts as capex in the month billed.
//! Shipped drives for backup seeding count as one-off, with `[[money.one_off]]` items.
//!
//! NPV convention: a year is 12 months of 730 hours, and each month's cash flow is discounted
//! at its end: month m (0-based) is worth 1 / (1 + r)^((m + 1) / 12) today.

use super::month_of_day;
use crate::scenario::{Commitment, Scenario, Venue};
use crate::sim::{Category, Outcome};
use crate::units::{DAY, SimTime, cents};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CashMonth {
    pub month: usize,
    pub capex: f64,
    pub opex: f64,
    pub one_off: f64,
    pub total: f64,
    /// The total of this month and every month before it.
    pub cumulative: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Npv {
    /// Yearly, in percent.
    pub discount_rate_pct: f64,
    pub value: f64,
}

/// A commitment that runs on past the horizon: what is still to pay for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Liability {
    pub venue: String,
    pub what: String,
    pub hours_after_horizon: f64,
    pub amount: f64,
}

/// A migration wave: when it ran and what it cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MigrationSummary {
    pub group: String,
    pub from: String,
    pub to: String,
    /// The copy starts, the VMs move (the end of the cutover). A copy over a link shared with
    /// backup traffic (`wan_site`) that has not ended, or whose cutover has not, by the end of
    /// the horizon: the horizon's end, and the copy's hours so far.
    pub at_s: u64,
    pub moved_at_s: u64,
    pub copy_hours: f64,
    pub vms: u64,
    /// VMs that found no room at the new venue when they moved.
    pub stranded: u64,
    pub egress: f64,
    pub labour: f64,
    pub double_run: f64,
}

/// summary.json's `migrations`.
pub fn migrations(scenario: &Scenario, outcome: &Outcome) -> Vec<MigrationSummary> {
    let name = |v: usize| scenario.venues[v].name.clone();
    scenario
        .migrations
        .iter()
        .zip(&outcome.migrations)
        .map(|(m, o)| MigrationSummary {
            group: m.group.clone(),
            from: name(m.from),
            to: name(m.to),
            at_s: m.at,
            moved_at_s: o.moved_at.unwrap_or(scenario.horizon),
            copy_hours: crate::units::four(
                (o.copied_at.unwrap_or(scenario.horizon) - m.at) as f64 / crate::units::HOUR as f64,
            ),
            vms: o.vms,
            stranded: o.stranded,
            egress: cents(o.egress),
            labour: cents(o.labour),
            double_run: cents(o.double_run),
        })
        .collect()
}

/// Which cash-flow column a ledger category goes to (`None`: not cash, depreciation).
fn column(c: Category) -> Option<usize> {
    match c {
        Category::Depreciation => None,
        Category::Capex => Some(0),
        Category::OneOff | Category::Seeding => Some(2),
        _ => Some(1),
    }
}

/// The month a time falls in (times past the horizon fall in the last month).
fn month_of(t: SimTime, months: usize) -> usize {
    month_of_day((t / DAY) as usize).min(months - 1)
}

/// Monthly cash flow of a run, unrounded: [capex, opex, one-off] per month.
pub fn monthly(scenario: &Scenario, outcome: &Outcome) -> Vec<[f64; 3]> {
    let ledger = &outcome.ledger;
    let months = month_of_day(ledger.days() - 1) + 1;
    let mut out = vec![[0.0; 3]; months];
    for (id, line) in ledger.lines().iter().enumerate() {
        let Some(col) = column(line.category) else {
            continue;
        };
        for (d, amount) in ledger.daily(id).iter().enumerate() {
            out[month_of_day(d)][col] += amount;
        }
    }
    for c in &scenario.money.capital {
        for (bought, sold) in crate::sim::money::lives(c, scenario.horizon) {
            out[month_of(bought, months)][0] += c.cost;
            if sold < scenario.horizon {
                out[month_of(sold, months)][0] -= c.cost * c.residual;
            }
        }
    }
    out
}

/// The rows of summary.json's `cash_flow`, in cents.
pub fn cash_flow(monthly: &[[f64; 3]]) -> Vec<CashMonth> {
    let mut cumulative = 0.0;
    monthly
        .iter()
        .enumerate()
        .map(|(month, [capex, opex, one_off])| {
            let total = capex + opex + one_off;
            cumulative += total;
            CashMonth {
                month,
                capex: cents(*capex),
                opex: cents(*opex),
                one_off: cents(*one_off),
                total: cents(total),
                cumulative: cents(cumulative),
            }
        })
        .collect()
}

/// The net present value of monthly totals at a yearly `rate` (a share), discounting each month
/// at its end.
pub fn npv(totals: impl IntoIterator<Item = f64>, rate: f64) -> f64 {
    totals
        .into_iter()
        .enumerate()
        .map(|(m, x)| x / (1.0 + rate).powf((m + 1) as f64 / 12.0))
        .sum()
}

/// summary.json's `npv`, when the scenario gives a discount rate.
pub fn npv_of(scenario: &Scenario, monthly: &[[f64; 3]]) -> Option<Npv> {
    let rate = scenario.money.discount_rate?;
    Some(Npv {
        discount_rate_pct: rate * 100.0,
        value: cents(npv(monthly.iter().map(|m| m.iter().sum()), rate)),
    })
}

/// Commitments whose term runs past the horizon, with what is left to pay.
pub fn liabilities(scenario: &Scenario) -> Vec<Liability> {
    let horizon_hours = scenario.horizon as f64 / crate::units::HOUR as f64;
    scenario
        .commitments
        .iter()
        .filter_map(|c| {
            let venue = &scenario.venues[c.venue()];
            let amount = c.liability_after(scenario.horizon, venue.rate);
            (amount > 0.0).then(|| Liability {
                venue: venue.name.clone(),
                what: describe(c, venue),
                hours_after_horizon: crate::units::four(c.term().hours() - horizon_hours),
                amount: cents(amount),
            })
        })
        .collect()
}

/// A commitment in words, as the run's commitment figures name it.
fn describe(c: &Commitment, venue: &Venue) -> String {
    match c {
        Commitment::Reserved { count, offer, .. } => {
            let name = venue
                .public()
                .map_or("?", |b| b.instances[offer.instance].name.as_str());
            format!("reserved {name} x {count}")
        }
        Commitment::SavingsPlan { hourly, offer, .. } => format!("{} {hourly}/h", offer.name),
    }
}

/// When B's cumulative cash falls to A's and stays there: B pays back its extra spending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payback {
    /// The first month (0-based, as in `cash_flow`) at whose end B's cumulative cash is at or
    /// below A's, and stays so to the end of the shorter run.
    pub month: usize,
    /// Where the curves cross, in months from the start (linear between month ends; 0 when B
    /// is never above A).
    pub at_months: f64,
    /// A's cumulative cash minus B's at the end of the shorter run.
    pub saved_by_end: f64,
}

/// B's payback against A from their cumulative cash flows, over the months both cover; `None`
/// when B ends above A (it never pays back) or either has no months.
pub fn payback(a: &[CashMonth], b: &[CashMonth]) -> Option<Payback> {
    let n = a.len().min(b.len());
    // B - A at the end of each month, with 0 at the start.
    let gap: Vec<f64> = (0..n).map(|m| b[m].cumulative - a[m].cumulative).collect();
    let last = *gap.last()?;
    if last > 0.0 {
        return None;
    }
    // The month after the last one where B was still above A.
    let month = gap.iter().rposition(|&g| g > 0.0).map_or(0, |m| m + 1);
    let before = if month == 0 { 0.0 } else { gap[month - 1] };
    let at_months = if before > 0.0 {
        month as f64 + before / (before - gap[month])
    } else {
        0.0
    };
    Some(Payback {
        month,
        at_months: crate::units::four(at_months),
        saved_by_end: cents(-last),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npv_of_a_known_cash_flow() {
        // 12 months of 1,000 at 12.682503 % a year, i.e. exactly 1 % a month
        // (1.01^12 = 1.12682503): an annuity of 1,000 x (1 - 1.01^-12) / 0.01 = 11,255.077.
        let rate = 1.01f64.powi(12) - 1.0;
        let v = npv(std::iter::repeat_n(1_000.0, 12), rate);
        assert!((v - 11_255.077_473).abs() < 1e-3, "{v}");
        // One payment of 10,000 at the end of month 24 at 10 %: 10,000 / 1.1^2 = 8,264.46.
        let mut flows = vec![0.0; 24];
        flows[23] = 10_000.0;
        assert!((npv(flows, 0.10) - 8_264.462_809_9).abs() < 1e-6);
        // At 0 % the NPV is the plain sum.
        assert_eq!(npv([1.0, 2.0, 3.0], 0.0), 6.0);
    }

    /// Months with the given cumulative cash (the other columns do not matter here).
    fn curve(cumulative: &[f64]) -> Vec<CashMonth> {
        cumulative
            .iter()
            .enumerate()
            .map(|(month, &c)| CashMonth {
                month,
                capex: 0.0,
                opex: 0.0,
                one_off: 0.0,
                total: 0.0,
                cumulative: c,
            })
            .collect()
    }

    #[test]
    fn payback_month_of_two_known_curves() {
        // A pays 100 a month: 100, 200, ..., 600. B pays 250 in month 0 then 40 a month:
        // 250, 290, 330, 370, 410, 450. B - A: 150, 90, 30, -30, -90, -150: B is at or below
        // A from the end of month 3 on. Between month ends 2 and 3 the gap goes 30 -> -30,
        // crossing halfway: 3 + 30 / 60 = 3.5 months from the start. Saved by the end: 150.
        let a = curve(&[100.0, 200.0, 300.0, 400.0, 500.0, 600.0]);
        let b = curve(&[250.0, 290.0, 330.0, 370.0, 410.0, 450.0]);
        let p = payback(&a, &b).unwrap();
        assert_eq!((p.month, p.at_months, p.saved_by_end), (3, 3.5, 150.0));
        // Swapped, A never pays back against B.
        assert_eq!(payback(&b, &a), None);
        // A crossing that does not last is not a payback: B dips below at month 1 and ends
        // above.
        let c = curve(&[150.0, 190.0, 600.0, 700.0, 800.0, 900.0]);
        assert_eq!(payback(&a, &c), None);
        // Below A from the start: month 0, crossing at 0.
        let d = curve(&[50.0, 100.0]);
        let p = payback(&a, &d).unwrap();
        assert_eq!((p.month, p.at_months, p.saved_by_end), (0, 0.0, 100.0));
    }

    #[test]
    fn cumulative_runs_over_the_months() {
        let rows = cash_flow(&[[100.0, 10.0, 0.0], [0.0, 10.0, 5.0], [-20.0, 10.0, 0.0]]);
        let cum: Vec<f64> = rows.iter().map(|r| r.cumulative).collect();
        // 110; 110 + 15 = 125; 125 - 10 = 115.
        assert_eq!(cum, [110.0, 125.0, 115.0]);
        assert_eq!(rows[2].total, -10.0);
    }
}
