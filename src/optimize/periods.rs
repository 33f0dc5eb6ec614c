//! Sizing per year under growth. Over a horizon longer than a year the model gives each private
//! or HCI site a unit count per year (never fewer than the year before: units are bought, not
//! given back), each year's capacity checked against that year's demand steps, so hosts are
//! bought as demand arrives instead of all on day one for the last year's peak. The plan file
//! writes the additions as dated `[[capacity]]` rows, which the simulation of the plan follows.
//!
//! Years are 365 days from the start, the anniversaries of the money rules' escalation, so a
//! unit's cost in year p is its fixed items and power over that year, each escalated as the
//! simulator escalates its category ((1 + yearly)^p) and nothing for a category after its
//! contract ends. The objective counts money as `total` does (undiscounted); each addition's
//! present value at the scenario's discount rate is reported beside it.

use super::POWER_UTILISATION;
use crate::pricing::{Category, Power, TcoItem};
use crate::scenario::{Scenario, VenueSize};
use crate::units::{HOUR, SimTime, YEAR};
use serde::Serialize;

/// The first step of each year of the horizon: `[0]` (one period) when the horizon is a year
/// or less, or when the step does not divide a year (the years' steps would not line up).
pub fn first_steps(horizon: SimTime, step: SimTime) -> Vec<usize> {
    let step = step.max(1);
    if horizon <= YEAR || !YEAR.is_multiple_of(step) {
        return vec![0];
    }
    (0..horizon.div_ceil(YEAR))
        .map(|p| (p * YEAR / step) as usize)
        .collect()
}

/// The period (index into `first`) of step `t`.
pub fn period_of(first: &[usize], t: usize) -> usize {
    first.partition_point(|&s| s <= t).saturating_sub(1)
}

/// Whether the optimizer sizes venue `v` per year: the scenario spans more than one year, and
/// the venue has no dated `[[capacity]]` rows of its own (those are the user's decisions; a
/// `[[growth]]` rule is what per-year sizing replaces), and no host failures are simulated (they
/// cannot be combined with dated capacity yet).
pub fn sized_per_year(scenario: &Scenario, v: usize) -> bool {
    first_steps(scenario.horizon, scenario.step).len() > 1
        && !scenario.failures
        && !(scenario.capacity.iter()).any(|c| c.venue == v && !c.changes.is_empty())
}

/// The yearly factor of `category` on venue `v` in year `p`: (1 + yearly)^p by the venue's own
/// escalation rule, else the rule for every venue, else 1.
fn escalation(scenario: &Scenario, v: usize, category: Category, p: usize) -> f64 {
    let rules = &scenario.money.escalation;
    let rule = (rules
        .iter()
        .find(|r| r.category == category && r.venue == Some(v)))
    .or_else(|| {
        rules
            .iter()
            .find(|r| r.category == category && r.venue.is_none())
    });
    rule.map_or(1.0, |r| (1.0 + r.yearly).powi(p as i32))
}

/// The share of [from, to) before the venue's contract for `category` ends (1 without one).
fn under_contract(
    scenario: &Scenario,
    v: usize,
    category: Category,
    (from, to): (SimTime, SimTime),
) -> f64 {
    let ends = (scenario.money.contracts.iter())
        .filter(|c| c.venue == v && c.categories.contains(&category))
        .map(|c| c.ends)
        .min();
    match ends {
        Some(end) if to > from => (end.clamp(from, to) - from) as f64 / (to - from) as f64,
        _ => 1.0,
    }
}

/// One unit's cost in each year of the horizon: `per_unit` servers (an HCI unit's nodes; 1
/// host) with fixed `items` and `power` at the model's load, escalated and cut at contract
/// ends as the simulator bills them, times the venue's price factor `rate`.
pub fn unit_costs(
    scenario: &Scenario,
    v: usize,
    (items, power): (&[TcoItem], Option<&Power>),
    per_unit: f64,
    rate: f64,
) -> Vec<f64> {
    let years = first_steps(scenario.horizon, scenario.step).len() as u64;
    (0..years)
        .map(|p| {
            let span = (p * YEAR, ((p + 1) * YEAR).min(scenario.horizon));
            let hours = (span.1 - span.0) as f64 / HOUR as f64;
            let priced = |category: Category| {
                escalation(scenario, v, category, p as usize)
                    * under_contract(scenario, v, category, span)
            };
            let fixed: f64 = (items.iter())
                .map(|i| i.cost(hours) * priced(i.category))
                .sum();
            let power = power.map_or(0.0, |pw| {
                pw.cost(POWER_UTILISATION, hours) * priced(Category::Power)
            });
            (fixed + power) * per_unit * rate
        })
        .collect()
}

/// The fixed items and power of venue `v`'s servers, and how many servers make one unit (an
/// HCI unit of `nodes`; one host), for a private or HCI venue.
pub fn unit_of(
    scenario: &Scenario,
    v: usize,
    nodes: Option<u32>,
) -> Option<(Vec<TcoItem>, Option<&Power>, f64)> {
    let venue = &scenario.venues[v];
    if let Some(b) = venue.private() {
        return Some((b.fixed_items(), b.power(), 1.0));
    }
    let b = venue.hci()?;
    let n = nodes.or(match venue.size {
        VenueSize::Hci { nodes, .. } => Some(nodes),
        _ => None,
    })?;
    Some((
        b.tco.fixed_items(b.node.cores, b.node.sockets),
        b.tco.power.as_ref(),
        f64::from(n),
    ))
}

/// The present value of one unit of money a month in year `q` of `months` months (730 h each),
/// each month's paid at its end and discounted as summary.json's NPV discounts it: month m
/// (0-based from the start) worth 1 / (1 + rate)^((m + 1) / 12). The mean over the months.
pub fn year_factor(rate: f64, q: u64, months: u64) -> f64 {
    let months = months.max(1);
    let sum: f64 = (0..months)
        .map(|m| (1.0 + rate).powf(-((12 * q + m + 1) as f64) / 12.0))
        .sum();
    sum / months as f64
}

/// Units added to a site sized per year, at the start of a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Addition {
    /// Units added (hosts, or HCI scale units) and the units in service from then on.
    pub added: u32,
    pub units: u32,
    /// Seconds from the start, and the calendar date when the scenario has `start`.
    pub at: SimTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// What the added units cost from `at` to the end of the horizon, escalated (the model's
    /// prices: fixed items and power at 50 %), and its present value at the scenario's
    /// discount rate (`money.discount_rate_pct`).
    pub cost: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub present_value: Option<f64>,
}

/// What dates a recommendation's additions: when each period starts, the calendar start, the
/// discount rate.
pub struct Years {
    starts: Vec<SimTime>,
    horizon: SimTime,
    start: Option<crate::scenario::timeline::Date>,
    rate: Option<f64>,
}

impl Years {
    pub fn of(scenario: &Scenario, profile: &super::Profile) -> Years {
        Years {
            starts: (profile.periods.iter())
                .map(|&t| t as SimTime * profile.step)
                .collect(),
            horizon: scenario.horizon,
            start: scenario.start,
            rate: scenario.money.discount_rate,
        }
    }

    /// The additions of a site whose units in service per period are `schedule` (none for a
    /// site with one count for the horizon).
    pub fn additions(&self, site: &super::Site, schedule: &[u32]) -> Vec<Addition> {
        if schedule.len() < 2 || site.yearly_cost.len() != schedule.len() {
            return Vec::new();
        }
        let months = |q: usize| {
            let end = self.starts.get(q + 1).copied().unwrap_or(self.horizon);
            (end - self.starts[q]).div_ceil(730 * HOUR)
        };
        (1..schedule.len())
            .filter(|&p| schedule[p] > schedule[p - 1])
            .map(|p| {
                let added = schedule[p] - schedule[p - 1];
                let later = p..schedule.len();
                let cost: f64 = later.clone().map(|q| site.yearly_cost[q]).sum();
                let present_value = self.rate.map(|r| {
                    let pv: f64 = later
                        .map(|q| site.yearly_cost[q] * year_factor(r, q as u64, months(q)))
                        .sum();
                    crate::units::cents(pv * f64::from(added))
                });
                let at = self.starts[p];
                Addition {
                    added,
                    units: schedule[p],
                    at,
                    date: self.start.map(|d| {
                        crate::pricing::date_of_day(d.0 + (at / crate::units::DAY) as i64)
                    }),
                    cost: crate::units::cents(cost * f64::from(added)),
                    present_value,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{DAY, HOUR};

    #[test]
    fn years_start_at_whole_steps() {
        // Three years of hourly steps: 8,760 steps a year, so years start at 0, 8,760, 17,520.
        let first = first_steps(3 * YEAR, HOUR);
        assert_eq!(first, [0, 8_760, 17_520]);
        assert_eq!(period_of(&first, 0), 0);
        assert_eq!(period_of(&first, 8_759), 0);
        assert_eq!(period_of(&first, 8_760), 1);
        assert_eq!(period_of(&first, 26_279), 2);
        // 400 days: a second, 35-day year from step 365 (daily steps).
        assert_eq!(first_steps(400 * DAY, DAY), [0, 365]);
        // A year or less is one period; so is a step that does not divide a year (7 d).
        assert_eq!(first_steps(YEAR, HOUR), [0]);
        assert_eq!(first_steps(3 * YEAR, 7 * DAY), [0]);
    }

    #[test]
    fn a_year_of_monthly_money_is_discounted_month_by_month() {
        // 12 % a year, year 0 of 12 months: months paid at their ends, 1 / 1.12^(m / 12) for
        // m = 1..=12; the last is 1 / 1.12 = 0.892857, the first 1 / 1.12^(1/12) = 0.990600.
        // Their mean, sum 11.357 / 12 ~ 0.9464 (checked here against the months' own sum).
        let months: f64 = (1..=12).map(|m| 1.12f64.powf(-(m as f64) / 12.0)).sum();
        assert!((year_factor(0.12, 0, 12) - months / 12.0).abs() < 1e-12);
        assert!(year_factor(0.12, 0, 12) > 0.892857 && year_factor(0.12, 0, 12) < 0.990600);
        // Year 1 is worth year 0 / 1.12: every month is a year later.
        assert!((year_factor(0.12, 1, 12) - year_factor(0.12, 0, 12) / 1.12).abs() < 1e-12);
        // No rate, no discount.
        assert_eq!(year_factor(0.0, 2, 12), 1.0);
    }
}
