//! From the runs of a study to its result: the distribution of each figure over the
//! replications and the one-at-a-time sensitivity ranking. A shard's partial result and the
//! merged result go through the same code, so a merge equals an unsharded run byte for byte.

use super::interval::{self, Estimate};
use super::study::{HIGH, LOW, PAIRS, Record, Study};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// What every shard of a study shares; a merge checks the partials agree on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub scenario: String,
    pub currency: String,
    pub seed: u64,
    pub replications: u32,
    pub parameters: Vec<ParameterRange>,
    /// A sweep's grid (empty for a Monte Carlo study).
    pub sweep: Vec<super::Axis>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterRange {
    pub name: String,
    pub key: String,
    pub distribution: String,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

impl Header {
    pub fn of(study: &Study) -> Header {
        Header {
            scenario: study.name.clone(),
            currency: study.currency.clone(),
            seed: study.seed,
            replications: study.replications,
            sweep: study.sweep.clone(),
            parameters: study
                .parameters
                .iter()
                .enumerate()
                .map(|(i, p)| ParameterRange {
                    name: p.name.clone(),
                    key: p.key.clone(),
                    distribution: if study.counts[i] {
                        format!("{} (whole numbers)", p.describe())
                    } else {
                        p.describe()
                    },
                    p10: study.quantile(i, LOW),
                    p50: study.quantile(i, 0.5),
                    p90: study.quantile(i, HIGH),
                })
                .collect(),
        }
    }

    /// Work items of the whole study.
    pub fn items(&self) -> u32 {
        super::item_count(self.replications, self.parameters.len(), &self.sweep)
    }

    /// The result file's stem: `replications` or `sweep`.
    pub fn kind(&self) -> &'static str {
        if self.sweep.is_empty() {
            "replications"
        } else {
            "sweep"
        }
    }
}

/// The runs of one shard (`--shard K/N`): items K-1, K-1+N, K-1+2N, ...
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Partial {
    pub header: Header,
    pub shard: String,
    /// The scenario text's hash (`pipeline::shards::scenario_hash`): merge refuses a mix.
    pub scenario_hash: String,
    pub records: Vec<Record>,
}

/// Mean, spread and percentiles of one figure over the replications, each with its uncertainty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub figure: String,
    pub mean: f64,
    pub sd: f64,
    /// Standard error of the mean: sd / sqrt(replications).
    pub se: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    /// 95 % confidence interval of the mean (Student's t), equal to the mean for one run.
    pub mean_ci95: (f64, f64),
    /// 95 % confidence intervals of the percentiles (order statistics; see `interval`).
    pub p10_ci95: (f64, f64),
    pub p50_ci95: (f64, f64),
    pub p90_ci95: (f64, f64),
}

/// The effect of one parameter on total cost, between its P10 and P90: the mean over `PAIRS`
/// pairs of runs, the two runs of a pair sharing every random number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Swing {
    pub parameter: String,
    pub low_value: f64,
    pub high_value: f64,
    /// Mean totals of the low and the high runs.
    pub total_at_low: f64,
    pub total_at_high: f64,
    /// |mean of (high - low)|.
    pub swing: f64,
    /// 95 % interval of the mean of (high - low) over the pairs (Student's t).
    pub effect_ci95: (f64, f64),
    /// False when that interval holds zero: the effect is within the noise.
    pub significant: bool,
}

/// A study's result (replications.json).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Result {
    #[serde(flatten)]
    pub header: Header,
    pub figures: Vec<Spread>,
    /// Parameters by their swing of total cost, largest first (a tornado chart's bars).
    pub sensitivity: Vec<Swing>,
    pub runs: Vec<Record>,
}

pub use crate::summary::nearest_rank;

/// Percentile by linear interpolation between order statistics (`sorted` ascending, non-empty).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

pub fn spread(figure: &str, values: &[f64]) -> Spread {
    let (mean, sd, se) = interval::moments(values);
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |p: f64| interval::quantile(&sorted, p, percentile(&sorted, p));
    let pair = |e: Estimate| (e.low, e.high);
    let (p10, p50, p90) = (at(0.1), at(0.5), at(0.9));
    Spread {
        figure: figure.to_string(),
        mean,
        sd,
        se,
        p10: p10.value,
        p50: p50.value,
        p90: p90.value,
        mean_ci95: pair(interval::mean(values)),
        p10_ci95: pair(p10),
        p50_ci95: pair(p50),
        p90_ci95: pair(p90),
    }
}

/// The records of a study do not cover its items exactly once (a shard missing, or given twice).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "the runs do not cover the study exactly once: {have} of {want} items, missing {missing:?}"
)]
pub struct Incomplete {
    pub have: usize,
    pub want: u32,
    /// The first ten missing item indices.
    pub missing: Vec<u32>,
}

/// Sorts the records of a whole study; refuses duplicates and gaps.
pub fn complete(
    header: &Header,
    mut records: Vec<Record>,
) -> std::result::Result<Vec<Record>, Incomplete> {
    records.sort_by_key(|r| r.index);
    let n = header.items();
    if records.len() != n as usize || records.iter().enumerate().any(|(i, r)| r.index != i as u32) {
        let have: Vec<u32> = records.iter().map(|r| r.index).collect();
        let missing: Vec<u32> = (0..n).filter(|i| have.binary_search(i).is_err()).collect();
        return Err(Incomplete {
            have: records.len(),
            want: n,
            missing: missing[..missing.len().min(10)].to_vec(),
        });
    }
    Ok(records)
}

/// Builds a Monte Carlo result from every record of the study (any order).
pub fn build(header: Header, records: Vec<Record>) -> std::result::Result<Result, Incomplete> {
    let records = complete(&header, records)?;
    let reps = &records[..header.replications as usize];
    let mut figures = vec![spread(
        "total",
        &reps.iter().map(|r| r.metrics.total).collect::<Vec<_>>(),
    )];
    for (v, (name, _)) in reps[0].metrics.venues.iter().enumerate() {
        let values: Vec<f64> = reps.iter().map(|r| r.metrics.venues[v].1).collect();
        figures.push(spread(&format!("venue {name}"), &values));
    }
    let pick = |f: fn(&Record) -> f64| reps.iter().map(f).collect::<Vec<f64>>();
    figures.push(spread(
        "shortfall VM-hours",
        &pick(|r| r.metrics.shortfall_vm_hours),
    ));
    figures.push(spread(
        "backup windows missed",
        &pick(|r| r.metrics.backup_windows_missed as f64),
    ));
    figures.push(spread("kgCO2e", &pick(|r| r.metrics.carbon_kg)));
    figures.push(spread("VM-hours", &pick(|r| r.metrics.vm_hours)));

    let sens = &records[header.replications as usize..];
    let per = 2 * PAIRS as usize;
    let mut sensitivity: Vec<Swing> = header
        .parameters
        .iter()
        .enumerate()
        .map(|(p, range)| {
            let runs = &sens[per * p..per * (p + 1)];
            let total = |high: usize| -> Vec<f64> {
                runs.iter()
                    .skip(high)
                    .step_by(2)
                    .map(|r| r.metrics.total)
                    .collect()
            };
            let (lo, hi) = (total(0), total(1));
            let diff: Vec<f64> = hi.iter().zip(&lo).map(|(h, l)| h - l).collect();
            let effect = interval::mean(&diff);
            let mean = |v: &[f64]| interval::moments(v).0;
            Swing {
                parameter: range.name.clone(),
                low_value: range.p10,
                high_value: range.p90,
                total_at_low: mean(&lo),
                total_at_high: mean(&hi),
                swing: effect.value.abs(),
                effect_ci95: (effect.low, effect.high),
                significant: effect.excludes_zero(),
            }
        })
        .collect();
    // Stable: equal swings keep the scenario's order.
    sensitivity.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    Ok(Result {
        header,
        figures,
        sensitivity,
        runs: records,
    })
}

/// The terminal view: one row per figure, then the ranking.
pub fn render_text(r: &Result) -> String {
    let currency = &r.header.currency;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} replications, seed {}; costs in {currency}\n",
        r.header.scenario, r.header.replications, r.header.seed
    );
    let w = r
        .figures
        .iter()
        .map(|f| f.figure.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(
        out,
        "{:<w$}  {:>24}  {:>10}  {:>31}  {:>31}  {:>31}",
        "figure", "mean +/- se", "sd", "P10 [95% CI]", "P50 [95% CI]", "P90 [95% CI]"
    );
    let ci = |v: f64, (lo, hi): (f64, f64)| format!("{v:.2} [{lo:.2}, {hi:.2}]");
    for f in &r.figures {
        let _ = writeln!(
            out,
            "{:<w$}  {:>24}  {:>10.2}  {:>31}  {:>31}  {:>31}",
            f.figure,
            format!("{:.2} +/- {:.2}", f.mean, f.se),
            f.sd,
            ci(f.p10, f.p10_ci95),
            ci(f.p50, f.p50_ci95),
            ci(f.p90, f.p90_ci95)
        );
    }
    if !r.sensitivity.is_empty() {
        let _ = writeln!(
            out,
            "\nsensitivity of total cost, each parameter from its P10 to its P90 (others at P50), mean of {PAIRS} pairs of runs sharing their random numbers:"
        );
        let w = r
            .sensitivity
            .iter()
            .map(|s| s.parameter.len())
            .max()
            .unwrap_or(9)
            .max(9);
        for s in &r.sensitivity {
            let note = if s.significant {
                ""
            } else {
                "  not significant"
            };
            let _ = writeln!(
                out,
                "  {:<w$}  {:>10.4} -> {:>10.4}   total {:>12.2} -> {:>12.2}   swing {:>10.2} [effect {:.2} .. {:.2}]{note}",
                s.parameter,
                s.low_value,
                s.high_value,
                s.total_at_low,
                s.total_at_high,
                s.swing,
                s.effect_ci95.0,
                s.effect_ci95.1
            );
        }
    }
    out
}

/// A study of two replications and two parameters whose sensitivity pairs are set by hand:
/// "noise" moves the total by +1 in five pairs and -1 in the other five, "price" by +2 in every
/// pair. For the terminal's and the report's tests of the not-significant mark.
#[cfg(test)]
pub(crate) fn hand_made_study() -> Result {
    use super::study::Metrics;
    let range = |name: &str| ParameterRange {
        name: name.into(),
        key: format!("venues.0.{name}"),
        distribution: "uniform 0..1".into(),
        p10: 0.1,
        p50: 0.5,
        p90: 0.9,
    };
    let header = Header {
        scenario: "hand".into(),
        currency: "USD".into(),
        seed: 1,
        replications: 2,
        parameters: vec![range("noise"), range("price")],
        sweep: vec![],
    };
    // Items: 2 replications, then per parameter 10 pairs (low, high) = 2 + 2 x 10 x 2 = 42.
    let total = |i: u32| -> f64 {
        match i {
            0 | 1 => 100.0,
            _ => {
                let (param, k) = ((i - 2) / 20, (i - 2) % 20);
                let (pair, high) = (k / 2, k % 2 == 1);
                match (param, high) {
                    (_, false) => 100.0,
                    (0, true) if pair % 2 == 0 => 101.0,
                    (0, true) => 99.0,
                    (_, true) => 102.0,
                }
            }
        }
    };
    let records = (0..header.items())
        .map(|i| Record {
            index: i,
            values: vec![0.5, 0.5],
            seed: u64::from(i),
            metrics: Metrics {
                total: total(i),
                venues: vec![("v".into(), total(i))],
                shortfall_vm_hours: 0.0,
                backup_windows_missed: 0,
                carbon_kg: 0.0,
                vm_hours: 10.0,
            },
        })
        .collect();
    build(header, records).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_effect_within_the_noise_is_marked_not_significant() {
        // "noise": differences +1 x 5 and -1 x 5, mean 0, sd sqrt(10 / 9) = 1.0541, se
        // 1.0541 / sqrt(10) = 0.3333, t(0.975, 9) = 2.2622: 0 +/- 0.7541 holds zero. "price":
        // +2 in every pair, sd 0: [2, 2] leaves zero out. Ranked by |mean|: price, then noise.
        let r = hand_made_study();
        let (price, noise) = (&r.sensitivity[0], &r.sensitivity[1]);
        assert_eq!((price.parameter.as_str(), price.swing), ("price", 2.0));
        assert_eq!(price.effect_ci95, (2.0, 2.0));
        assert!(price.significant);
        assert_eq!(noise.parameter, "noise");
        assert!(noise.swing.abs() < 1e-12 && !noise.significant);
        assert!((noise.effect_ci95.1 - 0.7541).abs() < 1e-4, "{noise:?}");
        assert!((noise.effect_ci95.0 + 0.7541).abs() < 1e-4, "{noise:?}");
        let text = render_text(&r);
        let line = |name: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with(name))
                .unwrap()
                .to_string()
        };
        assert!(line("noise").ends_with("not significant"), "{text}");
        assert!(!line("price").contains("not significant"), "{text}");
    }

    #[test]
    fn spread_is_hand_checked() {
        // 1..=5: mean 3, sd sqrt(10 / 4) = 1.5811; P10 = 1 + 0.4 x 1 = 1.4; P90 = 4.6.
        // t(0.975, 4) = 2.7764, so the half-width is 2.7764 x 1.5811 / sqrt(5) = 1.9632.
        // The percentiles' intervals (n = 5, order statistics): P50 ranks 1..5 (F(0) = 1/32 =
        // 0.031 > 0.025, so l = 1; F(4) = 31/32 = 0.969 < 0.975, so u = 5).
        let s = spread("x", &[3.0, 1.0, 5.0, 2.0, 4.0]);
        assert_eq!((s.mean, s.p10, s.p50), (3.0, 1.4, 3.0));
        assert_eq!(s.p50_ci95, (1.0, 5.0));
        assert!((s.se - 0.5f64.sqrt()).abs() < 1e-12);
        assert!((s.p90 - 4.6).abs() < 1e-12);
        assert!((s.sd - 1.5811).abs() < 1e-4);
        assert!(
            (s.mean_ci95.1 - 3.0 - 1.9632).abs() < 1e-3,
            "{:?}",
            s.mean_ci95
        );
    }
}
