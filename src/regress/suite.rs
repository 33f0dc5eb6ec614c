//! `hybridplan check`: every scenario under a folder against its committed baseline summary.
//!
//! A scenario is any `*.toml` below the folder except plan files (`*.plan.toml`) and anything in
//! a `baselines/` or `traces/` folder. Its baseline is `<baselines>/<relative path>.json`, the
//! summary.json of the run that was accepted.

use super::{Change, Tolerance, compare};
use crate::error::{Error, InputError};
use crate::report::files::write_atomic;
use crate::summary::Summary;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Folders under the scenario folder that never hold scenarios.
const SKIPPED_DIRS: [&str; 2] = ["baselines", "traces"];

/// One scenario and where its baseline lives.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Path relative to the scenario folder, without `.toml`, with `/` separators.
    pub name: String,
    pub scenario: PathBuf,
    pub baseline: PathBuf,
}

/// Scenario files under `dir`, in name order.
pub fn discover(dir: &Path, baselines: &Path) -> Result<Vec<Case>, Error> {
    let name = |p: &Path| {
        p.file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    let enter = |p: &Path| !SKIPPED_DIRS.contains(&name(p).as_str()) && p != baselines;
    let keep = |p: &Path| {
        let n = name(p);
        n.ends_with(".toml") && !n.ends_with(".plan.toml")
    };
    let mut files = Vec::new();
    walk(dir, &enter, &keep, &mut files)?;
    files.sort();
    if files.is_empty() {
        let msg = "no scenario files (*.toml) found below this folder";
        return Err(InputError::file(dir, msg).into());
    }
    Ok(files
        .into_iter()
        .map(|scenario| {
            let rel = scenario.strip_prefix(dir).unwrap_or(&scenario);
            let name = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let baseline = baselines.join(rel).with_extension("json");
            Case {
                name,
                scenario,
                baseline,
            }
        })
        .collect())
}

/// Files below `dir` that `keep` accepts, not entering folders that `enter` refuses.
fn walk(
    dir: &Path,
    enter: &dyn Fn(&Path) -> bool,
    keep: &dyn Fn(&Path) -> bool,
    out: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.is_dir() {
            if enter(&path) {
                walk(&path, enter, keep, out)?;
            }
        } else if keep(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// What became of one scenario.
#[derive(Debug)]
pub enum Verdict {
    /// Compared with its baseline; the changes (some perhaps beyond tolerance).
    Compared(Vec<Change>),
    /// No baseline yet.
    Missing,
    /// `--update`: the baseline was written; the changes against the old one, if there was one.
    Updated(Option<Vec<Change>>),
}

impl Verdict {
    /// Whether this scenario fails the check.
    pub fn fails(&self) -> bool {
        match self {
            Verdict::Compared(c) => c.iter().any(|c| c.beyond),
            Verdict::Missing => true,
            Verdict::Updated(_) => false,
        }
    }

    /// The scenario's line on the terminal: "ok       name (...)", "CHANGED  name: ...", and so
    /// on; `dir` is the folder `check` was given (for the `--update` hint).
    pub fn line(&self, case: &Case, dir: &Path) -> String {
        let count = |c: &[Change]| c.iter().filter(|c| c.beyond).count();
        let name = &case.name;
        match self {
            Verdict::Compared(c) if self.fails() => {
                format!("CHANGED  {name}: {} figures beyond tolerance", count(c))
            }
            Verdict::Compared(c) => {
                format!(
                    "ok       {name} ({} figures changed within tolerance)",
                    c.len()
                )
            }
            Verdict::Missing => format!(
                "MISSING  {name}: no baseline {}; run `hybridplan check {} --update` to create it",
                case.baseline.display(),
                dir.display()
            ),
            Verdict::Updated(None) => format!("created  {}", case.baseline.display()),
            Verdict::Updated(Some(c)) if c.is_empty() => format!("same     {name}"),
            Verdict::Updated(Some(c)) => format!(
                "updated  {name} ({} figures changed, {} beyond tolerance)",
                c.len(),
                count(c)
            ),
        }
    }
}

/// Compares one scenario's new summary with the baseline, or rewrites the baseline.
pub fn check_case(
    case: &Case,
    summary: &Summary,
    tol: Tolerance,
    update: bool,
) -> Result<Verdict, Error> {
    let mut bytes = Vec::new();
    summary
        .write_json(&mut bytes)
        .map_err(|e| Error::io(&case.scenario, e))?;
    let new: Value =
        serde_json::from_slice(&bytes).map_err(|e| Error::io(&case.scenario, e.into()))?;
    let old = match std::fs::read(&case.baseline) {
        Ok(b) => Some((parse_summary(&case.baseline, &b)?, b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&case.baseline, e)),
    };
    if !update {
        return Ok(match old {
            Some((old, _)) => Verdict::Compared(compare(&old, &new, tol)),
            None => Verdict::Missing,
        });
    }
    let changes = old.as_ref().map(|(old, _)| compare(old, &new, tol));
    if old.is_none_or(|(_, b)| b != bytes) {
        if let Some(parent) = case.baseline.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        write_atomic(&case.baseline, |w| w.write_all(&bytes))?;
    }
    Ok(Verdict::Updated(changes))
}

/// Baseline files (`*.json` under `baselines`) whose scenario no longer exists.
pub fn stale_baselines(baselines: &Path, cases: &[Case]) -> Result<Vec<PathBuf>, Error> {
    let mut found = Vec::new();
    if baselines.is_dir() {
        let json = |p: &Path| p.extension().is_some_and(|e| e == "json");
        walk(baselines, &|_| true, &json, &mut found)?;
    }
    found.retain(|p| !cases.iter().any(|c| &c.baseline == p));
    found.sort();
    Ok(found)
}

/// Reads a summary.json, or the summary.json inside a report folder.
pub fn load_summary(path: &Path) -> Result<Value, Error> {
    let file = if path.is_dir() {
        path.join("summary.json")
    } else {
        path.to_path_buf()
    };
    // A missing or non-text file is bad input (exit 2), like any other input file.
    let text = crate::error::read_input(&file)?;
    parse_summary(&file, text.as_bytes())
}

/// A summary.json (or a folder holding one) read back as a [`Summary`] for reports.
pub fn load_typed_summary(path: &Path) -> Result<Summary, Error> {
    let value = load_summary(path)?;
    serde_json::from_value(value).map_err(|e| {
        let msg = format!("not a summary.json this version can report on: {e}");
        InputError::file(path, msg).into()
    })
}

fn parse_summary(file: &Path, bytes: &[u8]) -> Result<Value, Error> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| InputError::line(file, e.line() as u64, format!("not a summary.json: {e}")))?;
    if !v.is_object() {
        let msg = "not a summary.json: expected a JSON object";
        return Err(InputError::file(file, msg).into());
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_skips_plans_traces_and_baselines() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "a.toml",
            "worked/b.toml",
            "plans/p.plan.toml",
            "traces/t/params.toml",
            "baselines/a.toml",
            "notes.md",
        ] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        let cases = discover(d, &d.join("baselines")).unwrap();
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "worked/b"]);
        assert_eq!(cases[1].baseline, d.join("baselines/worked/b.json"));
    }
}
