//! The proposal's first page: the recommendation in one sentence with its figures, unit costs,
//! the same workload priced on each venue alone, and recurring against one-off costs. Every
//! figure comes from the summary layer or the optimizer's venue comparison; this file only
//! words and lays them out.

use super::charts::{self, Chart, Row};
use super::{Report, figure, money, pct};
use crate::optimize::alone::Comparison;
use crate::summary::Summary;
use crate::summary::proposal::{CostSplit, UnitCost, UnitCosts};
use crate::units::{HOUR, HOURS_PER_MONTH};
use maud::{Markup, html};

fn months(s: &Summary) -> f64 {
    (s.horizon_s as f64 / (HOURS_PER_MONTH * HOUR as f64)).max(1e-9)
}

/// What the run is set against: a label and its total, recurring per month and one-off cost.
pub struct Reference {
    pub label: String,
    pub total: f64,
    pub recurring_per_month: Option<f64>,
    pub one_off: f64,
}

/// The run to state a saving against: the --baseline run (the current estate), else the best
/// built-in policy the optimizer's plan was simulated beside, else the cheapest venue alone when
/// the run put VM-hours anywhere else.
pub fn reference(r: &Report) -> Option<Reference> {
    if let Some(b) = r.baseline {
        let one_off: f64 = b
            .by_category
            .iter()
            .filter(|(c, _)| crate::summary::proposal::ONE_OFF_CATEGORIES.contains(&c.as_ref()))
            .map(|(_, a)| a)
            .sum();
        return Some(Reference {
            label: format!("the current estate ({})", b.scenario),
            total: b.total,
            recurring_per_month: Some((b.total - one_off) / months(b)),
            one_off,
        });
    }
    let best_policy = r.plan.and_then(|p| p.validation.as_ref()).and_then(|v| {
        v.policies
            .iter()
            .filter(|p| p.unplaced_vms == 0)
            .min_by(|a, b| a.simulated_total.total_cmp(&b.simulated_total))
    });
    if let Some(p) = best_policy {
        return Some(Reference {
            label: format!("the best built-in policy ({})", p.policy),
            total: p.simulated_total,
            recurring_per_month: None,
            one_off: 0.0,
        });
    }
    let c = r.comparison.as_ref()?;
    let a = c.cheapest()?;
    // A run that already keeps every VM-hour on that venue is the same option: the two totals
    // differ only by the model's estimate against the simulation, which is no saving.
    let elsewhere = r
        .summary
        .venues
        .iter()
        .any(|v| v.vm_hours > 0.0 && v.name != a.venue);
    if !elsewhere {
        return None;
    }
    Some(Reference {
        label: format!("everything on {}, the cheapest single venue", a.venue),
        total: c.total(a)?,
        recurring_per_month: None,
        one_off: 0.0,
    })
}

/// Where the VM-hours ran, in words: "dc-east (62 % of VM-hours) and aws-us-east-1 (38 %)".
fn where_it_runs(s: &Summary) -> String {
    let hours: f64 = s.venues.iter().map(|v| v.vm_hours).sum();
    let parts: Vec<String> = s
        .venues
        .iter()
        .filter(|v| v.vm_hours > 0.0)
        .enumerate()
        .map(|(k, v)| {
            let share = v.vm_hours / hours.max(1e-9) * 100.0;
            let of = if k == 0 { " of VM-hours" } else { "" };
            format!("{} ({share:.0} %{of})", v.name)
        })
        .collect();
    match parts.len() {
        0 => "no venue".into(),
        1 => parts[0].clone(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

/// The recommendation in one sentence.
fn sentence(r: &Report, split: &CostSplit, refr: Option<&Reference>) -> String {
    let s = r.summary;
    let cur = &s.currency;
    // A plan that costs more than its reference is reported, not recommended.
    let dearer = refr.is_some_and(|x| x.total < s.total);
    let verb = match (r.plan, dearer) {
        (Some(_), false) => "We recommend running the workload on",
        (Some(_), true) => "The optimizer's plan runs the workload on",
        (None, _) => "As simulated, the workload runs on",
    };
    let mut out = format!(
        "{verb} {}: {} {cur} over {}, a run-rate of {} {cur} a month",
        where_it_runs(s),
        money(s.total),
        s.horizon,
        money(split.recurring_per_month)
    );
    if let Some(x) = refr {
        let saved = x.total - s.total;
        let word = if saved >= 0.0 { "less" } else { "more" };
        out.push_str(&format!(
            ", {} {cur} ({}) {word} than {}",
            money(saved.abs()),
            pct(saved.abs() / x.total.abs().max(1e-9)),
            x.label
        ));
    }
    out.push('.');
    out
}

fn card(id: &str, value: String, key: String, class: &str) -> Markup {
    html! { div.card id=(id) { div class=(format!("v {class}").trim_end()) { (value) } div.k { (key) } } }
}

/// Months until the recurring saving has paid back the extra one-off cost; `None` when
/// nothing is saved each month.
fn payback_months(r: &Report, split: &CostSplit, x: &Reference) -> Option<f64> {
    let recurring = x.recurring_per_month?;
    let saved = recurring - split.recurring_per_month;
    let one_off = split.one_off.iter().map(|o| o.1).sum::<f64>()
        + split.upfront.iter().map(|o| o.1).sum::<f64>()
        + r.plan.map_or(0.0, |p| p.migration);
    (saved > 0.0).then(|| ((one_off - x.one_off).max(0.0)) / saved)
}

/// The payback from both runs' cumulative cash flows (summary.json `cash_flow`, more than a
/// month each): (value, what it says).
fn cash_payback(b: &Summary, s: &Summary) -> (String, String) {
    let months = b.cash_flow.len().min(s.cash_flow.len());
    match crate::summary::cashflow::payback(&b.cash_flow, &s.cash_flow) {
        Some(p) if p.at_months == 0.0 => (
            "at once".into(),
            format!(
                "cumulative cash at or below the current estate's from the first month; {} saved by month {months}",
                money(p.saved_by_end)
            ),
        ),
        Some(p) => (
            format!("{:.1} months", p.at_months),
            format!(
                "payback against the current estate from cumulative cash flows (break-even in month {}); {} saved by month {months}",
                p.month + 1,
                money(p.saved_by_end)
            ),
        ),
        None => (
            "none".into(),
            format!(
                "cumulative cash still above the current estate's at the end of month {months}"
            ),
        ),
    }
}

/// The first page's headline: sentence, cards and the payback.
pub fn summary(r: &Report, split: &CostSplit) -> Markup {
    let s = r.summary;
    let cur = &s.currency;
    let refr = reference(r);
    let range = r.study.map(|st| &st.figures[0]);
    html! {
        p.recommendation id="recommendation" { (sentence(r, split, refr.as_ref())) }
        div.cards {
            (card("total", format!("{} {cur}", money(s.total)), format!("total over {}", s.horizon), ""))
            (card("run-rate", format!("{} {cur}", money(split.recurring_per_month)),
                "recurring run-rate per month (730 hours)".into(), ""))
            @if let Some(x) = &refr {
                @let saved = x.total - s.total;
                @let share = pct(saved.abs() / x.total.abs().max(1e-9));
                (card("saving", format!("{} {cur}", money(saved.abs())),
                    if saved >= 0.0 { format!("saved against {} ({share} of its {})", x.label, money(x.total)) }
                    else { format!("more than {} ({share} over its {})", x.label, money(x.total)) },
                    if saved >= 0.0 { "good" } else { "bad" }))
                @if let Some((value, key)) = r.baseline.filter(|b| crate::report::has_cash_flows(b, s)).map(|b| cash_payback(b, s)) {
                    (card("payback", value, key, ""))
                } @else if let Some(m) = payback_months(r, split, x) {
                    (card("payback", if m == 0.0 { "at once".into() } else { format!("{m:.1} months") },
                        format!("payback of the one-off costs from the monthly saving against {}", x.label), ""))
                }
            }
            @if let Some(f) = range {
                (card("range", format!("{} – {}", money(f.p10), money(f.p90)),
                    format!("P10–P90 of the total over {} replications", r.study.map_or(0, |st| st.header.replications)), ""))
            }
        }
    }
}

fn unit_row(u: &UnitCost, share_of: f64) -> Markup {
    let opt =
        |x: Option<f64>, digits: usize| x.map(|v| format!("{v:.digits$}")).unwrap_or_default();
    html! {
        tr { th scope="row" { (u.name) } td.n { (money(u.cost)) } td.n { (pct(u.cost / share_of.abs().max(1e-9))) }
             td.n { (format!("{:.0}", u.vm_hours)) } td.n { (format!("{:.0}", u.vcpu_hours)) }
             td.n { (opt(u.per_vm_month(), 2)) } td.n { (opt(u.per_vcpu_hour(), 4)) } }
    }
}

fn unit_table(caption: &str, first: &str, rows: &[UnitCost], all: &UnitCost, cur: &str) -> Markup {
    html! {
        table {
            caption { (caption) }
            thead { tr { th scope="col" { (first) } th.n scope="col" { "cost (" (cur) ")" } th.n scope="col" { "share" }
                th.n scope="col" { "VM-hours" } th.n scope="col" { "vCPU-hours" }
                th.n scope="col" { "per VM-month" } th.n scope="col" { "per vCPU-hour" } } }
            tbody {
                @for u in rows { (unit_row(u, all.cost)) }
                (unit_row(all, all.cost))
            }
        }
    }
}

/// Cost per VM-month and per vCPU-hour, by venue and by group.
pub fn unit_costs(u: &UnitCosts, cur: &str) -> Markup {
    html! {
        (unit_table("By venue", "venue", &u.by_venue, &u.workload, cur))
        @if !u.by_group.is_empty() {
            (unit_table("By group", "group", &u.by_group, &u.workload, cur))
        }
        p.note { "A VM-month is 730 VM-hours. A group's cost is each venue's cost shared by vCPU-hours among the groups that ran there, so an owned site's idle capacity is carried by the groups that use it."
            @if u.shared != 0.0 { " " (money(u.shared)) " " (cur) " (the backup service, venues that ran no VM) is in no unit cost." } }
    }
}

/// The workload priced on each venue alone beside the run.
pub fn venue_comparison(r: &Report, c: &Comparison, out: &mut Vec<Chart>) -> Markup {
    let s = r.summary;
    let cur = &s.currency;
    let this = match r.plan {
        Some(_) => "this plan (simulated)",
        None => "this run (simulated)",
    };
    let mut rows: Vec<Row> = c
        .venues
        .iter()
        .filter_map(|a| {
            Some(Row {
                label: format!("all on {}", a.venue),
                segments: vec![(0.0, c.total(a)?, 0)],
            })
        })
        .collect();
    rows.push(Row {
        label: this.to_string(),
        segments: vec![(0.0, s.total, 1)],
    });
    let chart = charts::horizontal_bars(
        "venue-comparison",
        "The same workload on each venue alone",
        cur,
        &["one venue", "the split"],
        &rows,
        &[],
    );
    let m = html! {
        (figure(&chart, "Each bar is the whole workload on one venue (with the parts every option pays); the last is the split as simulated."))
        table {
            thead { tr { th scope="col" { "option" } th scope="col" { "kind" } th scope="col" { "buys" }
                th.n scope="col" { "total (" (cur) ")" } th.n scope="col" { "per month" } th.n scope="col" { "against the split" } } }
            tbody {
                @for a in &c.venues {
                    tr {
                        th scope="row" { "all on " (a.venue) }
                        td { (a.kind) }
                        @if let Some(t) = c.total(a) {
                            td { (a.bought) @if !a.not_allowed.is_empty() { br; span.note { "not allowed for " (a.not_allowed.join(", ")) } } }
                            td.n { (money(t)) } td.n { (money(t / months(s))) }
                            td.n class=(if t >= s.total { "good" } else { "bad" }) { (format!("{:+.1} %", (t - s.total) / s.total.abs().max(1e-9) * 100.0)) }
                        } @else {
                            td colspan="4" { "cannot hold it: " (a.cannot.as_deref().unwrap_or("")) }
                        }
                    }
                }
                tr { th scope="row" { (this) } td { "split" } td { (where_it_runs(s)) } td.n { (money(s.total)) } td.n { (money(s.total / months(s))) } td.n { "" } }
            }
        }
        p.note { "Priced by the optimizer's model from the same books: public venues pay every VM on the cheapest instance type that fits (spot where a group asks for it) with its storage, traffic and licences; an owned site buys the whole hosts or scale units its busiest step needs with "
            (pct(c.headroom)) " of each kept free, plus consumption fees."
            @for (k, (part, amount)) in c.fixed.iter().enumerate() { @if k == 0 { " Every option also pays " } @else { ", " } (part) " (" (money(*amount)) ")" }
            @if !c.fixed.is_empty() { "." }
            " Groups' venue restrictions are ignored here and named." }
    };
    out.push(chart);
    m
}

/// Recurring run-rate against one-off payments.
pub fn recurring(r: &Report, split: &CostSplit) -> Markup {
    let cur = &r.summary.currency;
    let migration = r.plan.map_or(0.0, |p| p.migration);
    html! {
        table {
            thead { tr { th scope="col" { "" } th.n scope="col" { "amount (" (cur) ")" } } }
            tbody {
                tr { th scope="row" { "recurring over " (r.summary.horizon) } td.n { (money(split.recurring)) } }
                tr { th scope="row" { "recurring per month (run-rate)" } td.n { (money(split.recurring_per_month)) } }
                @for (what, a) in &split.one_off { tr { th scope="row" { "one-off: " (what) } td.n { (money(*a)) } } }
                @if migration > 0.0 { tr { th scope="row" { "one-off: moving groups off their current venue (planned, not in the total)" } td.n { (money(migration)) } } }
                @for (what, a) in &split.upfront { tr { th scope="row" { "paid up front: " (what) } td.n { (money(*a)) } } }
            }
        }
        p.note { "One-off charges fall on their day and are part of the total; up-front payments of reservations are paid on day one, while the total carries only their share of the horizon (amortised over the term)." }
    }
}
