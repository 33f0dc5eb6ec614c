//! The lock of an output folder: a file `.<name>.hybridplan-lock` beside it holding the pid of
//! the run writing it. The file appears with its pid already in it (written to a temporary file,
//! then hard-linked into place, which fails if the lock exists), so another run never reads an
//! empty lock. A lock whose run is gone (killed) is taken over.

use super::output::side_prefix;
use crate::error::{Error, InputError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A held lock; dropping it removes the file.
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    /// Takes the lock of folder `name` in `parent`; `target` is the folder as the user named it.
    /// A live holder is bad input (exit 2) naming the folder, the holder's pid and the lock.
    pub fn take(parent: &Path, name: &str, target: &Path) -> Result<Lock, Error> {
        let path = parent.join(format!("{}lock", side_prefix(name)));
        // A few tries: each failed one removed a dead run's lock or lost a race to a live one.
        for _ in 0..4 {
            if create(&path)? {
                return Ok(Lock { path });
            }
            let holder = holder(&path);
            match holder {
                Some(pid) if alive(pid) => {
                    let msg = format!(
                        "is being written by another hybridplan run (pid {pid}, lock {}); wait for it to finish or choose another --out (if no such run exists, remove the lock file)",
                        path.display()
                    );
                    return Err(InputError::file(target, msg).into());
                }
                // Dead, or not yet readable: remove only the lock we read, then try again.
                Some(pid) => remove_if_held_by(&path, pid),
                None => {}
            }
        }
        let msg = format!(
            "could not take the lock {} (it holds no readable pid, or other runs keep taking it); remove it if no hybridplan run is writing this folder",
            path.display()
        );
        Err(InputError::file(target, msg).into())
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Creates the lock holding this process's pid; false when it exists already.
fn create(path: &Path) -> Result<bool, Error> {
    let pid = std::process::id();
    let tmp = path.with_file_name(format!(
        "{}-{pid}",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    let write = |p: &Path| -> std::io::Result<()> {
        let mut f = std::fs::File::create_new(p)?;
        writeln!(f, "{pid}")
    };
    let _ = std::fs::remove_file(&tmp);
    write(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        // No hard links here: create the lock directly (a reader may see it empty for a
        // moment and then retries).
        Err(_) => match write(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(Error::io(path, e)),
        },
    }
}

/// The pid in a lock file, if it can be read.
fn holder(path: &Path) -> Option<u32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Removes the lock if it still holds `pid`: it is moved aside first, so a fresh lock another
/// run took in the meantime is put back instead of removed.
fn remove_if_held_by(path: &Path, pid: u32) {
    let aside = path.with_file_name(format!(
        "{}-{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    if std::fs::rename(path, &aside).is_err() {
        return;
    }
    if holder(&aside) != Some(pid) {
        let _ = std::fs::hard_link(&aside, path);
    }
    let _ = std::fs::remove_file(&aside);
}

/// Whether process `pid` is running (a zombie, dead but not yet reaped, is not). This process
/// itself never holds a lock it is asking about, so its own pid reads as gone.
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    if cfg!(target_os = "linux") {
        return match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // The state follows the command name in parentheses: "1234 (hybridplan) Z ...".
            Ok(stat) => stat
                .rsplit_once(") ")
                .is_none_or(|(_, rest)| !rest.starts_with('Z')),
            Err(_) => false,
        };
    }
    // Elsewhere: `kill -0` succeeds for a live process.
    std::process::Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_holder_refuses_and_a_dead_one_is_taken_over() {
        let root = tempfile::tempdir().unwrap();
        let lock = root.path().join(".run.hybridplan-lock");
        // pid 1 is always running.
        std::fs::write(&lock, "1\n").unwrap();
        let e = Lock::take(root.path(), "run", Path::new("out/run"))
            .err()
            .unwrap();
        let msg = e.to_string();
        assert!(
            msg.starts_with("out/run: is being written by another hybridplan run (pid 1, lock "),
            "{msg}"
        );
        // A pid above Linux's maximum (4,194,304) is no process: a killed run's lock.
        std::fs::write(&lock, "99999999\n").unwrap();
        let held = Lock::take(root.path(), "run", Path::new("out/run")).unwrap();
        let own = std::process::id();
        assert_eq!(std::fs::read_to_string(&lock).unwrap(), format!("{own}\n"));
        drop(held);
        assert!(!lock.exists());
    }
}
