//! A study of one scenario: numbered work items, each a run of the loaded scenario with the
//! item's values set (on the loaded data where `overrides::apply` can, else in the scenario's
//! TOML). A Monte Carlo study's items are the replications, then `PAIRS` low and high runs per
//! parameter for the sensitivity ranking; a sweep's items are its grid points. An item depends
//! only on (scenario, seed, index), so items can run in any order, on any thread, or in another
//! process (`--shard`). The caller reads the scenario's text; price books and a trace read from
//! files are loaded once and shared by every item.

use super::overrides::{self, OverrideError};
use super::{Axis, Dist, Parameter, interval};
use crate::error::{Error, InputError};
use crate::random::{Purpose, stream};
use crate::scenario;
use crate::scenario::uncertainty::MAX_REPLICATIONS;
use crate::trace::{Trace, TraceSpec};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Table;

/// Quantiles of a parameter for the sensitivity runs.
pub const LOW: f64 = 0.1;
pub const HIGH: f64 = 0.9;
/// Low and high runs per parameter, pair j at replication j's simulation seed: the two runs of
/// a pair share every random number, and the pairs give the swing an interval.
pub const PAIRS: u32 = 10;
/// `--replications auto`: replications per batch, and the most it runs.
pub const AUTO_BATCH: u32 = 100;
/// The largest usage file a study holds in memory (16 bytes a sample, fewer than a CSV row's);
/// a larger one is streamed from disk by each run.
pub const SHARED_USAGE_BYTES: u64 = 256 << 20;
/// Replications per sweep point when `--replications` does not say: enough for the mean to
/// smooth out one run's packing accidents (synthetic-growth's growth sweep is monotone at 20,
/// `tests/it/crn.rs`), few enough that a sweep stays quick.
pub const SWEEP_REPLICATIONS: u32 = 20;
pub const AUTO_MAX: u32 = 10_000;

/// What a work item runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item {
    /// A replication: every parameter drawn from its own stream.
    Replication(u32),
    /// Every parameter at its median, parameter `p` at its P10 (`high` false) or P90, at the
    /// simulation seed of replication `pair`.
    Sensitivity { p: usize, high: bool, pair: u32 },
    /// Replication `rep` of a sweep's grid point `point`, at replication `rep`'s simulation
    /// seed: replication r of every point shares its random numbers.
    Point { point: u32, rep: u32 },
}

/// The figures kept from one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub total: f64,
    /// Total per venue (and backup service), in scenario order.
    pub venues: Vec<(String, f64)>,
    pub shortfall_vm_hours: f64,
    pub backup_windows_missed: u64,
    pub carbon_kg: f64,
    /// VM-hours of the trace's VMs within the horizon, placed or not.
    pub vm_hours: f64,
}

/// One finished work item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub index: u32,
    /// The parameters' values, in the study's order.
    pub values: Vec<f64>,
    pub seed: u64,
    pub metrics: Metrics,
}

/// A scenario prepared for many runs.
pub struct Study {
    path: PathBuf,
    base: Table,
    /// The scenario as loaded (books and all): items start from a copy of it.
    loaded: scenario::Scenario,
    pub name: String,
    pub currency: String,
    pub seed: u64,
    pub replications: u32,
    pub parameters: Vec<Parameter>,
    /// Non-empty for a sweep: the grid, first axis slowest.
    pub sweep: Vec<Axis>,
    /// Whether each key (in the order of `keys`) is a count: its values are whole numbers.
    pub counts: Vec<bool>,
    /// The trace, when no item changes it (read from files, no key under `trace`).
    trace: Option<Arc<Trace>>,
    /// The books and plan file, read once for every parse of the scenario.
    files: scenario::Files,
}

impl Study {
    /// A Monte Carlo study of the scenario `text` (read from `path`; its books and trace are
    /// loaded once here) and its `[uncertainty]` table; `replications` overrides its count.
    /// Without the table, replications differ only in their random streams.
    pub fn load(text: &str, path: &Path, replications: Option<u32>) -> Result<Study, Error> {
        let mut study = Self::read(text, path)?;
        let (count, parameters) = match &study.loaded.uncertainty {
            Some(u) => (u.replications, u.parameters.clone()),
            None => (100, Vec::new()),
        };
        study.replications = replications.filter(|n| *n > 0).unwrap_or(count);
        study.parameters = parameters;
        study.counts = study
            .parameters
            .iter()
            .map(|p| overrides::is_count(&study.base, &p.key))
            .collect();
        for (i, p) in study.parameters.iter().enumerate() {
            if study.counts[i] {
                whole_bounds(&p.dist).map_err(|(k, v)| {
                    let msg = format!("{v} must be a whole number: `{}` is a count", p.key);
                    InputError::key(path, format!("uncertainty.parameters[{i}].{k}"), msg)
                })?;
            }
        }
        // Every key must take a value: try each parameter at its extremes now, so a bad key
        // fails before any run starts.
        for (i, p) in study.parameters.iter().enumerate() {
            for q in [LOW, HIGH] {
                let at = format!("uncertainty.parameters[{i}].key");
                study.try_value(&p.key, study.quantile(i, q), &at)?;
            }
        }
        study.share_trace()?;
        Ok(study)
    }

    /// A sweep of the scenario `text` (read from `path`) over its `[[sweep]]` grid, each point
    /// run `replications` times (0: the `[uncertainty]` table's count; None:
    /// `SWEEP_REPLICATIONS`).
    pub fn sweep(text: &str, path: &Path, replications: Option<u32>) -> Result<Study, Error> {
        let mut study = Self::read(text, path)?;
        study.sweep = study.loaded.sweep.clone();
        let own = study.loaded.uncertainty.as_ref().map(|u| u.replications);
        study.replications = match replications {
            Some(0) => own.unwrap_or(SWEEP_REPLICATIONS),
            Some(n) => n,
            None => SWEEP_REPLICATIONS,
        };
        let points: u64 = study.sweep.iter().map(|a| a.values.len() as u64).product();
        let runs = points * u64::from(study.replications);
        if runs > u64::from(MAX_REPLICATIONS) {
            let msg = format!(
                "a sweep of {points} points x {} replications is {runs} runs; at most {MAX_REPLICATIONS} (fewer points or --replications)",
                study.replications
            );
            return Err(InputError::file(path, msg).into());
        }
        if study.sweep.is_empty() {
            let msg = "has no [[sweep]] axes: add `[[sweep]]` tables with a key and values";
            return Err(InputError::file(path, msg).into());
        }
        study.counts = study
            .sweep
            .iter()
            .map(|a| overrides::is_count(&study.base, &a.key))
            .collect();
        for (i, a) in study.sweep.iter().enumerate() {
            if let Some(v) = a
                .values
                .iter()
                .find(|v| study.counts[i] && v.fract() != 0.0)
            {
                let msg = format!("{v} must be a whole number: `{}` is a count", a.key);
                return Err(InputError::key(path, format!("sweep[{i}].values"), msg).into());
            }
            for v in &a.values {
                study.try_value(&a.key, *v, &format!("sweep[{i}].key"))?;
            }
        }
        study.share_trace()?;
        Ok(study)
    }

    /// Loads the trace once when no item can change it, its usage samples in memory (up to
    /// `SHARED_USAGE_BYTES` of usage file). A key under `trace` of a trace read from files
    /// (`trace.cpu_scale`, say) changes how the file is read, so such a study reads the trace
    /// for each run.
    fn share_trace(&mut self) -> Result<(), Error> {
        let touched = self.keys().iter().any(|k| k.starts_with("trace"));
        if !touched && !matches!(self.loaded.trace, TraceSpec::Synthetic(_)) {
            let trace = crate::trace::load(&self.loaded.trace)?.into_memory(SHARED_USAGE_BYTES)?;
            self.trace = Some(Arc::new(trace));
        }
        Ok(())
    }

    /// Parameter `i`'s quantile `q`; a count's is a whole number (see `sample`).
    pub fn quantile(&self, i: usize, q: f64) -> f64 {
        let dist = self.parameters[i].dist;
        match dist {
            _ if !self.counts[i] => dist.quantile(q),
            // The discrete uniform on min..=max: the smallest value with at least q below.
            Dist::Uniform { min, max } => {
                (min + (q * (max - min + 1.0)).ceil() - 1.0).clamp(min, max)
            }
            _ => dist.quantile(q).round(),
        }
    }

    /// A draw of parameter `i`. A count draws whole numbers: a uniform one each of min..=max
    /// with equal chance, any other distribution its draw rounded to the nearest.
    fn sample(&self, i: usize, rng: &mut impl Rng) -> f64 {
        let dist = self.parameters[i].dist;
        match dist {
            _ if !self.counts[i] => dist.sample(rng),
            Dist::Uniform { min, max } => {
                let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                (min + (u * (max - min + 1.0)).floor()).min(max)
            }
            _ => dist.sample(rng).round(),
        }
    }

    fn read(text: &str, path: &Path) -> Result<Study, Error> {
        let files = scenario::Files::default();
        let scenario = scenario::parse_with(text, path, &files)?;
        let base: Table =
            toml::from_str(text).map_err(|e| InputError::from_toml(path, text, &e))?;
        Ok(Study {
            path: path.to_path_buf(),
            base,
            name: scenario.name.clone(),
            currency: scenario.currency.to_string(),
            seed: scenario.seed,
            loaded: scenario,
            replications: 0,
            parameters: Vec::new(),
            sweep: Vec::new(),
            counts: Vec::new(),
            trace: None,
            files,
        })
    }

    /// Sets `key` to `value` in a copy of the scenario and checks that the scenario accepts it.
    fn try_value(&self, key: &str, value: f64, at: &str) -> Result<(), Error> {
        let mut t = self.base.clone();
        overrides::set(&mut t, key, value)
            .map_err(|e| InputError::key(&self.path, at, e.to_string()))?;
        self.parse(t).map(|_| ())
    }

    /// The keys an item sets, in the order of its values.
    pub fn keys(&self) -> Vec<&str> {
        if self.sweep.is_empty() {
            self.parameters.iter().map(|p| p.key.as_str()).collect()
        } else {
            self.sweep.iter().map(|a| a.key.as_str()).collect()
        }
    }

    /// Work items: replications first, then two sensitivity runs per parameter; or the
    /// replications of each point of the sweep's grid.
    pub fn items(&self) -> u32 {
        super::item_count(self.replications, self.parameters.len(), &self.sweep)
    }

    pub fn item(&self, index: u32) -> Item {
        if !self.sweep.is_empty() {
            let per = self.replications.max(1);
            Item::Point {
                point: index / per,
                rep: index % per,
            }
        } else if index < self.replications {
            Item::Replication(index)
        } else {
            let k = index - self.replications;
            Item::Sensitivity {
                p: (k / (2 * PAIRS)) as usize,
                pair: k % (2 * PAIRS) / 2,
                high: k % 2 == 1,
            }
        }
    }

    /// The simulation seed of replication `r` (TOML integers are i64: kept within them).
    fn seed_of(&self, r: u32) -> u64 {
        stream(self.seed, Purpose::Replication, u64::from(r), 0).next_u64() >> 1
    }

    /// The values and simulation seed of an item.
    pub fn draw(&self, index: u32) -> (Vec<f64>, u64) {
        match self.item(index) {
            Item::Replication(r) => {
                // Each parameter of replication r draws from its own stream.
                let values = (0..self.parameters.len())
                    .map(|i| {
                        let mut rng = stream(self.seed, Purpose::Parameters, r.into(), i as u64);
                        self.sample(i, &mut rng)
                    })
                    .collect();
                (values, self.seed_of(r))
            }
            Item::Sensitivity { p, high, pair } => {
                let q = if high { HIGH } else { LOW };
                let values = (0..self.parameters.len())
                    .map(|i| self.quantile(i, if i == p { q } else { 0.5 }))
                    .collect();
                // The two runs of a pair share the seed: they differ only in the parameter.
                (values, self.seed_of(pair))
            }
            Item::Point { point, rep } => (self.point_values(point), self.seed_of(rep)),
        }
    }

    /// The values of a sweep's grid point: mixed radix, last axis fastest.
    fn point_values(&self, mut point: u32) -> Vec<f64> {
        let mut values = vec![0.0; self.sweep.len()];
        for (a, v) in self.sweep.iter().zip(values.iter_mut()).rev() {
            let n = a.values.len() as u32;
            *v = a.values[(point % n) as usize];
            point /= n;
        }
        values
    }

    /// Runs one item.
    pub fn run(&self, index: u32) -> Result<Record, Error> {
        let (values, seed) = self.draw(index);
        let scenario = self.scenario_for(&values, seed)?;
        let trace = match &self.trace {
            Some(shared) => Arc::clone(shared),
            None => Arc::new(crate::trace::load(&scenario.trace)?),
        };
        let (_, s) = crate::summary::simulate(&scenario, &trace)?;
        let metrics = Metrics {
            total: s.total,
            venues: s.venues.iter().map(|v| (v.name.clone(), v.total)).collect(),
            shortfall_vm_hours: s.shortfalls.vm_hours,
            backup_windows_missed: s.backup.as_ref().map_or(0, |b| b.windows_missed),
            carbon_kg: s.carbon_kg,
            vm_hours: s.vms.vm_hours_placed + s.vms.vm_hours_unplaced,
        };
        Ok(Record {
            index,
            values,
            seed,
            metrics,
        })
    }

    /// Runs the items (in parallel; the records come back in the order of `indices`), calling
    /// `done` after each.
    pub fn run_all(&self, indices: &[u32], done: &(dyn Fn() + Sync)) -> Result<Vec<Record>, Error> {
        use rayon::prelude::*;
        indices
            .par_iter()
            .map(|&i| {
                let r = self.run(i);
                done();
                r
            })
            .collect()
    }

    /// The scenario of an item: the loaded one with the item's values and seed applied, or, when
    /// a key is one `overrides::apply` does not set, loaded again from the TOML with them set.
    fn scenario_for(&self, values: &[f64], seed: u64) -> Result<scenario::Scenario, Error> {
        let bad = |key: &str, e: OverrideError| -> Error {
            InputError::key(&self.path, key, e.to_string()).into()
        };
        let mut s = self.loaded.clone();
        let mut all = true;
        for (key, v) in self.keys().into_iter().zip(values) {
            all &= overrides::apply(&mut s, &self.base, key, *v).map_err(|m| bad(key, m))?;
        }
        if all {
            overrides::apply_seed(&mut s, &self.base, seed);
            return Ok(s);
        }
        self.reparsed(values, seed)
    }

    /// The scenario of an item loaded again from its TOML with the item's values set.
    fn reparsed(&self, values: &[f64], seed: u64) -> Result<scenario::Scenario, Error> {
        let bad = |key: &str, e: OverrideError| -> Error {
            InputError::key(&self.path, key, e.to_string()).into()
        };
        let mut t = self.base.clone();
        for (key, v) in self.keys().into_iter().zip(values) {
            overrides::set(&mut t, key, *v).map_err(|m| bad(key, m))?;
        }
        t.insert("seed".into(), toml::Value::Integer(seed as i64));
        self.parse(t)
    }

    /// `--replications auto`: batches of `AUTO_BATCH` replications until the 95 % interval of
    /// the total's P50 is within `target` (relative half-width, 0.005 = 0.5 %) or `AUTO_MAX`
    /// have run; then the sensitivity runs. Batch boundaries depend on nothing but the runs'
    /// results, so the count is the same at any thread count. Returns every record in order.
    pub fn run_auto(
        &mut self,
        target: f64,
        done: &(dyn Fn() + Sync),
    ) -> Result<Vec<Record>, Error> {
        let mut records: Vec<Record> = Vec::new();
        loop {
            let from = records.len() as u32;
            self.replications = from + AUTO_BATCH;
            let batch: Vec<u32> = (from..self.replications).collect();
            records.extend(self.run_all(&batch, done)?);
            let mut totals: Vec<f64> = records.iter().map(|r| r.metrics.total).collect();
            totals.sort_by(f64::total_cmp);
            let p50 = super::stats::percentile(&totals, 0.5);
            let e = interval::quantile(&totals, 0.5, p50);
            if e.relative_half_width() <= target || self.replications >= AUTO_MAX {
                break;
            }
        }
        let rest: Vec<u32> = (self.replications..self.items()).collect();
        records.extend(self.run_all(&rest, done)?);
        Ok(records)
    }

    /// The scenario checked again from its TOML table, with the books and plan read once.
    fn parse(&self, t: Table) -> Result<scenario::Scenario, Error> {
        scenario::parse_table(t, &self.path, &self.files)
    }
}

/// The distribution's location values must be whole for a count: (key, value) of the first that
/// is not.
fn whole_bounds(dist: &Dist) -> Result<(), (&'static str, f64)> {
    let values: Vec<(&'static str, f64)> = match *dist {
        Dist::Fixed(v) => vec![("value", v)],
        Dist::Uniform { min, max } => vec![("min", min), ("max", max)],
        Dist::Normal { mean, .. } => vec![("mean", mean)],
        Dist::LogNormal { median, .. } => vec![("median", median)],
        Dist::Triangular { min, mode, max } => vec![("min", min), ("mode", mode), ("max", max)],
    };
    match values.into_iter().find(|(_, v)| v.fract() != 0.0) {
        Some(bad) => Err(bad),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn growth_study(extra: &str) -> Result<Study, Error> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/synthetic-growth.toml");
        let text = std::fs::read_to_string(&path).unwrap().replace(
            "[[uncertainty.parameters]]\nname = \"private hosts\"",
            &format!("{extra}[[uncertainty.parameters]]\nname = \"private hosts\""),
        );
        Study::load(&text, &path, Some(300))
    }

    #[test]
    fn host_counts_are_drawn_whole() {
        // "private hosts" (venues.0.hosts, an integer key) is uniform 3..5: each of 3, 4 and 5
        // with chance 1/3. Quantiles: P10 = 3 + ceil(0.1 x 3) - 1 = 3, P50 = 3 + ceil(1.5) - 1
        // = 4, P90 = 3 + ceil(2.7) - 1 = 5.
        let study = growth_study("").unwrap();
        let i = study
            .parameters
            .iter()
            .position(|p| p.name == "private hosts")
            .unwrap();
        assert!(study.counts[i]);
        let q: Vec<f64> = [LOW, 0.5, HIGH]
            .iter()
            .map(|&q| study.quantile(i, q))
            .collect();
        assert_eq!(q, [3.0, 4.0, 5.0]);
        let mut seen = [0u32; 3];
        for r in 0..300 {
            let v = study.draw(r).0[i];
            assert!([3.0, 4.0, 5.0].contains(&v), "replication {r}: {v}");
            seen[v as usize - 3] += 1;
        }
        // 300 draws, 100 expected each; a binomial sd of sqrt(300 x 1/3 x 2/3) = 8.2, so each
        // count lies within 100 +/- 4 sd.
        assert!(seen.iter().all(|&n| (67..=133).contains(&n)), "{seen:?}");
        // The AWS price factor is not a count: its draws keep their fractions.
        let aws = study
            .parameters
            .iter()
            .position(|p| p.name == "AWS price")
            .unwrap();
        assert!(!study.counts[aws] && study.draw(0).0[aws].fract() != 0.0);
    }

    #[test]
    fn a_fractional_bound_for_a_count_is_a_load_error() {
        let bad = "[[uncertainty.parameters]]\nname = \"units\"\nkey = \"venues.0.hosts\"\n\
                   distribution = \"triangular\"\nmin = 2\nmode = 3.5\nmax = 6\n\n";
        let e = growth_study(bad).err().unwrap().to_string();
        assert!(
            e.contains("uncertainty.parameters[3].mode")
                && e.contains("3.5 must be a whole number: `venues.0.hosts` is a count"),
            "{e}"
        );
    }

    #[test]
    fn items_set_on_the_loaded_scenario_equal_items_loaded_again() {
        // synthetic-growth's four parameters (growth, arrivals, AWS price, hosts) are all set
        // on the loaded scenario; a full load from the TOML must give the same run.
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/synthetic-growth.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let study = Study::load(&text, &path, Some(3)).unwrap();
        for index in [1, study.replications + 3] {
            let (values, seed) = study.draw(index);
            let fast = study.scenario_for(&values, seed).unwrap();
            let slow = study.reparsed(&values, seed).unwrap();
            let run = |s: &scenario::Scenario| {
                let trace = crate::trace::load(&s.trace).unwrap();
                crate::summary::simulate(s, &trace).unwrap().1
            };
            let (a, b) = (run(&fast), run(&slow));
            assert_eq!(a.total, b.total, "item {index} {values:?}");
            assert_eq!(a.vms.vm_hours_placed, b.vms.vm_hours_placed);
        }
    }
}
