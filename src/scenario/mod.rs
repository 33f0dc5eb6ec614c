//! Scenario files (TOML): what to simulate, over which horizon, against which venues, with which
//! group policies, commitments and backup service. The raw serde structs refuse unknown keys;
//! validation resolves paths against the scenario's folder, loads every price book and checks
//! each value, naming the key that is wrong.

mod autoscale;
mod backup;
mod groups;
mod placement;
mod trace;
pub mod uncertainty;
mod venues;

pub use autoscale::{Autoscale, ScaleRule};
pub use backup::{BackupPlan, BackupSite, Seeding};
pub use groups::{GroupPolicy, SpotFallback};
pub use placement::{Plan, PlanRule, Policy, load_plan};
pub use venues::{Commitment, Venue, VenueSize};

use crate::error::{Error, InputError, read_input};
use crate::pricing::Book;
use crate::trace::TraceSpec;
use crate::units::{Currency, SimTime, de_currency, de_duration};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Scenario {
    /// The `[uncertainty]` table: distributions of guessed inputs for `run --replications`.
    pub uncertainty: Option<uncertainty::Uncertainty>,
    /// The `[[sweep]]` grid for `run --sweep`.
    pub sweep: Vec<uncertainty::Axis>,
    pub path: PathBuf,
    pub name: String,
    pub description: String,
    pub horizon: SimTime,
    /// Resolution of usage snapshots (site utilisation and power are read at every step).
    pub step: SimTime,
    pub seed: u64,
    pub currency: Currency,
    pub policy: Policy,
    /// private-first: the shortest stay on a public venue before a burst VM may return.
    pub min_stay: SimTime,
    /// plan: where each group goes.
    pub plan: Option<Plan>,
    pub trace: TraceSpec,
    /// Policies by group name; "*" applies to groups not named.
    pub groups: BTreeMap<String, GroupPolicy>,
    pub venues: Vec<Venue>,
    pub commitments: Vec<Commitment>,
    pub backup: Option<BackupPlan>,
    /// Hosts fail and are repaired by their books' failure models.
    pub failures: bool,
    /// Scalable groups.
    pub autoscale: Vec<Autoscale>,
}

impl Scenario {
    /// The policy of a group: its own, else "*", else the defaults.
    pub fn group(&self, name: &str) -> GroupPolicy {
        self.groups
            .get(name)
            .or_else(|| self.groups.get("*"))
            .cloned()
            .unwrap_or_default()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(deserialize_with = "de_duration")]
    horizon: SimTime,
    #[serde(deserialize_with = "de_duration")]
    step: SimTime,
    seed: u64,
    #[serde(deserialize_with = "de_currency")]
    currency: Currency,
    policy: Policy,
    placement: Option<placement::RawPlacement>,
    trace: trace::RawTrace,
    #[serde(default)]
    groups: BTreeMap<String, groups::RawGroup>,
    /// Latency class -> the venues that serve it.
    #[serde(default)]
    latency_classes: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    exchange_rates: BTreeMap<String, f64>,
    venues: Vec<venues::RawVenue>,
    #[serde(default)]
    commitments: Vec<venues::RawCommitment>,
    backup: Option<backup::RawBackup>,
    #[serde(default)]
    failures: bool,
    #[serde(default)]
    autoscale: Vec<autoscale::RawAutoscale>,
    uncertainty: Option<uncertainty::RawUncertainty>,
    #[serde(default)]
    sweep: Vec<uncertainty::Axis>,
}

/// Loads a scenario and every price book it names.
pub fn load(path: &Path) -> Result<Scenario, Error> {
    let text = read_input(path)?;
    parse(&text, path)
}

/// Turns a book's currency into the scenario's: the rate, or an error naming the missing one.
struct Rates {
    reporting: Currency,
    rates: BTreeMap<Currency, f64>,
}

impl Rates {
    fn of(&self, book: &Book) -> Result<f64, String> {
        if book.currency == self.reporting {
            return Ok(1.0);
        }
        self.rates.get(&book.currency).copied().ok_or_else(|| {
            format!(
                "{} is priced in {} but the scenario reports in {}; add exchange_rates.{} = <{} per 1 {}>",
                book.path.display(),
                book.currency,
                self.reporting,
                book.currency,
                self.reporting,
                book.currency
            )
        })
    }
}

/// Parses scenario text; relative paths resolve against `path`'s folder.
pub fn parse(text: &str, path: &Path) -> Result<Scenario, Error> {
    let raw: RawScenario =
        toml::from_str(text).map_err(|e| InputError::from_toml(path, text, &e))?;
    let bad = |key: String, msg: String| -> Error { InputError::key(path, key, msg).into() };
    let base = path.parent().unwrap_or(Path::new("."));

    let name_ok = !raw.name.is_empty()
        && raw
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !name_ok {
        return Err(bad(
            "name".into(),
            format!(
                "\"{}\" must be non-empty and use only letters, digits, '-', '_' and '.' (it names the output folder)",
                raw.name
            ),
        ));
    }
    if raw.horizon == 0 {
        return Err(bad("horizon".into(), "must be longer than 0s".into()));
    }
    if raw.step == 0 || raw.step > raw.horizon {
        return Err(bad(
            "step".into(),
            format!(
                "{}s must be > 0 and no longer than the horizon ({}s)",
                raw.step, raw.horizon
            ),
        ));
    }
    let mut rates = Rates {
        reporting: raw.currency,
        rates: BTreeMap::new(),
    };
    for (code, rate) in &raw.exchange_rates {
        let key = format!("exchange_rates.{code}");
        let currency = Currency::parse(code).map_err(|m| bad(key.clone(), m))?;
        if !rate.is_finite() || *rate <= 0.0 {
            return Err(bad(
                key,
                format!(
                    "{rate} must be a finite number > 0 ({} per 1 {code})",
                    raw.currency
                ),
            ));
        }
        rates.rates.insert(currency, *rate);
    }
    let trace = raw
        .trace
        .validate(base, raw.horizon, raw.seed)
        .map_err(|(k, m)| bad(k, m))?;
    let venues = venues::validate(raw.venues, path, &|book| rates.of(book))?;
    let names: Vec<&str> = venues.iter().map(|v| v.name.as_str()).collect();
    let classes =
        groups::latency_classes(raw.latency_classes, &names).map_err(|(k, m)| bad(k, m))?;
    let groups = groups::validate(raw.groups, &names, &classes).map_err(|(k, m)| bad(k, m))?;
    let (min_stay, plan) = placement::validate(raw.policy, raw.placement, base, &venues, path)?;
    let commitments =
        venues::validate_commitments(raw.commitments, &venues).map_err(|(k, m)| bad(k, m))?;
    let has_failure_model = venues.iter().any(|v| {
        v.private().is_some_and(|p| p.failures.is_some())
            || v.hci().is_some_and(|h| h.failures().is_some())
    });
    if raw.failures && !has_failure_model {
        let m = "is true, but no private or HCI venue's book has a failure model ([private.failures], or afr_pct in [hci])";
        return Err(bad("failures".into(), m.into()));
    }
    let mut autoscale: Vec<Autoscale> = Vec::with_capacity(raw.autoscale.len());
    for (i, a) in raw.autoscale.into_iter().enumerate() {
        let a = a.validate(i).map_err(|(k, m)| bad(k, m))?;
        if autoscale.iter().any(|o| o.group == a.group) {
            return Err(bad(
                format!("autoscale[{i}].group"),
                format!("group \"{}\" is already autoscaled", a.group),
            ));
        }
        autoscale.push(a);
    }
    let backup = match raw.backup {
        Some(b) => {
            let book = Book::load(&base.join(&b.book))?;
            let rate = rates.of(&book).map_err(|m| bad("backup.book".into(), m))?;
            Some(b.validate(book, rate).map_err(|(k, m)| bad(k, m))?)
        }
        None => None,
    };
    if let Some(b) = &backup
        && venues.iter().any(|v| v.name == b.name)
    {
        return Err(bad(
            "backup.name".into(),
            format!("\"{}\" is also a venue's name", b.name),
        ));
    }

    let uncertainty = match raw.uncertainty {
        Some(u) => Some(u.validate().map_err(|(k, m)| bad(k, m))?),
        None => None,
    };
    uncertainty::validate_sweep(&raw.sweep).map_err(|(k, m)| bad(k, m))?;

    Ok(Scenario {
        uncertainty,
        sweep: raw.sweep,
        path: path.to_path_buf(),
        name: raw.name,
        description: raw.description,
        horizon: raw.horizon,
        step: raw.step,
        seed: raw.seed,
        currency: raw.currency,
        policy: raw.policy,
        min_stay,
        plan,
        trace,
        groups,
        venues,
        commitments,
        backup,
        failures: raw.failures,
        autoscale,
    })
}
