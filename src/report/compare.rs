//! Two runs side by side: the figures `compare` prints and its page tabulates.

use crate::summary::Summary;
use crate::units::{HOUR, HOURS_PER_MONTH, format_amount};
use std::fmt::Write;

/// Both runs' venues: A's in order, then those only B has.
pub fn venue_names<'a>(a: &'a Summary, b: &'a Summary) -> Vec<&'a str> {
    let mut names: Vec<&str> = a.venues.iter().map(|v| v.name.as_str()).collect();
    for v in &b.venues {
        if !names.contains(&v.name.as_str()) {
            names.push(&v.name);
        }
    }
    names
}

/// A venue's total (0 when the run has no such venue).
pub fn venue_total(s: &Summary, name: &str) -> f64 {
    s.venues
        .iter()
        .find(|v| v.name == name)
        .map_or(0.0, |v| v.total)
}

/// Cost per 730-hour month.
pub fn per_month(s: &Summary) -> f64 {
    s.total / (s.horizon_s as f64 / (HOURS_PER_MONTH * HOUR as f64)).max(1e-9)
}

/// (figure, A, B): totals, each venue, each category, then shortfalls and emissions.
pub fn compare_rows(a: &Summary, b: &Summary) -> Vec<(String, f64, f64)> {
    let mut rows = vec![
        ("total".to_string(), a.total, b.total),
        (
            "per month (730 hours)".to_string(),
            per_month(a),
            per_month(b),
        ),
    ];
    for v in venue_names(a, b) {
        rows.push((format!("venue {v}"), venue_total(a, v), venue_total(b, v)));
    }
    let mut cats: Vec<&str> = a
        .by_category
        .keys()
        .chain(b.by_category.keys())
        .map(|c| c.as_ref())
        .collect();
    cats.sort_unstable();
    cats.dedup();
    for c in cats {
        let get = |s: &Summary| s.by_category.get(c).copied().unwrap_or(0.0);
        rows.push((format!("category {c}"), get(a), get(b)));
    }
    rows.push((
        "VMs unplaced".into(),
        a.vms.unplaced as f64,
        b.vms.unplaced as f64,
    ));
    rows.push((
        "shortfall VM-hours".into(),
        a.shortfalls.vm_hours,
        b.shortfalls.vm_hours,
    ));
    rows.push(("kgCO2e".into(), a.carbon_kg, b.carbon_kg));
    rows
}

/// The change of B against A in per cent of A (`None` when A is zero).
pub fn change(a: f64, b: f64) -> Option<f64> {
    (a.abs() > 1e-9).then(|| (b - a) / a.abs() * 100.0)
}

/// The text table `hybridplan compare` prints.
pub fn compare_table(a: &Summary, b: &Summary) -> String {
    let rows = compare_rows(a, b);
    let w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(6);
    let mut out = String::new();
    let _ = writeln!(out, "A: {} ({}, {})", a.scenario, a.horizon, a.currency);
    let _ = writeln!(out, "B: {} ({}, {})\n", b.scenario, b.horizon, b.currency);
    let _ = writeln!(
        out,
        "{:<w$}  {:>14}  {:>14}  {:>14}  {:>8}",
        "figure", "A", "B", "B - A", "change"
    );
    for (name, x, y) in rows {
        let pct = change(x, y)
            .map(|c| format!("{c:+.1} %"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{name:<w$}  {:>14}  {:>14}  {:>14}  {pct:>8}",
            format_amount(x),
            format_amount(y),
            format_amount(y - x)
        );
    }
    if let Some(line) = payback_line(a, b) {
        let _ = writeln!(out, "\n{line}");
    }
    out
}

/// Both runs' cumulative cash flows, when both cover more than one month: a payback is about
/// months.
pub fn has_cash_flows(a: &Summary, b: &Summary) -> bool {
    a.cash_flow.len() > 1 && b.cash_flow.len() > 1
}

/// "payback: ..." from the cumulative cash flows, when both runs have them.
pub fn payback_line(a: &Summary, b: &Summary) -> Option<String> {
    if !has_cash_flows(a, b) {
        return None;
    }
    let months = a.cash_flow.len().min(b.cash_flow.len());
    Some(
        match crate::summary::cashflow::payback(&a.cash_flow, &b.cash_flow) {
            Some(p) if p.at_months == 0.0 => format!(
                "payback: B's cumulative cash is at or below A's from the first month; {} saved by month {months}",
                format_amount(p.saved_by_end)
            ),
            Some(p) => format!(
                "payback: B breaks even with A in month {} ({:.1} months from the start) and stays below; {} saved by month {months}",
                p.month + 1,
                p.at_months,
                format_amount(p.saved_by_end)
            ),
            None => format!(
                "payback: none; B's cumulative cash is above A's at the end of month {months}"
            ),
        },
    )
}
