//! Trace statistics (`hybridplan trace stats`): VM counts, requested capacity, peak concurrency
//! and the distribution of CPU-utilisation samples, overall, per group and per day.
//!
//! Quantiles interpolate linearly between the two nearest order statistics (position
//! q x (n - 1) in the sorted samples, numpy's default); the standard deviation is the population
//! one (divides by n). Sums run in f64 over the samples' f32 values.

use super::{Sample, VmTable};
use crate::error::InputError;
use crate::units::{DAY, SimTime};
use serde::Serialize;
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    pub count: u64,
    pub mean: f64,
    pub std_dev: f64,
    pub min: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    pub max: f64,
}

/// Percentile `p` (0..=1) of ascending, non-empty `sorted` by linear interpolation between the
/// two nearest ranks.
pub fn interpolated(sorted: &[f32], p: f64) -> f64 {
    let pos = p * (sorted.len() as f64 - 1.0);
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let frac = pos - lo as f64;
    f64::from(sorted[lo]) + (f64::from(sorted[hi]) - f64::from(sorted[lo])) * frac
}

impl Distribution {
    /// The distribution of `values` (sorted here); `None` when empty.
    pub fn of(values: &mut [f32]) -> Option<Distribution> {
        if values.is_empty() {
            return None;
        }
        values.sort_unstable_by(f32::total_cmp);
        let n = values.len() as f64;
        let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = values
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        let q = |p: f64| interpolated(values, p);
        Some(Distribution {
            count: values.len() as u64,
            mean,
            std_dev: var.sqrt(),
            min: f64::from(values[0]),
            p25: q(0.25),
            p50: q(0.5),
            p75: q(0.75),
            p95: q(0.95),
            max: f64::from(values[values.len() - 1]),
        })
    }

    /// The same figures rounded to six decimals, for stable output.
    fn rounded(mut self) -> Self {
        let r = |x: &mut f64| *x = (*x * 1e6).round() / 1e6 + 0.0;
        for x in [
            &mut self.mean,
            &mut self.std_dev,
            &mut self.min,
            &mut self.p25,
            &mut self.p50,
            &mut self.p75,
            &mut self.p95,
            &mut self.max,
        ] {
            r(x);
        }
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TraceStats {
    pub vms: u64,
    pub vcpus_requested: f64,
    pub mem_gib_requested: f64,
    pub max_concurrent_vms: u64,
    /// The first time the maximum was reached.
    pub max_concurrent_at_s: SimTime,
    /// CPU utilisation samples (fractions 0..=1); null without usage.
    pub cpu_util: Option<Distribution>,
    pub by_group: Vec<GroupStats>,
    /// Present with `--by-day`: one entry per day (day 0 starts at 0 s) that has VMs or samples.
    pub by_day: Option<Vec<DayStats>>,
    /// What the reader adapted to fit the canonical form.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupStats {
    pub group: String,
    pub vms: u64,
    pub vcpus_requested: f64,
    pub mem_gib_requested: f64,
    pub cpu_util: Option<Distribution>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayStats {
    pub day: u64,
    /// VMs running at some moment of the day.
    pub vms_active: u64,
    pub cpu_util: Option<Distribution>,
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6 + 0.0
}

/// Computes the statistics in one pass over the samples (which must be in time order).
pub fn compute<I>(
    table: &VmTable,
    samples: Option<I>,
    by_day: bool,
    notes: Vec<String>,
) -> Result<TraceStats, InputError>
where
    I: Iterator<Item = Result<Sample, InputError>>,
{
    let groups = table.groups.len();
    let mut per_group: Vec<Vec<f32>> = vec![Vec::new(); groups];
    let mut days: Vec<DayStats> = Vec::new();
    let mut day_values: Vec<f32> = Vec::new();
    let mut current_day: Option<u64> = None;
    let mut last_t: SimTime = 0;
    let has_usage = samples.is_some();
    for s in samples.into_iter().flatten() {
        let s = s?;
        let vm = &table.vms[s.vm as usize];
        per_group[vm.group as usize].push(s.cpu);
        last_t = s.time();
        if by_day {
            let day = s.time() / DAY;
            if current_day != Some(day) {
                if let Some(d) = current_day {
                    days.push(DayStats {
                        day: d,
                        vms_active: 0,
                        cpu_util: Distribution::of(&mut day_values).map(Distribution::rounded),
                    });
                }
                day_values.clear();
                current_day = Some(day);
            }
            day_values.push(s.cpu);
        }
    }
    if let Some(d) = current_day {
        days.push(DayStats {
            day: d,
            vms_active: 0,
            cpu_util: Distribution::of(&mut day_values).map(Distribution::rounded),
        });
    }
    drop(day_values);

    // Overall distribution: the group vectors joined (moved, not copied, when there is one group).
    let overall = if !has_usage {
        None
    } else if groups == 1 {
        Distribution::of(&mut per_group[0])
    } else {
        let mut all: Vec<f32> = Vec::with_capacity(per_group.iter().map(Vec::len).sum());
        for g in &per_group {
            all.extend_from_slice(g);
        }
        Distribution::of(&mut all)
    };

    let by_group = group_stats(table, &mut per_group);
    let (peak, peak_at) = peak_concurrency(table);
    let by_day = by_day.then(|| day_stats(table, days, last_t));

    Ok(TraceStats {
        vms: table.vms.len() as u64,
        vcpus_requested: round6(table.vms.iter().map(|v| v.vcpus).sum()),
        mem_gib_requested: round6(table.vms.iter().map(|v| v.mem_gib).sum()),
        max_concurrent_vms: peak as u64,
        max_concurrent_at_s: peak_at,
        cpu_util: overall.map(Distribution::rounded),
        by_group,
        by_day,
        notes,
    })
}

/// Each group's VMs, requested capacity and CPU-utilisation samples.
fn group_stats(table: &VmTable, per_group: &mut [Vec<f32>]) -> Vec<GroupStats> {
    let mut by_group: Vec<GroupStats> = table
        .groups
        .iter()
        .map(|g| GroupStats {
            group: g.clone(),
            vms: 0,
            vcpus_requested: 0.0,
            mem_gib_requested: 0.0,
            cpu_util: None,
        })
        .collect();
    for vm in &table.vms {
        let g = &mut by_group[vm.group as usize];
        g.vms += 1;
        g.vcpus_requested += vm.vcpus;
        g.mem_gib_requested += vm.mem_gib;
    }
    for (g, values) in by_group.iter_mut().zip(per_group.iter_mut()) {
        g.cpu_util = Distribution::of(values).map(Distribution::rounded);
        g.vcpus_requested = round6(g.vcpus_requested);
        g.mem_gib_requested = round6(g.mem_gib_requested);
    }
    by_group
}

/// The most VMs running at once and the first time it was reached.
fn peak_concurrency(table: &VmTable) -> (i64, SimTime) {
    // A sweep over starts (+1) and ends (-1), ends first at equal times.
    let mut events: Vec<(SimTime, i8)> = Vec::with_capacity(table.vms.len() * 2);
    for vm in &table.vms {
        events.push((vm.start, 1));
        if let Some(end) = vm.end {
            events.push((end, -1));
        }
    }
    events.sort_unstable();
    let (mut now, mut peak, mut peak_at) = (0i64, 0i64, 0);
    for (t, delta) in events {
        now += i64::from(delta);
        if now > peak {
            peak = now;
            peak_at = t;
        }
    }
    (peak, peak_at)
}

/// The days with VMs or samples: VMs active each day, and the day's samples from `days`.
fn day_stats(table: &VmTable, days: Vec<DayStats>, last_t: SimTime) -> Vec<DayStats> {
    let last_end = table
        .vms
        .iter()
        .map(|v| v.end.unwrap_or(v.start + 1))
        .max()
        .unwrap_or(0);
    let n_days = (last_end.max(last_t + 1)).div_ceil(DAY) as usize;
    let mut active = vec![0u64; n_days.max(1)];
    for vm in &table.vms {
        let last = vm.end.map_or(n_days as u64 - 1, |e| (e - 1) / DAY);
        for d in vm.start / DAY..=last.min(n_days as u64 - 1) {
            active[d as usize] += 1;
        }
    }
    let mut with_samples = days.into_iter().peekable();
    let mut out = Vec::new();
    for (d, &vms_active) in active.iter().enumerate() {
        let cpu_util = with_samples
            .next_if(|s| s.day == d as u64)
            .and_then(|s| s.cpu_util);
        if vms_active > 0 || cpu_util.is_some() {
            out.push(DayStats {
                day: d as u64,
                vms_active,
                cpu_util,
            });
        }
    }
    out
}

fn dist_row(out: &mut String, label: &str, d: Option<&Distribution>) {
    match d {
        Some(d) => {
            let _ = writeln!(
                out,
                "{label:<24} {:>10} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3}",
                d.count, d.mean, d.std_dev, d.p25, d.p50, d.p75, d.p95, d.max
            );
        }
        None => {
            let _ = writeln!(out, "{label:<24} {:>10}", "no samples");
        }
    }
}

/// A plain-text rendering for the terminal.
pub fn render_text(s: &TraceStats) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "VMs: {}   vCPUs requested: {}   memory requested: {} GiB",
        s.vms, s.vcpus_requested, s.mem_gib_requested
    );
    let _ = writeln!(
        out,
        "max concurrent VMs: {} (first at {} s)",
        s.max_concurrent_vms, s.max_concurrent_at_s
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "CPU utilisation (fraction) {:>8} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "samples", "mean", "sd", "p25", "p50", "p75", "p95", "max"
    );
    dist_row(&mut out, "all", s.cpu_util.as_ref());
    for g in &s.by_group {
        dist_row(
            &mut out,
            &format!("group {} ({} VMs)", g.group, g.vms),
            g.cpu_util.as_ref(),
        );
    }
    if let Some(days) = &s.by_day {
        let _ = writeln!(out);
        for d in days {
            dist_row(
                &mut out,
                &format!("day {} ({} VMs)", d.day, d.vms_active),
                d.cpu_util.as_ref(),
            );
        }
    }
    for note in &s.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{Vm, VmTable};

    #[test]
    fn quantiles_interpolate_linearly() {
        // Sorted: 0.1 0.2 0.3 0.4 0.5. p25 at position 1 = 0.2; p95 at 3.8 = 0.4 + 0.8 x 0.1 = 0.48.
        let mut v = vec![0.5f32, 0.1, 0.4, 0.2, 0.3];
        let d = Distribution::of(&mut v).unwrap().rounded();
        assert_eq!(
            (d.p25, d.p50, d.p95, d.max, d.min),
            (0.2, 0.3, 0.48, 0.5, 0.1)
        );
        assert_eq!(d.mean, 0.3);
        // Population variance: (0.04 + 0.01 + 0 + 0.01 + 0.04) / 5 = 0.02; sd = 0.141421.
        assert_eq!(d.std_dev, 0.141421);
        assert!(Distribution::of(&mut []).is_none());
    }

    #[test]
    fn concurrency_and_days() {
        let vm = |id: &str, start, end| {
            let vm = Vm {
                group: 0,
                start,
                end,
                vcpus: 2.0,
                mem_gib: 4.0,
                disk_gib: 0.0,
            };
            (id.to_string(), vm)
        };
        // a: [0, 100), b: [100, 200) - b starts as a ends: never both. c: [50, day 1 + 10).
        let table = VmTable::new(
            vec![
                vm("a", 0, Some(100)),
                vm("b", 100, Some(200)),
                vm("c", 50, Some(DAY + 10)),
            ],
            vec!["g".into()],
        );
        let samples = vec![
            Ok(Sample::new(0, 0, 0.5, None)),
            Ok(Sample::new(2, 86_400, 1.0, None)),
        ];
        let s = compute(&table, Some(samples.into_iter()), true, vec![]).unwrap();
        assert_eq!((s.max_concurrent_vms, s.max_concurrent_at_s), (2, 50));
        assert_eq!((s.vcpus_requested, s.mem_gib_requested), (6.0, 12.0));
        let days = s.by_day.unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!((days[0].vms_active, days[1].vms_active), (3, 1));
        assert_eq!(days[1].cpu_util.as_ref().unwrap().mean, 1.0);
    }
}
