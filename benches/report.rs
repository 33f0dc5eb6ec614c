//! The HTML report of a one-year hourly scenario: synthetic-growth stretched to 365 days
//! (hourly steps and usage). Times building and rendering the page with its charts, and writing
//! them, and prints the bytes written (targets: at most 1 s and 3 MB).
//!
//!     cargo bench --bench report
//!
//! Results are in the README under "Benchmarks".

use hybridplan::report::{files, html};
use std::path::Path;
use std::time::Instant;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/synthetic-growth.toml")).unwrap();
    let year = text.replacen("horizon = \"90d\"", "horizon = \"365d\"", 1);
    assert_ne!(
        year, text,
        "synthetic-growth no longer has a 90-day horizon"
    );
    // Beside the original, so its relative paths to price books still hold.
    let scenario = tempfile::Builder::new()
        .prefix(".bench-report-")
        .suffix(".toml")
        .tempfile_in(root.join("scenarios"))
        .unwrap();
    std::fs::write(scenario.path(), year).unwrap();
    let t0 = Instant::now();
    let run = hybridplan::run_scenario(scenario.path()).expect("scenario");
    let simulated = t0.elapsed().as_secs_f64();
    let out = tempfile::tempdir().unwrap();
    let t1 = Instant::now();
    let page = html::render(&html::Report::of_run(
        &run.scenario,
        &run.trace.table,
        &run.outcome,
        &run.summary,
    ));
    let rendered = t1.elapsed().as_secs_f64();
    let written = files::write_page(out.path(), &page).unwrap();
    let all = t1.elapsed().as_secs_f64();
    let bytes: u64 = written
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    let page_bytes = std::fs::metadata(&written[0]).unwrap().len();
    println!(
        "one year hourly ({} usage samples, {} steps per site series): simulated in {simulated:.2} s",
        run.summary.usage_samples,
        run.outcome
            .venues
            .iter()
            .filter_map(|v| v.site.as_ref())
            .map(|s| s.mem_allocated.len())
            .max()
            .unwrap_or(0)
    );
    println!(
        "report: rendered in {:.3} s, rendered and written in {all:.3} s; index.html {:.2} MB, {} charts, {:.2} MB with the .svg files",
        rendered,
        page_bytes as f64 / 1e6,
        page.charts.len(),
        bytes as f64 / 1e6
    );
}
