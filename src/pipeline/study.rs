//! `run --replications`, `run --sweep` and `merge`: a study's items (or one shard of them) run
//! in parallel, and the result written as replications.json or sweep.csv. A shard writes its
//! records as `<kind>.shard-K-of-N.json`; `merge` turns the shards' records into the same result
//! an unsharded run writes, byte for byte.

use super::{Output, bad_input, create_dir, default_dir, run_scenario, write_json, write_outputs};
use crate::error::{Error, InputError, read_input};
use crate::report::files;
use crate::summary::Summary;
use crate::uncertainty::stats::{self, Header, Partial};
use crate::uncertainty::study::{Record, Study};
use std::path::{Path, PathBuf};

/// A loaded study and the items this process runs.
pub struct Prepared {
    pub study: Study,
    pub header: Header,
    /// `(K, N)`: this process runs shard K of N; `None` runs every item.
    pub shard: Option<(u32, u32)>,
    /// The items to run: K-1, K-1+N, K-1+2N, ... (every item without a shard).
    pub indices: Vec<u32>,
}

/// What a study run wrote.
pub enum StudyOutput {
    /// A shard's partial result: the file and how many of the study's items it holds.
    Partial {
        path: PathBuf,
        count: usize,
        items: u32,
    },
    /// The whole study's result.
    Finished(Box<Finished>),
}

/// A whole study's result as written: the file, its text for the terminal, for a Monte Carlo
/// study the result, and the files of the page written beside it (with `--report html`).
pub struct Finished {
    pub path: PathBuf,
    pub text: String,
    pub result: Option<stats::Result>,
    pub report: Vec<PathBuf>,
}

/// `--report html` on a study: the page of the scenario as written, simulated, with the study's
/// spread beside it and the savings against `baseline`.
pub struct Page<'a> {
    pub scenario: &'a Path,
    pub baseline: Option<&'a Summary>,
}

/// Items of shard `k` of `n` (1-based) out of `items`: every n-th item from item k-1.
pub fn shard_indices(items: u32, (k, n): (u32, u32)) -> Vec<u32> {
    (k - 1..items).step_by(n as usize).collect()
}

/// Loads the scenario as a Monte Carlo study (`replications` is Some; 0 means the scenario's
/// own count) or as a sweep, and picks the items of `shard`.
pub fn prepare_study(
    scenario: &Path,
    replications: Option<u32>,
    shard: Option<(u32, u32)>,
) -> Result<Prepared, Error> {
    let study = match replications {
        Some(n) => Study::load(&read_input(scenario)?, scenario, Some(n))?,
        None => Study::sweep(&read_input(scenario)?, scenario)?,
    };
    let header = Header::of(&study);
    let indices = shard_indices(study.items(), shard.unwrap_or((1, 1)));
    Ok(Prepared {
        study,
        header,
        shard,
        indices,
    })
}

impl Prepared {
    /// Runs the items in parallel (calling `done` after each) and writes the result into `out`
    /// (default `reports/<scenario name>`), with the page when `page` is given; `scenario` is
    /// named when the records do not make up the study. A whole study's folder is locked before
    /// the items run and written as a unit; a shard writes its one file into a folder it may
    /// share with the other shards.
    pub fn run(
        self,
        scenario: &Path,
        out: Option<PathBuf>,
        page: Option<Page>,
        done: &(dyn Fn() + Sync),
    ) -> Result<StudyOutput, Error> {
        let dir = out.unwrap_or_else(|| default_dir(&self.study.name));
        let Some((k, of)) = self.shard else {
            let output = Output::begin(&dir)?;
            let records = self.study.run_all(&self.indices, done)?;
            let finished = finish(self.header, records, output, scenario, page)?;
            return Ok(StudyOutput::Finished(Box::new(finished)));
        };
        let records = self.study.run_all(&self.indices, done)?;
        create_dir(&dir)?;
        let path = dir.join(format!("{}.shard-{k}-of-{of}.json", self.header.kind()));
        let partial = Partial {
            header: self.header,
            shard: format!("{k}/{of}"),
            records,
        };
        write_json(&path, &partial)?;
        Ok(StudyOutput::Partial {
            path,
            count: self.indices.len(),
            items: self.study.items(),
        })
    }
}

/// `run --replications auto`: batches of replications until the 95 % interval of the total's P50
/// is within `target` of it (see `Study::run_auto`), then the sensitivity runs; writes
/// replications.json (and the page, with `page`) into `out` (default `reports/<scenario name>`).
pub fn run_auto(
    scenario: &Path,
    target: f64,
    out: Option<PathBuf>,
    page: Option<Page>,
    done: &(dyn Fn() + Sync),
) -> Result<Finished, Error> {
    let mut study = Study::load(&read_input(scenario)?, scenario, None)?;
    let output = Output::begin(&out.unwrap_or_else(|| default_dir(&study.name)))?;
    let records = study.run_auto(target, done)?;
    finish(Header::of(&study), records, output, scenario, page)
}

/// `merge`: the shards' records into one result in `out`, by default the folder of the first
/// shard file as given (never a folder named inside the files).
pub fn merge(partials: &[PathBuf], out: Option<PathBuf>) -> Result<Finished, Error> {
    let mut header: Option<Header> = None;
    let mut records: Vec<Record> = Vec::new();
    let mut first_file = partials
        .first()
        .map_or(Path::new("(merge)"), PathBuf::as_path);
    for path in partials {
        let text = crate::error::read_input(path)?;
        let p: Partial = serde_json::from_str(&text).map_err(|e| {
            InputError::line(path, e.line() as u64, format!("not a shard's result: {e}"))
        })?;
        match &header {
            Some(h) if *h != p.header => {
                let msg = format!(
                    "shard {} is of another study than {}",
                    crate::text::quote(&p.shard),
                    partials[0].display()
                );
                return Err(InputError::file(path, msg).into());
            }
            Some(_) => {}
            None => header = Some(p.header.clone()),
        }
        if records.is_empty() {
            first_file = path;
        }
        if let Some(first) = records.first().or(p.records.first()) {
            for r in &p.records {
                same_shape(first, r, path, first_file)?;
            }
        }
        records.extend(p.records);
    }
    let Some(header) = header else {
        let msg = "no shard results to merge";
        return Err(InputError::file(Path::new("(merge)"), msg).into());
    };
    let dir = out.unwrap_or_else(|| shard_folder(&partials[0]));
    let output = Output::begin(&dir)?;
    finish(header, records, output, &partials[0], None)
}

/// The folder of a shard file as given on the command line (`.` for a bare file name).
fn shard_folder(shard: &Path) -> PathBuf {
    match shard.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Refuses a record (of shard file `path`) whose venues or parameter values differ from the
/// first record (of `first_file`): the statistics line records up venue by venue, so shards of
/// scenarios with different venue lists cannot be merged.
fn same_shape(first: &Record, r: &Record, path: &Path, first_file: &Path) -> Result<(), Error> {
    let venues =
        |r: &Record| -> Vec<String> { r.metrics.venues.iter().map(|(n, _)| n.clone()).collect() };
    let (want, got) = (venues(first), venues(r));
    if want != got {
        let msg = format!(
            "item {} has venues {got:?} but {} has {want:?}; shards of different venue lists cannot be merged",
            r.index,
            first_file.display()
        );
        return Err(bad_input(path, msg));
    }
    if r.values.len() != first.values.len() {
        let msg = format!(
            "item {} has {} parameter values but {} has {}; shards of different studies cannot be merged",
            r.index,
            r.values.len(),
            first_file.display(),
            first.values.len()
        );
        return Err(bad_input(path, msg));
    }
    Ok(())
}

/// Writes a whole study's result into `output`: replications.json or sweep.csv, and the page
/// with `page`; then puts the folder in place. `origin` is named when the records do not cover
/// the study exactly once.
fn finish(
    header: Header,
    records: Vec<Record>,
    output: Output,
    origin: &Path,
    page: Option<Page>,
) -> Result<Finished, Error> {
    let dir = output.dir();
    let (path, text, result) = if header.sweep.is_empty() {
        let result = stats::build(header, records).map_err(|e| bad_input(origin, e.to_string()))?;
        let path = dir.join("replications.json");
        write_json(&path, &result)?;
        (path, stats::render_text(&result), Some(result))
    } else {
        let records =
            stats::complete(&header, records).map_err(|e| bad_input(origin, e.to_string()))?;
        let path = dir.join("sweep.csv");
        files::write_atomic(&path, |w| stats::write_sweep_csv(&header, &records, w))?;
        (path, stats::render_sweep(&header, &records), None)
    };
    let report = match page {
        Some(page) => {
            let run = run_scenario(page.scenario)?;
            let mut written = write_outputs(&run, dir)?;
            let study = result.as_ref();
            let (scenario, baseline) = (page.scenario, page.baseline);
            written.extend(super::write_report(
                &run, scenario, baseline, study, None, dir,
            )?);
            output.shown(written)
        }
        None => Vec::new(),
    };
    let path = output.shown_one(&path);
    output.commit()?;
    Ok(Finished {
        path,
        text,
        result,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_item_once() {
        // 10 items in 3 shards: 0,3,6,9 / 1,4,7 / 2,5,8.
        assert_eq!(shard_indices(10, (1, 3)), [0, 3, 6, 9]);
        assert_eq!(shard_indices(10, (2, 3)), [1, 4, 7]);
        assert_eq!(shard_indices(10, (3, 3)), [2, 5, 8]);
        assert_eq!(shard_indices(4, (1, 1)), [0, 1, 2, 3]);
        // More shards than items: the last shard gets none.
        assert!(shard_indices(2, (3, 3)).is_empty());
    }
}
