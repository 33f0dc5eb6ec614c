//! `Summary::build`: the outcome's figures, rounded as summary.json shows them (cents for money,
//! four decimals for the rest). Each part of the summary has its own function.

use super::*;
use crate::scenario::{BackupPlan, Venue, VenueSize};
use crate::sim::{BackupOutcome, Category, SiteOutcome, VenueOutcome};
use crate::trace::VmTable;
use crate::units::{HOUR, cents, format_duration};

/// `part / whole`, 0 for a site with no capacity (an optimizer's plan may have no hosts).
fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
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
            venues.push(venue_summary(outcome, v, venue, out, &mut by_category));
            if let Some(site) = &out.site {
                private_sites.push(site_summary(venue, site));
            }
        }
        let backup = match (&scenario.backup, &outcome.backup) {
            (Some(plan), Some(b)) => {
                let v = scenario.venues.len();
                venues.push(backup_venue(outcome, v, plan, &mut by_category));
                Some(backup_summary(plan, b))
            }
            _ => None,
        };
        let total: f64 = by_category.values().sum();
        let monthly = cashflow::monthly(scenario, outcome);
        let unplaced_hours = four(outcome.unplaced_vm_seconds as f64 / HOUR as f64);
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
            cash_flow: cashflow::cash_flow(&monthly),
            npv: cashflow::npv_of(scenario, &monthly),
            liabilities: cashflow::liabilities(scenario),
            migrations: cashflow::migrations(scenario, outcome),
            autoscale: autoscale(outcome),
            interruptions: InterruptionSummary {
                spot_evictions: outcome.interruptions.spot_evictions,
                host_failures: outcome.interruptions.host_failures,
                restarts: outcome.interruptions.restarts,
                returns: outcome.interruptions.returns,
            },
            sla_minutes_lost: four(outcome.down_seconds.iter().sum::<u64>() as f64 / 60.0),
            sla_minutes_lost_by_group: sla_by_group(outcome),
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
            vms: vm_summary(table, outcome, unplaced_hours),
            groups: group_summaries(scenario, outcome),
            shortfalls: shortfall_summary(outcome, unplaced_hours),
            private_sites,
            backup,
            events: outcome.events,
            usage_samples: outcome.usage_samples,
            rightsize: None,
        }
    }
}

/// A scenario venue's costs, placements and commitments.
fn venue_summary(
    outcome: &Outcome,
    v: usize,
    venue: &Venue,
    out: &VenueOutcome,
    by_category: &mut BTreeMap<Name, f64>,
) -> VenueSummary {
    let (total, cats, by_rule) = venue_costs(outcome, v, by_category);
    VenueSummary {
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
    }
}

/// A private or HCI site's capacity, peaks and utilisation.
fn site_summary(venue: &Venue, site: &SiteOutcome) -> SiteSummary {
    let hosts = site.hosts as f64;
    let vcpu_capacity = four(hosts * site.capacity_per_host.milli_vcpu as f64 / 1000.0);
    let mem_gib_capacity = four(hosts * site.capacity_per_host.mib as f64 / 1024.0);
    let peak_vcpu = site.peak_allocated.milli_vcpu as f64 / 1000.0;
    let peak_mem = site.peak_allocated.mib as f64 / 1024.0;
    let (nodes_per_unit, units) = match site.size {
        VenueSize::Hci { nodes, units } => (Some(nodes), Some(units)),
        _ => (None, None),
    };
    SiteSummary {
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
        storage_usable_gib: site.storage_gib.map(|s| four(s.0)),
        peak_storage_gib: site.storage_gib.map(|s| four(s.1)),
        capacity_changes: site
            .capacity
            .iter()
            .map(|&(at, count)| CapacityChange {
                at_s: at,
                month: month_of_day((at / crate::units::DAY) as usize),
                hosts: u64::from(count) * u64::from(nodes_per_unit.unwrap_or(1)),
                units: nodes_per_unit.map(|_| count),
            })
            .collect(),
    }
}

/// The backup service as a venue of the ledger (ledger venue `v`, after the scenario's).
fn backup_venue(
    outcome: &Outcome,
    v: usize,
    plan: &BackupPlan,
    by_category: &mut BTreeMap<Name, f64>,
) -> VenueSummary {
    let (total, cats, by_rule) = venue_costs(outcome, v, by_category);
    VenueSummary {
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
    }
}

/// The backup service's windows, stores and sites.
fn backup_summary(plan: &BackupPlan, b: &BackupOutcome) -> BackupSummary {
    BackupSummary {
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
    }
}

/// Autoscaled groups with their figures rounded.
fn autoscale(outcome: &Outcome) -> Vec<ScaledGroup> {
    outcome
        .autoscale
        .iter()
        .map(|g| ScaledGroup {
            instance_hours: four(g.instance_hours),
            unserved_core_hours: four(g.unserved_core_hours),
            items_left: g.items_left.map(four),
            ..g.clone()
        })
        .collect()
}

/// Minutes down per group, for the groups that were ever down.
fn sla_by_group(outcome: &Outcome) -> BTreeMap<String, f64> {
    outcome
        .groups
        .iter()
        .zip(&outcome.down_seconds)
        .filter(|(_, s)| **s > 0)
        .map(|(g, s)| (g.clone(), four(*s as f64 / 60.0)))
        .collect()
}

fn vm_summary(table: &VmTable, outcome: &Outcome, unplaced_hours: f64) -> VmSummary {
    // VMs placed when they arrived; venues' placements also count restarts and returns.
    let placed =
        table.vms.len() as u64 - outcome.vms_outside_horizon - outcome.shortfalls.len() as u64;
    let placed_seconds: u64 = outcome.venues.iter().map(|v| v.vm_seconds).sum();
    VmSummary {
        in_trace: table.vms.len() as u64,
        outside_horizon: outcome.vms_outside_horizon,
        placed,
        unplaced: outcome.shortfalls.len() as u64,
        vm_hours_placed: four(placed_seconds as f64 / HOUR as f64),
        vm_hours_unplaced: unplaced_hours,
    }
}

/// VM-hours of each group per venue, leaving out venues a group never used.
fn group_summaries(scenario: &Scenario, outcome: &Outcome) -> Vec<GroupSummary> {
    outcome
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
        .collect()
}

fn shortfall_summary(outcome: &Outcome, unplaced_hours: f64) -> ShortfallSummary {
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
    ShortfallSummary {
        count: outcome.shortfalls.len() as u64,
        vm_hours: unplaced_hours,
        by_kind,
        first,
    }
}
