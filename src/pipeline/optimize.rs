//! `optimize`: load the scenario and its trace, solve, (with validation) improve and check the
//! plan by simulation, and write the plan file, optimize.json and, if asked, the report.

use super::{Output, Run, default_dir, write_json, write_report};
use crate::error::Error;
use crate::optimize::{self as o, Options};
use crate::report::files;
use std::path::{Path, PathBuf};

/// What an optimize run has to say: the text for the terminal and the files it wrote (the plan
/// file, optimize.json, then the report's files).
pub struct Optimized {
    pub text: String,
    pub written: Vec<PathBuf>,
}

/// Solves the scenario at `path`; `validate` (or a report) simulates the plan file as written
/// beside every built-in policy, after letting simulation improve the plan.
pub fn optimize(
    path: &Path,
    opt: Options,
    percentile: Option<f64>,
    validate: bool,
    out: Option<PathBuf>,
    report: Option<&crate::report::html::Brand>,
) -> Result<Optimized, Error> {
    // A report implies --validate, improvement included: the page is handed to a customer, so
    // it must not recommend a plan the simulation knows a built-in policy beats.
    let validate = validate || report.is_some();
    let scenario = crate::scenario::load(path)?;
    let output = Output::begin(&out.unwrap_or_else(|| default_dir(&scenario.name)))?;
    let dir = output.dir();
    let trace = crate::trace::load(&scenario.trace)?;
    let full = o::Profile::build(&scenario, &trace)?;
    let mut rec = o::recommend(&scenario, &trace.table, &full, opt, percentile).map_err(|e| {
        Error::NoPlan {
            file: path.to_path_buf(),
            reasons: e.reasons(),
        }
    })?;
    let policies = match validate {
        true => Some(o::validate::improve(&scenario, &trace, &full, &mut rec)?),
        false => None,
    };
    let mut text = format!("{}\n\n{}", rec.header, rec.table());
    let plan_path = dir.join(format!("{}.plan.toml", scenario.name));
    let plan_text = rec.plan_file(&path.display().to_string());
    files::write_atomic(&plan_path, |w| w.write_all(plan_text.as_bytes()))?;
    let mut written = vec![plan_path.clone()];
    if validate {
        // The plan file as written drives the simulation.
        let plan = crate::scenario::load_plan(&plan_path, &scenario.venues, scenario.horizon)?;
        let checked = o::validate::check(&scenario, &trace, &rec, plan, policies)?;
        text.push('\n');
        text.push_str(&checked.validation.text(rec.planned_total));
        rec.validation = Some(checked.validation);
        if let Some(brand) = report {
            let run = Run {
                scenario: checked.scenario,
                trace,
                outcome: checked.outcome,
                summary: checked.summary,
                rightsize: None,
            };
            written.extend(write_report(
                &run,
                path,
                None,
                None,
                Some(&rec),
                dir,
                brand,
            )?);
        }
    }
    let json_path = dir.join("optimize.json");
    write_json(&json_path, &rec)?;
    written.insert(1, json_path);
    let written = output.shown(written);
    output.commit()?;
    Ok(Optimized { text, written })
}
