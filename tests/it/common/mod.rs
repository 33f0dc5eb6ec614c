//! Helpers shared by the integration tests: a scratch folder with a scenario, its books and trace.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A temporary folder that files are written into by name.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
        path
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// The project root, where Cargo.toml is.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the example scenario with its books and trace into `scratch`, keeping relative paths.
pub fn copy_example(scratch: &Scratch) -> PathBuf {
    for rel in [
        "scenarios/example-hybrid.toml",
        "scenarios/traces/planetlab-mix/vms.csv",
        "scenarios/traces/planetlab-mix/usage.csv",
        "pricing/private-kvm-2s32c.toml",
        "pricing/aws-us-east-1.toml",
        "pricing/gcp-us-central1.toml",
    ] {
        let text = std::fs::read_to_string(root().join(rel)).expect("example file");
        scratch.write(rel, &text);
    }
    scratch.path().join("scenarios/example-hybrid.toml")
}

/// Runs the hybridplan binary; returns (exit code, stdout, stderr).
pub fn hybridplan(args: &[&str]) -> (i32, String, String) {
    hybridplan_in(&root(), args)
}

/// Runs the hybridplan binary in folder `dir` (so that default output folders land there);
/// returns (exit code, stdout, stderr).
pub fn hybridplan_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hybridplan"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run hybridplan");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Starts the hybridplan binary in the project root without waiting for it (its output is
/// discarded); for tests that stop or kill a run midway.
pub fn spawn_hybridplan(args: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_hybridplan"))
        .args(args)
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start hybridplan")
}
