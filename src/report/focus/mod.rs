//! The simulated ledger in the FinOps Open Cost and Usage Specification (FOCUS 1.0) columns, as
//! CSV and Parquet, so a FinOps team's tools read the simulated bill like a provider's.
//!
//! One FOCUS row per ledger row (day, venue, category, price rule). Public regions, private
//! sites, HCI units and the backup service all use the same columns: an owned site is its own
//! provider, publisher and invoice issuer. The ledger prices everything at the books' rates, so
//! BilledCost = EffectiveCost = ListCost = ContractedCost; reservations and savings plans are
//! already spread over their hours, so they are Purchase rows of their commitment with their
//! CommitmentDiscountId. Column meanings and allowed values follow the specification's v1.0
//! tag (github.com/FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec, specification/columns/*.md).

mod calendar;
mod parquet;

pub use parquet::write_parquet;

use crate::pricing::{BookKind, Category};
use crate::scenario::Scenario;
use crate::sim::Outcome;
use crate::units::DAY;
use calendar::{iso, month_start, next_month, parse_date};
use std::io::Write;

/// How a column is typed (FOCUS data types) and whether it may be null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// FOCUS Decimal: micro-units of the billing currency (Parquet DECIMAL(18,6)).
    Decimal,
    /// A nullable Decimal the simulation has no value for (always null).
    NullDecimal,
    /// FOCUS Date/Time: microseconds since 1970 UTC (Parquet TIMESTAMP, UTC).
    DateTime,
    String,
    NullableString,
}

/// The columns written, in order: FOCUS 1.0's mandatory columns and the conditional ones the
/// simulation knows.
pub const COLUMNS: [(&str, Kind); 34] = [
    ("BilledCost", Kind::Decimal),
    ("EffectiveCost", Kind::Decimal),
    ("ListCost", Kind::Decimal),
    ("ContractedCost", Kind::Decimal),
    ("BillingAccountId", Kind::String),
    ("BillingAccountName", Kind::NullableString),
    ("BillingCurrency", Kind::String),
    ("BillingPeriodStart", Kind::DateTime),
    ("BillingPeriodEnd", Kind::DateTime),
    ("ChargeCategory", Kind::String),
    ("ChargeClass", Kind::NullableString),
    ("ChargeDescription", Kind::NullableString),
    ("ChargeFrequency", Kind::String),
    ("ChargePeriodStart", Kind::DateTime),
    ("ChargePeriodEnd", Kind::DateTime),
    ("CommitmentDiscountCategory", Kind::NullableString),
    ("CommitmentDiscountId", Kind::NullableString),
    ("CommitmentDiscountName", Kind::NullableString),
    ("CommitmentDiscountType", Kind::NullableString),
    ("InvoiceIssuerName", Kind::String),
    ("PricingCategory", Kind::NullableString),
    ("PricingQuantity", Kind::NullDecimal),
    ("PricingUnit", Kind::NullableString),
    ("ProviderName", Kind::String),
    ("PublisherName", Kind::String),
    ("RegionId", Kind::NullableString),
    ("RegionName", Kind::NullableString),
    ("ResourceId", Kind::NullableString),
    ("ResourceName", Kind::NullableString),
    ("ResourceType", Kind::NullableString),
    ("ServiceCategory", Kind::String),
    ("ServiceName", Kind::String),
    ("SubAccountId", Kind::NullableString),
    ("SubAccountName", Kind::NullableString),
];

/// One FOCUS row: its cost in micro-units, its four times and every other cell as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub cost_micros: i64,
    /// BillingPeriodStart, BillingPeriodEnd, ChargePeriodStart, ChargePeriodEnd, in µs.
    pub times: [i64; 4],
    /// The string columns in `COLUMNS` order (cost and time columns skipped).
    pub text: Vec<Option<String>>,
}

/// What a venue of the ledger is, for the provider and service columns.
struct VenueInfo {
    name: String,
    provider: String,
    resource_type: &'static str,
    region: Option<String>,
}

fn venue_info(scenario: &Scenario) -> Vec<VenueInfo> {
    let first_word = |s: &str| s.split_whitespace().next().unwrap_or(s).to_string();
    let mut out: Vec<VenueInfo> = scenario
        .venues
        .iter()
        .map(|v| match &v.book.kind {
            BookKind::Public(p) => VenueInfo {
                name: v.name.clone(),
                provider: first_word(&v.book.name),
                resource_type: "Public cloud region",
                region: Some(p.region.clone()),
            },
            BookKind::Hci(h) => VenueInfo {
                name: v.name.clone(),
                provider: h.platform.clone(),
                resource_type: "HCI scale unit",
                region: None,
            },
            _ => VenueInfo {
                name: v.name.clone(),
                provider: v.name.clone(),
                resource_type: "Private cloud site",
                region: None,
            },
        })
        .collect();
    if let Some(b) = &scenario.backup {
        out.push(VenueInfo {
            name: b.name.clone(),
            provider: first_word(&b.book.name),
            resource_type: "Backup service",
            region: None,
        });
    }
    out
}

/// ServiceName, ServiceCategory and ChargeFrequency of a ledger category.
fn service(c: Category) -> (&'static str, &'static str, &'static str) {
    match c {
        Category::Compute => ("Virtual Machines", "Compute", "Usage-Based"),
        Category::Reserved => ("Reserved Instances", "Compute", "Recurring"),
        Category::SavingsPlan => ("Savings Plans", "Compute", "Recurring"),
        Category::Storage => ("Block Storage", "Storage", "Usage-Based"),
        Category::Egress | Category::Transfer => ("Data Transfer", "Networking", "Usage-Based"),
        Category::Hosts
        | Category::Capex
        | Category::Support
        | Category::Rack
        | Category::Staff
        | Category::Software => ("Owned Hosts", "Compute", "Recurring"),
        Category::Power => ("Owned Hosts", "Compute", "Usage-Based"),
        Category::Consumption => ("HCI Consumption", "Compute", "Usage-Based"),
        Category::BackupStorage => ("Backup", "Storage", "Recurring"),
        Category::Wan => ("Backup", "Networking", "Recurring"),
        Category::Seeding => ("Backup", "Migration", "One-Time"),
        Category::Licence => ("Backup", "Storage", "Recurring"),
        Category::Depreciation => ("Capital", "Other", "Recurring"),
        Category::OneOff => ("One-off costs", "Other", "One-Time"),
    }
}

/// The day the simulated horizon starts: the scenario's `start`, else the newest `as_of` of
/// its books (the prices are those of that date), as days since 1970-01-01.
fn start_day(scenario: &Scenario) -> i64 {
    if let Some(start) = scenario.start {
        return start.0;
    }
    let dates = scenario
        .venues
        .iter()
        .map(|v| v.book.as_of.as_str())
        .chain(scenario.backup.iter().map(|b| b.book.as_of.as_str()));
    dates.filter_map(parse_date).max().unwrap_or(0)
}

/// Every ledger row as a FOCUS row.
pub fn rows(scenario: &Scenario, outcome: &Outcome) -> Vec<Row> {
    let venues = venue_info(scenario);
    let day0 = start_day(scenario);
    let day_us = DAY as i64 * 1_000_000;
    let horizon_us = scenario.horizon as i64 * 1_000_000;
    let account = Some(scenario.name.clone());
    let currency = scenario.currency.as_str().to_string();
    let mut out = Vec::new();
    for r in outcome.ledger.rows() {
        let v = &venues[r.venue];
        let (service_name, service_category, frequency) = service(r.category);
        let day = day0 + r.day as i64;
        let start = (r.day as i64) * day_us;
        let end = (start + day_us).min(horizon_us.max(start + 1));
        let (commitment, kind) = match r.category {
            Category::Reserved => (true, ("Usage", "Reserved Instance")),
            Category::SavingsPlan => (true, ("Spend", "Savings Plan")),
            _ => (false, ("", "")),
        };
        let pricing = if commitment {
            "Committed"
        } else if r.rule.starts_with("spot ") {
            "Dynamic"
        } else {
            "Standard"
        };
        let some = |s: &str| Some(s.to_string());
        let when = |s: &str| commitment.then(|| s.to_string());
        let text = vec![
            account.clone(),                                     // BillingAccountId
            account.clone(),                                     // BillingAccountName
            Some(currency.clone()),                              // BillingCurrency
            some(if commitment { "Purchase" } else { "Usage" }), // ChargeCategory
            None,                                                // ChargeClass
            some(r.rule),                                        // ChargeDescription
            some(frequency),                                     // ChargeFrequency
            when(kind.0),                                        // CommitmentDiscountCategory
            when(&format!("{}/{}", v.name, r.rule)),             // CommitmentDiscountId
            when(r.rule),                                        // CommitmentDiscountName
            when(kind.1),                                        // CommitmentDiscountType
            some(&v.provider),                                   // InvoiceIssuerName
            some(pricing),                                       // PricingCategory
            None,                                                // PricingUnit
            some(&v.provider),                                   // ProviderName
            some(&v.provider),                                   // PublisherName
            v.region.clone(),                                    // RegionId
            v.region.clone(),                                    // RegionName
            Some(format!("{}/{}", scenario.name, v.name)),       // ResourceId
            some(&v.name),                                       // ResourceName
            some(v.resource_type),                               // ResourceType
            some(service_category),                              // ServiceCategory
            some(service_name),                                  // ServiceName
            some(&v.name),                                       // SubAccountId
            some(&v.name),                                       // SubAccountName
        ];
        out.push(Row {
            cost_micros: (r.amount * 1e6).round() as i64,
            times: [
                month_start(day) * day_us,
                next_month(day) * day_us,
                day0 * day_us + start,
                day0 * day_us + end,
            ],
            text,
        });
    }
    out
}

/// `focus.csv`: the columns in `COLUMNS` order; costs with six decimals, times as
/// `YYYY-MM-DDTHH:MM:SSZ`, nulls empty.
pub fn write_csv(rows: &[Row], out: impl Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS.iter().map(|c| c.0))?;
    let mut cells: Vec<String> = Vec::with_capacity(COLUMNS.len());
    for r in rows {
        cells.clear();
        let cost = format!("{:.6}", r.cost_micros as f64 / 1e6);
        let (mut t, mut s) = (0, 0);
        for (_, kind) in COLUMNS {
            cells.push(match kind {
                Kind::Decimal => cost.clone(),
                Kind::NullDecimal => String::new(),
                Kind::DateTime => {
                    t += 1;
                    iso(r.times[t - 1])
                }
                Kind::String | Kind::NullableString => {
                    s += 1;
                    let text = r.text[s - 1].as_deref().unwrap_or("");
                    crate::text::csv_cell(text).into_owned()
                }
            });
        }
        w.write_record(&cells)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests;
