//! Issue 17's table-driven bad-input suite: each row of `bad_inputs.txt` (the format is in
//! `bad_input_rows.rs`) copies the shipped scenarios, books, plan and example traces into a
//! scratch folder, makes one edit, runs one command line under a 4 GiB address-space cap, and
//! must get exit code 2, nothing on stdout, a one-line `error:` message holding every expected
//! string (the file, the key or line, the value, the limit), no panic and no output folder.
//! Every failing row is reported at once. How long each row takes is measured, not asserted:
//! `cargo bench --bench bad_inputs` (README, "Hardening").

use crate::bad_input_rows::{Row, expand, prepare, rows};
use crate::common::{Scratch, root};
use std::process::Command;

/// The address space each row runs in: issue 17's "under a 4 GB memory cap".
const MEMORY_CAP: u64 = 4 << 30;

/// Runs hybridplan in the project root under an address-space cap of [`MEMORY_CAP`] (RLIMIT_AS,
/// set by util-linux's `prlimit`: the crate has no libc dependency for a `pre_exec` hook). A
/// row that allocates past the cap gets a failed allocation, which aborts the process (a
/// signal, not exit 2), so the cap is enforced by the test rather than only measured.
fn hybridplan_capped(args: &[&str]) -> (i32, String, String) {
    let out = Command::new("prlimit")
        .arg(format!("--as={MEMORY_CAP}"))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_hybridplan"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run prlimit (util-linux), which caps each row's memory");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Sets up, runs and checks one row; the problem in words if it fails.
fn check(row: &Row) -> Result<(), String> {
    let scratch = Scratch::new();
    let s = scratch.path();
    let args = prepare(row, &scratch)?;
    let out = s.join("out");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = hybridplan_capped(&args);
    let first = stderr.lines().next().unwrap_or_default();
    let mut problems = Vec::new();
    if code != 2 {
        problems.push(format!("exit code {code}"));
    }
    if !stdout.is_empty() {
        problems.push(format!("stdout {stdout:?}"));
    }
    if !first.starts_with("error: ") || stderr.contains("panicked") {
        problems.push("no one-line error".to_string());
    }
    for want in &row.expect {
        let want = expand(want, s);
        if !first.contains(&want) {
            problems.push(format!("{want:?} missing"));
        }
    }
    if out.exists() {
        problems.push("an output folder was left".into());
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(format!(
            "{}: {}\n    stderr: {}",
            row.name,
            problems.join(", "),
            stderr.replace(&format!("{}/", s.display()), "").trim_end()
        )),
    }
}

#[test]
fn every_row_of_the_bad_input_table_is_refused_with_a_clear_message() {
    let rows = rows();
    assert!(rows.len() >= 130, "the table has {} rows", rows.len());
    let failures: Vec<String> = rows.iter().filter_map(|r| check(r).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn row_names_are_unique() {
    let rows = rows();
    let mut names: Vec<&str> = rows.iter().map(|r| r.name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "two rows share a name");
}

#[test]
fn the_memory_cap_is_set_on_what_prlimit_runs() {
    // `ulimit -v` prints the address-space limit in KiB: 4 GiB / 1 KiB = 4,194,304.
    let out = Command::new("prlimit")
        .arg(format!("--as={MEMORY_CAP}"))
        .args(["--", "sh", "-c", "ulimit -v"])
        .output()
        .expect("run prlimit (util-linux)");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "4194304");
}
