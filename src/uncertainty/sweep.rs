//! A sweep's result: each grid point's figures as the mean of its replications with their
//! standard errors, and the paired change of the total from the point before it (the previous
//! value of the last key). Replication r of every point runs on the same random numbers (common
//! random numbers), so the change between two points is the input's effect measured run by run,
//! with far less noise than the difference of two independent means; and a greedy packing's
//! accident at one seed is averaged out instead of being the answer.

use super::interval::{self, Estimate};
use super::stats::Header;
use super::study::Record;
use std::fmt::Write;

/// One grid point of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The swept keys' values, in the order of the axes.
    pub values: Vec<f64>,
    /// Mean and standard error of the total over the point's replications.
    pub total: (f64, f64),
    /// Mean total per venue (and backup service), in scenario order.
    pub venues: Vec<(String, f64)>,
    pub shortfall_vm_hours: f64,
    pub backup_windows_missed: f64,
    pub carbon_kg: f64,
    /// Mean and standard error of the VM-hours.
    pub vm_hours: (f64, f64),
    /// The mean over replications of (this point's total - the previous point's total), both
    /// runs of each difference on the same random numbers, with its 95 % interval (Student's
    /// t); None at the first value of the last key.
    pub change: Option<Estimate>,
    /// The change's standard error (0 with one replication).
    pub change_se: f64,
}

/// The points of a sweep from its records (complete, in item order: each point's replications
/// together, see `Study::item`).
pub fn points(header: &Header, records: &[Record]) -> Vec<Point> {
    let per = header.replications.max(1) as usize;
    let last_axis = header.sweep.last().map_or(1, |a| a.values.len());
    let groups: Vec<&[Record]> = records.chunks(per).collect();
    let totals = |runs: &[Record]| -> Vec<f64> { runs.iter().map(|r| r.metrics.total).collect() };
    groups
        .iter()
        .enumerate()
        .map(|(p, runs)| {
            let pick = |f: &dyn Fn(&Record) -> f64| -> Vec<f64> { runs.iter().map(f).collect() };
            let mean = |v: &[f64]| interval::moments(v).0;
            let mean_se = |v: &[f64]| {
                let (mean, _, se) = interval::moments(v);
                (mean, se)
            };
            let here = totals(runs);
            let (change, change_se) = if p % last_axis == 0 {
                (None, 0.0)
            } else {
                let before = totals(groups[p - 1]);
                let diff: Vec<f64> = here.iter().zip(&before).map(|(h, b)| h - b).collect();
                (Some(interval::mean(&diff)), interval::moments(&diff).2)
            };
            let venues = runs[0].metrics.venues.iter().enumerate();
            Point {
                values: runs[0].values.clone(),
                total: mean_se(&here),
                venues: venues
                    .map(|(v, (name, _))| (name.clone(), mean(&pick(&|r| r.metrics.venues[v].1))))
                    .collect(),
                shortfall_vm_hours: mean(&pick(&|r| r.metrics.shortfall_vm_hours)),
                backup_windows_missed: mean(&pick(&|r| r.metrics.backup_windows_missed as f64)),
                carbon_kg: mean(&pick(&|r| r.metrics.carbon_kg)),
                vm_hours: mean_se(&pick(&|r| r.metrics.vm_hours)),
                change,
                change_se,
            }
        })
        .collect()
}

/// A sweep as CSV: one row per grid point, its values then its figures (means over the
/// replications, `_se` their standard errors; `total_change` is empty at the first value of the
/// last key).
pub fn write_csv(
    header: &Header,
    points: &[Point],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    // Keys are text, neutralised for spreadsheets; the figures are numbers.
    let cell = |s: &str| crate::text::csv_cell(s).into_owned();
    let mut head: Vec<String> = header.sweep.iter().map(|a| cell(&a.key)).collect();
    head.extend(
        [
            "replications",
            "total",
            "total_se",
            "total_change",
            "total_change_se",
            "vm_hours",
            "vm_hours_se",
        ]
        .map(String::from),
    );
    if let Some(p) = points.first() {
        head.extend(p.venues.iter().map(|(name, _)| format!("venue {name}")));
    }
    head.extend(["shortfall_vm_hours", "backup_windows_missed", "carbon_kg"].map(String::from));
    w.write_record(&head)?;
    for p in points {
        let mut row: Vec<String> = p.values.iter().map(|v| v.to_string()).collect();
        row.push(header.replications.max(1).to_string());
        row.push(p.total.0.to_string());
        row.push(p.total.1.to_string());
        match &p.change {
            Some(c) => row.extend([c.value.to_string(), p.change_se.to_string()]),
            None => row.extend([String::new(), String::new()]),
        }
        row.push(p.vm_hours.0.to_string());
        row.push(p.vm_hours.1.to_string());
        row.extend(p.venues.iter().map(|(_, v)| v.to_string()));
        row.push(p.shortfall_vm_hours.to_string());
        row.push(p.backup_windows_missed.to_string());
        row.push(p.carbon_kg.to_string());
        w.write_record(&row)?;
    }
    w.flush()
}

/// The terminal view of a sweep: one row per grid point, the cheapest (by mean) marked. With
/// one replication there is no standard error to show.
pub fn render(header: &Header, points: &[Point]) -> String {
    let mut out = String::new();
    let reps = header.replications.max(1);
    let what = if reps == 1 {
        "one replication each".to_string()
    } else {
        format!(
            "{reps} replications each (replication r of every point on the same random \
             numbers); mean +/- standard error"
        )
    };
    let _ = writeln!(
        out,
        "{}: sweep of {} points, {what}; costs in {}\n",
        header.scenario,
        points.len(),
        header.currency
    );
    let widths: Vec<usize> = header.sweep.iter().map(|a| a.key.len().max(8)).collect();
    for (a, w) in header.sweep.iter().zip(&widths) {
        let _ = write!(out, "{:>w$}  ", a.key);
    }
    let _ = writeln!(
        out,
        "{:>22}  {:>20}  {:>20}  {:>14}",
        "total", "change", "VM-hours", "shortfall VM-h"
    );
    let pm = |(mean, se): (f64, f64), digits: usize, sign: &str| match (reps, sign) {
        (1, "+") => format!("{mean:+.digits$}"),
        (1, _) => format!("{mean:.digits$}"),
        (_, "+") => format!("{mean:+.digits$} +/- {se:.digits$}"),
        _ => format!("{mean:.digits$} +/- {se:.digits$}"),
    };
    let cheapest = points
        .iter()
        .map(|p| p.total.0)
        .fold(f64::INFINITY, f64::min);
    for p in points {
        for (v, w) in p.values.iter().zip(&widths) {
            let _ = write!(out, "{v:>w$}  ");
        }
        let change = match &p.change {
            Some(c) => pm((c.value, p.change_se), 2, "+"),
            None => String::new(),
        };
        let mark = if p.total.0 == cheapest {
            "  <- cheapest"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{:>22}  {change:>20}  {:>20}  {:>14.1}{mark}",
            pm(p.total, 2, ""),
            pm(p.vm_hours, 1, ""),
            p.shortfall_vm_hours
        );
    }
    let _ = writeln!(
        out,
        "\nchange: the total minus the row above's (the previous value of the last key), \
         replication by replication"
    );
    out
}
