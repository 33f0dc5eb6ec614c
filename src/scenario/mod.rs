//! Scenario files (TOML): what to simulate, over which horizon, against which venues, with which
//! group policies, commitments and backup service. The raw serde structs refuse unknown keys;
//! validation resolves paths against the scenario's folder, loads every price book and checks
//! each value, naming the key that is wrong.

mod autoscale;
mod backup;
pub mod branding;
pub mod capacity;
mod files;
mod groups;
pub mod limits;
pub mod migration;
pub mod money;
mod names;
mod placement;
mod protected;
pub mod rightsize;
pub mod storage;
pub mod timeline;
mod trace;
pub mod uncertainty;
mod venues;

pub use autoscale::{Autoscale, ScaleRule};
pub use backup::{BackupPlan, BackupSite, Seeding};
pub use files::Files;
pub use groups::{GroupPolicy, SpotFallback, check_known as check_group_names};
pub use names::{check_file_name, slug};
pub use placement::{Plan, PlanCapacity, PlanRule, Policy, load_plan};
pub use venues::{Commitment, Venue, VenueSize};

use crate::error::{Error, InputError, KeyError, read_input};
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
    /// The `[report]` table: the report's branding.
    pub branding: branding::Branding,
    /// `[rightsize]`: VMs fitted to their percentile use before the run.
    pub rightsize: Option<rightsize::Rightsize>,
    /// `[storage]`: the VMs' disks and how public venues price them.
    pub storage: Option<storage::Storage>,
    /// The calendar date of time 0, when the scenario gives one (`start`).
    pub start: Option<timeline::Date>,
    /// Money over time: dated capital and one-off costs, escalation, the discount rate.
    pub money: money::Money,
    /// Private and HCI venues whose capacity grows by date (`[[capacity]]`, `[[growth]]`).
    pub capacity: Vec<capacity::VenueCapacity>,
    /// Groups moving between venues on dates (`[[migrations]]`).
    pub migrations: Vec<migration::Migration>,
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
    report: Option<branding::RawReport>,
    rightsize: Option<rightsize::RawRightsize>,
    storage: Option<storage::RawStorage>,
    start: Option<String>,
    #[serde(default)]
    money: money::RawMoney,
    #[serde(default)]
    capacity: Vec<capacity::RawChange>,
    #[serde(default)]
    growth: Vec<capacity::RawGrowth>,
    #[serde(default)]
    migrations: Vec<migration::RawMigration>,
}

/// Loads a scenario and every price book it names.
pub fn load(path: &Path) -> Result<Scenario, Error> {
    let text = read_input(path)?;
    parse(&text, path)
}

/// Turns a book's currency into the scenario's: the rate, or an error naming the missing one.
/// This is where mixed currencies are refused: every amount after loading is in `reporting`.
struct Rates {
    reporting: Currency,
    rates: BTreeMap<Currency, f64>,
}

/// A book priced in a currency the scenario has no exchange rate for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} is priced in {currency} but the scenario reports in {reporting}; add exchange_rates.{currency} = <{reporting} per 1 {currency}>",
    book.display()
)]
pub struct NoExchangeRate {
    pub book: PathBuf,
    pub currency: Currency,
    pub reporting: Currency,
}

impl Rates {
    /// The scenario's currency and its `exchange_rates`, checked.
    fn new(reporting: Currency, raw: &BTreeMap<String, f64>) -> Result<Rates, KeyError> {
        let mut rates = BTreeMap::new();
        for (code, rate) in raw {
            let key = format!("exchange_rates.{code}");
            let currency = Currency::parse(code).map_err(|e| e.at(key.clone()))?;
            if !rate.is_finite() || *rate <= 0.0 {
                let m = format!("{rate} must be a finite number > 0 ({reporting} per 1 {code})");
                return Err(KeyError::new(key, m));
            }
            rates.insert(currency, *rate);
        }
        Ok(Rates { reporting, rates })
    }

    fn of(&self, book: &Book) -> Result<f64, NoExchangeRate> {
        if book.currency == self.reporting {
            return Ok(1.0);
        }
        self.rates
            .get(&book.currency)
            .copied()
            .ok_or_else(|| NoExchangeRate {
                book: book.path.clone(),
                currency: book.currency,
                reporting: self.reporting,
            })
    }
}

/// The name (it names the output folder), the horizon and the step.
fn check_basics(raw: &RawScenario) -> Result<(), KeyError> {
    names::check_file_name("name", &raw.name)?;
    if raw.horizon == 0 {
        return Err(KeyError::new("horizon", "must be longer than 0s"));
    }
    if raw.step == 0 || raw.step > raw.horizon {
        return Err(KeyError::new(
            "step",
            format!(
                "{}s must be > 0 and no longer than the horizon ({}s)",
                raw.step, raw.horizon
            ),
        ));
    }
    Ok(())
}

/// `failures = true` needs a venue whose book has a failure model.
fn check_failures(failures: bool, venues: &[Venue]) -> Result<(), KeyError> {
    let has_failure_model = venues.iter().any(|v| {
        v.private().is_some_and(|p| p.failures.is_some())
            || v.hci().is_some_and(|h| h.failures().is_some())
    });
    if failures && !has_failure_model {
        let m = "is true, but no private or HCI venue's book has a failure model ([private.failures], or afr_pct in [hci])";
        return Err(KeyError::new("failures", m));
    }
    Ok(())
}

/// Every `[[autoscale]]` group, each autoscaled once.
fn validate_autoscale(raw: Vec<autoscale::RawAutoscale>) -> Result<Vec<Autoscale>, KeyError> {
    let mut autoscale: Vec<Autoscale> = Vec::with_capacity(raw.len());
    for (i, a) in raw.into_iter().enumerate() {
        let a = a.validate(i)?;
        if autoscale.iter().any(|o| o.group == a.group) {
            return Err(KeyError::new(
                format!("autoscale[{i}].group"),
                format!("group \"{}\" is already autoscaled", a.group),
            ));
        }
        autoscale.push(a);
    }
    Ok(autoscale)
}

/// The `[backup]` section with its book; its name may not be a venue's.
fn validate_backup(
    raw: Option<backup::RawBackup>,
    (base, files): (&Path, &Files),
    rates: &Rates,
    venues: &[Venue],
    path: &Path,
) -> Result<Option<BackupPlan>, Error> {
    let Some(b) = raw else { return Ok(None) };
    let book = files.book(&base.join(&b.book))?;
    let rate = rates
        .of(&book)
        .map_err(|e| InputError::key(path, "backup.book", e.to_string()))?;
    let used = match &b.inventory {
        Some(file) => Some(protected::used_gib_by_group(&base.join(file))?),
        None => None,
    };
    let plan = b
        .validate(book, rate, used.as_ref())
        .map_err(|e| e.in_file(path))?;
    if venues.iter().any(|v| v.name == plan.name) {
        let m = format!("\"{}\" is also a venue's name", plan.name);
        return Err(InputError::key(path, "backup.name", m).into());
    }
    Ok(Some(plan))
}

/// Parses scenario text; relative paths resolve against `path`'s folder.
pub fn parse(text: &str, path: &Path) -> Result<Scenario, Error> {
    parse_with(text, path, &Files::default())
}

/// `parse`, taking the books and plan file from `files` (reading each the first time).
pub fn parse_with(text: &str, path: &Path, files: &Files) -> Result<Scenario, Error> {
    let raw: RawScenario =
        toml::from_str(text).map_err(|e| InputError::from_toml(path, text, &e))?;
    // The typed parse succeeded, so the text is a TOML table.
    let doc: toml::Table =
        toml::from_str(text).map_err(|e| InputError::from_toml(path, text, &e))?;
    build(raw, &doc, path, files)
}

/// A scenario already parsed as TOML (a study's, with a run's values set), checked as `parse`
/// checks text, with the books and plan file from `files`: nothing is written back to text.
pub fn parse_table(table: toml::Table, path: &Path, files: &Files) -> Result<Scenario, Error> {
    let raw: RawScenario = table
        .clone()
        .try_into()
        .map_err(|e: toml::de::Error| InputError::file(path, e.message().to_string()))?;
    build(raw, &table, path, files)
}

/// Checks the typed scenario `raw` and its TOML table `doc` (for the limits on every number).
fn build(
    raw: RawScenario,
    doc: &toml::Table,
    path: &Path,
    files: &Files,
) -> Result<Scenario, Error> {
    let in_file = |e: KeyError| -> Error { e.in_file(path).into() };
    let base = path.parent().unwrap_or(Path::new("."));

    check_basics(&raw).map_err(in_file)?;
    limits::check(doc, limits::SCENARIO).map_err(in_file)?;
    limits::check_durations(doc, limits::SCENARIO_DURATIONS).map_err(in_file)?;
    limits::check_total_hosts(doc).map_err(in_file)?;
    limits::check_run_length(raw.horizon, raw.step).map_err(in_file)?;
    let rates = Rates::new(raw.currency, &raw.exchange_rates).map_err(in_file)?;
    let trace = raw
        .trace
        .validate(base, raw.horizon, raw.seed)
        .map_err(in_file)?;
    let venues = venues::validate(raw.venues, (path, files), &|book| rates.of(book))?;
    let names: Vec<&str> = venues.iter().map(|v| v.name.as_str()).collect();
    names::check_chart_names(names.iter().copied()).map_err(in_file)?;
    let classes = groups::latency_classes(raw.latency_classes, &names).map_err(in_file)?;
    let groups = groups::validate(raw.groups, &names, &classes).map_err(in_file)?;
    groups::check_sql_rates(&groups, &venues).map_err(in_file)?;
    let (min_stay, plan) = placement::validate(
        raw.policy,
        raw.placement,
        (base, files),
        &venues,
        (path, raw.horizon),
    )?;
    let commitments = venues::validate_commitments(raw.commitments, &venues).map_err(in_file)?;
    check_failures(raw.failures, &venues).map_err(in_file)?;
    let autoscale = validate_autoscale(raw.autoscale).map_err(in_file)?;
    let backup = validate_backup(raw.backup, (base, files), &rates, &venues, path)?;

    let uncertainty = match raw.uncertainty {
        Some(u) => Some(u.validate().map_err(in_file)?),
        None => None,
    };
    uncertainty::validate_sweep(&raw.sweep).map_err(in_file)?;
    let rightsize = raw
        .rightsize
        .map(|r| r.validate(base, &venues))
        .transpose()
        .map_err(in_file)?;
    let storage = raw
        .storage
        .map(|s| s.validate(base, &venues, path))
        .transpose()?;
    let start = timeline::parse_start(raw.start.as_deref()).map_err(in_file)?;
    let frame = money::Frame {
        start,
        horizon: raw.horizon,
        venues: &venues,
    };
    let money = raw.money.validate(&frame).map_err(in_file)?;
    let mut capacity =
        capacity::validate(raw.capacity, raw.growth, &frame, raw.failures).map_err(in_file)?;
    if let Some(plan) = &plan {
        capacity::follow_plan(&mut capacity, plan, raw.failures)
            .map_err(|e| e.in_file(&plan.path))?;
    }
    let links: Vec<(&str, f64)> = (backup.iter().flat_map(|b| &b.sites))
        .map(|s| (s.name.as_str(), s.link_mbps))
        .collect();
    let migrations = migration::validate(raw.migrations, &frame, &links).map_err(in_file)?;

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
        branding: raw.report.map(|r| r.resolve(base)).unwrap_or_default(),
        rightsize,
        storage,
        start,
        money,
        capacity,
        migrations,
    })
}

#[cfg(test)]
mod tests;
