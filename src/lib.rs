//! hybridplan: a hybrid-cloud cost and placement simulator.
//!
//! A tour of the pipeline (data flows one way):
//! 1. [`scenario::load`] reads a scenario TOML file into a validated [`scenario::Scenario`],
//!    loading every venue's [`pricing::Book`] on the way.
//! 2. [`trace::load`] reads the trace in any supported format into a VM table and utilisation
//!    samples in time order (streamed from disk for the canonical CSV).
//! 3. [`sim::run`] replays the trace on the generic [`engine`], places every VM by the scenario's
//!    policy, bills it into a [`sim::Ledger`] and returns an [`sim::Outcome`]. It does no I/O.
//! 4. [`report::Summary`] turns the outcome into summary.json and the totals table;
//!    [`report::write_ledger_csv`] writes the ledger; [`report::files`] writes atomically.
//!
//! [`run_scenario`] and [`write_outputs`] chain these for the CLI and the tests.

pub mod cli;
pub mod engine;
pub mod error;
pub mod optimize;
pub mod pricing;
pub mod random;
pub mod regress;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod trace;
pub mod uncertainty;
pub mod units;

use error::Error;
use std::path::{Path, PathBuf};

/// One simulated scenario with everything needed to render it.
pub struct Run {
    pub scenario: scenario::Scenario,
    pub trace: trace::Trace,
    pub outcome: sim::Outcome,
    pub summary: report::Summary,
}

/// Simulates a loaded scenario on its loaded trace: the outcome and its summary.
pub fn simulate(
    scenario: &scenario::Scenario,
    trace: &trace::Trace,
) -> Result<(sim::Outcome, report::Summary), Error> {
    let outcome = sim::run(scenario, &trace.table, trace.samples()?)?;
    let summary = report::Summary::build(scenario, &trace.table, &outcome);
    Ok((outcome, summary))
}

/// Loads a scenario, its price books and trace, and simulates it.
pub fn run_scenario(path: &Path) -> Result<Run, Error> {
    let scenario = scenario::load(path)?;
    let trace = trace::load(&scenario.trace)?;
    let (outcome, summary) = simulate(&scenario, &trace)?;
    Ok(Run {
        scenario,
        trace,
        outcome,
        summary,
    })
}

/// Writes summary.json and ledger.csv into `dir` (created if missing); returns their paths.
pub fn write_outputs(run: &Run, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let ledger = dir.join("ledger.csv");
    report::files::write_atomic(&ledger, |w| {
        report::write_ledger_csv(&run.scenario, &run.outcome, w)
    })?;
    let summary = dir.join("summary.json");
    report::files::write_atomic(&summary, |w| run.summary.write_json(w))?;
    Ok(vec![summary, ledger])
}
