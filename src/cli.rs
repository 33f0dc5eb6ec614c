//! The command line: argument parsing, exit codes, progress bars and what is printed. Every
//! command's work is done by [`crate::pipeline`].

mod args;
mod progress;

use crate::error::{Error, InputError};
use crate::pipeline::{self as pipe, StudyOutput};
use crate::pricing::Book;
use crate::pricing::quote;
use crate::regress::suite;
use crate::trace::stats;
use args::TraceCommand;
use args::{
    Cli, Command, CompareArgs, DiffFormat, PricingCommand, Replications, ReportArgs, ReportFormat,
};
use clap::Parser;
use progress::progress_bar;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// What the CLI prints goes through `text::terminal`: names and messages come from input files,
// and a control character or escape sequence in them is shown escaped, never obeyed.
macro_rules! out {
    ($($t:tt)*) => { print!("{}", crate::text::terminal(&format!($($t)*))) };
}
macro_rules! outln {
    () => { println!() };
    ($($t:tt)*) => { println!("{}", crate::text::terminal(&format!($($t)*))) };
}
macro_rules! errln {
    ($($t:tt)*) => { eprintln!("{}", crate::text::terminal(&format!($($t)*))) };
}

/// Exit code for bad input: a scenario, price book or trace that cannot be accepted. Command-line
/// usage errors also exit with 2 (clap's convention).
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code of `diff` and `check` when a figure moved beyond the tolerance or a baseline is
/// missing.
pub const EXIT_CHANGED: u8 = 1;
/// Exit code when writing outputs or another system operation failed.
pub const EXIT_FAILURE: u8 = 3;
/// Exit code of `optimize` when no plan meets every requirement (the reasons are printed).
pub const EXIT_NO_PLAN: u8 = 4;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            scenario,
            out,
            quiet,
            replications,
            target,
            sweep,
            shard,
            export,
            report,
        } => match (replications, sweep) {
            (None, false) => run(&scenario, out, quiet, &report, export.is_some()),
            _ => study(
                &scenario,
                (sweep, replications),
                target,
                shard,
                out,
                quiet,
                &report,
            ),
        }
        .map(|()| true),
        Command::Optimize {
            scenario,
            headroom,
            whole_groups,
            percentile,
            validate,
            out,
            report,
            brand,
        } => {
            let opt = crate::optimize::Options {
                headroom,
                whole_groups,
            };
            optimize(
                &scenario,
                opt,
                percentile,
                validate,
                out,
                report.map(|_| &brand),
            )
            .map(|()| true)
        }
        Command::Compare { a, b, report, out } => compare(&a, &b, report, out).map(|()| true),
        Command::Merge {
            partials,
            out,
            quiet,
        } => merge(&partials, out, quiet).map(|()| true),
        Command::Trace(cmd) => trace(cmd).map(|()| true),
        Command::Pricing(cmd) => pricing(cmd).map(|()| true),
        Command::Diff {
            baseline,
            new,
            compare,
        } => diff(&baseline, &new, &compare),
        Command::Check {
            dir,
            baselines,
            update,
            compare,
        } => check(&dir, baselines, update, &compare),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(EXIT_CHANGED),
        Err(e) => {
            errln!("error: {e}");
            ExitCode::from(match e {
                Error::Input(_) => EXIT_BAD_INPUT,
                Error::Io { .. } => EXIT_FAILURE,
                Error::NoPlan { .. } => EXIT_NO_PLAN,
            })
        }
    }
}

fn pricing(cmd: PricingCommand) -> Result<(), Error> {
    match cmd {
        PricingCommand::Check {
            books,
            max_age,
            today,
        } => {
            let today = today.unwrap_or_else(crate::pricing::today_utc);
            let max_age = max_age.unwrap_or(365 * crate::units::DAY);
            let checked = pipe::check_books(books, &today, max_age)?;
            for line in &checked.lines {
                outln!("{line}");
            }
            checked.first_error.map_or(Ok(()), Err)
        }
        PricingCommand::Import {
            provider,
            files,
            region,
            base,
            name,
            note,
            out,
        } => import(
            provider,
            &files,
            &region,
            base.as_deref(),
            (name.as_deref(), note),
            &out,
        ),
        PricingCommand::Quote { book, request } => {
            let b = Book::load(&book)?;
            let q = quote::quote(&b, &request)
                .map_err(|m| crate::error::InputError::file(&book, m.to_string()))?;
            out!("{}", q.render(b.currency.as_str()));
            Ok(())
        }
    }
}

/// `pricing import`: reads the price files, writes the book (validated) and says what was
/// taken and left out.
fn import(
    provider: crate::pricing::import::Provider,
    files: &[PathBuf],
    region: &str,
    base: Option<&Path>,
    (name, notes): (Option<&str>, Vec<String>),
    out: &Path,
) -> Result<(), Error> {
    use crate::pricing::import;
    let mut imported = import::import(provider, files, region)?;
    imported.header.extend(notes);
    let base_text = match base {
        Some(p) => Some((crate::error::read_input(p)?, p)),
        None => None,
    };
    let text = import::write(
        provider,
        &imported,
        base_text.as_ref().map(|(t, p)| (t.as_str(), *p)),
        name,
        out,
    )?;
    crate::report::files::write_atomic(out, |w| w.write_all(text.as_bytes()))?;
    outln!(
        "wrote {}: {} instance types, {} reservations, {} savings plans, {} {} as of {}",
        out.display(),
        imported.instances.len(),
        imported.reserved.len(),
        imported.savings_plans.len(),
        imported.region,
        imported.currency,
        imported.as_of
    );
    for (why, n) in &imported.skipped {
        outln!("left out {n}: {why}");
    }
    Ok(())
}

fn trace(cmd: TraceCommand) -> Result<(), Error> {
    let (trace, out) = match cmd {
        TraceCommand::Stats {
            path,
            read,
            json,
            by_day,
        } => {
            let stats = pipe::trace_stats(&read.spec(&path)?, by_day)?;
            if json {
                let text =
                    serde_json::to_string_pretty(&stats).map_err(|e| Error::io(&path, e.into()))?;
                outln!("{text}");
            } else {
                out!("{}", stats::render_text(&stats));
            }
            return Ok(());
        }
        TraceCommand::Import {
            source: args::ImportSource::Rvtools,
            files,
            out,
            include_all,
        } => return import_rvtools(&files, &out, include_all),
        TraceCommand::Convert { path, read, out } => (crate::trace::load(&read.spec(&path)?)?, out),
        TraceCommand::Generate {
            params,
            seed,
            horizon,
            out,
        } => (pipe::generate_trace(params.as_deref(), seed, horizon)?, out),
    };
    let written = pipe::write_canonical(&trace, &out)?;
    for (i, path) in written.iter().enumerate() {
        match i {
            0 => outln!("wrote {} ({} VMs)", path.display(), trace.table.vms.len()),
            _ => outln!("wrote {}", path.display()),
        }
    }
    for note in &trace.notes {
        outln!("note: {note}");
    }
    Ok(())
}

/// `trace import rvtools`: what was left out and why, then the files written.
fn import_rvtools(files: &[PathBuf], out: &Path, include_all: bool) -> Result<(), Error> {
    let done = pipe::import_rvtools(files, out, include_all)?;
    let inv = &done.inventory;
    let verb = if include_all { "kept" } else { "left out" };
    for (vm, why) in inv.left_out() {
        outln!("{verb}: {} ({why})", vm.name);
    }
    outln!(
        "{} VMs read, {} in vms.csv, {} disks, {} hosts",
        inv.vms.len(),
        done.kept,
        inv.disks.len(),
        inv.hosts.len()
    );
    for note in &inv.notes {
        outln!("note: {note}");
    }
    print_written(&done.written);
    Ok(())
}

fn run(
    scenario: &Path,
    out: Option<PathBuf>,
    quiet: bool,
    report: &ReportArgs,
    focus: bool,
) -> Result<(), Error> {
    let baseline = report.baseline()?;
    let brand = report.brand.brand()?;
    let html = report.report.is_some();
    let (run, written) = pipe::run(scenario, out, html, baseline.as_ref(), &brand, focus)?;
    if !quiet {
        out!("{}", crate::report::totals_table(&run.summary));
        if let Some(line) = crate::report::rightsize_line(&run.summary) {
            outln!("{line}");
        }
        outln!();
        print_written(&written);
    }
    Ok(())
}

fn print_written(paths: &[PathBuf]) {
    for path in paths {
        outln!("wrote {}", path.display());
    }
}

/// `compare`: both runs' headline figures and their change; with --report html, a page.
fn compare(
    a: &Path,
    b: &Path,
    report: Option<ReportFormat>,
    out: Option<PathBuf>,
) -> Result<(), Error> {
    let (sa, sb) = (pipe::load_summary(a)?, pipe::load_summary(b)?);
    pipe::same_currency((a, &sa.currency), (b, &sb.currency))?;
    out!("{}", crate::report::compare_table(&sa, &sb));
    if report.is_some() {
        print_written(&pipe::write_compare(&sa, &sb, (a, b), out)?);
    }
    Ok(())
}

/// `diff`: true when nothing moved beyond the tolerance.
fn diff(baseline: &Path, new: &Path, args: &CompareArgs) -> Result<bool, Error> {
    let changes = pipe::diff(baseline, new, args.tolerance())?;
    let title = format!("{} -> {}", baseline.display(), new.display());
    out!("{}", args.render(&title, &changes));
    Ok(!changes.iter().any(|c| c.beyond))
}

/// `check`: true when every scenario matches its baseline (or `--update` rewrote them).
fn check(
    dir: &Path,
    baselines: Option<PathBuf>,
    update: bool,
    args: &CompareArgs,
) -> Result<bool, Error> {
    let baselines = baselines.unwrap_or_else(|| dir.join("baselines"));
    let cases = suite::discover(dir, &baselines)?;
    // Progress goes to stderr when stdout carries the Markdown comment.
    let progress = |line: &str| match args.format {
        DiffFormat::Text => outln!("{line}"),
        DiffFormat::Markdown => errln!("{line}"),
    };
    let mut report = String::new();
    let (mut failed, mut first_error) = (0, None);
    for case in &cases {
        match pipe::check_case(case, args.tolerance(), update) {
            Ok(verdict) => {
                failed += usize::from(verdict.fails());
                progress(&verdict.line(case, dir));
                if let suite::Verdict::Compared(changes) = &verdict
                    && verdict.fails()
                {
                    let section = args.render(&case.name, changes);
                    match args.format {
                        DiffFormat::Text => out!("{section}"),
                        DiffFormat::Markdown => report.push_str(&section),
                    }
                }
                if matches!(verdict, suite::Verdict::Missing) {
                    report.push_str(&format!("- `{}`: no baseline\n", case.name));
                }
            }
            Err(e) => {
                progress(&format!("ERROR    {}: {e}", case.name));
                first_error.get_or_insert(e);
            }
        }
    }
    for stale in suite::stale_baselines(&baselines, &cases)? {
        let shown = stale.display();
        if update {
            pipe::remove_stale(&stale)?;
            progress(&format!("removed  {shown} (its scenario is gone)"));
        } else {
            progress(&format!(
                "note     {shown} has no scenario; --update removes it"
            ));
        }
    }
    let verb = if update { "updated" } else { "checked" };
    let tally = format!("{verb} {} scenarios: {failed} failed", cases.len());
    match args.format {
        DiffFormat::Text => outln!("{tally}"),
        DiffFormat::Markdown => {
            let mark = if failed == 0 { "✅" } else { "⚠️" };
            outln!("## {mark} hybridplan check: {tally}\n");
            out!("{report}");
        }
    }
    first_error.map_or(Ok(failed == 0), Err)
}

/// `run --replications` or `run --sweep` (`kind`: whether a sweep, and the replications asked
/// for): the study's items, or one shard of them, in parallel; `auto` runs batches until the
/// total's P50 is within `target` (default 0.5 %).
fn study(
    scenario: &Path,
    (sweep, replications): (bool, Option<Replications>),
    target: Option<f64>,
    shard: Option<(u32, u32)>,
    out: Option<PathBuf>,
    quiet: bool,
    report: &ReportArgs,
) -> Result<(), Error> {
    let baseline = report.baseline()?;
    let brand = report.brand.brand()?;
    let page = report.report.map(|_| pipe::Page {
        scenario,
        baseline: baseline.as_ref(),
        brand: &brand,
    });
    if target.is_some() && replications != Some(Replications::Auto) {
        let msg = "--target applies only to --replications auto";
        return Err(InputError::file(scenario, msg).into());
    }
    let finished = if replications == Some(Replications::Auto) {
        if sweep {
            let msg = "--replications auto applies to a Monte Carlo study, not --sweep; give a count, e.g. --sweep --replications 40";
            return Err(InputError::file(scenario, msg).into());
        }
        if shard.is_some() {
            let msg = "--replications auto stops when the results say so, so it cannot be sharded; give a count, e.g. --replications 1000";
            return Err(InputError::file(scenario, msg).into());
        }
        let bar = progress_bar(u64::from(crate::uncertainty::study::AUTO_MAX), quiet);
        let finished = pipe::run_auto(scenario, target.unwrap_or(0.005), out, page, &|| bar.inc(1));
        bar.finish_and_clear();
        finished?
    } else {
        let count = match replications {
            Some(Replications::Count(n)) => Some(n),
            // 0 asks Study::load for the scenario's own count.
            Some(Replications::Scenario) => Some(0),
            _ => None,
        };
        let prepared = pipe::prepare_study(scenario, sweep, count, shard)?;
        let bar = progress_bar(prepared.indices.len() as u64, quiet);
        let output = prepared.run(scenario, out, page, &|| bar.inc(1));
        bar.finish_and_clear();
        match output? {
            StudyOutput::Partial { path, count, items } => {
                if !quiet {
                    outln!("wrote {} ({count} of {items} items)", path.display());
                }
                return Ok(());
            }
            StudyOutput::Finished(f) => *f,
        }
    };
    print_finished(&finished, quiet);
    if !quiet {
        print_written(&finished.report);
    }
    Ok(())
}

/// `merge`: the shards' records into one result.
fn merge(partials: &[PathBuf], out: Option<PathBuf>, quiet: bool) -> Result<(), Error> {
    print_finished(&pipe::merge(partials, out)?, quiet);
    Ok(())
}

fn print_finished(finished: &pipe::Finished, quiet: bool) {
    if !quiet {
        out!("{}", finished.text);
        outln!("\nwrote {}", finished.path.display());
    }
}

/// `optimize`: solve, print and write the plan; with `validate` (or a report), simulate it.
fn optimize(
    path: &Path,
    opt: crate::optimize::Options,
    percentile: Option<f64>,
    validate: bool,
    out: Option<PathBuf>,
    report: Option<&crate::cli::args::BrandArgs>,
) -> Result<(), Error> {
    let brand = report.map(|b| b.brand()).transpose()?;
    let done = pipe::optimize(path, opt, percentile, validate, out, brand.as_ref())?;
    out!("{}", done.text);
    outln!();
    print_written(&done.written);
    Ok(())
}
