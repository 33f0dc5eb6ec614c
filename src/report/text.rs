//! The totals table the CLI prints after a run.

use super::Summary;
use crate::units::format_amount;
use std::fmt::Write;

/// A plain-text table of cost by venue and category, then VM, site, commitment and backup figures.
pub fn totals_table(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} horizon, policy {}, seed {}; costs in {}",
        s.scenario, s.horizon, s.policy, s.seed, s.currency
    );
    let _ = writeln!(out);
    cost_table(&mut out, s);
    let _ = writeln!(out);
    vm_line(&mut out, s);
    site_lines(&mut out, s);
    autoscale_lines(&mut out, s);
    interruption_and_energy_lines(&mut out, s);
    commitment_lines(&mut out, s);
    backup_lines(&mut out, s);
    money_line(&mut out, s);
    out
}

/// With a discount rate (`[money]`): the cash spent, its NPV and what commitments leave to pay.
fn money_line(out: &mut String, s: &Summary) {
    let Some(npv) = &s.npv else { return };
    let spent = s.cash_flow.last().map_or(0.0, |m| m.cumulative);
    let owed: f64 = s.liabilities.iter().map(|l| l.amount).sum();
    let _ = writeln!(
        out,
        "cash flow: {} over {} months, NPV {} at {}% a year; {} still owed on commitments after the horizon",
        format_amount(spent),
        s.cash_flow.len(),
        format_amount(npv.value),
        npv.discount_rate_pct,
        format_amount(owed)
    );
}

/// Column widths of the cost table: the longest venue name, category and amount, or the header.
struct Widths {
    name: usize,
    cat: usize,
    amount: usize,
}

impl Widths {
    fn of(s: &Summary) -> Widths {
        let name = s
            .venues
            .iter()
            .map(|v| v.name.len())
            .max()
            .unwrap_or(0)
            .max("total".len());
        let cat = s
            .venues
            .iter()
            .flat_map(|v| v.by_category.keys())
            .map(|c| c.len())
            .max()
            .unwrap_or(0)
            .max("category".len());
        let amount = format_amount(s.total).len().max("amount".len());
        Widths { name, cat, amount }
    }

    /// One row: name, kind, category left-aligned, the amount right-aligned.
    fn row(&self, out: &mut String, name: &str, kind: &str, cat: &str, amount: &str) {
        let (name_w, cat_w, amount_w) = (self.name, self.cat, self.amount);
        let _ = writeln!(
            out,
            "{name:<name_w$}  {kind:<7}  {cat:<cat_w$}  {amount:>amount_w$}"
        );
    }
}

/// Cost by venue and category: the venue's name and kind on its first row, a `= venue` subtotal
/// when it has more than one category, `-` and zero when it has none, then the total.
fn cost_table(out: &mut String, s: &Summary) {
    let w = Widths::of(s);
    w.row(out, "venue", "kind", "category", "amount");
    for v in &s.venues {
        let mut first = true;
        for (cat, amount) in &v.by_category {
            let (name, kind) = if first {
                (v.name.as_str(), v.kind.as_ref())
            } else {
                ("", "")
            };
            w.row(out, name, kind, cat, &format_amount(*amount));
            first = false;
        }
        if first {
            w.row(out, &v.name, v.kind.as_ref(), "-", &format_amount(0.0));
        } else if v.by_category.len() > 1 {
            w.row(out, "", "", "= venue", &format_amount(v.total));
        }
    }
    w.row(out, "total", "", "", &format_amount(s.total));
}

/// VMs in the trace, placed (by venue), unplaced (by reason) and starting after the horizon.
fn vm_line(out: &mut String, s: &Summary) {
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
        let _ = write!(out, " (placements: {})", placed.join(", "));
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
}

/// Per private site: its size, peak allocation, busiest unit and CPU use when known.
fn site_lines(out: &mut String, s: &Summary) {
    for site in &s.private_sites {
        let size = match (site.nodes_per_unit, site.units) {
            (Some(n), Some(u)) => format!("{u} scale unit(s) of {n} nodes"),
            _ => format!("{} hosts", site.hosts),
        };
        let _ = write!(
            out,
            "{}: {size}, peak allocated {:.1}% of {} vCPU and {:.1}% of {} GiB",
            site.venue,
            site.peak_vcpu_allocated_ratio * 100.0,
            site.vcpu_capacity,
            site.peak_mem_allocated_ratio * 100.0,
            site.mem_gib_capacity
        );
        if let (Some(peak), Some(limit)) = (site.peak_unit_mem_gib, site.unit_mem_limit_gib) {
            let _ = write!(
                out,
                "; busiest unit {peak:.0} of {limit:.0} GiB tenant memory after reserve"
            );
        }
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
}

/// Per autoscaled group: peak, scale events, instance-hours, unserved work, deadline.
fn autoscale_lines(out: &mut String, s: &Summary) {
    for a in &s.autoscale {
        let _ = write!(
            out,
            "autoscale {} ({}): peak {} instances, {} out / {} in, {:.1} instance-hours, {:.1} core-hours unserved",
            a.group,
            a.policy,
            a.peak_instances,
            a.scale_outs,
            a.scale_ins,
            a.instance_hours,
            a.unserved_core_hours
        );
        if let Some(met) = a.deadline_met {
            let _ = write!(out, "; deadline {}", if met { "met" } else { "missed" });
        }
        let _ = writeln!(out);
    }
}

/// Interruptions and SLA minutes lost, then energy and carbon, each only when non-zero.
fn interruption_and_energy_lines(out: &mut String, s: &Summary) {
    let i = &s.interruptions;
    if i.spot_evictions + i.host_failures + i.returns > 0 || s.sla_minutes_lost > 0.0 {
        let _ = writeln!(
            out,
            "interruptions: {} spot evictions, {} host failures, {} restarts, {} burst VMs returned; {:.0} SLA minutes lost",
            i.spot_evictions, i.host_failures, i.restarts, i.returns, s.sla_minutes_lost
        );
    }
    if s.energy_kwh > 0.0 {
        let _ = write!(out, "energy: {:.0} kWh at the owned sites", s.energy_kwh);
        if s.carbon_kg > 0.0 {
            let _ = write!(out, ", {:.0} kgCO2e", s.carbon_kg);
        }
        let _ = writeln!(out);
    }
}

/// Per commitment: how much of the paid hours were used.
fn commitment_lines(out: &mut String, s: &Summary) {
    for v in &s.venues {
        for c in &v.commitments {
            let _ = writeln!(
                out,
                "{}: {} - {:.1}% of {:.0} paid hours used",
                v.name,
                c.what,
                c.utilisation * 100.0,
                c.paid_hours
            );
        }
    }
}

/// The backup service's totals and, per site, its nightly transfer, seeding and misses.
fn backup_lines(out: &mut String, s: &Summary) {
    if let Some(b) = &s.backup {
        let _ = writeln!(
            out,
            "{}: {:.1} TB protected, {:.2} TB stored after reduction in {} store(s)",
            b.service, b.protected_tb, b.stored_tb, b.stores
        );
        for site in &b.sites {
            let seeding = if site.drives > 0 {
                format!(" by {} drive(s)", site.drives)
            } else {
                " over the WAN".to_string()
            };
            let _ = writeln!(
                out,
                "  {}: {:.3} TB a night = {:.1} h at {} Mbps; seeded in {:.1} days{seeding}; {} of {} windows missed, {} RPO breaches",
                site.site,
                site.nightly_tb,
                site.nightly_hours,
                site.link_mbps,
                site.seed_days,
                site.windows_missed,
                site.nights,
                site.rpo_breaches
            );
        }
    }
}
