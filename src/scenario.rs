//! Scenario files (TOML): what to simulate, over which horizon, against which venues. The raw
//! serde structs refuse unknown keys; `validate` resolves paths against the scenario's folder,
//! loads every venue's price book and checks each value, naming the key that is wrong.

use crate::error::{Error, InputError, read_input};
use crate::pricing::{Book, BookKind};
use crate::trace::{Format, ReadOptions, TraceSpec, VmSize, synthetic};
use crate::units::{Currency, SimTime, de_currency, de_duration, format_duration};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How the simulator chooses a venue for each arriving VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// The first venue, in scenario order, that can hold the VM.
    FirstFit,
    /// The venue with the lowest marginal cost that can hold the VM: a private host already paid
    /// for costs nothing more; a public venue costs its right-sized instance plus storage and
    /// egress. Ties go to the earlier venue.
    Cheapest,
}

impl Policy {
    pub fn name(self) -> &'static str {
        match self {
            Policy::FirstFit => "first-fit",
            Policy::Cheapest => "cheapest",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub path: PathBuf,
    pub name: String,
    pub description: String,
    pub horizon: SimTime,
    /// Resolution of usage snapshots (site utilisation is read at every step boundary).
    pub step: SimTime,
    pub seed: u64,
    pub currency: Currency,
    pub policy: Policy,
    pub trace: TraceSpec,
    /// Internet egress per VM-month, in GiB, by workload group ("*" for groups not listed).
    pub egress_gib_per_vm_month: BTreeMap<String, f64>,
    pub venues: Vec<Venue>,
}

#[derive(Debug, Clone)]
pub struct Venue {
    pub name: String,
    pub book: Book,
    /// Multiplier from the book's currency to the scenario's (1.0 when they are the same).
    pub rate: f64,
    /// Number of hosts of a private venue; `None` for public venues.
    pub hosts: Option<u32>,
}

impl Scenario {
    /// Egress GiB per VM-month for a group.
    pub fn egress_for(&self, group: &str) -> f64 {
        self.egress_gib_per_vm_month
            .get(group)
            .or_else(|| self.egress_gib_per_vm_month.get("*"))
            .copied()
            .unwrap_or(0.0)
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
    trace: RawTrace,
    #[serde(default)]
    egress_gib_per_vm_month: BTreeMap<String, f64>,
    #[serde(default)]
    exchange_rates: BTreeMap<String, f64>,
    venues: Vec<RawVenue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrace {
    format: Option<String>,
    vms: Option<PathBuf>,
    usage: Option<PathBuf>,
    path: Option<PathBuf>,
    sizes: Option<Vec<VmSize>>,
    cpu_scale: Option<f64>,
    mem_scale: Option<f64>,
    skip_unknown_vms: Option<bool>,
    synthetic: Option<toml::Table>,
}

impl RawTrace {
    /// Checks which keys go with which format and resolves paths against `base`.
    fn validate(
        self,
        base: &Path,
        horizon: SimTime,
        seed: u64,
    ) -> Result<TraceSpec, (String, String)> {
        let format = self.format.as_deref().unwrap_or("canonical");
        let err = |k: &str, m: String| Err((format!("trace.{k}"), m));
        // `None` stands for "synthetic", which has no files to read.
        let parsed = match (Format::parse(format), format) {
            (Some(f), _) => Some(f),
            (None, "synthetic") => None,
            (None, _) => {
                return err(
                    "format",
                    format!(
                        "\"{format}\" is not a trace format; expected canonical, planetlab, bitbrains, azure-v1, google-2011 or synthetic"
                    ),
                );
            }
        };
        let only = |key: &str, given: bool, formats: &str| -> Result<(), (String, String)> {
            if given {
                Err((
                    format!("trace.{key}"),
                    format!("applies only to format {formats}, not {format}"),
                ))
            } else {
                Ok(())
            }
        };
        only(
            "sizes",
            self.sizes.is_some() && format != "planetlab",
            "planetlab",
        )?;
        only(
            "cpu_scale",
            self.cpu_scale.is_some() && format != "google-2011",
            "google-2011",
        )?;
        only(
            "mem_scale",
            self.mem_scale.is_some() && format != "google-2011",
            "google-2011",
        )?;
        only(
            "skip_unknown_vms",
            self.skip_unknown_vms.is_some() && !matches!(format, "azure-v1" | "google-2011"),
            "azure-v1 or google-2011",
        )?;
        only(
            "synthetic",
            self.synthetic.is_some() && format != "synthetic",
            "synthetic",
        )?;
        only(
            "vms",
            self.vms.is_some() && format != "canonical",
            "canonical",
        )?;
        only(
            "usage",
            self.usage.is_some() && format != "canonical",
            "canonical",
        )?;
        let Some(parsed) = parsed else {
            only("path", self.path.is_some(), "other than synthetic")?;
            let mut table = self.synthetic.unwrap_or_default();
            // The scenario's horizon and seed unless the generator names its own.
            table
                .entry("horizon")
                .or_insert_with(|| toml::Value::String(format_duration(horizon)));
            table
                .entry("seed")
                .or_insert_with(|| toml::Value::Integer(seed as i64));
            let params: synthetic::Params = table.try_into().map_err(|e: toml::de::Error| {
                ("trace.synthetic".to_string(), e.message().to_string())
            })?;
            params
                .validate()
                .map_err(|(k, m)| (format!("trace.synthetic.{k}"), m))?;
            return Ok(TraceSpec::Synthetic(params));
        };
        if parsed == Format::Canonical {
            return match (self.vms, self.path) {
                (Some(vms), None) => Ok(TraceSpec::Canonical {
                    vms: base.join(vms),
                    usage: self.usage.map(|u| base.join(u)),
                }),
                (None, Some(path)) => {
                    only("usage", self.usage.is_some(), "canonical with vms = ...")?;
                    Ok(TraceSpec::from_path(
                        parsed,
                        &base.join(path),
                        ReadOptions::default(),
                    ))
                }
                _ => err(
                    "vms",
                    "give either vms = \"vms.csv\" (and usage = ...) or path = \"folder\"".into(),
                ),
            };
        }
        let Some(path) = self.path else {
            return err(
                "path",
                format!("format {format} needs path = \"folder of the trace files\""),
            );
        };
        let defaults = ReadOptions::default();
        let options = ReadOptions {
            sizes: self.sizes.unwrap_or(defaults.sizes),
            cpu_scale: self.cpu_scale.unwrap_or(defaults.cpu_scale),
            mem_scale: self.mem_scale.unwrap_or(defaults.mem_scale),
            skip_unknown_vms: self.skip_unknown_vms.unwrap_or(false),
        };
        if options.sizes.is_empty() {
            return err(
                "sizes",
                "needs at least one { vcpus = .., mem_gib = .. }".into(),
            );
        }
        for (i, size) in options.sizes.iter().enumerate() {
            size.check().map_err(|m| (format!("trace.sizes[{i}]"), m))?;
        }
        for (k, v) in [
            ("cpu_scale", options.cpu_scale),
            ("mem_scale", options.mem_scale),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return err(k, format!("{v} must be a finite number > 0"));
            }
        }
        Ok(TraceSpec::Files {
            format: parsed,
            path: base.join(path),
            options,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVenue {
    name: String,
    book: PathBuf,
    hosts: Option<u32>,
}

/// Loads a scenario and every price book it names.
pub fn load(path: &Path) -> Result<Scenario, Error> {
    let text = read_input(path)?;
    parse(&text, path)
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
    for (group, gib) in &raw.egress_gib_per_vm_month {
        if !gib.is_finite() || *gib < 0.0 {
            return Err(bad(
                format!("egress_gib_per_vm_month.{group}"),
                format!("{gib} must be a finite number of GiB >= 0"),
            ));
        }
    }
    let mut rates = BTreeMap::new();
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
        rates.insert(currency, *rate);
    }
    let trace = raw
        .trace
        .validate(base, raw.horizon, raw.seed)
        .map_err(|(k, m)| bad(k, m))?;
    if raw.venues.is_empty() {
        return Err(bad(
            "venues".into(),
            "needs at least one [[venues]] entry".into(),
        ));
    }

    let mut venues: Vec<Venue> = Vec::with_capacity(raw.venues.len());
    for (i, v) in raw.venues.into_iter().enumerate() {
        let key = |field: &str| format!("venues[{i}].{field}");
        if v.name.trim().is_empty() {
            return Err(bad(key("name"), "must not be empty".into()));
        }
        if venues.iter().any(|u| u.name == v.name) {
            return Err(bad(
                key("name"),
                format!("venue \"{}\" is named twice", v.name),
            ));
        }
        let book = Book::load(&base.join(&v.book))?;
        let rate = if book.currency == raw.currency {
            1.0
        } else {
            *rates.get(&book.currency).ok_or_else(|| {
                bad(
                    key("book"),
                    format!(
                        "{} is priced in {} but the scenario reports in {}; add exchange_rates.{} = <{} per 1 {}>",
                        book.path.display(),
                        book.currency,
                        raw.currency,
                        book.currency,
                        raw.currency,
                        book.currency
                    ),
                )
            })?
        };
        match (&book.kind, v.hosts) {
            (BookKind::Private(_), None) => {
                return Err(bad(
                    key("hosts"),
                    "a private venue needs a host count, e.g. hosts = 8".into(),
                ));
            }
            (BookKind::Private(_), Some(0)) => {
                return Err(bad(key("hosts"), "must be at least 1".into()));
            }
            (BookKind::Public(_), Some(_)) => {
                return Err(bad(
                    key("hosts"),
                    "a public venue has no host count; remove it".into(),
                ));
            }
            _ => {}
        }
        venues.push(Venue {
            name: v.name,
            book,
            rate,
            hosts: v.hosts,
        });
    }

    Ok(Scenario {
        path: path.to_path_buf(),
        name: raw.name,
        description: raw.description,
        horizon: raw.horizon,
        step: raw.step,
        seed: raw.seed,
        currency: raw.currency,
        policy: raw.policy,
        trace,
        egress_gib_per_vm_month: raw.egress_gib_per_vm_month,
        venues,
    })
}
