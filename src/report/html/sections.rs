//! The sections of a run's report, one function each; each returns its markup and pushes the
//! charts it draws.

use super::charts::{self, Chart, Row};
use super::{BackupNights, Inputs, Report, figure, money, pct};
use crate::optimize::Recommendation;
use crate::summary::{BackupSummary, GroupSummary, Summary};
use crate::uncertainty::stats;
use crate::units::{DAY, HOUR, HOURS_PER_MONTH};
use maud::{Markup, html};

/// Groups drawn one by one in the placement chart; the rest are listed in the table only.
const PLACEMENT_ROWS: usize = 30;

fn card(value: String, key: &str, class: &str) -> Markup {
    html! { div.card { div class=(format!("v {class}").trim_end()) { (value) } div.k { (key) } } }
}

pub fn headline(r: &Report) -> Markup {
    let s = r.summary;
    let months = s.horizon_s as f64 / (HOURS_PER_MONTH * HOUR as f64);
    let cur = &s.currency;
    let venues: Vec<_> = s
        .venues
        .iter()
        .filter(|v| v.total != 0.0 || v.vm_hours > 0.0)
        .collect();
    html! {
        div.cards {
            (card(format!("{} {cur}", money(s.total)), &format!("total over {}", s.horizon), ""))
            (card(format!("{} {cur}", money(s.total / months.max(1e-9))), "per month (730 hours)", ""))
            @if let Some(b) = r.baseline {
                @let saved = b.total - s.total;
                (card(
                    format!("{} {cur}", money(saved)),
                    &format!("saved against {} ({} of its {})", b.scenario,
                        pct(saved / b.total.abs().max(1e-9)), money(b.total)),
                    if saved >= 0.0 { "good" } else { "bad" },
                ))
            }
            (card(format!("{} of {}", s.vms.placed, s.vms.in_trace - s.vms.outside_horizon),
                "VMs placed when they arrived", if s.vms.unplaced > 0 { "bad" } else { "" }))
            @if s.shortfalls.count > 0 {
                (card(format!("{:.1}", s.shortfalls.vm_hours), "VM-hours without a venue (shortfalls)", "bad"))
            }
            @if s.sla_minutes_lost > 0.0 {
                (card(format!("{:.0}", s.sla_minutes_lost), "VM-minutes down after failures or evictions", "bad"))
            }
            @if s.carbon_kg > 0.0 {
                (card(format!("{:.0} kg", s.carbon_kg), &format!("CO2e of owned sites ({:.0} kWh)", s.energy_kwh), ""))
            }
        }
        p { "Scenario " strong { (s.scenario) } ", placement policy " em { (s.policy) }
            ", " (s.horizon) " simulated in steps of " (s.step_s / 60) " minutes." }
        h3 { "Cost by venue" }
        table {
            tr { th scope="col" { "venue" } th scope="col" { "kind" } th.n scope="col" { "total (" (cur) ")" } th.n scope="col" { "share" }
                 th.n scope="col" { "per month" } th.n scope="col" { "VM-hours" } }
            @for v in &venues {
                tr { th scope="row" { (v.name) } td { (v.kind) } td.n { (money(v.total)) }
                     td.n { (pct(v.total / s.total.abs().max(1e-9))) }
                     td.n { (money(v.total / months.max(1e-9))) } td.n { (format!("{:.0}", v.vm_hours)) } }
            }
        }
        h3 { "Cost by category" }
        table {
            tr { th scope="col" { "category" } th.n scope="col" { "total (" (cur) ")" } th.n scope="col" { "share" } }
            @for (c, a) in &s.by_category {
                tr { th scope="row" { (c) } td.n { (money(*a)) } td.n { (pct(a / s.total.abs().max(1e-9))) } }
            }
        }
        @let commitments: Vec<_> = s.venues.iter().flat_map(|v| v.commitments.iter().map(move |c| (v, c))).collect();
        @if !commitments.is_empty() {
            h3 { "Commitments" }
            table {
                tr { th scope="col" { "venue" } th scope="col" { "commitment" } th.n scope="col" { "hours paid" } th.n scope="col" { "used" } }
                @for (v, c) in commitments {
                    tr { th scope="row" { (v.name) } td { (c.what) } td.n { (format!("{:.0}", c.paid_hours)) }
                         td.n { (pct(c.utilisation)) } }
                }
            }
        }
    }
}

pub fn cost_over_time(r: &Report, out: &mut Vec<Chart>) -> Markup {
    let p = &r.periods;
    let cur = &r.summary.currency;
    let y = format!("{cur} per {}", p.unit);
    let x = if p.unit == "day" {
        "day"
    } else {
        "month (730 hours)"
    };
    let venues = charts::stacked_columns(
        "cost-by-venue",
        &format!("Cost per {} by venue", p.unit),
        x,
        &y,
        &p.labels,
        &charts::top_series(p.by_venue.clone()),
    );
    let cats = charts::stacked_columns(
        "cost-by-category",
        &format!("Cost per {} by category", p.unit),
        x,
        &y,
        &p.labels,
        &charts::top_series(p.by_category.clone()),
    );
    let m = html! {
        (figure(&venues, "Each column is one period's cost, stacked by the venue that billed it."))
        (figure(&cats, "The same cost stacked by what was paid for (compute, licences, power, storage, ...)."))
        p.note { "Up-front payments are amortised over their term; one-off charges (drive shipping, seeding) fall on their day." }
    };
    out.extend([venues, cats]);
    m
}

/// A bar of one group split into its venues' shares (0..1 each; none: not on that venue), drawn
/// as consecutive percentages.
fn shares_row(label: &str, venues: &[&str], share: impl Fn(&str) -> Option<f64>) -> Row {
    let mut at = 0.0;
    let segments = venues
        .iter()
        .enumerate()
        .filter_map(|(k, v)| {
            let pct = share(v)? * 100.0;
            at += pct;
            Some((at - pct, at, k))
        })
        .collect();
    Row {
        label: label.to_string(),
        segments,
    }
}

pub fn placement(s: &Summary, out: &mut Vec<Chart>) -> Markup {
    let venues: Vec<&str> = s
        .venues
        .iter()
        .filter(|v| v.kind != "backup")
        .map(|v| v.name.as_str())
        .collect();
    let total = |g: &GroupSummary| g.vm_hours.values().sum::<f64>();
    let mut groups: Vec<_> = s.groups.iter().filter(|g| total(g) > 0.0).collect();
    groups.sort_by(|a, b| total(b).total_cmp(&total(a)).then(a.group.cmp(&b.group)));
    let rows: Vec<Row> = groups
        .iter()
        .take(PLACEMENT_ROWS)
        .map(|g| {
            shares_row(&g.group, &venues, |v| {
                g.vm_hours.get(v).map(|h| h / total(g))
            })
        })
        .collect();
    let chart = charts::horizontal_bars(
        "placement",
        "Where each group ran (share of its VM-hours)",
        "% of the group's VM-hours",
        &venues,
        &rows,
        &[],
    );
    let caption = if groups.len() > PLACEMENT_ROWS {
        format!(
            "The {PLACEMENT_ROWS} largest of {} groups; the table lists all.",
            groups.len()
        )
    } else {
        "Each bar is one workload group, split by the venues its VMs ran on.".to_string()
    };
    let m = html! {
        (figure(&chart, &caption))
        table {
            tr { th scope="col" { "group" } th.n scope="col" { "VM-hours" } @for v in &venues { th.n scope="col" { (v) } } }
            @for g in &groups {
                tr { th scope="row" { (g.group) } td.n { (format!("{:.0}", total(g))) }
                     @for v in &venues { td.n { (g.vm_hours.get(*v).map(|h| format!("{h:.0}")).unwrap_or_default()) } } }
            }
        }
    };
    out.push(chart);
    m
}

pub fn private_sites(r: &Report, out: &mut Vec<Chart>) -> Markup {
    let s = r.summary;
    let mut figures = Vec::new();
    for site in &r.sites {
        let to_pct = |v: &[f32]| -> Vec<f64> { v.iter().map(|x| f64::from(*x) * 100.0).collect() };
        let days = |i: usize| i as f64 * site.step_hours / 24.0;
        let mut lines = Vec::new();
        if !site.cpu_used.is_empty() {
            lines.push((
                "CPU used (% of cores)".to_string(),
                charts::downsample(&to_pct(site.cpu_used), days),
            ));
        }
        lines.push((
            "memory allocated (% of capacity)".to_string(),
            charts::downsample(&to_pct(site.mem_allocated), days),
        ));
        let x_max =
            days(site.mem_allocated.len().max(site.cpu_used.len()).max(1) - 1).max(1.0 / 24.0);
        let chart = charts::lines_with_limit(
            &format!("site-{}", slug(&site.venue)),
            &format!("{}: use against capacity", site.venue),
            "day",
            "% of capacity",
            x_max,
            &lines,
            Some(("capacity (100 %)", 100.0)),
        );
        figures.push(figure(&chart, "Highest value of each drawn interval at step boundaries; the dashed line is the site's capacity."));
        out.push(chart);
    }
    html! {
        table {
            tr { th scope="col" { "site" } th.n scope="col" { "hosts" } th.n scope="col" { "vCPU" } th.n scope="col" { "memory GiB" } th.n scope="col" { "peak vCPU allocated" }
                 th.n scope="col" { "peak memory allocated" } th.n scope="col" { "CPU used P95" } th.n scope="col" { "kWh" } th.n scope="col" { "host failures" } }
            @for p in &s.private_sites {
                tr { th scope="row" { (p.venue) } td.n { (p.hosts) } td.n { (format!("{:.0}", p.vcpu_capacity)) }
                     td.n { (format!("{:.0}", p.mem_gib_capacity)) } td.n { (pct(p.peak_vcpu_allocated_ratio)) }
                     td.n { (pct(p.peak_mem_allocated_ratio)) }
                     td.n { (p.cpu_used_percentiles.as_ref().map(|q| pct(q.p95)).unwrap_or_else(|| "no samples".into())) }
                     td.n { (p.energy_kwh.map(|e| format!("{e:.0}")).unwrap_or_default()) } td.n { (p.host_failures) } }
            }
        }
        @for f in figures { (f) }
    }
}

/// A chart id from a venue name (the scenario refuses two venues with the same one).
pub use crate::scenario::slug;

pub fn hci(s: &Summary, out: &mut Vec<Chart>) -> Markup {
    let sites: Vec<_> = s
        .private_sites
        .iter()
        .filter(|p| p.units.is_some())
        .collect();
    let rows: Vec<Row> = sites
        .iter()
        .filter_map(|p| {
            let (peak, limit) = (p.peak_unit_mem_gib?, p.unit_mem_limit_gib?);
            let unit = p.mem_gib_capacity / f64::from(p.units?.max(1));
            Some(Row {
                label: p.venue.clone(),
                segments: vec![
                    (0.0, peak, 0),
                    (peak, limit.max(peak), 1),
                    (limit.max(peak), unit.max(limit), 2),
                ],
            })
        })
        .collect();
    let chart = charts::horizontal_bars(
        "hci-unit-memory",
        "Memory of the busiest scale unit",
        "GiB",
        &["peak tenant memory", "headroom", "resiliency reserve"],
        &rows,
        &[],
    );
    let m = html! {
        table {
            tr { th scope="col" { "site" } th.n scope="col" { "nodes per unit" } th.n scope="col" { "units" } th.n scope="col" { "tenant vCPU" } th.n scope="col" { "tenant GiB" }
                 th.n scope="col" { "peak unit GiB" } th.n scope="col" { "unit limit GiB" } th.n scope="col" { "headroom GiB" } }
            @for p in &sites {
                tr { th scope="row" { (p.venue) } td.n { (p.nodes_per_unit.unwrap_or(0)) } td.n { (p.units.unwrap_or(0)) }
                     td.n { (format!("{:.0}", p.vcpu_capacity)) } td.n { (format!("{:.0}", p.mem_gib_capacity)) }
                     td.n { (p.peak_unit_mem_gib.map(|x| format!("{x:.0}")).unwrap_or_default()) }
                     td.n { (p.unit_mem_limit_gib.map(|x| format!("{x:.0}")).unwrap_or_default()) }
                     td.n { (p.peak_unit_mem_gib.zip(p.unit_mem_limit_gib).map(|(a, b)| format!("{:.0}", b - a)).unwrap_or_default()) } }
            }
        }
        (figure(&chart, "Tenant memory of one unit after infrastructure: what the busiest moment used, what was left, and what the resiliency reserve held back so a node can fail (the reserve grows with the largest VM)."))
    };
    out.push(chart);
    m
}

pub fn backup(
    s: &Summary,
    b: &BackupSummary,
    nights: Option<&BackupNights>,
    out: &mut Vec<Chart>,
) -> Markup {
    let window_hours = nights.map(|n| n.window_hours);
    let rows: Vec<Row> = b
        .sites
        .iter()
        .enumerate()
        .map(|(i, site)| {
            let typical = nights
                .and_then(|n| {
                    let mut h: Vec<f64> = n.sites.get(i)?.1.iter().map(|j| j.1).collect();
                    h.sort_by(f64::total_cmp);
                    (!h.is_empty()).then(|| stats::percentile(&h, 0.5))
                })
                .unwrap_or(site.nightly_hours);
            let longest = site.longest_job_hours.max(typical);
            Row {
                label: site.site.clone(),
                segments: vec![(0.0, typical, 0), (typical, longest, 1)],
            }
        })
        .collect();
    let markers: Vec<(&str, f64)> = window_hours
        .map(|w| ("backup window", w))
        .into_iter()
        .collect();
    let window = charts::horizontal_bars(
        "backup-window",
        "Nightly backup jobs against the window",
        "hours",
        &["median night", "longest night"],
        &rows,
        &markers,
    );
    let horizon_days = s.horizon_s as f64 / DAY as f64;
    let seeding_rows: Vec<Row> = b
        .sites
        .iter()
        .map(|site| {
            let (end, k) = match site.seeded_at_s {
                Some(t) => (t as f64 / DAY as f64, usize::from(site.drives == 0)),
                None => (horizon_days, 2),
            };
            Row {
                label: site.site.clone(),
                segments: vec![(0.0, end, k)],
            }
        })
        .collect();
    let seeding = charts::horizontal_bars(
        "backup-seeding",
        "Seeding: days until the first full copy is at the target",
        "days",
        &[
            "shipped drives",
            "over the WAN",
            "not seeded within the horizon",
        ],
        &seeding_rows,
        &[],
    );
    let m = html! {
        p { (b.service) ": " (format!("{:.1}", b.protected_tb)) " TB protected, "
            (format!("{:.1}", b.stored_tb)) " TB stored after compression and deduplication in "
            (b.stores) " store(s); " (b.windows_missed) " windows missed, " (b.rpo_breaches) " RPO breaches." }
        table {
            tr { th scope="col" { "site" } th.n scope="col" { "link Mbps" } th.n scope="col" { "nightly TB" } th.n scope="col" { "longest job h" }
                 th.n scope="col" { "windows missed" } th.n scope="col" { "seed TB" } th.n scope="col" { "seeded on day" } th.n scope="col" { "drives" } }
            @for x in &b.sites {
                tr { th scope="row" { (x.site) } td.n { (format!("{:.0}", x.link_mbps)) } td.n { (format!("{:.3}", x.nightly_tb)) }
                     td.n { (format!("{:.2}", x.longest_job_hours)) } td.n { (x.windows_missed) " of " (x.nights) }
                     td.n { (format!("{:.2}", x.seed_tb)) }
                     td.n { (x.seeded_at_s.map(|t| format!("{:.1}", t as f64 / DAY as f64)).unwrap_or_else(|| "not within horizon".into())) }
                     td.n { (x.drives) } }
            }
        }
        (figure(&window, "How long each site's nightly job ran; a bar past the window line is a missed window."))
        (figure(&seeding, "The first full copy travels by shipped drive or over the site's link before nightly jobs begin."))
        @if b.sites.iter().any(|x| crate::report::text::shared_seed(x).is_some()) {
            p.note id="shared-target" { "Seeding took longer than each link alone allows: " (crate::report::text::SHARED_TARGET_RULE) "." }
        }
    };
    out.extend([window, seeding]);
    m
}

pub fn uncertainty(study: &stats::Result, out: &mut Vec<Chart>) -> Markup {
    let reps = study.header.replications as usize;
    let totals: Vec<f64> = study.runs[..reps.min(study.runs.len())]
        .iter()
        .map(|r| r.metrics.total)
        .collect();
    let total = &study.figures[0];
    let cur = &study.header.currency;
    let hist = charts::histogram(
        "monte-carlo-total",
        &format!("Total cost over {reps} replications"),
        cur,
        &totals,
        (reps as f64).sqrt().ceil().clamp(5.0, 40.0) as usize,
        &[("P10", total.p10), ("P50", total.p50), ("P90", total.p90)],
    );
    let rows: Vec<Row> = study
        .sensitivity
        .iter()
        .map(|w| Row {
            // Each bar names its effect's 95 % interval and whether it is significant; a long
            // name gives way (to 24 characters) so that these always fit the chart's labels.
            label: format!(
                "{} [{:+.0}, {:+.0}]{}",
                crate::text::elide(&w.parameter, 24),
                w.effect_ci95.0,
                w.effect_ci95.1,
                if w.significant {
                    ""
                } else {
                    " not significant"
                }
            ),
            segments: vec![
                (total.p50, w.total_at_low, 0),
                (total.p50, w.total_at_high, 1),
            ],
        })
        .map(|mut r| {
            for s in &mut r.segments {
                if s.1 < s.0 {
                    std::mem::swap(&mut s.0, &mut s.1);
                }
            }
            r
        })
        .collect();
    // Whiskers: where the P90 bar's end lies given the P10 end, the effect's 95 % interval.
    let whiskers: Vec<(usize, f64, f64)> = (study.sensitivity.iter().enumerate())
        .map(|(r, w)| {
            (
                r,
                w.total_at_low + w.effect_ci95.0,
                w.total_at_low + w.effect_ci95.1,
            )
        })
        .collect();
    let tornado = charts::tornado(
        "tornado",
        "Sensitivity of total cost (parameter at P10 and at P90)",
        cur,
        &["parameter at P10", "parameter at P90"],
        &rows,
        &[("P50 of total", total.p50)],
        &whiskers,
    );
    let m = html! {
        p { (reps) " seeded replications drawing " (study.header.parameters.len()) " uncertain parameters (seed " (study.header.seed) ")." }
        (figure(&hist, "How the total cost is spread over the replications, with its 10th, 50th and 90th percentiles."))
        @if !study.sensitivity.is_empty() {
            (figure(&tornado, "Each parameter moved alone to its P10 and P90 (the others at their medians), mean of pairs of runs sharing their random numbers; widest effect on top. The whisker at the P90 bar's end is the effect's 95 % interval; an effect whose interval holds zero is marked not significant."))
            table {
                tr { th scope="col" { "parameter" } th.n scope="col" { "total at P10" } th.n scope="col" { "total at P90" } th.n scope="col" { "effect" } th.n scope="col" { "95 % interval" } th scope="col" { "" } }
                @for w in &study.sensitivity {
                    tr { th scope="row" { (w.parameter) } td.n { (money(w.total_at_low)) } td.n { (money(w.total_at_high)) }
                         td.n { (money(w.total_at_high - w.total_at_low)) }
                         td.n { (money(w.effect_ci95.0)) " .. " (money(w.effect_ci95.1)) }
                         td { @if !w.significant { "not significant" } } }
                }
            }
        }
        table {
            tr { th scope="col" { "figure" } th.n scope="col" { "mean ± se" } th.n scope="col" { "sd" } th.n scope="col" { "P10 [95 % CI]" } th.n scope="col" { "P50 [95 % CI]" } th.n scope="col" { "P90 [95 % CI]" } }
            @for f in &study.figures {
                tr { th scope="row" { (f.figure) } td.n { (money(f.mean)) " ± " (money(f.se)) } td.n { (money(f.sd)) }
                     td.n { (money(f.p10)) " [" (money(f.p10_ci95.0)) ", " (money(f.p10_ci95.1)) "]" }
                     td.n { (money(f.p50)) " [" (money(f.p50_ci95.0)) ", " (money(f.p50_ci95.1)) "]" }
                     td.n { (money(f.p90)) " [" (money(f.p90_ci95.0)) ", " (money(f.p90_ci95.1)) "]" } }
            }
        }
        h3 { "Parameters" }
        table {
            tr { th scope="col" { "parameter" } th scope="col" { "key" } th scope="col" { "distribution" } th.n scope="col" { "P10" } th.n scope="col" { "P50" } th.n scope="col" { "P90" } }
            @for p in &study.header.parameters {
                tr { th scope="row" { (p.name) } td { code { (p.key) } } td { (p.distribution) } td.n { (format!("{:.4}", p.p10)) }
                     td.n { (format!("{:.4}", p.p50)) } td.n { (format!("{:.4}", p.p90)) } }
            }
        }
    };
    out.push(hist);
    if !study.sensitivity.is_empty() {
        out.push(tornado);
    }
    m
}

pub fn optimizer(plan: &Recommendation, s: &Summary, out: &mut Vec<Chart>) -> Markup {
    // The venues any group has a share on, in the scenario's order.
    let names: Vec<&str> = s
        .venues
        .iter()
        .map(|v| v.name.as_str())
        .filter(|v| plan.groups.iter().any(|g| g.shares.contains_key(*v)))
        .collect();
    let rows: Vec<Row> = plan
        .groups
        .iter()
        .take(PLACEMENT_ROWS)
        .map(|g| shares_row(&g.group, &names, |v| g.shares.get(v).copied()))
        .collect();
    let chart = charts::horizontal_bars(
        "plan-shares",
        "Recommended share of each group per venue",
        "% of the group's VMs",
        &names,
        &rows,
        &[],
    );
    let cur = &plan.currency;
    let m = html! {
        p { "The optimizer chose the share of each group's VMs per venue and the hosts (or HCI scale units) of each owned site that cover "
            @if let Some(p) = plan.percentile { "each group's P" (p) " of demand" } @else { "the trace's demand at every distinct step" }
            " with " (pct(plan.headroom)) " of each host kept free"
            @if plan.whole_groups { ", each group on one venue" } "." }
        (figure(&chart, "The plan file written next to this report places VMs in these shares."))
        table {
            tr { th scope="col" { "" } th.n scope="col" { "planned (" (cur) ")" } }
            @for site in &plan.sites { tr { th scope="row" { (site.venue) " (" (site.hosts) " hosts)" } td.n { (money(site.cost)) } } }
            @for p in &plan.public { tr { th scope="row" { (p.venue) } td.n { (money(p.cost)) } } }
            @if plan.commitments > 0.0 { tr { th scope="row" { "commitments already bought" } td.n { (money(plan.commitments)) } } }
            tr { th scope="row" { "planned total" } td.n { strong { (money(plan.planned_total)) } } }
            tr { th scope="row" { "simulated total of the plan" } td.n { (money(s.total)) } }
            tr { th scope="row" { "difference" } td.n { (money(s.total - plan.planned_total)) " ("
                (format!("{:+.1} %", (s.total - plan.planned_total) / plan.planned_total.abs().max(1e-9) * 100.0)) ")" } }
        }
        @if s.shortfalls.count > 0 {
            p.bad { "The simulated plan left " (s.shortfalls.count) " VMs without a venue ("
                (format!("{:.1}", s.shortfalls.vm_hours)) " VM-hours)." }
        }
        @if !plan.commitments_to_buy.is_empty() {
            h3 { "Commitments to buy" }
            table {
                tr { th scope="col" { "venue" } th scope="col" { "buy" } th.n scope="col" { "break-even use" } th.n scope="col" { "expected use" } th.n scope="col" { "saving (" (cur) ")" } }
                @for a in &plan.commitments_to_buy {
                    tr { th scope="row" { (a.venue) } td { (a.what) } td.n { (pct(a.break_even_utilisation)) }
                         td.n { (pct(a.expected_utilisation)) } td.n { (money(a.saving)) } }
                }
            }
            p.note { "Read off the load-duration curve of the plan's on-demand public use: each commitment is bought as far as it is busy at least its break-even share of the hours." }
        }
        @if let Some(b) = &plan.backup {
            h3 { "Backup links" }
            p { "Seeding by " (b.seeding) "; " (b.stores) " store(s) for " (format!("{:.1}", b.stored_tb)) " TB stored; links and seeding "
                (money(b.cost)) " " (cur) " (the scenario's: " (money(b.current_cost)) ")." }
            table {
                tr { th scope="col" { "site" } th.n scope="col" { "Mbps" } th.n scope="col" { "now" } th.n scope="col" { "nightly h" } th.n scope="col" { "window h" } th.n scope="col" { "seeded in days" } th.n scope="col" { "cost" } }
                @for l in &b.sites {
                    tr { th scope="row" { (l.site) } td.n { (l.link_mbps) } td.n { (l.current_mbps) } td.n { (format!("{:.2}", l.nightly_hours)) }
                         td.n { (format!("{:.1}", b.window_hours)) } td.n { (format!("{:.1}", l.seed_days)) } td.n { (money(l.cost)) } }
                }
            }
            @for p in &b.problems { p.bad { (p) } }
        }
        h3 { "Why this plan" }
        @if plan.explanation.binding.is_empty() {
            p { "No capacity binds: every site has room at its busiest step, and the groups' venue restrictions cost nothing." }
        } @else {
            table {
                tr { th scope="col" { "binding constraint" } th scope="col" { "relaxed to" } th.n scope="col" { "change in total (" (cur) ")" } }
                @for b in &plan.explanation.binding {
                    tr { th scope="row" { (b.constraint) } td { (b.relaxed) } td.n { (money(b.marginal_cost)) } }
                }
            }
            p.note { "Each change is a re-solve of the model with that one constraint relaxed (the pure-Rust solver gives no dual values)." }
        }
        @if let Some(r) = &plan.explanation.runner_up {
            p { "Runner-up design: " strong { (r.design) } ", " (money(r.cost)) " " (cur)
                " (" (money(r.extra)) " more than the plan)." }
        }
        @if !plan.notes.is_empty() {
            ul.note { @for n in &plan.notes { li { (n) } } }
        }
    };
    out.push(chart);
    m
}

pub fn appendix(s: &Summary, inputs: Option<&Inputs>) -> Markup {
    html! {
        h3 { "Price books" }
        table {
            tr { th scope="col" { "venue" } th scope="col" { "kind" } th scope="col" { "book" } th scope="col" { "source" } th scope="col" { "as of" } }
            @for v in &s.venues {
                tr { th scope="row" { (v.name) } td { (v.kind) } td { (v.book) } td { (v.book_source) } td { (v.book_as_of) } }
            }
        }
        h3 { "Run" }
        table {
            tr { th scope="row" { "seed" } td { (s.seed) } }
            tr { th scope="row" { "events simulated" } td { (s.events) } }
            tr { th scope="row" { "usage samples" } td { (s.usage_samples) } }
            tr { th scope="row" { "VMs in the trace" } td { (s.vms.in_trace) " (" (s.vms.outside_horizon) " start after the horizon)" } }
        }
        @if let Some(i) = inputs {
            h3 { "Scenario file " code { (i.path) } }
            pre { (i.text) }
        }
    }
}

#[cfg(test)]
#[path = "sections_tests.rs"]
mod tests;
