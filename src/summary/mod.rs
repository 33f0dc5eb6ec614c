//! What a run comes to: `Summary` (serialised as summary.json) built from a simulation's
//! outcome. It sits right above `sim`: the report renders it, the optimizer validates against it
//! and the Monte Carlo runner keeps figures from it. [`simulate`] is the one way to go from a
//! loaded scenario and trace to an outcome and its summary.

mod build;
pub mod cashflow;
pub mod proposal;
pub mod rightsize;

use crate::error::{Error, InputError};
use crate::scenario::Scenario;
use crate::sim::{Outcome, ScaledGroup};
use crate::trace::Trace;
use crate::units::four;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;

/// Simulates a loaded scenario on its loaded trace: the outcome and its summary.
pub fn simulate(scenario: &Scenario, trace: &Trace) -> Result<(Outcome, Summary), Error> {
    let (outcome, summary, _) = simulate_sized(scenario, trace)?;
    Ok((outcome, summary))
}

/// [`simulate`], also returning each VM's right-sizing decision when the scenario has
/// `[rightsize]` (the VMs are simulated at their new sizes).
pub fn simulate_sized(
    scenario: &Scenario,
    trace: &Trace,
) -> Result<(Outcome, Summary, Option<rightsize::RightSizing>), Error> {
    match rightsize::prepare(scenario, trace)? {
        Some((resized, sizing)) => {
            let (outcome, mut summary) = simulate_as_given(scenario, &resized)?;
            summary.rightsize = Some(sizing.summary(&resized.table));
            Ok((outcome, summary, Some(sizing)))
        }
        None => {
            let (outcome, summary) = simulate_as_given(scenario, trace)?;
            Ok((outcome, summary, None))
        }
    }
}

/// Simulates the trace as given (no right-sizing).
fn simulate_as_given(scenario: &Scenario, trace: &Trace) -> Result<(Outcome, Summary), Error> {
    let mut known: Vec<&str> = trace.table.groups.iter().map(String::as_str).collect();
    known.extend(scenario.autoscale.iter().map(|a| a.group.as_str()));
    crate::scenario::check_group_names(scenario.groups.keys(), &known)
        .map_err(|e| e.in_file(&scenario.path))?;
    // A plan file's rules are keyed by group like the scenario's [groups] tables.
    if let Some(plan) = &scenario.plan {
        crate::scenario::check_group_names(plan.groups.keys(), &known)
            .map_err(|e| e.in_file(&plan.path))?;
    }
    if let Some((i, m)) =
        (scenario.migrations.iter().enumerate()).find(|(_, m)| !known.contains(&m.group.as_str()))
    {
        let msg = crate::known::unknown(&m.group, "a group of the trace", &known);
        return Err(InputError::key(&scenario.path, format!("migrations[{i}].group"), msg).into());
    }
    let outcome = crate::sim::run(scenario, &trace.table, trace.samples()?)?;
    let summary = Summary::build(scenario, &trace.table, &outcome);
    check_finite(&summary).map_err(|e| InputError::file(&scenario.path, e.to_string()))?;
    Ok((outcome, summary))
}

/// An amount that overflowed (a price factor of 1e308, a price of 1e300): the outputs would say
/// null, inf or a 40-digit figure instead of failing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Overflow {
    #[error(
        "the {category} cost of venue \"{venue}\" is {amount}: an amount overflowed; check its book's prices and the venue's price_factor and size"
    )]
    Venue {
        venue: String,
        category: String,
        amount: f64,
    },
    #[error(
        "the total cost is {0}: an amount overflowed; check the books' prices and the venues' price_factor and sizes"
    )]
    Total(f64),
}

/// Refuses a result whose amounts overflowed, naming the venue and category where it shows first.
fn check_finite(s: &Summary) -> Result<(), Overflow> {
    for v in &s.venues {
        for (category, amount) in &v.by_category {
            if !amount.is_finite() {
                return Err(Overflow::Venue {
                    venue: v.name.clone(),
                    category: category.to_string(),
                    amount: *amount,
                });
            }
        }
    }
    if !s.total.is_finite() {
        return Err(Overflow::Total(s.total));
    }
    Ok(())
}

/// Nearest-rank percentile `p` in 0..=1 (`sorted` ascending, non-empty): the smallest value
/// with at least that share of the values at or below it.
pub fn nearest_rank(sorted: &[f64], p: f64) -> f64 {
    sorted[((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// Names of the ledger's venues: the scenario's, then the backup service.
pub fn ledger_venue_names(scenario: &Scenario) -> Vec<&str> {
    let mut names: Vec<&str> = scenario.venues.iter().map(|v| v.name.as_str()).collect();
    if let Some(b) = &scenario.backup {
        names.push(&b.name);
    }
    names
}

/// Names the code fixes (categories, kinds, policies), read back from summary.json as owned.
pub type Name = Cow<'static, str>;

/// How many shortfalls summary.json lists one by one (all are counted).
pub const SHORTFALL_EXAMPLES: usize = 20;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub scenario: String,
    pub description: String,
    pub currency: String,
    pub horizon: String,
    pub horizon_s: u64,
    pub step_s: u64,
    pub seed: u64,
    pub policy: Name,
    /// Total cost over the horizon.
    pub total: f64,
    pub by_category: BTreeMap<Name, f64>,
    /// In scenario order, then the backup service if the scenario has one.
    pub venues: Vec<VenueSummary>,
    /// Cost per 730-hour month (a day belongs to the month its start falls in).
    pub by_month: Vec<MonthSummary>,
    /// Cash per month (capital, operating, one-off) and its running total (summary/cashflow.rs).
    #[serde(default)]
    pub cash_flow: Vec<cashflow::CashMonth>,
    /// The cash flow's net present value, when the scenario gives `money.discount_rate_pct`.
    #[serde(default)]
    pub npv: Option<cashflow::Npv>,
    /// Commitments that run on past the horizon: what is left to pay.
    #[serde(default)]
    pub liabilities: Vec<cashflow::Liability>,
    /// Migration waves (`[[migrations]]`), left out when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub migrations: Vec<cashflow::MigrationSummary>,
    pub vms: VmSummary,
    /// Where each group ran: VM-hours per venue (venues it never used are left out).
    #[serde(default)]
    pub groups: Vec<GroupSummary>,
    pub shortfalls: ShortfallSummary,
    /// Private and HCI venues, in scenario order.
    pub private_sites: Vec<SiteSummary>,
    pub backup: Option<BackupSummary>,
    /// Autoscaled groups.
    pub autoscale: Vec<ScaledGroup>,
    /// Spot evictions, host failures, restarts and returns of burst VMs.
    pub interruptions: InterruptionSummary,
    /// Minutes VMs were down after an eviction or a failure, in total and by group.
    pub sla_minutes_lost: f64,
    pub sla_minutes_lost_by_group: BTreeMap<String, f64>,
    /// Facility energy of all owned sites with a power model, and its emissions where the
    /// sites give a carbon intensity.
    pub energy_kwh: f64,
    pub carbon_kg: f64,
    pub events: u64,
    pub usage_samples: u64,
    /// `[rightsize]`: VMs fitted to their percentile use before the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rightsize: Option<rightsize::RightsizeSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MonthSummary {
    pub month: usize,
    pub first_day: usize,
    pub days: usize,
    pub total: f64,
    pub by_venue: BTreeMap<String, f64>,
    pub by_category: BTreeMap<Name, f64>,
}

/// The month (of 730 hours) that day `d` starts in.
pub fn month_of_day(d: usize) -> usize {
    (d as f64 * 24.0 / crate::units::HOURS_PER_MONTH) as usize
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VenueSummary {
    pub name: String,
    /// public, private, hci or backup.
    pub kind: Name,
    pub book: String,
    pub book_source: String,
    pub book_as_of: String,
    pub total: f64,
    pub by_category: BTreeMap<Name, f64>,
    /// Amount per price rule, largest first.
    pub by_rule: Vec<RuleAmount>,
    pub placements: u64,
    pub vm_hours: f64,
    /// Reservations and savings plans, with the share of what was paid that was used.
    pub commitments: Vec<CommitmentSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleAmount {
    pub category: Name,
    pub rule: String,
    pub amount: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommitmentSummary {
    pub what: String,
    pub paid_hours: f64,
    pub utilisation: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VmSummary {
    pub in_trace: u64,
    pub outside_horizon: u64,
    pub placed: u64,
    pub unplaced: u64,
    pub vm_hours_placed: f64,
    pub vm_hours_unplaced: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupSummary {
    pub group: String,
    pub vm_hours: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShortfallSummary {
    pub count: u64,
    pub vm_hours: f64,
    pub by_kind: BTreeMap<Name, u64>,
    /// The first `SHORTFALL_EXAMPLES`, in time order.
    pub first: Vec<ShortfallExample>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShortfallExample {
    pub vm: String,
    pub group: String,
    pub t_s: u64,
    pub kind: Name,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SiteSummary {
    pub venue: String,
    pub hosts: usize,
    /// HCI: nodes per scale unit and units.
    pub nodes_per_unit: Option<u32>,
    pub units: Option<u32>,
    pub vcpu_capacity: f64,
    pub mem_gib_capacity: f64,
    pub peak_vcpu_allocated: f64,
    pub peak_vcpu_allocated_ratio: f64,
    pub peak_mem_gib_allocated: f64,
    pub peak_mem_allocated_ratio: f64,
    /// HCI: the most tenant memory in one unit and that unit's limit then (after the
    /// resiliency reserve and infrastructure), GiB.
    pub peak_unit_mem_gib: Option<f64>,
    pub unit_mem_limit_gib: Option<f64>,
    /// Used cores / physical cores at step boundaries (null without usage samples): the
    /// busiest step, the mean and percentiles.
    pub peak_cpu_used_ratio: Option<f64>,
    pub mean_cpu_used_ratio: Option<f64>,
    pub cpu_used_percentiles: Option<Percentiles>,
    /// Allocated memory / capacity at step boundaries.
    pub mem_allocated_percentiles: Option<Percentiles>,
    /// Used memory / capacity at step boundaries, when samples give memory utilisation.
    pub mem_used_percentiles: Option<Percentiles>,
    /// Facility energy (IT x PUE) and its emissions, when the book has a power model and the
    /// venue a carbon intensity.
    pub energy_kwh: Option<f64>,
    pub carbon_kg: Option<f64>,
    pub host_failures: u64,
    /// When storage is a limit (`[private.storage]`, HCI tenant storage): usable GiB per unit
    /// and the most the VMs' disks took in one unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_usable_gib: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_storage_gib: Option<f64>,
    /// When capacity grows by date (`[[capacity]]`, `[[growth]]`): what is in service from
    /// each change on, the first at time 0. Left out for a site of constant size.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capacity_changes: Vec<CapacityChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityChange {
    pub at_s: u64,
    /// The 730-hour month it falls in.
    pub month: usize,
    /// Hosts (HCI: nodes) and, for HCI, units in service from then.
    pub hosts: u64,
    pub units: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles of a series; `None` when it is empty.
    pub(crate) fn of(series: &[f32]) -> Option<Percentiles> {
        if series.is_empty() {
            return None;
        }
        let mut v: Vec<f64> = series.iter().map(|&x| f64::from(x)).collect();
        v.sort_unstable_by(f64::total_cmp);
        let rank = |p: f64| nearest_rank(&v, p);
        Some(Percentiles {
            p50: four(rank(0.50)),
            p95: four(rank(0.95)),
            p99: four(rank(0.99)),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InterruptionSummary {
    pub spot_evictions: u64,
    pub host_failures: u64,
    pub restarts: u64,
    pub returns: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupSummary {
    pub service: String,
    /// Nightly jobs that ended after their window closed, over all sites.
    pub windows_missed: u64,
    pub rpo_breaches: u64,
    pub protected_tb: f64,
    pub stored_tb: f64,
    pub stores: u32,
    pub sites: Vec<BackupSiteSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupSiteSummary {
    pub site: String,
    /// When the first full copy was at the target (null: not within the horizon).
    pub seeded_at_s: Option<u64>,
    pub nights: u64,
    pub windows_missed: u64,
    pub rpo_breaches: u64,
    pub longest_job_hours: f64,
    pub link_mbps: f64,
    pub nightly_tb: f64,
    pub nightly_hours: f64,
    pub seed_tb: f64,
    pub seed_days: f64,
    pub drives: u32,
}

impl Summary {
    /// summary.json: pretty-printed, keys in a fixed order, newline-terminated.
    pub fn write_json(&self, mut out: impl Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut out, self)?;
        out.write_all(b"\n")
    }
}
