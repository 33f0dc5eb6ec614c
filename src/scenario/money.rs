//! The `[money]` table: money over a multi-year horizon. Capital bought on a date and written
//! down straight-line, one-off costs on a date, yearly price escalation by category, and the
//! discount rate that turns the monthly cash flow into a net present value. Every amount is in
//! the scenario's currency.
//!
//! ```toml
//! [money]
//! discount_rate_pct = 8          # yearly; NPV discounts each month's cash flow
//! [[money.capital]]
//! name = "racks"; venue = "dc"; at = "2027-03-01"; cost = 120000; life = "5y"; residual_pct = 10
//! [[money.one_off]]
//! name = "consulting"; venue = "dc"; at = "30d"; cost = 20000
//! [[money.escalation]]
//! category = "software"; yearly_pct = 5   # venue = "dc" for one venue only
//! [[money.contract]]
//! venue = "vmware-dc"; ends = "2028-06-30"   # categories = ["software", "support"] by default
//! ```

use super::Venue;
use super::timeline::{self, Date};
use crate::error::KeyError;
use crate::pricing::Category;
use crate::units::{SimTime, de_duration};
use serde::Deserialize;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Money {
    /// Yearly discount rate as a share (0.08 = 8 %); `None` when the scenario gives none.
    pub discount_rate: Option<f64>,
    pub capital: Vec<Capital>,
    pub one_offs: Vec<OneOff>,
    pub escalation: Vec<Escalation>,
    pub contracts: Vec<Contract>,
}

/// A licence or support contract of `venue` that ends at `ends`: from then on the venue's
/// `categories` bill nothing, whatever hosts are still in service (at the day's share for the
/// day it ends on, since the ledger keeps a day's amount, spread evenly over it).
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    pub venue: usize,
    pub ends: SimTime,
    pub categories: Vec<Category>,
}

/// Equipment bought at `at` for `cost`, worth `residual` x cost after `life`, when it is sold
/// and bought again at the same cost (a refresh), for as long as the horizon lasts.
#[derive(Debug, Clone, PartialEq)]
pub struct Capital {
    pub name: String,
    pub venue: usize,
    pub at: SimTime,
    pub cost: f64,
    pub life: SimTime,
    /// Share of the cost it is worth at the end of its life (0..=1).
    pub residual: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OneOff {
    pub name: String,
    pub venue: usize,
    pub at: SimTime,
    pub cost: f64,
}

/// Prices of `category` (at `venue`, or every venue) rise by `yearly` (a share) on each
/// anniversary of the start: day d costs (1 + yearly)^floor(d / 365) times its book price.
#[derive(Debug, Clone, PartialEq)]
pub struct Escalation {
    pub category: Category,
    pub venue: Option<usize>,
    pub yearly: f64,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMoney {
    discount_rate_pct: Option<f64>,
    #[serde(default)]
    capital: Vec<RawCapital>,
    #[serde(default)]
    one_off: Vec<RawOneOff>,
    #[serde(default)]
    escalation: Vec<RawEscalation>,
    #[serde(default)]
    contract: Vec<RawContract>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContract {
    venue: String,
    ends: String,
    categories: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCapital {
    name: String,
    venue: String,
    at: String,
    cost: f64,
    #[serde(deserialize_with = "de_duration")]
    life: SimTime,
    #[serde(default)]
    residual_pct: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOneOff {
    name: String,
    venue: String,
    at: String,
    cost: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEscalation {
    category: String,
    venue: Option<String>,
    yearly_pct: f64,
}

/// Where the dated keys are read: the scenario's start, horizon and venues.
pub(super) struct Frame<'a> {
    pub start: Option<Date>,
    pub horizon: SimTime,
    pub venues: &'a [Venue],
}

impl Frame<'_> {
    pub fn venue(&self, key: &str, name: &str) -> Result<usize, KeyError> {
        let known: Vec<&str> = self.venues.iter().map(|v| v.name.as_str()).collect();
        crate::known::find(key, name, "a venue of this scenario", &known)
    }

    pub fn at(&self, key: &str, text: &str) -> Result<SimTime, KeyError> {
        timeline::parse_at(key, text, self.start, self.horizon)
    }
}

fn count(key: &str, n: usize, limit: usize) -> Result<(), KeyError> {
    super::limits::at_most(key.to_string(), n, limit)
}

fn amount(key: &str, value: f64) -> Result<f64, KeyError> {
    timeline::within(key, value, 0.0, timeline::MAX_AMOUNT)
}

impl RawMoney {
    pub fn validate(self, f: &Frame) -> Result<Money, KeyError> {
        count(
            "money.capital",
            self.capital.len(),
            timeline::MAX_CAPITAL_ITEMS,
        )?;
        count("money.one_off", self.one_off.len(), timeline::MAX_ONE_OFFS)?;
        count(
            "money.escalation",
            self.escalation.len(),
            timeline::MAX_ESCALATIONS,
        )?;
        let discount_rate = match self.discount_rate_pct {
            Some(r) => {
                let max = timeline::MAX_DISCOUNT_PCT;
                Some(timeline::within("money.discount_rate_pct", r, 0.0, max)? / 100.0)
            }
            None => None,
        };
        let mut capital = Vec::with_capacity(self.capital.len());
        for (i, c) in self.capital.into_iter().enumerate() {
            let key = |k: &str| format!("money.capital[{i}].{k}");
            if c.life == 0 || c.life > timeline::MAX_LIFE {
                let m = format!("{}s must be > 0 and at most 50y", c.life);
                return Err(KeyError::new(key("life"), m));
            }
            capital.push(Capital {
                venue: f.venue(&key("venue"), &c.venue)?,
                at: f.at(&key("at"), &c.at)?,
                cost: amount(&key("cost"), c.cost)?,
                life: c.life,
                residual: timeline::within(&key("residual_pct"), c.residual_pct, 0.0, 100.0)?
                    / 100.0,
                name: c.name,
            });
        }
        let mut one_offs = Vec::with_capacity(self.one_off.len());
        for (i, o) in self.one_off.into_iter().enumerate() {
            let key = |k: &str| format!("money.one_off[{i}].{k}");
            one_offs.push(OneOff {
                venue: f.venue(&key("venue"), &o.venue)?,
                at: f.at(&key("at"), &o.at)?,
                cost: amount(&key("cost"), o.cost)?,
                name: o.name,
            });
        }
        let escalation = validate_escalation(self.escalation, f)?;
        let contracts = validate_contracts(self.contract, f)?;
        Ok(Money {
            discount_rate,
            capital,
            one_offs,
            escalation,
            contracts,
        })
    }
}

/// The recurring cost categories named `name`, or an error listing them.
fn recurring(key: &str, name: &str) -> Result<Category, KeyError> {
    let recurring = Category::ALL.iter().filter(|c| {
        !matches!(
            c,
            Category::Depreciation | Category::OneOff | Category::Seeding
        )
    });
    recurring
        .clone()
        .find(|c| c.name() == name)
        .copied()
        .ok_or_else(|| {
            let names: Vec<&str> = recurring.map(|c| c.name()).collect();
            let m = crate::known::unknown(name, "a recurring cost category", &names);
            KeyError::new(key, m)
        })
}

/// Contracts: a venue, an end within the horizon, recurring categories (by default the
/// venue's software licences and hardware support).
fn validate_contracts(raw: Vec<RawContract>, f: &Frame) -> Result<Vec<Contract>, KeyError> {
    count("money.contract", raw.len(), timeline::MAX_CONTRACTS)?;
    let mut out = Vec::with_capacity(raw.len());
    for (i, c) in raw.into_iter().enumerate() {
        let key = |k: &str| format!("money.contract[{i}].{k}");
        let names = c
            .categories
            .unwrap_or_else(|| vec!["software".into(), "support".into()]);
        if names.is_empty() {
            let m = "[] names no category (leave the key out for software and support)";
            return Err(KeyError::new(key("categories"), m));
        }
        count(&key("categories"), names.len(), Category::ALL.len())?;
        let categories = names
            .iter()
            .map(|n| recurring(&key("categories"), n))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(Contract {
            venue: f.venue(&key("venue"), &c.venue)?,
            ends: f.at(&key("ends"), &c.ends)?,
            categories,
        });
    }
    Ok(out)
}

/// Escalation rules: a category that recurs (not depreciation or one-off costs), each
/// (category, venue) once.
fn validate_escalation(raw: Vec<RawEscalation>, f: &Frame) -> Result<Vec<Escalation>, KeyError> {
    let mut out: Vec<Escalation> = Vec::with_capacity(raw.len());
    for (i, e) in raw.into_iter().enumerate() {
        let key = |k: &str| format!("money.escalation[{i}].{k}");
        let category = recurring(&key("category"), &e.category)?;
        let venue = match &e.venue {
            Some(name) => Some(f.venue(&key("venue"), name)?),
            None => None,
        };
        let max = timeline::MAX_ESCALATION_PCT;
        let yearly = timeline::within(&key("yearly_pct"), e.yearly_pct, -max, max)? / 100.0;
        if out
            .iter()
            .any(|o| o.category == category && o.venue == venue)
        {
            let m = format!("\"{}\" already escalates at this venue", e.category);
            return Err(KeyError::new(key("category"), m));
        }
        out.push(Escalation {
            category,
            venue,
            yearly,
        });
    }
    Ok(out)
}

impl super::Commitment {
    /// What the commitment still costs after `horizon`: the rest of its term at its hourly
    /// price (the upfront spread over the term, plus the recurring part), in the scenario's
    /// currency (`rate` converts the venue's book).
    pub fn liability_after(&self, horizon: SimTime, rate: f64) -> f64 {
        let after = (self.term().hours() - horizon as f64 / crate::units::HOUR as f64).max(0.0);
        let per_hour = match self {
            super::Commitment::Reserved { count, offer, .. } => {
                f64::from(*count) * offer.effective_hourly()
            }
            super::Commitment::SavingsPlan { hourly, .. } => *hourly,
        };
        per_hour * rate * after
    }
}
