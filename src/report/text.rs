//! The totals table the CLI prints after a run.

use super::Summary;
use crate::sim::Category;
use crate::units::format_amount;
use std::fmt::Write;

/// A plain-text table of cost by venue and category, then VM and site figures.
pub fn totals_table(s: &Summary) -> String {
    let mut out = String::new();
    let cats: Vec<&str> = Category::ALL
        .iter()
        .map(|c| c.name())
        .filter(|c| s.by_category.contains_key(c))
        .collect();
    let name_w = s
        .venues
        .iter()
        .map(|v| v.name.len())
        .max()
        .unwrap_or(0)
        .max("total".len());
    let cell = |x: Option<&f64>| x.map_or("-".to_string(), |a| format_amount(*a));
    let mut widths: Vec<usize> = cats.iter().map(|c| c.len()).collect();
    let mut total_w = "total".len().max(format_amount(s.total).len());
    for v in &s.venues {
        for (w, c) in widths.iter_mut().zip(&cats) {
            *w = (*w).max(cell(v.by_category.get(c)).len());
        }
        total_w = total_w.max(format_amount(v.total).len());
    }
    for (w, c) in widths.iter_mut().zip(&cats) {
        *w = (*w).max(cell(s.by_category.get(c)).len());
    }

    let _ = writeln!(
        out,
        "{}: {} horizon, policy {}, seed {}; costs in {}",
        s.scenario, s.horizon, s.policy, s.seed, s.currency
    );
    let _ = writeln!(out);
    let mut line = format!("{:<name_w$}  {:<7}", "venue", "kind");
    for (c, w) in cats.iter().zip(&widths) {
        let _ = write!(line, "  {c:>w$}");
    }
    let _ = write!(line, "  {:>total_w$}", "total");
    let _ = writeln!(out, "{line}");
    for v in &s.venues {
        let mut line = format!("{:<name_w$}  {:<7}", v.name, v.kind);
        for (c, w) in cats.iter().zip(&widths) {
            let _ = write!(line, "  {:>w$}", cell(v.by_category.get(c)));
        }
        let _ = write!(line, "  {:>total_w$}", format_amount(v.total));
        let _ = writeln!(out, "{line}");
    }
    let mut line = format!("{:<name_w$}  {:<7}", "total", "");
    for (c, w) in cats.iter().zip(&widths) {
        let _ = write!(line, "  {:>w$}", cell(s.by_category.get(c)));
    }
    let _ = write!(line, "  {:>total_w$}", format_amount(s.total));
    let _ = writeln!(out, "{line}");
    let _ = writeln!(out);

    let placed: Vec<String> = s
        .venues
        .iter()
        .filter(|v| v.placements > 0)
        .map(|v| format!("{} {}", v.name, v.placements))
        .collect();
    let _ = write!(
        out,
        "VMs: {} in trace, {} placed",
        s.vms.in_trace, s.vms.placed
    );
    if !placed.is_empty() {
        let _ = write!(out, " ({})", placed.join(", "));
    }
    let _ = write!(out, ", {} unplaced", s.vms.unplaced);
    if s.vms.unplaced > 0 {
        let kinds: Vec<String> = s
            .shortfalls
            .by_kind
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        let _ = write!(
            out,
            " ({}; {:.1} VM-hours)",
            kinds.join(", "),
            s.vms.vm_hours_unplaced
        );
    }
    if s.vms.outside_horizon > 0 {
        let _ = write!(out, ", {} start after the horizon", s.vms.outside_horizon);
    }
    let _ = writeln!(out);
    for site in &s.private_sites {
        let _ = write!(
            out,
            "{}: {} hosts, peak allocated {:.1}% of {} vCPU and {:.1}% of {} GiB",
            site.venue,
            site.hosts,
            site.peak_vcpu_allocated_ratio * 100.0,
            site.vcpu_capacity,
            site.peak_mem_allocated_ratio * 100.0,
            site.mem_gib_capacity
        );
        if let (Some(peak), Some(mean)) = (site.peak_cpu_used_ratio, site.mean_cpu_used_ratio) {
            let _ = write!(
                out,
                "; CPU used peak {:.1}%, mean {:.1}%",
                peak * 100.0,
                mean * 100.0
            );
        }
        let _ = writeln!(out);
    }
    out
}
