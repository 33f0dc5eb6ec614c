//! Money over time in the ledger (`[money]`): dated capital written down straight-line,
//! one-off costs on their day, and yearly escalation of recurring prices. It runs once the
//! simulation has billed everything, so escalation applies to every amount of its category.

use super::ledger::{Category, Ledger};
use crate::scenario::Scenario;
use crate::scenario::money::Capital;
use crate::units::{DAY, SimTime, YEAR};

/// Books `[money]` into the ledger of a finished run.
pub fn apply(scenario: &Scenario, ledger: &mut Ledger) {
    let horizon = scenario.horizon;
    for c in &scenario.money.capital {
        let line = ledger.line(
            c.venue,
            Category::Depreciation,
            format!(
                "{}: straight-line over {}",
                c.name,
                crate::units::format_duration(c.life)
            ),
        );
        for (from, to) in lives(c, horizon) {
            ledger.spread(line, from, to.min(horizon), depreciation_per_second(c));
        }
    }
    for o in &scenario.money.one_offs {
        let line = ledger.line(o.venue, Category::OneOff, o.name.clone());
        ledger.add(line, o.at, o.cost);
    }
    escalate(scenario, ledger);
}

/// (cost - residual) / life: the straight-line write-down of one life, per second.
pub fn depreciation_per_second(c: &Capital) -> f64 {
    c.cost * (1.0 - c.residual) / c.life as f64
}

/// Each life of a capital item that starts within the horizon: [bought, sold), the first
/// bought at `at`, each next one when the previous is sold.
pub fn lives(c: &Capital, horizon: SimTime) -> impl Iterator<Item = (SimTime, SimTime)> + '_ {
    (0..)
        .map(move |k: u64| c.at + k * c.life)
        .take_while(move |&from| from < horizon)
        .map(move |from| (from, from + c.life))
}

/// Multiplies each recurring line's day d by (1 + yearly)^floor(d / 365): the venue's own rule
/// for its category if it has one, else the rule for every venue.
fn escalate(scenario: &Scenario, ledger: &mut Ledger) {
    let rules = &scenario.money.escalation;
    if rules.is_empty() {
        return;
    }
    let days_per_year = (YEAR / DAY) as usize;
    for id in 0..ledger.lines().len() {
        let line = &ledger.lines()[id];
        let (venue, category) = (line.venue, line.category);
        let rule = rules
            .iter()
            .find(|r| r.category == category && r.venue == Some(venue))
            .or_else(|| {
                rules
                    .iter()
                    .find(|r| r.category == category && r.venue.is_none())
            });
        if let Some(r) = rule {
            let yearly = r.yearly;
            ledger.scale_days(id, |d| (1.0 + yearly).powi((d / days_per_year) as i32));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::money::{Escalation, Money, OneOff};

    /// The test scenario over `horizon` with `money`.
    fn with_money(horizon: SimTime, money: Money) -> Scenario {
        let mut s = crate::sim::testkit::scenario(1, "policy = \"cheapest\"");
        s.horizon = horizon;
        s.money = money;
        s
    }

    fn capital(at: SimTime, cost: f64, life: SimTime, residual: f64) -> Capital {
        Capital {
            name: "racks".into(),
            venue: 0,
            at,
            cost,
            life,
            residual,
        }
    }

    #[test]
    fn capital_is_written_down_and_refreshed() {
        // 36,500 bought on day 10, life 100 days, residual 20 %: (36,500 - 7,300) / 100 days
        // = 292 a day. Over a 250-day horizon: lives from day 10, 110 and 210 (the last cut at
        // day 250, 40 days): 100 + 100 + 40 = 240 days x 292 = 70,080.
        let c = capital(10 * DAY, 36_500.0, 100 * DAY, 0.2);
        let horizon = 250 * DAY;
        let lives: Vec<_> = lives(&c, horizon).map(|(a, _)| a / DAY).collect();
        assert_eq!(lives, [10, 110, 210]);
        let mut ledger = Ledger::new(horizon);
        let scenario = with_money(
            horizon,
            Money {
                capital: vec![c],
                one_offs: vec![OneOff {
                    name: "consulting".into(),
                    venue: 0,
                    at: 30 * DAY,
                    cost: 5_000.0,
                }],
                ..Money::default()
            },
        );
        apply(&scenario, &mut ledger);
        let dep = ledger.total(0, Category::Depreciation);
        assert!((dep - 70_080.0).abs() < 1e-6, "{dep}");
        assert_eq!(ledger.daily(ledger.lines().len() - 1)[30], 5_000.0);
    }

    #[test]
    fn escalation_steps_up_on_each_anniversary() {
        // 10 a day of software for 3 years at +5 % a year: 3,650 + 3,832.5 + 4,024.125.
        let horizon = 3 * YEAR;
        let mut ledger = Ledger::new(horizon);
        let id = ledger.line(0, Category::Software, "licence");
        ledger.spread(id, 0, horizon, 10.0 / DAY as f64);
        let other = ledger.line(0, Category::Power, "tariff");
        ledger.spread(other, 0, horizon, 1.0 / DAY as f64);
        let money = Money {
            escalation: vec![Escalation {
                category: Category::Software,
                venue: None,
                yearly: 0.05,
            }],
            ..Money::default()
        };
        let scenario = with_money(horizon, money);
        apply(&scenario, &mut ledger);
        let software = ledger.total(0, Category::Software);
        assert!((software - 11_506.625).abs() < 1e-6, "{software}");
        assert!((ledger.total(0, Category::Power) - 1_095.0).abs() < 1e-9);
    }
}
