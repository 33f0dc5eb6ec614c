//! Whole outputs: a command that writes a folder writes it as a unit. It takes a lock beside the
//! folder (`.<name>.hybridplan-lock`, holding its pid), writes every file into a staging folder
//! beside it (`.<name>.hybridplan-tmp-<pid>`) and, once everything is written, swaps the staging
//! folder in: the old folder is renamed aside, the new one renamed into place and the old one
//! removed. So a crash or a kill leaves the old complete output (and a stale staging folder,
//! removed by the next run into the same folder), and a second run into the same folder at the
//! same time refuses with an error naming the holder instead of mixing its files in.
//!
//! Files of the old folder that are not the previous output (see `Replaced`: notes, plan files,
//! shard results for `merge`) are kept: hard-linked into the new folder before the swap. A folder that cannot be swapped
//! whole (it holds subfolders, is a link or a mount point) gets each file renamed into it
//! instead; each file is still whole, the set of files is replaced within a few renames.

use super::lock::Lock;
use crate::error::{Error, InputError};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// An output folder being written: files go into [`Output::dir`] until [`Output::commit`].
/// Dropped without a commit, the staging folder is removed and the old output left as it was.
pub struct Output {
    /// The folder as the user named it (for messages and the paths printed).
    target: PathBuf,
    /// The folder to swap: `target`, or its full path when `target` has no name (`.`).
    real: PathBuf,
    stage: PathBuf,
    _lock: Lock,
    committed: bool,
}

/// The files of a run's report (summary, study or optimizer result, page), and of a canonical
/// trace: each is one output, replaced as a whole.
const REPORT: [&str; 6] = [
    "summary.json",
    "ledger.csv",
    "index.html",
    "replications.json",
    "sweep.csv",
    "optimize.json",
];
const TRACE: [&str; 2] = ["vms.csv", "usage.csv"];

/// Which of the old folder's files the new output replaces: files by its own names, stale
/// temporary files, and the whole previous output of the same kind: when the new output is a
/// report, the old report's figures, page and (with a page) the page's charts (`*.svg`); when
/// it is a trace, the old trace. So no old page, ledger or usage file stays beside new ones.
/// Everything else (traces beside a report, plan files, notes, shard results) is kept.
struct Replaced<'a> {
    staged: &'a BTreeSet<String>,
    report: bool,
    trace: bool,
    page: bool,
}

impl<'a> Replaced<'a> {
    fn new(staged: &'a BTreeSet<String>, old: &BTreeSet<String>) -> Self {
        let any = |names: &[&str]| names.iter().any(|n| staged.contains(*n));
        Replaced {
            staged,
            report: any(&REPORT),
            trace: any(&TRACE),
            page: old.contains("index.html"),
        }
    }

    fn contains(&self, name: &str) -> bool {
        self.staged.contains(name)
            || name.starts_with(".hybridplan-")
            || (self.report && (REPORT.contains(&name) || (self.page && name.ends_with(".svg"))))
            || (self.trace && TRACE.contains(&name))
    }
}

/// The prefix of everything a run keeps beside output folder `name`: staging and old folders,
/// the lock and the lock's temporary file.
pub(super) fn side_prefix(name: &str) -> String {
    format!(".{name}.hybridplan-")
}

impl Output {
    /// Takes the lock of folder `target` (created with its parents if missing), removes staging
    /// and old folders left by killed runs, and creates an empty staging folder beside it.
    pub fn begin(target: &Path) -> Result<Output, Error> {
        let real = named(target)?;
        let (parent, name) = split(&real);
        if let Ok(meta) = std::fs::metadata(&real)
            && !meta.is_dir()
        {
            let msg = "is a file; expected a folder for the outputs";
            return Err(InputError::file(target, msg).into());
        }
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let lock = Lock::take(&parent, &name, target)?;
        remove_stale(&parent, &name);
        let pid = std::process::id();
        let stage = parent.join(format!("{}tmp-{pid}", side_prefix(&name)));
        std::fs::create_dir(&stage).map_err(|e| Error::io(&stage, e))?;
        Ok(Output {
            target: target.to_path_buf(),
            real,
            stage,
            _lock: lock,
            committed: false,
        })
    }

    /// The folder to write into until the commit.
    pub fn dir(&self) -> &Path {
        &self.stage
    }

    /// Paths written into the staging folder as they will be after the commit.
    pub fn shown(&self, written: Vec<PathBuf>) -> Vec<PathBuf> {
        written.into_iter().map(|p| self.shown_one(&p)).collect()
    }

    /// One path written into the staging folder as it will be after the commit.
    pub fn shown_one(&self, path: &Path) -> PathBuf {
        match path.strip_prefix(&self.stage) {
            Ok(rel) => self.target.join(rel),
            Err(_) => path.to_path_buf(),
        }
    }

    /// Puts the staged files in place of the old output, as a unit where the folder allows it.
    pub fn commit(mut self) -> Result<(), Error> {
        let staged = file_names(&self.stage)?;
        let meta = std::fs::symlink_metadata(&self.real);
        let old = match &meta {
            Ok(m) if m.is_dir() => file_names(&self.real)?,
            _ => BTreeSet::new(),
        };
        let replaced = Replaced::new(&staged, &old);
        let whole = match &meta {
            Err(_) => true,
            Ok(m) if m.is_dir() => self.carry_over(&replaced).unwrap_or(false),
            Ok(_) => false,
        };
        if whole && self.swap()? {
            self.committed = true;
            return Ok(());
        }
        self.file_by_file(&replaced)?;
        self.committed = true;
        Ok(())
    }

    /// Hard-links the old folder's files that the new output does not replace into the staging
    /// folder. False when the folder cannot be swapped whole: it holds something other than
    /// plain files, or a link fails (another file system).
    fn carry_over(&self, replaced: &Replaced) -> std::io::Result<bool> {
        for entry in std::fs::read_dir(&self.real)? {
            let entry = entry?;
            if !entry.file_type()?.is_file() {
                return Ok(false);
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            if replaced.contains(&name) {
                continue;
            }
            if std::fs::hard_link(entry.path(), self.stage.join(&name)).is_err() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Renames the old folder aside and the staging folder into place, then removes the old
    /// one. False (nothing changed) when the old folder cannot be renamed.
    fn swap(&self) -> Result<bool, Error> {
        let (parent, name) = split(&self.real);
        let pid = std::process::id();
        let old = parent.join(format!("{}old-{pid}", side_prefix(&name)));
        let had_old = self.real.exists();
        if let Ok(meta) = std::fs::metadata(&self.real) {
            // The new folder keeps the old one's permissions (a shared folder stays shared).
            let _ = std::fs::set_permissions(&self.stage, meta.permissions());
        }
        if had_old && std::fs::rename(&self.real, &old).is_err() {
            return Ok(false);
        }
        if let Err(e) = std::fs::rename(&self.stage, &self.real) {
            if had_old {
                let _ = std::fs::rename(&old, &self.real);
            }
            return Err(Error::io(&self.target, e));
        }
        if had_old {
            // A failure here leaves only a stale folder, removed by the next run.
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(true)
    }

    /// Renames each staged file into the folder, then removes the previous output's files that
    /// this output replaces but does not have.
    fn file_by_file(&self, replaced: &Replaced) -> Result<(), Error> {
        std::fs::create_dir_all(&self.real).map_err(|e| Error::io(&self.target, e))?;
        for name in replaced.staged {
            let to = self.real.join(name);
            std::fs::rename(self.stage.join(name), &to).map_err(|e| Error::io(&to, e))?;
        }
        for name in file_names(&self.real)? {
            // Hidden files may be another process's (a shard's) temporary file: left alone.
            if replaced.contains(&name)
                && !replaced.staged.contains(&name)
                && !name.starts_with('.')
            {
                let path = self.real.join(&name);
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
        let _ = std::fs::remove_dir_all(&self.stage);
        Ok(())
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.stage);
        }
    }
}

/// `target` with a last component to name the staging folder after: `.`, `..` and the like
/// are resolved to the folder they stand for.
fn named(target: &Path) -> Result<PathBuf, Error> {
    let plain = target.file_name().is_some_and(|n| n != "." && n != "..");
    if plain {
        return Ok(target.to_path_buf());
    }
    let full = std::fs::canonicalize(target).map_err(|e| Error::io(target, e))?;
    if full.file_name().is_none() {
        let msg = "cannot be an output folder (it has no name to stage beside)";
        return Err(InputError::file(target, msg).into());
    }
    Ok(full)
}

/// A named folder's parent (`.` for a bare name) and its name.
fn split(path: &Path) -> (PathBuf, String) {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    (parent.to_path_buf(), name.into_owned())
}

/// The names of the plain files in `dir`.
fn file_names(dir: &Path) -> Result<BTreeSet<String>, Error> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            names.insert(entry.file_name().to_string_lossy().into_owned());
        }
    }
    Ok(names)
}

/// Removes the staging and old folders (and lock temporaries) that killed runs left beside
/// folder `name`. Called under the lock, so no live run is writing them; best effort.
fn remove_stale(parent: &Path, name: &str) {
    let prefix = side_prefix(name);
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let stale = ["tmp-", "old-", "lock-"].iter().any(|kind| {
            rest.strip_prefix(kind)
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        });
        if stale {
            let path = entry.path();
            let _ = match entry.file_type().is_ok_and(|t| t.is_dir()) {
                true => std::fs::remove_dir_all(&path),
                false => std::fs::remove_file(&path),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_commit_replaces_the_old_output_and_keeps_foreign_files() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("run");
        write(&out, "summary.json", "old");
        write(&out, "index.html", "old page");
        write(&out, "notes.txt", "mine");
        write(&out, ".hybridplan-abc.tmp", "half");
        #[cfg(unix)]
        use std::os::unix::fs::PermissionsExt;
        #[cfg(unix)]
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o775)).unwrap();
        let o = Output::begin(&out).unwrap();
        write(o.dir(), "summary.json", "new");
        write(o.dir(), "ledger.csv", "new");
        assert_eq!(
            o.shown_one(&o.dir().join("ledger.csv")),
            out.join("ledger.csv")
        );
        o.commit().unwrap();
        // The old page is the previous output: gone. The notes are kept.
        assert_eq!(listing(&out), ["ledger.csv", "notes.txt", "summary.json"]);
        assert_eq!(
            std::fs::read_to_string(out.join("summary.json")).unwrap(),
            "new"
        );
        assert_eq!(listing(root.path()), ["run"]); // no lock, stage or old folder left
        #[cfg(unix)]
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o775
        );
    }

    #[test]
    fn inputs_in_the_folder_are_never_taken_for_an_old_output() {
        // A run's report written into a trace's folder beside hand-written plans and a page's
        // charts of an earlier run: the trace and plans stay, the old page's chart goes.
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("t");
        for f in [
            "vms.csv",
            "usage.csv",
            "split.plan.toml",
            "index.html",
            "site-a.svg",
        ] {
            write(&out, f, "old");
        }
        let o = Output::begin(&out).unwrap();
        write(o.dir(), "summary.json", "new");
        o.commit().unwrap();
        assert_eq!(
            listing(&out),
            ["split.plan.toml", "summary.json", "usage.csv", "vms.csv"]
        );
        // A trace written into a run's folder replaces only the trace.
        let o = Output::begin(&out).unwrap();
        write(o.dir(), "vms.csv", "new");
        o.commit().unwrap();
        assert_eq!(
            listing(&out),
            ["split.plan.toml", "summary.json", "vms.csv"]
        );
    }

    #[test]
    fn a_dropped_output_leaves_the_old_one_and_nothing_else() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("run");
        write(&out, "summary.json", "old");
        let o = Output::begin(&out).unwrap();
        write(o.dir(), "summary.json", "half");
        drop(o);
        assert_eq!(listing(&out), ["summary.json"]);
        assert_eq!(
            std::fs::read_to_string(out.join("summary.json")).unwrap(),
            "old"
        );
        assert_eq!(listing(root.path()), ["run"]);
        // A fresh folder that fails is never created.
        let o = Output::begin(&root.path().join("new")).unwrap();
        drop(o);
        assert_eq!(listing(root.path()), ["run"]);
    }

    #[test]
    fn a_folder_with_subfolders_gets_its_files_one_by_one() {
        let root = tempfile::tempdir().unwrap();
        write(&root.path().join("sub"), "keep.txt", "x");
        write(root.path(), "ledger.csv", "old");
        write(root.path(), "index.html", "old");
        let o = Output::begin(root.path()).unwrap();
        write(o.dir(), "ledger.csv", "new");
        o.commit().unwrap();
        assert_eq!(listing(root.path()), ["ledger.csv", "sub"]);
        assert_eq!(
            std::fs::read_to_string(root.path().join("ledger.csv")).unwrap(),
            "new"
        );
    }

    #[test]
    fn stale_staging_folders_of_killed_runs_are_removed() {
        let root = tempfile::tempdir().unwrap();
        write(
            &root.path().join(".run.hybridplan-tmp-999999"),
            "summary.json",
            "x",
        );
        write(
            &root.path().join(".run.hybridplan-old-999998"),
            "summary.json",
            "x",
        );
        write(&root.path().join(".other.hybridplan-tmp-999999"), "a", "x");
        let o = Output::begin(&root.path().join("run")).unwrap();
        o.commit().unwrap();
        assert_eq!(
            listing(root.path()),
            [".other.hybridplan-tmp-999999", "run"]
        );
    }
}
