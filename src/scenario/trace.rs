//! The scenario's `[trace]` table: which keys go with which format, paths resolved against the
//! scenario's folder, and the synthetic generator's parameters.

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

impl RawTrace {
    /// Checks which keys go with which format and resolves paths against `base`.
    pub(super) fn validate(
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
