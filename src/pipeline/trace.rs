//! `trace stats`, `trace convert` and `trace generate`: a trace read or generated, and written
//! as canonical CSV.

use crate::error::{Error, InputError};
use crate::report::files;
use crate::trace::{Trace, TraceSpec, stats, synthetic};
use std::path::{Path, PathBuf};

/// `trace stats`: the figures of a trace, with a per-day breakdown when `by_day`.
pub fn trace_stats(spec: &TraceSpec, by_day: bool) -> Result<stats::TraceStats, Error> {
    let trace = crate::trace::load(spec)?;
    let notes = trace.notes.clone();
    Ok(stats::compute(
        &trace.table,
        trace.samples()?,
        by_day,
        notes,
    )?)
}

/// `trace generate`: the synthetic workload of the parameters in `params` (the documented
/// defaults without a file), with the seed and horizon overridden when given.
pub fn generate_trace(
    params: Option<&Path>,
    seed: Option<u64>,
    horizon: Option<u64>,
) -> Result<Trace, Error> {
    let mut p = match params {
        Some(file) => {
            let text = crate::error::read_input(file)?;
            toml::from_str::<synthetic::Params>(&text)
                .map_err(|e| InputError::from_toml(file, &text, &e))?
        }
        None => synthetic::Params::default(),
    };
    p.seed = seed.unwrap_or(p.seed);
    p.horizon = horizon.unwrap_or(p.horizon);
    let origin = params.unwrap_or(Path::new("(defaults)"));
    p.validate().map_err(|e| e.in_file(origin))?;
    Ok(synthetic::generate(&p))
}

/// Writes a trace as canonical vms.csv and usage.csv (when it has usage) into `dir`, as a unit
/// (see [`super::Output`]); returns the files written.
pub fn write_canonical(trace: &Trace, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    // Read everything first: a bad usage row must fail before any file is written.
    let has_mem = match trace.samples()? {
        Some(samples) => {
            let mut any = false;
            for s in samples {
                any |= s?.mem().is_some();
            }
            any
        }
        None => false,
    };
    let output = super::Output::begin(dir)?;
    let dir = output.dir();
    let vms = dir.join("vms.csv");
    files::write_atomic(&vms, |w| crate::trace::write_vms_csv(&trace.table, w))?;
    let mut written = vec![vms];
    if let Some(samples) = trace.samples()? {
        let usage = dir.join("usage.csv");
        files::write_atomic(&usage, |w| {
            let ok = samples.map(|s| s.map_err(|e| std::io::Error::other(e.to_string())));
            crate::trace::write_usage_csv(&trace.table, ok, has_mem, w)
        })?;
        written.push(usage);
    }
    let written = output.shown(written);
    output.commit()?;
    Ok(written)
}
