//! Load -> simulate -> summarise -> write, in one place for every command. Each function here
//! reads its inputs, runs the library and writes its outputs: every file atomically (through
//! [`crate::report::files`]), every output folder as a unit under a lock ([`Output`]); it
//! returns what was written and what to show, and prints nothing: the CLI prints. Output
//! folders come only from the command line or a checked scenario name, never from a data file.

mod books;
mod import;
mod lock;
mod optimize;
mod output;
mod shards;
mod study;
mod trace;

pub use crate::summary::simulate;
pub use books::{CheckedBooks, check_books};
pub use import::{Imported, import_rvtools};
pub use optimize::{Optimized, optimize};
pub use output::Output;
pub use study::{Finished, Page, Prepared, StudyOutput, merge, prepare_study, run_auto};
pub use trace::{generate_trace, trace_stats, write_canonical};

use crate::error::{Error, InputError};
use crate::optimize::{Recommendation, alone};
use crate::regress::{self, Change, Tolerance, suite};
use crate::report::{self, files, html};
use crate::summary::Summary;
use crate::uncertainty::stats;
use std::path::{Path, PathBuf};

/// One simulated scenario with everything needed to render it.
pub struct Run {
    pub scenario: crate::scenario::Scenario,
    pub trace: crate::trace::Trace,
    pub outcome: crate::sim::Outcome,
    pub summary: Summary,
    /// Each VM's right-sizing decision, when the scenario has `[rightsize]`.
    pub rightsize: Option<crate::summary::rightsize::RightSizing>,
}

/// Loads a scenario, its price books and trace, and simulates it.
pub fn run_scenario(path: &Path) -> Result<Run, Error> {
    run_loaded(crate::scenario::load(path)?)
}

/// Loads a loaded scenario's trace and simulates it.
fn run_loaded(scenario: crate::scenario::Scenario) -> Result<Run, Error> {
    let trace = crate::trace::load(&scenario.trace)?;
    let (outcome, summary, rightsize) = crate::summary::simulate_sized(&scenario, &trace)?;
    Ok(Run {
        scenario,
        trace,
        outcome,
        summary,
        rightsize,
    })
}

/// The default output folder of a scenario or study: `reports/<name>`.
pub fn default_dir(name: &str) -> PathBuf {
    PathBuf::from("reports").join(name)
}

/// Creates `dir` and its parents if missing.
pub fn create_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
}

/// Writes summary.json and ledger.csv into `dir` (created if missing); returns their paths.
pub fn write_outputs(run: &Run, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    create_dir(dir)?;
    let ledger = dir.join("ledger.csv");
    files::write_atomic(&ledger, |w| {
        report::write_ledger_csv(&run.scenario, &run.outcome, w)
    })?;
    let summary = dir.join("summary.json");
    files::write_atomic(&summary, |w| run.summary.write_json(w))?;
    let mut written = vec![summary, ledger];
    if let Some(sizing) = &run.rightsize {
        let csv = dir.join("rightsize.csv");
        files::write_atomic(&csv, |w| sizing.write_csv(&run.trace.table, w))?;
        written.push(csv);
    }
    Ok(written)
}

/// The run's page (and charts) in `dir`, with the savings against `baseline` and the study's
/// or the optimizer's section when given; `scenario` is the file shown as the page's input.
pub fn write_report(
    run: &Run,
    scenario: &Path,
    baseline: Option<&Summary>,
    study: Option<&stats::Result>,
    plan: Option<&Recommendation>,
    dir: &Path,
    brand: &html::Brand,
) -> Result<Vec<PathBuf>, Error> {
    let mut report =
        html::Report::of_run(&run.scenario, &run.trace.table, &run.outcome, &run.summary);
    let profile = crate::optimize::Profile::build(&run.scenario, &run.trace)?;
    let headroom = plan.map_or(alone::DEFAULT_HEADROOM, |p| p.headroom);
    report.comparison = Some(alone::Comparison::build(
        &run.scenario,
        &profile,
        &run.summary,
        headroom,
    ));
    report.brand = brand.clone().over(scenario_brand(&run.scenario)?);
    report.baseline = baseline;
    report.study = study;
    report.plan = plan;
    report.inputs = Some(html::Inputs {
        path: scenario.display().to_string(),
        text: crate::error::read_input(scenario)?,
    });
    files::write_page(dir, &html::render(&report))
}

/// A logo file's bytes, refused before they are read when over the size limit.
pub fn read_logo(path: &Path) -> Result<Vec<u8>, Error> {
    let len = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if len > html::MAX_LOGO_BYTES as u64 {
        let msg = format!(
            "logo is {len} bytes: expected at most {} bytes (256 KiB)",
            html::MAX_LOGO_BYTES
        );
        return Err(bad_input(path, msg));
    }
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// The scenario's `[report]` branding, checked; errors name the scenario and the key.
fn scenario_brand(s: &crate::scenario::Scenario) -> Result<html::Brand, Error> {
    let b = &s.branding;
    let logo = match &b.logo {
        Some(p) => Some(read_logo(p).map_err(|e| {
            InputError::key(&s.path, "report.logo", format!("{}: {e}", p.display()))
        })?),
        None => None,
    };
    html::Brand::new(b.company.as_deref(), logo.as_deref(), b.accent.as_deref()).map_err(|e| {
        let key = match e {
            html::BrandError::Colour(_) => "report.accent",
            html::BrandError::Company => "report.company",
            _ => "report.logo",
        };
        InputError::key(&s.path, key, e.to_string()).into()
    })
}

/// Writes `value` as pretty JSON with a final newline.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), Error> {
    files::write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, value)?;
        w.write_all(b"\n")
    })
}

/// `run`: simulates the scenario and writes summary.json and ledger.csv into `out` (default
/// `reports/<scenario name>`), with `html` the page, stating savings against `baseline`, and
/// with `focus` the FOCUS export. The folder is locked before the simulation and written as a
/// unit after it. Returns the run and the files written.
pub fn run(
    scenario: &Path,
    out: Option<PathBuf>,
    html: bool,
    baseline: Option<&Summary>,
    brand: &html::Brand,
    focus: bool,
) -> Result<(Run, Vec<PathBuf>), Error> {
    let loaded = crate::scenario::load(scenario)?;
    let output = Output::begin(&out.unwrap_or_else(|| default_dir(&loaded.name)))?;
    let run = run_loaded(loaded)?;
    let dir = output.dir();
    let mut written = write_outputs(&run, dir)?;
    if focus {
        written.extend(write_focus(&run, dir)?);
    }
    if html {
        written.extend(write_report(
            &run, scenario, baseline, None, None, dir, brand,
        )?);
    }
    let written = output.shown(written);
    output.commit()?;
    Ok((run, written))
}

/// The ledger in FOCUS columns: focus.csv and focus.parquet in `dir`.
pub fn write_focus(run: &Run, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let rows = report::focus::rows(&run.scenario, &run.outcome);
    let csv = dir.join("focus.csv");
    files::write_atomic(&csv, |w| report::focus::write_csv(&rows, w))?;
    let parquet = dir.join("focus.parquet");
    let bytes = report::focus::write_parquet(&rows).map_err(|e| Error::io(&parquet, e))?;
    files::write_atomic(&parquet, |w| w.write_all(&bytes))?;
    Ok(vec![csv, parquet])
}

/// A summary.json, or the one in a report folder, for reports and comparisons.
pub fn load_summary(path: &Path) -> Result<Summary, Error> {
    suite::load_typed_summary(path)
}

/// `compare --report html`: the comparison page of A and B (read from `paths`, as given on the
/// command line) in `out`, default `reports/compare-<A>-vs-<B>` where each name is the run's
/// folder as given (a summary.json's folder, else the file's stem), never a name read from
/// inside the files. Runs short enough to draw per day are drawn from the ledger.csv beside
/// their summaries.
pub fn write_compare(
    a: &Summary,
    b: &Summary,
    paths: (&Path, &Path),
    out: Option<PathBuf>,
) -> Result<Vec<PathBuf>, Error> {
    let dir = out.unwrap_or_else(|| {
        let (na, nb) = (run_name(paths.0), run_name(paths.1));
        default_dir(&format!("compare-{na}-vs-{nb}"))
    });
    let daily = match (daily_costs(paths.0, a)?, daily_costs(paths.1, b)?) {
        (Some(x), Some(y)) => Some([x, y]),
        _ => None,
    };
    let daily = daily.as_ref().map(|[x, y]| [x.as_slice(), y.as_slice()]);
    let output = Output::begin(&dir)?;
    let written = output.shown(files::write_page(
        output.dir(),
        &html::render_compare(a, b, daily),
    )?);
    output.commit()?;
    Ok(written)
}

/// A run's name for a default folder, from its path on the command line: the folder's name (a
/// report folder, or a summary.json's folder), else the file's stem; characters other than
/// letters, digits, `-`, `_` and `.` become `-`, and a name that is still not a safe folder
/// name is `run`.
pub fn run_name(path: &Path) -> String {
    let full = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let named = if full.is_dir() {
        full.file_name()
    } else if full.file_name().is_some_and(|n| n == "summary.json") {
        full.parent().and_then(Path::file_name)
    } else {
        full.file_stem()
    };
    let raw = named.unwrap_or_default().to_string_lossy();
    let name: String = raw
        .chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                true => c,
                false => '-',
            },
        )
        .collect();
    match crate::scenario::check_file_name("name", &name) {
        Ok(()) => name,
        Err(_) => "run".to_string(),
    }
}

/// A run's cost per day from the ledger.csv in its folder (or beside its summary.json);
/// `None` for runs long enough for monthly points, or without a ledger.
fn daily_costs(path: &Path, s: &Summary) -> Result<Option<Vec<f64>>, Error> {
    let days = s.horizon_s.div_ceil(crate::units::DAY) as usize;
    if days > html::DAILY_UP_TO {
        return Ok(None);
    }
    let dir = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(Path::new("."))
    };
    let ledger = dir.join("ledger.csv");
    if !ledger.is_file() {
        return Ok(None);
    }
    let file = std::fs::File::open(&ledger).map_err(|e| Error::io(&ledger, e))?;
    report::daily_totals(std::io::BufReader::new(file), days)
        .map(Some)
        .map_err(|(line, msg)| InputError::line(&ledger, line, msg).into())
}

/// `diff`: every figure of two runs (summary.json files or report folders) that changed.
pub fn diff(baseline: &Path, new: &Path, tol: Tolerance) -> Result<Vec<Change>, Error> {
    let (old_v, new_v) = (suite::load_summary(baseline)?, suite::load_summary(new)?);
    let currency = |v: &serde_json::Value| v["currency"].as_str().unwrap_or("").to_string();
    same_currency((baseline, &currency(&old_v)), (new, &currency(&new_v)))?;
    Ok(regress::compare(&old_v, &new_v, tol))
}

/// Refuses to set two runs side by side when their amounts are in different currencies: the
/// figures would be compared as if 1 USD were 1 EUR.
pub fn same_currency(a: (&Path, &str), b: (&Path, &str)) -> Result<(), Error> {
    if a.1 == b.1 {
        return Ok(());
    }
    let msg = format!(
        "currency {:?} differs from {:?} in {}; runs in different currencies cannot be compared (rerun one with the other's currency)",
        b.1,
        a.1,
        a.0.display()
    );
    Err(bad_input(b.0, msg))
}

/// `check`: runs one scenario and compares its summary with the baseline, or rewrites it.
pub fn check_case(
    case: &suite::Case,
    tol: Tolerance,
    update: bool,
) -> Result<suite::Verdict, Error> {
    let run = run_scenario(&case.scenario)?;
    suite::check_case(case, &run.summary, tol, update)
}

/// `check --update`: removes a baseline whose scenario is gone.
pub fn remove_stale(baseline: &Path) -> Result<(), Error> {
    std::fs::remove_file(baseline).map_err(|e| Error::io(baseline, e))
}

/// A bad-input error about `origin` (a file the figures came from).
fn bad_input(origin: &Path, message: String) -> Error {
    InputError::file(origin, message).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runs_name_comes_from_its_path_and_is_a_safe_folder_name() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("before");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("summary.json"), "{}").unwrap();
        assert_eq!(run_name(&dir), "before");
        assert_eq!(run_name(&dir.join("summary.json")), "before");
        assert_eq!(run_name(Path::new("runs/q3 (final).json")), "q3--final-");
        // Nothing safe left: a name that would start with a dot.
        assert_eq!(run_name(Path::new("/x/.hidden.json")), "run");
    }
}
