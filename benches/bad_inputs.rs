//! Issue 17's "every bad input exits 2 within a second, under a 4 GB memory cap", measured: each
//! row of `tests/it/bad_inputs.txt` is set up as the table test does and run once with the
//! release binary under GNU time (`/usr/bin/time -f %M`, the run's peak resident set), timed by
//! wall clock; the slowest rows and the largest are printed. The test suite enforces the memory
//! cap (`prlimit --as`) but asserts no time: timings belong here (README, "Hardening").
//!
//! ```sh
//! cargo bench --bench bad_inputs
//! ```

// Shared with the integration tests; not every helper is used here (`common` says so itself).
#[path = "../tests/it/common/mod.rs"]
mod common;

#[allow(dead_code)]
#[path = "../tests/it/bad_input_rows.rs"]
mod bad_input_rows;

use bad_input_rows::{prepare, rows};
use common::{Scratch, root};
use std::process::Command;
use std::time::Instant;

/// One row's run: its name, wall seconds, peak resident MiB and exit code.
struct Measured {
    name: &'static str,
    wall: f64,
    rss_mib: f64,
    code: i32,
}

fn measure(row: &bad_input_rows::Row<'static>) -> Measured {
    let scratch = Scratch::new();
    let args = prepare(row, &scratch).unwrap_or_else(|e| panic!("{}: {e}", row.name));
    let timing = scratch.path().join("time.txt");
    let start = Instant::now();
    let status = Command::new("/usr/bin/time")
        .arg("-o")
        .arg(&timing)
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_hybridplan"))
        .args(&args)
        .current_dir(root())
        .output()
        .expect("run /usr/bin/time (GNU time)")
        .status;
    let wall = start.elapsed().as_secs_f64();
    // GNU time writes "Command exited with non-zero status 2" first, then the format: %M, KiB.
    let text = std::fs::read_to_string(&timing).unwrap_or_default();
    let kib: f64 = text
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(f64::NAN);
    Measured {
        name: row.name,
        wall,
        rss_mib: kib / 1024.0,
        code: status.code().unwrap_or(-1),
    }
}

fn main() {
    let rows = rows();
    let mut runs: Vec<Measured> = rows.iter().map(measure).collect();
    let other: Vec<&Measured> = runs.iter().filter(|m| m.code != 2).collect();
    for m in &other {
        println!("not exit 2: {} (exit {})", m.name, m.code);
    }
    println!(
        "{} rows, {} exited 2, total wall {:.2} s",
        runs.len(),
        runs.len() - other.len(),
        runs.iter().map(|m| m.wall).sum::<f64>()
    );
    runs.sort_by(|a, b| b.wall.total_cmp(&a.wall));
    println!("slowest rows (wall seconds, peak RSS MiB):");
    for m in runs.iter().take(8) {
        println!("  {:>6.3} s {:>7.1} MiB  {}", m.wall, m.rss_mib, m.name);
    }
    runs.sort_by(|a, b| b.rss_mib.total_cmp(&a.rss_mib));
    println!("largest rows (peak RSS MiB, wall seconds):");
    for m in runs.iter().take(5) {
        println!("  {:>7.1} MiB {:>6.3} s  {}", m.rss_mib, m.wall, m.name);
    }
    let max_wall = runs.iter().map(|m| m.wall).fold(0.0, f64::max);
    let max_rss = runs.iter().map(|m| m.rss_mib).fold(0.0, f64::max);
    println!("max wall {max_wall:.3} s, max peak RSS {max_rss:.1} MiB");
}
