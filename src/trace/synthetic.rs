//! Synthetic workloads: seeded, with daily and weekly seasonality, a growth trend, bursts and
//! heavy-tailed lifetimes and sizes, for several groups. All parameters live in the plain
//! structs `Params` and `GroupParams` (Monte Carlo varies them), with defaults for every field;
//! the README's "Synthetic workloads" section documents each one.
//!
//! The model, per group:
//! - `initial_vms` VMs run from time 0 for their whole lifetime; new VMs arrive as a Poisson
//!   process whose rate per day is `arrivals_per_day` x (1 + `growth_per_month`)^(t / 30 d) x the
//!   daily shape x the weekend factor x the burst factor (see `arrivals`: more growth or a
//!   higher rate only adds VMs, it never moves one);
//! - lifetimes are lognormal with median `lifetime_median` and log-sigma `lifetime_sigma`;
//! - vCPUs are Pareto(`min_vcpus`, `size_shape`) rounded up to a power of two and capped at
//!   `max_vcpus`; memory is `mem_gib_per_vcpu` x vCPUs;
//! - every `step` each running VM reports CPU utilisation `cpu_mean` x (1 + `diurnal_amplitude`
//!   x cos(2 pi (hour - `peak_hour`) / 24)) x weekend factor x burst factor + normal noise
//!   (`noise_sd`), clipped to 0..=1. Day 0 is a Monday;
//! - bursts arrive `bursts_per_month` times per 30 days on average (shared by all groups) and
//!   multiply arrivals and utilisation by `burst_factor` for `burst_length`.
//!
//! Common random numbers (`crate::random`): the bursts, each group's arrivals and each VM's
//! lifetime, size and usage draw from their own streams, so changing one parameter re-draws
//! nothing it does not touch.

use super::{Sample, TableBuilder, Trace, Vm, sample_time};
use crate::error::KeyError;
use crate::random::{Purpose, stream};
use crate::units::{DAY, HOUR, SimTime, de_duration, format_duration};
use rand::RngExt;
use rand_distr::{Distribution, Exp, LogNormal, Normal};
use serde::Deserialize;

const MONTH: f64 = 30.0 * DAY as f64;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Seed of the random streams (the bursts, each group's arrivals and each VM get their own).
    pub seed: u64,
    /// Length of the trace.
    #[serde(deserialize_with = "de_duration")]
    pub horizon: SimTime,
    /// Seconds between two utilisation samples of a VM.
    #[serde(deserialize_with = "de_duration")]
    pub step: SimTime,
    /// Mean number of bursts per 30 days.
    pub bursts_per_month: f64,
    /// Multiplier of arrivals and utilisation during a burst.
    pub burst_factor: f64,
    #[serde(deserialize_with = "de_duration")]
    pub burst_length: SimTime,
    /// Multiplier of arrivals and utilisation on Saturdays and Sundays.
    pub weekend_factor: f64,
    pub groups: Vec<GroupParams>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GroupParams {
    pub name: String,
    /// VMs running from time 0.
    pub initial_vms: u32,
    /// Mean arrivals per day at time 0 (before seasonality, trend and bursts).
    pub arrivals_per_day: f64,
    /// Relative growth of the arrival rate per 30 days, compounding (0.05 = +5 %).
    pub growth_per_month: f64,
    /// Median VM lifetime.
    #[serde(deserialize_with = "de_duration")]
    pub lifetime_median: SimTime,
    /// Standard deviation of ln(lifetime): 0 = all equal, above 1 = heavy tail.
    pub lifetime_sigma: f64,
    /// Smallest vCPU count (the Pareto scale).
    pub min_vcpus: f64,
    /// Largest vCPU count.
    pub max_vcpus: f64,
    /// Pareto shape of sizes: smaller = heavier tail (1.0 to 3.0 is typical).
    pub size_shape: f64,
    pub mem_gib_per_vcpu: f64,
    pub disk_gib: f64,
    /// Mean CPU utilisation, 0..=1.
    pub cpu_mean: f64,
    /// Relative amplitude of the daily cycle, 0..=1.
    pub diurnal_amplitude: f64,
    /// Hour of the day when utilisation and arrivals peak, 0..24.
    pub peak_hour: f64,
    /// Standard deviation of the noise added to each sample (absolute, in utilisation).
    pub noise_sd: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            seed: 1,
            horizon: 30 * DAY,
            step: HOUR,
            bursts_per_month: 2.0,
            burst_factor: 1.5,
            burst_length: 6 * HOUR,
            weekend_factor: 0.6,
            groups: vec![
                GroupParams {
                    name: "web".into(),
                    initial_vms: 20,
                    arrivals_per_day: 2.0,
                    ..GroupParams::default()
                },
                GroupParams {
                    name: "batch".into(),
                    initial_vms: 0,
                    arrivals_per_day: 24.0,
                    lifetime_median: 6 * HOUR,
                    lifetime_sigma: 1.2,
                    min_vcpus: 4.0,
                    max_vcpus: 32.0,
                    cpu_mean: 0.7,
                    diurnal_amplitude: 0.1,
                    peak_hour: 2.0,
                    ..GroupParams::default()
                },
                GroupParams {
                    name: "db".into(),
                    initial_vms: 4,
                    arrivals_per_day: 0.05,
                    lifetime_median: 90 * DAY,
                    min_vcpus: 8.0,
                    max_vcpus: 16.0,
                    mem_gib_per_vcpu: 8.0,
                    disk_gib: 500.0,
                    cpu_mean: 0.35,
                    ..GroupParams::default()
                },
            ],
        }
    }
}

impl Default for GroupParams {
    fn default() -> Self {
        GroupParams {
            name: "default".into(),
            initial_vms: 10,
            arrivals_per_day: 1.0,
            growth_per_month: 0.02,
            lifetime_median: 7 * DAY,
            lifetime_sigma: 1.0,
            min_vcpus: 2.0,
            max_vcpus: 8.0,
            size_shape: 1.5,
            mem_gib_per_vcpu: 4.0,
            disk_gib: 50.0,
            cpu_mean: 0.3,
            diurnal_amplitude: 0.5,
            peak_hour: 14.0,
            noise_sd: 0.05,
        }
    }
}

/// The longest sample step of a generated trace: a month (README, "Limits").
pub const MAX_STEP: SimTime = 30 * DAY;
/// The longest burst of arrivals: a month.
pub const MAX_BURST_LENGTH: SimTime = 30 * DAY;
/// The longest median VM lifetime: a century, "runs forever" already.
pub const MAX_LIFETIME_MEDIAN: SimTime = 100 * 365 * DAY;

impl Params {
    /// Checks every value; an error names the key (relative to the parameters' table).
    pub fn validate(&self) -> Result<(), KeyError> {
        let err = |k: &str, m: String| Err(KeyError::new(k, m));
        if self.horizon == 0 {
            return err("horizon", "must be longer than 0s".into());
        }
        if self.horizon > MAX_HORIZON {
            let msg = format!(
                "{} is over the limit of {} (README, \"Limits\")",
                format_duration(self.horizon),
                format_duration(MAX_HORIZON)
            );
            return err("horizon", msg);
        }
        if self.step == 0 {
            return err("step", "must be longer than 0s".into());
        }
        // The bounds a scenario's [trace.synthetic] meets in its limits walk, here for a
        // parameters file of `trace generate --params`, which that walk does not see.
        let at_most = crate::scenario::limits::duration_at_most;
        at_most("step".into(), self.step, MAX_STEP)?;
        at_most("burst_length".into(), self.burst_length, MAX_BURST_LENGTH)?;
        for (i, g) in self.groups.iter().enumerate() {
            let key = format!("groups[{i}].lifetime_median");
            at_most(key, g.lifetime_median, MAX_LIFETIME_MEDIAN)?;
        }
        let nonneg = [
            ("bursts_per_month", self.bursts_per_month),
            ("burst_factor", self.burst_factor),
            ("weekend_factor", self.weekend_factor),
        ];
        for (k, v) in nonneg {
            if !(v.is_finite() && v >= 0.0) {
                return err(k, format!("{v} must be a finite number >= 0"));
            }
        }
        if self.groups.is_empty() {
            return err("groups", "needs at least one group".into());
        }
        for (i, g) in self.groups.iter().enumerate() {
            let key = |f: &str| format!("groups[{i}].{f}");
            if g.name.trim().is_empty() || self.groups[..i].iter().any(|o| o.name == g.name) {
                return err(
                    &key("name"),
                    format!("\"{}\" must be non-empty and unique", g.name),
                );
            }
            let checks = [
                (
                    "arrivals_per_day",
                    g.arrivals_per_day,
                    0.0,
                    MAX_ARRIVALS_PER_DAY,
                ),
                (
                    "growth_per_month",
                    g.growth_per_month,
                    -0.99,
                    MAX_GROWTH_PER_MONTH,
                ),
                ("lifetime_sigma", g.lifetime_sigma, 0.0, 10.0),
                ("min_vcpus", g.min_vcpus, 1e-3, f64::MAX),
                ("max_vcpus", g.max_vcpus, g.min_vcpus, f64::MAX),
                ("size_shape", g.size_shape, 1e-3, f64::MAX),
                ("mem_gib_per_vcpu", g.mem_gib_per_vcpu, 1e-3, f64::MAX),
                ("disk_gib", g.disk_gib, 0.0, f64::MAX),
                ("cpu_mean", g.cpu_mean, 0.0, 1.0),
                ("diurnal_amplitude", g.diurnal_amplitude, 0.0, 1.0),
                ("peak_hour", g.peak_hour, 0.0, 24.0),
                ("noise_sd", g.noise_sd, 0.0, 1.0),
            ];
            for (f, v, lo, hi) in checks {
                if !(v.is_finite() && v >= lo && v <= hi) {
                    let range = if hi == f64::MAX {
                        format!(">= {lo}")
                    } else {
                        format!("in {lo}..={hi}")
                    };
                    return err(&key(f), format!("{v} must be a finite number {range}"));
                }
            }
            if g.initial_vms > MAX_INITIAL_VMS {
                let msg = format!(
                    "{} is over the limit of {MAX_INITIAL_VMS} (README, \"Limits\")",
                    g.initial_vms
                );
                return err(&key("initial_vms"), msg);
            }
            if g.lifetime_median == 0 {
                return err(&key("lifetime_median"), "must be longer than 0s".into());
            }
            let candidates = (peak_per_day(self, g) / STRIP_PER_DAY).ceil()
                * (self.horizon as f64 / DAY as f64).ceil();
            if candidates > MAX_CANDIDATES {
                let msg = format!(
                    "{} per day reaches {:.0} per day at its peak over the horizon: {candidates:.0} candidate arrivals, at most {MAX_CANDIDATES:.0}",
                    g.arrivals_per_day,
                    peak_per_day(self, g)
                );
                return err(&key("arrivals_per_day"), msg);
            }
        }
        Ok(())
    }
}

impl Params {
    /// Sets a numeric parameter by its key under `trace.synthetic` (`weekend_factor`,
    /// `groups.0.growth_per_month`) and checks the result. Ok(false) for a key this does not set
    /// (durations, names, unknown keys).
    pub fn set(&mut self, key: &str, value: f64) -> Result<bool, KeyError> {
        let parts: Vec<&str> = key.split('.').collect();
        let slot = match parts.as_slice() {
            ["bursts_per_month"] => &mut self.bursts_per_month,
            ["burst_factor"] => &mut self.burst_factor,
            ["weekend_factor"] => &mut self.weekend_factor,
            ["groups", i, field] => {
                let Some(g) = i.parse::<usize>().ok().and_then(|i| self.groups.get_mut(i)) else {
                    return Ok(false);
                };
                match g.number(field) {
                    Some(slot) => slot,
                    None if *field == "initial_vms" && value.fract() == 0.0 && value >= 0.0 => {
                        g.initial_vms = value.min(f64::from(u32::MAX)) as u32;
                        return self.validate().map(|_| true);
                    }
                    None => return Ok(false),
                }
            }
            _ => return Ok(false),
        };
        *slot = value;
        self.validate().map(|_| true)
    }
}

impl GroupParams {
    fn number(&mut self, field: &str) -> Option<&mut f64> {
        Some(match field {
            "arrivals_per_day" => &mut self.arrivals_per_day,
            "growth_per_month" => &mut self.growth_per_month,
            "lifetime_sigma" => &mut self.lifetime_sigma,
            "min_vcpus" => &mut self.min_vcpus,
            "max_vcpus" => &mut self.max_vcpus,
            "size_shape" => &mut self.size_shape,
            "mem_gib_per_vcpu" => &mut self.mem_gib_per_vcpu,
            "disk_gib" => &mut self.disk_gib,
            "cpu_mean" => &mut self.cpu_mean,
            "diurnal_amplitude" => &mut self.diurnal_amplitude,
            "peak_hour" => &mut self.peak_hour,
            "noise_sd" => &mut self.noise_sd,
            _ => return None,
        })
    }
}

/// Shapes shared by arrivals and utilisation at time `t`.
struct Season<'p> {
    params: &'p Params,
    bursts: Vec<(SimTime, SimTime)>,
}

impl Season<'_> {
    fn weekend(&self, t: SimTime) -> f64 {
        // Day 0 is a Monday: days 5 and 6 of each week are the weekend.
        if (t / DAY) % 7 >= 5 {
            self.params.weekend_factor
        } else {
            1.0
        }
    }

    fn burst(&self, t: SimTime) -> f64 {
        let i = self.bursts.partition_point(|b| b.0 <= t);
        if i > 0 && t < self.bursts[i - 1].1 {
            self.params.burst_factor
        } else {
            1.0
        }
    }

    fn daily(g: &GroupParams, t: SimTime) -> f64 {
        let hour = (t % DAY) as f64 / HOUR as f64;
        1.0 + g.diurnal_amplitude * (2.0 * std::f64::consts::PI * (hour - g.peak_hour) / 24.0).cos()
    }

    fn factor(&self, g: &GroupParams, t: SimTime) -> f64 {
        Self::daily(g, t) * self.weekend(t) * self.burst(t)
    }
}

/// Arrivals per day one strip of candidate arrivals holds (see `arrivals`). Fixed, so that the
/// candidates never depend on the parameters.
const STRIP_PER_DAY: f64 = 1.0;
/// The most candidate arrivals one group may draw (strips x days of horizon).
const MAX_CANDIDATES: f64 = 50_000_000.0;
/// The longest synthetic horizon: 10 years of 365 days; the generator's work grows with it.
pub const MAX_HORIZON: SimTime = 10 * 365 * DAY;
/// VMs a group may start with: each is a row of the trace kept in memory.
pub const MAX_INITIAL_VMS: u32 = 1_000_000;
/// New VMs per day of one group, before growth.
pub const MAX_ARRIVALS_PER_DAY: f64 = 1_000_000.0;
/// Monthly growth of a group's arrival rate: 10 is +1000 % a month.
pub const MAX_GROWTH_PER_MONTH: f64 = 10.0;
/// Keys of arriving VMs have this bit set; VMs running from time 0 are keyed 0, 1, 2, ...
const ARRIVAL_KEY: u64 = 1 << 63;

/// The highest arrival rate per day a group reaches over the horizon (an upper bound).
fn peak_per_day(params: &Params, g: &GroupParams) -> f64 {
    let growth_end = (1.0 + g.growth_per_month)
        .powf(params.horizon as f64 / MONTH)
        .max(1.0);
    g.arrivals_per_day
        * growth_end
        * (1.0 + g.diurnal_amplitude)
        * params.weekend_factor.max(1.0)
        * params.burst_factor.max(1.0)
}

/// Burst windows: a Poisson process by inversion (unit-rate gaps divided by the rate), so more
/// bursts per month only move bursts earlier and add new ones.
fn bursts(params: &Params) -> Vec<(SimTime, SimTime)> {
    let mut out = Vec::new();
    if params.bursts_per_month <= 0.0 {
        return out;
    }
    let mut rng = stream(params.seed, Purpose::Bursts, 0, 0);
    let unit = Exp::new(1.0).expect("unit rate");
    let scale = MONTH / params.bursts_per_month;
    let mut t = unit.sample(&mut rng) * scale;
    while t < params.horizon as f64 {
        out.push((t as SimTime, t as SimTime + params.burst_length));
        t += unit.sample(&mut rng) * scale;
    }
    out
}

/// A group's arrivals as (time, key), in time order. Candidates form a Poisson process of unit
/// intensity on the plane of time x rate: strip `j` holds the points at heights
/// j..j+1 arrivals per day, drawn from its own stream; a candidate arrives when its height lies
/// under the rate curve at its time. Raising the rate anywhere (growth, arrivals_per_day, a
/// season) only adds arrivals: every existing one keeps its time and key, so its VM keeps its
/// lifetime, size and usage.
fn arrivals(params: &Params, season: &Season, gi: usize, g: &GroupParams) -> Vec<(SimTime, u64)> {
    let horizon = params.horizon as f64;
    let strips = (peak_per_day(params, g) / STRIP_PER_DAY).ceil() as u64;
    let gap = Exp::new(STRIP_PER_DAY / DAY as f64).expect("positive rate");
    let mut out = Vec::new();
    for j in 0..strips {
        let mut rng = stream(params.seed, Purpose::Arrivals, gi as u64, j);
        let mut t = gap.sample(&mut rng);
        let mut k = 0u64;
        while t < horizon {
            let height = (j as f64 + rng.random::<f64>()) * STRIP_PER_DAY;
            let at = t as SimTime;
            let rate = g.arrivals_per_day
                * (1.0 + g.growth_per_month).powf(t / MONTH)
                * season.factor(g, at);
            if height < rate {
                out.push((at, ARRIVAL_KEY | j << 32 | k));
            }
            k += 1;
            t += gap.sample(&mut rng);
        }
    }
    out.sort_unstable();
    out
}

/// Generates a trace. `params` must have passed `validate`.
pub fn generate(params: &Params) -> Trace {
    let horizon = params.horizon;
    let season = Season {
        params,
        bursts: bursts(params),
    };
    let mut table = TableBuilder::new();
    let mut samples = Vec::new();
    for (gi, g) in params.groups.iter().enumerate() {
        let group = table.group(&g.name);
        let lifetime =
            LogNormal::new((g.lifetime_median as f64).ln(), g.lifetime_sigma).expect("validated");
        let noise = Normal::new(0.0, g.noise_sd).expect("validated");
        let mut vms: Vec<(SimTime, u64)> = (0..u64::from(g.initial_vms)).map(|n| (0, n)).collect();
        vms.extend(arrivals(params, &season, gi, g));
        for (n, (start, key)) in vms.into_iter().enumerate() {
            // Each VM draws its lifetime, size and usage from its own stream, by its key.
            let mut rng = stream(params.seed, Purpose::Vm, gi as u64, key);
            let life = (lifetime.sample(&mut rng) as SimTime).max(60);
            let end = start.saturating_add(life);
            let pareto = g.min_vcpus * (1.0 - rng.random::<f64>()).powf(-1.0 / g.size_shape);
            let vcpus = pareto
                .min(g.max_vcpus)
                .log2()
                .ceil()
                .exp2()
                .min(g.max_vcpus)
                .max(g.min_vcpus);
            let id = if key & ARRIVAL_KEY == 0 {
                format!("{}-{key}", g.name)
            } else {
                format!(
                    "{}-{}.{}",
                    g.name,
                    (key & !ARRIVAL_KEY) >> 32,
                    key & 0xffff_ffff
                )
            };
            let vm = Vm {
                group,
                start,
                end: (end < horizon).then_some(end),
                vcpus,
                mem_gib: vcpus * g.mem_gib_per_vcpu,
                disk_gib: g.disk_gib,
            };
            let index = table
                .push(&id, vm, n as u64 + 1)
                .expect("generated ids are unique");
            // Samples on the step grid from the VM's start until it ends or the horizon.
            let mut t = start.div_ceil(params.step) * params.step;
            while t < end.min(horizon) {
                let level = g.cpu_mean * season.factor(g, t) + noise.sample(&mut rng);
                let Ok(packed) = sample_time(t) else { break };
                samples.push(Sample::new(
                    index,
                    packed,
                    level.clamp(0.0, 1.0) as f32,
                    None,
                ));
                t += params.step;
            }
        }
    }
    table.into_trace(samples, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_generation_is_seeded() {
        let p = Params {
            horizon: 7 * DAY,
            ..Params::default()
        };
        p.validate().unwrap();
        let a = generate(&p);
        let b = generate(&p);
        assert_eq!(a.table.vms, b.table.vms);
        let c = generate(&Params {
            seed: 2,
            ..p.clone()
        });
        assert_ne!(a.table.vms, c.table.vms);
        // 20 web + 4 db VMs run from 0.
        assert_eq!(a.table.vms.iter().filter(|v| v.start == 0).count(), 24);
    }

    #[test]
    fn seasonality_follows_the_documented_shape() {
        let p = Params {
            weekend_factor: 0.5,
            bursts_per_month: 0.0,
            ..Params::default()
        };
        let g = GroupParams {
            diurnal_amplitude: 0.5,
            peak_hour: 14.0,
            ..GroupParams::default()
        };
        let s = Season {
            params: &p,
            bursts: vec![(10 * HOUR, 12 * HOUR)],
        };
        // Monday 14:00: 1 + 0.5 x cos(0) = 1.5. Monday 02:00: 1 + 0.5 x cos(-pi) = 0.5.
        assert!((s.factor(&g, 14 * HOUR) - 1.5).abs() < 1e-12);
        assert!((s.factor(&g, 2 * HOUR) - 0.5).abs() < 1e-12);
        // Saturday (day 5) 14:00: 1.5 x 0.5 = 0.75.
        assert!((s.factor(&g, 5 * DAY + 14 * HOUR) - 0.75).abs() < 1e-12);
        // Inside the burst (10:00-12:00), burst_factor 1.5 applies.
        assert_eq!(s.burst(11 * HOUR), 1.5);
        assert_eq!(s.burst(12 * HOUR), 1.0);
    }

    #[test]
    fn sizes_stay_within_bounds_and_are_powers_of_two() {
        let p = Params {
            horizon: 3 * DAY,
            ..Params::default()
        };
        let t = generate(&p);
        for vm in &t.table.vms {
            let g = &p.groups[vm.group as usize];
            assert!(vm.vcpus >= g.min_vcpus && vm.vcpus <= g.max_vcpus, "{vm:?}");
            assert_eq!(vm.vcpus.log2().fract(), 0.0, "{vm:?}");
        }
    }

    #[test]
    fn bad_parameters_name_their_key() {
        let mut p = Params::default();
        p.groups[1].cpu_mean = 1.5;
        assert_eq!(
            p.validate(),
            Err(KeyError::new(
                "groups[1].cpu_mean",
                "1.5 must be a finite number in 0..=1"
            ))
        );
    }
}
