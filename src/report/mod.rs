//! What a run tells people and machines: `Summary` (serialised as summary.json), the ledger as
//! CSV and the totals table printed by the CLI. Rendering functions write to `impl Write`; only
//! `files` touches the file system.

pub mod files;
mod text;

pub use text::totals_table;

use crate::scenario::Scenario;
use crate::sim::{Category, Outcome};
use crate::trace::VmTable;
use crate::units::{HOUR, format_duration};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// How many shortfalls summary.json lists one by one (all are counted).
pub const SHORTFALL_EXAMPLES: usize = 20;

/// Money is rounded to cents when rendered; the ledger keeps full precision. Adding 0.0 turns
/// the -0.0 of an empty sum into 0.0.
fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0 + 0.0
}

/// Ratios and hours are rendered with four decimals.
fn four(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0 + 0.0
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub description: String,
    pub currency: String,
    pub horizon: String,
    pub horizon_s: u64,
    pub step_s: u64,
    pub seed: u64,
    pub policy: &'static str,
    /// Total cost over the horizon.
    pub total: f64,
    pub by_category: BTreeMap<&'static str, f64>,
    /// In scenario order.
    pub venues: Vec<VenueSummary>,
    pub vms: VmSummary,
    pub shortfalls: ShortfallSummary,
    /// Private venues only, in scenario order.
    pub private_sites: Vec<SiteSummary>,
    pub events: u64,
    pub usage_samples: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct VenueSummary {
    pub name: String,
    pub kind: &'static str,
    pub book: String,
    pub book_source: String,
    pub book_as_of: String,
    pub total: f64,
    pub by_category: BTreeMap<&'static str, f64>,
    pub placements: u64,
    pub vm_hours: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct VmSummary {
    pub in_trace: u64,
    pub outside_horizon: u64,
    pub placed: u64,
    pub unplaced: u64,
    pub vm_hours_placed: f64,
    pub vm_hours_unplaced: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShortfallSummary {
    pub count: u64,
    pub vm_hours: f64,
    pub by_kind: BTreeMap<&'static str, u64>,
    /// The first `SHORTFALL_EXAMPLES`, in time order.
    pub first: Vec<ShortfallExample>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShortfallExample {
    pub vm: String,
    pub group: String,
    pub t_s: u64,
    pub kind: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteSummary {
    pub venue: String,
    pub hosts: usize,
    pub vcpu_capacity: f64,
    pub mem_gib_capacity: f64,
    pub peak_vcpu_allocated: f64,
    pub peak_vcpu_allocated_ratio: f64,
    pub peak_mem_gib_allocated: f64,
    pub peak_mem_allocated_ratio: f64,
    /// Used cores / physical cores at the busiest step boundary (null without usage samples).
    pub peak_cpu_used_ratio: Option<f64>,
    pub mean_cpu_used_ratio: Option<f64>,
}

impl Summary {
    pub fn build(scenario: &Scenario, table: &VmTable, outcome: &Outcome) -> Summary {
        let ledger = &outcome.ledger;
        let mut by_category = BTreeMap::new();
        let mut venues = Vec::with_capacity(scenario.venues.len());
        let mut private_sites = Vec::new();
        for (v, (venue, out)) in scenario.venues.iter().zip(&outcome.venues).enumerate() {
            let mut cats = BTreeMap::new();
            for cat in Category::ALL {
                let amount = ledger.total(v, cat);
                if amount != 0.0 {
                    cats.insert(cat.name(), amount);
                    *by_category.entry(cat.name()).or_insert(0.0) += amount;
                }
            }
            let total: f64 = cats.values().sum();
            venues.push(VenueSummary {
                name: venue.name.clone(),
                kind: if out.site.is_some() {
                    "private"
                } else {
                    "public"
                },
                book: venue.book.name.clone(),
                book_source: venue.book.source.clone(),
                book_as_of: venue.book.as_of.clone(),
                total: cents(total),
                by_category: cats.into_iter().map(|(k, a)| (k, cents(a))).collect(),
                placements: out.placements,
                vm_hours: four(out.vm_seconds as f64 / HOUR as f64),
            });
            if let Some(site) = &out.site {
                let hosts = site.hosts as f64;
                let vcpu_capacity = hosts * site.capacity_per_host.milli_vcpu as f64 / 1000.0;
                let mem_gib_capacity = hosts * site.capacity_per_host.mib as f64 / 1024.0;
                let peak_vcpu = site.peak_allocated.milli_vcpu as f64 / 1000.0;
                let peak_mem = site.peak_allocated.mib as f64 / 1024.0;
                private_sites.push(SiteSummary {
                    venue: venue.name.clone(),
                    hosts: site.hosts,
                    vcpu_capacity,
                    mem_gib_capacity,
                    peak_vcpu_allocated: peak_vcpu,
                    peak_vcpu_allocated_ratio: four(peak_vcpu / vcpu_capacity),
                    peak_mem_gib_allocated: four(peak_mem),
                    peak_mem_allocated_ratio: four(peak_mem / mem_gib_capacity),
                    peak_cpu_used_ratio: site.peak_cpu_used.map(four),
                    mean_cpu_used_ratio: site.mean_cpu_used.map(four),
                });
            }
        }
        let total: f64 = by_category.values().sum();

        let placed: u64 = outcome.venues.iter().map(|v| v.placements).sum();
        let placed_seconds: u64 = outcome.venues.iter().map(|v| v.vm_seconds).sum();
        let unplaced_hours = four(outcome.unplaced_vm_seconds as f64 / HOUR as f64);
        let mut by_kind = BTreeMap::new();
        for s in &outcome.shortfalls {
            *by_kind.entry(s.kind.name()).or_insert(0) += 1;
        }
        let first = outcome
            .shortfalls
            .iter()
            .take(SHORTFALL_EXAMPLES)
            .map(|s| {
                let vm = &table.vms[s.vm as usize];
                ShortfallExample {
                    vm: vm.id.clone(),
                    group: table.group_name(vm).to_string(),
                    t_s: s.t,
                    kind: s.kind.name(),
                    reason: s.reason.clone(),
                }
            })
            .collect();

        Summary {
            scenario: scenario.name.clone(),
            description: scenario.description.clone(),
            currency: scenario.currency.to_string(),
            horizon: format_duration(scenario.horizon),
            horizon_s: scenario.horizon,
            step_s: scenario.step,
            seed: scenario.seed,
            policy: scenario.policy.name(),
            total: cents(total),
            by_category: by_category
                .into_iter()
                .map(|(k, a)| (k, cents(a)))
                .collect(),
            venues,
            vms: VmSummary {
                in_trace: table.vms.len() as u64,
                outside_horizon: outcome.vms_outside_horizon,
                placed,
                unplaced: outcome.shortfalls.len() as u64,
                vm_hours_placed: four(placed_seconds as f64 / HOUR as f64),
                vm_hours_unplaced: unplaced_hours,
            },
            shortfalls: ShortfallSummary {
                count: outcome.shortfalls.len() as u64,
                vm_hours: unplaced_hours,
                by_kind,
                first,
            },
            private_sites,
            events: outcome.events,
            usage_samples: outcome.usage_samples,
        }
    }

    /// summary.json: pretty-printed, keys in a fixed order, newline-terminated.
    pub fn write_json(&self, mut out: impl Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut out, self)?;
        out.write_all(b"\n")
    }
}

/// ledger.csv: `day,venue,category,amount`, one row per non-zero (day, venue, category), day 0
/// being the first day of the horizon; amounts in the scenario currency with six decimals.
pub fn write_ledger_csv(
    scenario: &Scenario,
    outcome: &Outcome,
    out: impl Write,
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["day", "venue", "category", "amount"])?;
    for row in outcome.ledger.rows() {
        w.write_record([
            row.day.to_string().as_str(),
            &scenario.venues[row.venue].name,
            row.category.name(),
            &format!("{:.6}", row.amount),
        ])?;
    }
    w.flush()
}
