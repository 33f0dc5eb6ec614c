//! A study of one scenario: numbered work items, each run on its own from the scenario's TOML
//! with the item's values set. A Monte Carlo study's items are the replications, then a low and
//! a high run per parameter for the sensitivity ranking; a sweep's items are its grid points. An item depends only on (scenario, seed, index), so items
//! can run in any order, on any thread, or in another process (`--shard`).

use super::{Axis, Parameter, overrides};
use crate::error::{Error, InputError};
use crate::scenario;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use toml::Table;

/// Quantiles of a parameter for the sensitivity runs.
pub const LOW: f64 = 0.1;
pub const HIGH: f64 = 0.9;

/// What a work item runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item {
    /// A replication: every parameter drawn from its own stream.
    Replication(u32),
    /// Every parameter at its median, parameter `p` at its P10 (`high` false) or P90.
    Sensitivity { p: usize, high: bool },
    /// A grid point of a sweep.
    Point(u32),
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
    pub name: String,
    pub currency: String,
    pub seed: u64,
    pub replications: u32,
    pub parameters: Vec<Parameter>,
    /// Non-empty for a sweep: the grid, first axis slowest.
    pub sweep: Vec<Axis>,
}

impl Study {
    /// Reads the scenario and its `[uncertainty]` table; `replications` overrides its count.
    /// Without the table, replications differ only in their random streams.
    pub fn load(path: &Path, replications: Option<u32>) -> Result<Study, Error> {
        let mut study = Self::read(path)?;
        let scenario = study.parse(&study.base)?;
        let (count, parameters) = match &scenario.uncertainty {
            Some(u) => (u.replications, u.parameters.clone()),
            None => (100, Vec::new()),
        };
        study.replications = replications.filter(|n| *n > 0).unwrap_or(count);
        study.parameters = parameters;
        // Every key must take a value: try each parameter at its extremes now, so a bad key
        // fails before any run starts.
        for (i, p) in study.parameters.iter().enumerate() {
            for q in [LOW, HIGH] {
                let at = format!("uncertainty.parameters[{i}].key");
                study.try_value(&p.key, p.dist.quantile(q), &at)?;
            }
        }
        Ok(study)
    }

    /// Reads the scenario's `[[sweep]]` grid.
    pub fn sweep(path: &Path) -> Result<Study, Error> {
        let mut study = Self::read(path)?;
        study.sweep = study.parse(&study.base)?.sweep;
        if study.sweep.is_empty() {
            let msg = "has no [[sweep]] axes: add `[[sweep]]` tables with a key and values";
            return Err(InputError::file(path, msg).into());
        }
        for (i, a) in study.sweep.iter().enumerate() {
            for v in &a.values {
                study.try_value(&a.key, *v, &format!("sweep[{i}].key"))?;
            }
        }
        Ok(study)
    }

    fn read(path: &Path) -> Result<Study, Error> {
        let text = crate::error::read_input(path)?;
        let scenario = scenario::parse(&text, path)?;
        let base: Table =
            toml::from_str(&text).map_err(|e| InputError::from_toml(path, &text, &e))?;
        Ok(Study {
            path: path.to_path_buf(),
            base,
            name: scenario.name,
            currency: scenario.currency.to_string(),
            seed: scenario.seed,
            replications: 0,
            parameters: Vec::new(),
            sweep: Vec::new(),
        })
    }

    /// Sets `key` to `value` in a copy of the scenario and checks that the scenario accepts it.
    fn try_value(&self, key: &str, value: f64, at: &str) -> Result<(), Error> {
        let mut t = self.base.clone();
        overrides::set(&mut t, key, value).map_err(|m| InputError::key(&self.path, at, m))?;
        self.parse(&t).map(|_| ())
    }

    /// The keys an item sets, in the order of its values.
    pub fn keys(&self) -> Vec<&str> {
        if self.sweep.is_empty() {
            self.parameters.iter().map(|p| p.key.as_str()).collect()
        } else {
            self.sweep.iter().map(|a| a.key.as_str()).collect()
        }
    }

    /// Work items: replications first, then two sensitivity runs per parameter; or the points
    /// of the sweep's grid.
    pub fn items(&self) -> u32 {
        super::item_count(self.replications, self.parameters.len(), &self.sweep)
    }

    pub fn item(&self, index: u32) -> Item {
        if !self.sweep.is_empty() {
            Item::Point(index)
        } else if index < self.replications {
            Item::Replication(index)
        } else {
            let k = (index - self.replications) as usize;
            Item::Sensitivity {
                p: k / 2,
                high: k % 2 == 1,
            }
        }
    }

    /// The values and simulation seed of an item.
    pub fn draw(&self, index: u32) -> (Vec<f64>, u64) {
        match self.item(index) {
            Item::Replication(r) => {
                // Stream r of the scenario's seed: independent of every other replication.
                let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
                rng.set_stream(u64::from(r));
                let values = self
                    .parameters
                    .iter()
                    .map(|p| p.dist.sample(&mut rng))
                    .collect();
                // TOML integers are i64: keep the seed within them.
                (values, rng.next_u64() >> 1)
            }
            Item::Sensitivity { p, high } => {
                let q = if high { HIGH } else { LOW };
                let values = self
                    .parameters
                    .iter()
                    .enumerate()
                    .map(|(i, x)| x.dist.quantile(if i == p { q } else { 0.5 }))
                    .collect();
                // The scenario's own seed: the two runs differ only in the parameter.
                (values, self.seed)
            }
            Item::Point(mut i) => {
                // Mixed radix, last axis fastest.
                let mut values = vec![0.0; self.sweep.len()];
                for (a, v) in self.sweep.iter().zip(values.iter_mut()).rev() {
                    let n = a.values.len() as u32;
                    *v = a.values[(i % n) as usize];
                    i /= n;
                }
                (values, self.seed)
            }
        }
    }

    /// Runs one item.
    pub fn run(&self, index: u32) -> Result<Record, Error> {
        let (values, seed) = self.draw(index);
        let mut t = self.base.clone();
        for (key, v) in self.keys().into_iter().zip(&values) {
            overrides::set(&mut t, key, *v).map_err(|m| InputError::key(&self.path, key, m))?;
        }
        t.insert("seed".into(), toml::Value::Integer(seed as i64));
        let scenario = self.parse(&t)?;
        let trace = crate::trace::load(&scenario.trace)?;
        let (_, s) = crate::summary::simulate(&scenario, &trace)?;
        let metrics = Metrics {
            total: s.total,
            venues: s.venues.iter().map(|v| (v.name.clone(), v.total)).collect(),
            shortfall_vm_hours: s.shortfalls.vm_hours,
            backup_windows_missed: s.backup.as_ref().map_or(0, |b| b.windows_missed),
            carbon_kg: s.carbon_kg,
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

    fn parse(&self, t: &Table) -> Result<scenario::Scenario, Error> {
        let text = toml::to_string(t).map_err(|e| InputError::file(&self.path, e.to_string()))?;
        scenario::parse(&text, &self.path)
    }
}
