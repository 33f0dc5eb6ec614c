//! What a run tells people and machines: `Summary` (serialised as summary.json), the ledger as
//! CSV and the totals table printed by the CLI. Rendering functions write to `impl Write`; only
//! `files` touches the file system.

mod compare;
pub mod files;
pub mod html;
mod text;

pub use compare::{change, compare_rows, compare_table, venue_names, venue_total};
pub use text::totals_table;

use crate::scenario::{Scenario, VenueSize};
use crate::sim::{Category, Outcome, ScaledGroup};
use crate::trace::VmTable;
use crate::units::{HOUR, cents, format_duration, four};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;

/// Names the code fixes (categories, kinds, policies), read back from summary.json as owned.
pub type Name = Cow<'static, str>;

/// How many shortfalls summary.json lists one by one (all are counted).
pub const SHORTFALL_EXAMPLES: usize = 20;

/// `part / whole`, 0 for a site with no capacity (an optimizer's plan may have no hosts).
fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

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

fn by_month(scenario: &Scenario, outcome: &Outcome) -> Vec<MonthSummary> {
    let names = ledger_venue_names(scenario);
    let days = outcome.ledger.days();
    let months = month_of_day(days - 1) + 1;
    let mut out: Vec<MonthSummary> = (0..months)
        .map(|m| {
            let first_day = (0..days).find(|&d| month_of_day(d) == m).unwrap_or(days);
            let count = (0..days).filter(|&d| month_of_day(d) == m).count();
            MonthSummary {
                month: m,
                first_day,
                days: count,
                total: 0.0,
                by_venue: BTreeMap::new(),
                by_category: BTreeMap::new(),
            }
        })
        .collect();
    for (id, line) in outcome.ledger.lines().iter().enumerate() {
        for (d, amount) in outcome.ledger.daily(id).iter().enumerate() {
            if *amount != 0.0 {
                let m = &mut out[month_of_day(d)];
                m.total += amount;
                *m.by_venue
                    .entry(names[line.venue].to_string())
                    .or_insert(0.0) += amount;
                *m.by_category
                    .entry(line.category.name().into())
                    .or_insert(0.0) += amount;
            }
        }
    }
    for m in &mut out {
        m.total = cents(m.total);
        m.by_venue.values_mut().for_each(|a| *a = cents(*a));
        m.by_category.values_mut().for_each(|a| *a = cents(*a));
    }
    out
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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles of a series; `None` when it is empty.
    fn of(series: &[f32]) -> Option<Percentiles> {
        if series.is_empty() {
            return None;
        }
        let mut v: Vec<f64> = series.iter().map(|&x| f64::from(x)).collect();
        v.sort_unstable_by(f64::total_cmp);
        let rank = |p: f64| crate::uncertainty::stats::nearest_rank(&v, p);
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

/// Costs of ledger venue `v`: by category and by rule.
fn venue_costs(
    outcome: &Outcome,
    v: usize,
    by_category: &mut BTreeMap<Name, f64>,
) -> (f64, BTreeMap<Name, f64>, Vec<RuleAmount>) {
    let ledger = &outcome.ledger;
    let mut cats = BTreeMap::new();
    for cat in Category::ALL {
        let amount = ledger.total(v, cat);
        if amount != 0.0 {
            cats.insert(cat.name(), amount);
            *by_category.entry(cat.name().into()).or_insert(0.0) += amount;
        }
    }
    let mut rules: Vec<RuleAmount> = ledger
        .lines()
        .iter()
        .filter(|l| l.venue == v && l.total() != 0.0)
        .map(|l| RuleAmount {
            category: l.category.name().into(),
            rule: l.rule.clone(),
            amount: l.total(),
        })
        .collect();
    rules.sort_by(|a, b| {
        b.amount
            .total_cmp(&a.amount)
            .then_with(|| a.rule.cmp(&b.rule))
    });
    for r in &mut rules {
        r.amount = cents(r.amount);
    }
    let total: f64 = cats.values().sum();
    (
        cents(total),
        cats.into_iter()
            .map(|(k, a)| (k.into(), cents(a)))
            .collect(),
        rules,
    )
}

impl Summary {
    pub fn build(scenario: &Scenario, table: &VmTable, outcome: &Outcome) -> Summary {
        let mut by_category = BTreeMap::new();
        let mut venues = Vec::with_capacity(scenario.venues.len() + 1);
        let mut private_sites = Vec::new();
        for (v, (venue, out)) in scenario.venues.iter().zip(&outcome.venues).enumerate() {
            let (total, cats, by_rule) = venue_costs(outcome, v, &mut by_category);
            venues.push(VenueSummary {
                name: venue.name.clone(),
                kind: venue.book.kind.name().into(),
                book: venue.book.name.clone(),
                book_source: venue.book.source.clone(),
                book_as_of: venue.book.as_of.clone(),
                total,
                by_category: cats,
                by_rule,
                placements: out.placements,
                vm_hours: four(out.vm_seconds as f64 / HOUR as f64),
                commitments: out
                    .commitments
                    .iter()
                    .map(|c| CommitmentSummary {
                        what: c.what.clone(),
                        paid_hours: four(c.paid_hours),
                        utilisation: four(c.utilisation),
                    })
                    .collect(),
            });
            if let Some(site) = &out.site {
                let hosts = site.hosts as f64;
                let vcpu_capacity = four(hosts * site.capacity_per_host.milli_vcpu as f64 / 1000.0);
                let mem_gib_capacity = four(hosts * site.capacity_per_host.mib as f64 / 1024.0);
                let peak_vcpu = site.peak_allocated.milli_vcpu as f64 / 1000.0;
                let peak_mem = site.peak_allocated.mib as f64 / 1024.0;
                let (nodes_per_unit, units) = match site.size {
                    VenueSize::Hci { nodes, units } => (Some(nodes), Some(units)),
                    _ => (None, None),
                };
                private_sites.push(SiteSummary {
                    venue: venue.name.clone(),
                    hosts: site.hosts,
                    nodes_per_unit,
                    units,
                    vcpu_capacity,
                    mem_gib_capacity,
                    peak_vcpu_allocated: four(peak_vcpu),
                    peak_vcpu_allocated_ratio: four(ratio(peak_vcpu, vcpu_capacity)),
                    peak_mem_gib_allocated: four(peak_mem),
                    peak_mem_allocated_ratio: four(ratio(peak_mem, mem_gib_capacity)),
                    peak_unit_mem_gib: site.peak_unit_mem.map(|m| four(m.0)),
                    unit_mem_limit_gib: site.peak_unit_mem.map(|m| four(m.1)),
                    peak_cpu_used_ratio: site
                        .cpu_used
                        .iter()
                        .copied()
                        .reduce(f32::max)
                        .map(|x| four(f64::from(x))),
                    mean_cpu_used_ratio: (!site.cpu_used.is_empty()).then(|| {
                        four(
                            site.cpu_used.iter().map(|&x| f64::from(x)).sum::<f64>()
                                / site.cpu_used.len() as f64,
                        )
                    }),
                    cpu_used_percentiles: Percentiles::of(&site.cpu_used),
                    mem_allocated_percentiles: Percentiles::of(&site.mem_allocated),
                    mem_used_percentiles: Percentiles::of(&site.mem_used),
                    energy_kwh: site.energy_kwh.map(four),
                    carbon_kg: site.carbon_kg.map(four),
                    host_failures: site.failures,
                });
            }
        }
        let backup = match (&scenario.backup, &outcome.backup) {
            (Some(plan), Some(b)) => {
                let (total, cats, by_rule) =
                    venue_costs(outcome, scenario.venues.len(), &mut by_category);
                venues.push(VenueSummary {
                    name: plan.name.clone(),
                    kind: "backup".into(),
                    book: plan.book.name.clone(),
                    book_source: plan.book.source.clone(),
                    book_as_of: plan.book.as_of.clone(),
                    total,
                    by_category: cats,
                    by_rule,
                    placements: 0,
                    vm_hours: 0.0,
                    commitments: Vec::new(),
                });
                Some(BackupSummary {
                    service: plan.name.clone(),
                    windows_missed: b.transfers.iter().map(|t| t.windows_missed).sum(),
                    rpo_breaches: b.transfers.iter().map(|t| t.rpo_breaches).sum(),
                    protected_tb: four(b.protected_tb),
                    stored_tb: four(b.stored_tb),
                    stores: b.stores,
                    sites: b
                        .sites
                        .iter()
                        .zip(&b.transfers)
                        .map(|(s, t)| BackupSiteSummary {
                            site: s.name.clone(),
                            seeded_at_s: t.seeded_at,
                            nights: t.nights,
                            windows_missed: t.windows_missed,
                            rpo_breaches: t.rpo_breaches,
                            longest_job_hours: four(t.longest_job as f64 / HOUR as f64),
                            link_mbps: s.link_mbps,
                            nightly_tb: four(s.nightly_tb),
                            nightly_hours: four(s.nightly_hours),
                            seed_tb: four(s.seed_tb),
                            seed_days: four(s.seed_days),
                            drives: s.drives,
                        })
                        .collect(),
                })
            }
            _ => None,
        };
        let total: f64 = by_category.values().sum();

        // VMs placed when they arrived; venues' placements also count restarts and returns.
        let placed =
            table.vms.len() as u64 - outcome.vms_outside_horizon - outcome.shortfalls.len() as u64;
        let placed_seconds: u64 = outcome.venues.iter().map(|v| v.vm_seconds).sum();
        let unplaced_hours = four(outcome.unplaced_vm_seconds as f64 / HOUR as f64);
        let mut by_kind = BTreeMap::new();
        for s in &outcome.shortfalls {
            *by_kind.entry(s.kind.name().into()).or_insert(0) += 1;
        }
        let first = outcome
            .shortfalls
            .iter()
            .take(SHORTFALL_EXAMPLES)
            .map(|s| ShortfallExample {
                vm: s.vm.clone(),
                group: s.group.clone(),
                t_s: s.t,
                kind: s.kind.name().into(),
                reason: s.reason.clone(),
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
            policy: scenario.policy.name().into(),
            total: cents(total),
            by_category: by_category
                .into_iter()
                .map(|(k, a)| (k, cents(a)))
                .collect(),
            by_month: by_month(scenario, outcome),
            autoscale: outcome
                .autoscale
                .iter()
                .map(|g| ScaledGroup {
                    instance_hours: four(g.instance_hours),
                    unserved_core_hours: four(g.unserved_core_hours),
                    items_left: g.items_left.map(four),
                    ..g.clone()
                })
                .collect(),
            interruptions: InterruptionSummary {
                spot_evictions: outcome.interruptions.spot_evictions,
                host_failures: outcome.interruptions.host_failures,
                restarts: outcome.interruptions.restarts,
                returns: outcome.interruptions.returns,
            },
            sla_minutes_lost: four(outcome.down_seconds.iter().sum::<u64>() as f64 / 60.0),
            sla_minutes_lost_by_group: outcome
                .groups
                .iter()
                .zip(&outcome.down_seconds)
                .filter(|(_, s)| **s > 0)
                .map(|(g, s)| (g.clone(), four(*s as f64 / 60.0)))
                .collect(),
            energy_kwh: four(
                outcome
                    .venues
                    .iter()
                    .filter_map(|v| v.site.as_ref()?.energy_kwh)
                    .sum(),
            ),
            carbon_kg: four(
                outcome
                    .venues
                    .iter()
                    .filter_map(|v| v.site.as_ref()?.carbon_kg)
                    .sum(),
            ),
            venues,
            vms: VmSummary {
                in_trace: table.vms.len() as u64,
                outside_horizon: outcome.vms_outside_horizon,
                placed,
                unplaced: outcome.shortfalls.len() as u64,
                vm_hours_placed: four(placed_seconds as f64 / HOUR as f64),
                vm_hours_unplaced: unplaced_hours,
            },
            groups: outcome
                .groups
                .iter()
                .enumerate()
                .map(|(g, name)| GroupSummary {
                    group: name.clone(),
                    vm_hours: scenario
                        .venues
                        .iter()
                        .zip(&outcome.venues)
                        .filter(|(_, o)| o.group_vm_seconds[g] > 0)
                        .map(|(v, o)| {
                            let hours = o.group_vm_seconds[g] as f64 / HOUR as f64;
                            (v.name.clone(), four(hours))
                        })
                        .collect(),
                })
                .collect(),
            shortfalls: ShortfallSummary {
                count: outcome.shortfalls.len() as u64,
                vm_hours: unplaced_hours,
                by_kind,
                first,
            },
            private_sites,
            backup,
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

/// Names of the ledger's venues: the scenario's, then the backup service.
pub fn ledger_venue_names(scenario: &Scenario) -> Vec<&str> {
    let mut names: Vec<&str> = scenario.venues.iter().map(|v| v.name.as_str()).collect();
    if let Some(b) = &scenario.backup {
        names.push(&b.name);
    }
    names
}

/// ledger.csv: `day,venue,category,rule,amount`, one row per non-zero (day, venue, category,
/// rule), day 0 being the first day of the horizon; amounts in the scenario currency with six
/// decimals.
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
            names[row.venue],
            row.category.name(),
            row.rule,
            &format!("{:.6}", row.amount),
        ])?;
    }
    w.flush()
}
