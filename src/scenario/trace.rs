//! The scenario's `[trace]` table: which keys go with which format, paths resolved against the
//! scenario's folder, and the synthetic generator's parameters.

use crate::error::KeyError;
use crate::trace::{Format, ReadOptions, TraceSpec, VmSize, synthetic};
use crate::units::{SimTime, format_duration};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTrace {
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

/// `Err` naming `trace.<key>` when `given`: the key applies only to `formats`.
fn only(key: &str, given: bool, formats: &str, format: &str) -> Result<(), KeyError> {
    if given {
        Err(KeyError::new(
            format!("trace.{key}"),
            format!("applies only to format {formats}, not {format}"),
        ))
    } else {
        Ok(())
    }
}

impl RawTrace {
    /// Checks which keys go with which format and resolves paths against `base`.
    pub(super) fn validate(
        self,
        base: &Path,
        horizon: SimTime,
        seed: u64,
    ) -> Result<TraceSpec, KeyError> {
        let format = self.format.as_deref().unwrap_or("canonical");
        let err = |k: &str, m: String| Err(KeyError::new(format!("trace.{k}"), m));
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
        self.check_keys(format)?;
        let Some(parsed) = parsed else {
            only("path", self.path.is_some(), "other than synthetic", format)?;
            return synthetic(self.synthetic.unwrap_or_default(), horizon, seed);
        };
        if parsed == Format::Canonical {
            return match (self.vms, self.path) {
                (Some(vms), None) => Ok(TraceSpec::Canonical {
                    vms: base.join(vms),
                    usage: self.usage.map(|u| base.join(u)),
                }),
                (None, Some(path)) => {
                    let given = self.usage.is_some();
                    only("usage", given, "canonical with vms = ...", format)?;
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
        check_options(&options)?;
        Ok(TraceSpec::Files {
            format: parsed,
            path: base.join(path),
            options,
        })
    }

    /// Refuses the keys that belong to another format than `format`.
    fn check_keys(&self, format: &str) -> Result<(), KeyError> {
        let google = format == "google-2011";
        let keys = [
            (
                "sizes",
                self.sizes.is_some(),
                format == "planetlab",
                "planetlab",
            ),
            ("cpu_scale", self.cpu_scale.is_some(), google, "google-2011"),
            ("mem_scale", self.mem_scale.is_some(), google, "google-2011"),
            (
                "skip_unknown_vms",
                self.skip_unknown_vms.is_some(),
                matches!(format, "azure-v1" | "google-2011"),
                "azure-v1 or google-2011",
            ),
            (
                "synthetic",
                self.synthetic.is_some(),
                format == "synthetic",
                "synthetic",
            ),
            (
                "vms",
                self.vms.is_some(),
                format == "canonical",
                "canonical",
            ),
            (
                "usage",
                self.usage.is_some(),
                format == "canonical",
                "canonical",
            ),
        ];
        for (key, given, allowed, formats) in keys {
            only(key, given && !allowed, formats, format)?;
        }
        Ok(())
    }
}

/// The synthetic generator's parameters: the scenario's horizon and seed unless the table names
/// its own.
fn synthetic(mut table: toml::Table, horizon: SimTime, seed: u64) -> Result<TraceSpec, KeyError> {
    table
        .entry("horizon")
        .or_insert_with(|| toml::Value::String(format_duration(horizon)));
    table
        .entry("seed")
        .or_insert_with(|| toml::Value::Integer(seed as i64));
    let params: synthetic::Params = table
        .try_into()
        .map_err(|e: toml::de::Error| KeyError::new("trace.synthetic", e.message()))?;
    params.validate().map_err(|e| e.within("trace.synthetic"))?;
    Ok(TraceSpec::Synthetic(params))
}

/// The reading options of a format with files: sizes and scales.
fn check_options(options: &ReadOptions) -> Result<(), KeyError> {
    if options.sizes.is_empty() {
        let m = "needs at least one { vcpus = .., mem_gib = .. }";
        return Err(KeyError::new("trace.sizes", m));
    }
    for (i, size) in options.sizes.iter().enumerate() {
        size.check()
            .map_err(|e| KeyError::new(format!("trace.sizes[{i}]"), e.to_string()))?;
    }
    for (k, v) in [
        ("cpu_scale", options.cpu_scale),
        ("mem_scale", options.mem_scale),
    ] {
        if !(v.is_finite() && v > 0.0) {
            let m = format!("{v} must be a finite number > 0");
            return Err(KeyError::new(format!("trace.{k}"), m));
        }
    }
    Ok(())
}
