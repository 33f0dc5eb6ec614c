//! The command line: argument parsing, exit codes and what is printed. Everything else is
//! library code.

use crate::error::{Error, InputError};
use crate::pricing::Book;
use crate::pricing::quote::{self, QuoteRequest};
use crate::regress::{self, Tolerance, suite};
use crate::report::files;
use crate::trace::{Format, ReadOptions, TraceSpec, VmSize, stats, synthetic};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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

#[derive(Parser)]
#[command(
    name = "hybridplan",
    version,
    about = "Hybrid-cloud cost and placement simulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read, summarise, convert and generate workload traces.
    #[command(subcommand)]
    Trace(TraceCommand),
    /// Check price books and quote their items line by line.
    #[command(subcommand)]
    Pricing(PricingCommand),
    /// Simulate a scenario: print the totals and write summary.json and ledger.csv.
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Output folder [default: reports/<scenario name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Run N seeded replications drawing the scenario's [uncertainty] parameters (without
        /// N, the scenario's own count) and a P10/P90 sensitivity run per parameter; writes
        /// replications.json.
        #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "0", group = "study")]
        replications: Option<u32>,
        /// Run every point of the scenario's [[sweep]] grid; writes sweep.csv.
        #[arg(long, group = "study")]
        sweep: bool,
        /// With --replications or --sweep: run only shard K of N (items K-1, K-1+N, ...) and
        /// write <replications|sweep>.shard-K-of-N.json for `hybridplan merge`.
        #[arg(long, value_name = "K/N", value_parser = parse_shard, requires = "study")]
        shard: Option<(u32, u32)>,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Recommend where each group runs and how many hosts each private site needs (a mixed-
    /// integer model over the trace's demand); writes optimize.json and a plan file.
    Optimize {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Share of each host kept free for packing losses and bursts, e.g. 0.1.
        #[arg(long, default_value_t = 0.1, value_parser = parse_headroom)]
        headroom: f64,
        /// Put each group on exactly one venue.
        #[arg(long)]
        whole_groups: bool,
        /// Plan capacity for each group's P-th percentile of demand (e.g. 95) instead of every
        /// step; the headroom is kept on top.
        #[arg(long, value_name = "P", value_parser = parse_percentile)]
        percentile: Option<f64>,
        /// Simulate the plan (plan-driven placement, the recommended hosts) and compare.
        #[arg(long)]
        validate: bool,
        /// Output folder [default: reports/<scenario name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also write index.html (and each chart as .svg) of the simulated plan; implies
        /// --validate.
        #[arg(long, value_enum, value_name = "FORMAT")]
        report: Option<ReportFormat>,
    },
    /// Put two runs side by side: print each figure of both and the change; with
    /// --report html, write a comparison page.
    Compare {
        /// Run A: a summary.json or a folder holding one.
        a: PathBuf,
        /// Run B, compared against A.
        b: PathBuf,
        #[arg(long, value_enum, value_name = "FORMAT")]
        report: Option<ReportFormat>,
        /// Output folder for the page [default: reports/compare-<A>-vs-<B>].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Combine the partial results of a sharded `run --replications` or `run --sweep` into the
    /// result file of an unsharded run, byte for byte.
    Merge {
        /// The shards' *.shard-K-of-N.json files.
        #[arg(required = true)]
        partials: Vec<PathBuf>,
        /// Output folder [default: reports/<scenario name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Compare two runs (summary.json files or report folders) figure by figure; exit 1 when
    /// any figure moved beyond the tolerance.
    Diff {
        /// The accepted run: a summary.json or a folder holding one.
        baseline: PathBuf,
        /// The run to check against it.
        new: PathBuf,
        #[command(flatten)]
        compare: CompareArgs,
    },
    /// Run every scenario under a folder and compare it with its committed baseline; exit 1
    /// when a figure moved beyond the tolerance or a baseline is missing.
    Check {
        /// The scenario folder, searched recursively (skips *.plan.toml, baselines/, traces/).
        dir: PathBuf,
        /// Where the baselines live [default: <DIR>/baselines].
        #[arg(long)]
        baselines: Option<PathBuf>,
        /// Rewrite the baselines from this run instead of failing on changes.
        #[arg(long)]
        update: bool,
        #[command(flatten)]
        compare: CompareArgs,
    },
}

/// The report formats for people.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    /// One self-contained HTML page (index.html) and each chart as an .svg file.
    Html,
}

#[derive(Args)]
struct ReportArgs {
    /// Also write a report for people: index.html and each chart as an .svg file.
    #[arg(long, value_enum, value_name = "FORMAT")]
    report: Option<ReportFormat>,
    /// With --report: a run (summary.json or its folder) to state savings against.
    #[arg(long, value_name = "SUMMARY", requires = "report")]
    baseline: Option<PathBuf>,
}

impl ReportArgs {
    /// The --baseline run, read before anything is simulated or written.
    fn baseline(&self) -> Result<Option<crate::report::Summary>, Error> {
        self.baseline
            .as_deref()
            .map(suite::load_typed_summary)
            .transpose()
    }
}

/// How two runs are compared and the comparison reported.
#[derive(Args)]
struct CompareArgs {
    /// How far a figure may move relative to its baseline value, e.g. 0.5% or 0.005.
    #[arg(long, default_value = "0.5%", value_parser = Tolerance::parse_relative)]
    tolerance: f64,
    /// A change no larger than this never counts, whatever its share (in the figure's unit).
    #[arg(long = "abs", default_value_t = 0.0, value_parser = parse_abs)]
    absolute: f64,
    /// text for the terminal, markdown for a pull-request comment.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
}

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
enum DiffFormat {
    Text,
    Markdown,
}

impl CompareArgs {
    fn tolerance(&self) -> Tolerance {
        Tolerance {
            relative: self.tolerance,
            absolute: self.absolute,
        }
    }

    fn render(&self, title: &str, changes: &[regress::Change]) -> String {
        match self.format {
            DiffFormat::Text => regress::render_text(title, changes, self.tolerance()),
            DiffFormat::Markdown => regress::render_markdown(title, changes, self.tolerance()),
        }
    }
}

fn parse_headroom(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if (0.0..1.0).contains(&v) => Ok(v),
        _ => Err(format!("\"{text}\" is not a share in 0..1, e.g. 0.1")),
    }
}

fn parse_percentile(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').trim().parse::<f64>() {
        Ok(p) if p > 0.0 && p <= 100.0 => Ok(p),
        _ => Err(format!(
            "{text:?} is not a percentile: expected a number in (0, 100], e.g. 95"
        )),
    }
}

fn parse_shard(text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("\"{text}\" is not a shard K/N with 1 <= K <= N, e.g. 2/3");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    match (k.trim().parse::<u32>(), n.trim().parse::<u32>()) {
        (Ok(k), Ok(n)) if 1 <= k && k <= n => Ok((k, n)),
        _ => Err(bad()),
    }
}

fn parse_abs(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("\"{text}\" is not a number >= 0")),
    }
}

#[derive(Subcommand)]
enum PricingCommand {
    /// Validate price books: every rule, with the file and key of each problem.
    Check {
        /// Price books (TOML).
        #[arg(required = true)]
        books: Vec<PathBuf>,
    },
    /// Print one item of a book as a bill would, line by line.
    Quote {
        /// The price book.
        book: PathBuf,
        #[command(flatten)]
        request: QuoteRequest,
    },
}

#[derive(Subcommand)]
enum TraceCommand {
    /// VM counts, requested capacity, peak concurrency and CPU-utilisation distribution.
    Stats {
        /// The trace: a folder (or the canonical vms.csv).
        path: PathBuf,
        #[command(flatten)]
        read: ReadArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Add a per-day breakdown (day 0 starts at 0 s).
        #[arg(long)]
        by_day: bool,
    },
    /// Convert a trace to the canonical CSV (vms.csv and usage.csv).
    Convert {
        /// The trace: a folder (or the canonical vms.csv).
        path: PathBuf,
        #[command(flatten)]
        read: ReadArgs,
        /// Output folder (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Generate a synthetic workload as canonical CSV.
    Generate {
        /// Generator parameters (TOML, the keys of a scenario's [trace.synthetic] table);
        /// without it, the documented defaults.
        #[arg(long)]
        params: Option<PathBuf>,
        /// Overrides the seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Overrides the length of the trace, e.g. 30d.
        #[arg(long, value_parser = crate::units::parse_duration)]
        horizon: Option<u64>,
        /// Output folder (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

/// How to read a trace given on the command line.
#[derive(Args)]
struct ReadArgs {
    /// The trace's format.
    #[arg(long, value_enum)]
    format: Format,
    /// PlanetLab: a VM size VCPUS:GIB, repeatable; sizes go to the files in name order,
    /// cycling [default: CloudSim's four PlanetLab VM types]
    #[arg(long = "size", value_parser = VmSize::parse)]
    sizes: Vec<VmSize>,
    /// Google 2011: cores that a normalised CPU of 1.0 stands for.
    #[arg(long, default_value_t = ReadOptions::default().cpu_scale)]
    cpu_scale: f64,
    /// Google 2011: GiB that a normalised memory of 1.0 stands for.
    #[arg(long, default_value_t = ReadOptions::default().mem_scale)]
    mem_scale: f64,
    /// Azure V1 and Google 2011: skip usage rows of VMs missing from the VM table (counted)
    /// instead of failing.
    #[arg(long)]
    skip_unknown_vms: bool,
}

impl ReadArgs {
    fn spec(&self, path: &Path) -> Result<TraceSpec, Error> {
        for (flag, v) in [
            ("--cpu-scale", self.cpu_scale),
            ("--mem-scale", self.mem_scale),
        ] {
            if !(v.is_finite() && v > 0.0) {
                let msg = format!("{v} must be a finite number > 0");
                return Err(InputError::file(Path::new(flag), msg).into());
            }
        }
        let defaults = ReadOptions::default();
        let options = ReadOptions {
            sizes: if self.sizes.is_empty() {
                defaults.sizes
            } else {
                self.sizes.clone()
            },
            cpu_scale: self.cpu_scale,
            mem_scale: self.mem_scale,
            skip_unknown_vms: self.skip_unknown_vms,
        };
        Ok(TraceSpec::from_path(self.format, path, options))
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            scenario,
            out,
            quiet,
            replications,
            sweep,
            shard,
            report,
        } => match (replications, sweep) {
            (Some(n), _) => study(&scenario, Some(n), shard, out, quiet, &report),
            (None, true) => study(&scenario, None, shard, out, quiet, &report),
            (None, false) => run(&scenario, out, quiet, &report),
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
        } => {
            let opt = crate::optimize::Options {
                headroom,
                whole_groups,
            };
            optimize(&scenario, opt, percentile, validate, out, report).map(|()| true)
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
            eprintln!("error: {e}");
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
        PricingCommand::Check { books } => {
            // Every book is checked; the first failure decides the exit code after all are read.
            let mut first_error = None;
            for path in &books {
                match Book::load(path) {
                    Ok(b) => println!(
                        "ok     {} ({}, {}, as of {})",
                        path.display(),
                        b.kind.name(),
                        b.currency,
                        b.as_of
                    ),
                    Err(e) => {
                        println!("FAILED {e}");
                        first_error.get_or_insert(e);
                    }
                }
            }
            match first_error {
                Some(e) => Err(e),
                None => Ok(()),
            }
        }
        PricingCommand::Quote { book, request } => {
            let b = Book::load(&book)?;
            let q = quote::quote(&b, &request).map_err(|m| InputError::file(&book, m))?;
            print!("{}", q.render(b.currency.as_str()));
            Ok(())
        }
    }
}

fn trace(cmd: TraceCommand) -> Result<(), Error> {
    match cmd {
        TraceCommand::Stats {
            path,
            read,
            json,
            by_day,
        } => {
            let trace = crate::trace::load(&read.spec(&path)?)?;
            let notes = trace.notes.clone();
            let stats = stats::compute(&trace.table, trace.samples()?, by_day, notes)?;
            if json {
                let text =
                    serde_json::to_string_pretty(&stats).map_err(|e| Error::io(&path, e.into()))?;
                println!("{text}");
            } else {
                print!("{}", stats::render_text(&stats));
            }
            Ok(())
        }
        TraceCommand::Convert { path, read, out } => {
            let trace = crate::trace::load(&read.spec(&path)?)?;
            write_canonical(&trace, &out)
        }
        TraceCommand::Generate {
            params,
            seed,
            horizon,
            out,
        } => {
            let mut p = match &params {
                Some(file) => {
                    let text = crate::error::read_input(file)?;
                    toml::from_str::<synthetic::Params>(&text)
                        .map_err(|e| InputError::from_toml(file, &text, &e))?
                }
                None => synthetic::Params::default(),
            };
            p.seed = seed.unwrap_or(p.seed);
            p.horizon = horizon.unwrap_or(p.horizon);
            let origin = params.unwrap_or_else(|| PathBuf::from("(defaults)"));
            p.validate()
                .map_err(|(k, m)| InputError::key(&origin, k, m))?;
            write_canonical(&synthetic::generate(&p), &out)
        }
    }
}

/// Writes a trace as canonical vms.csv and usage.csv (when it has usage) into `dir`.
fn write_canonical(trace: &crate::trace::Trace, dir: &Path) -> Result<(), Error> {
    // Read everything first: a bad usage row must fail before any file is written.
    let has_mem = match trace.samples()? {
        Some(samples) => {
            let mut any = false;
            for s in samples {
                any |= s?.mem().is_some();
            }
            any
        }
        None => false,
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let vms = dir.join("vms.csv");
    files::write_atomic(&vms, |w| crate::trace::write_vms_csv(&trace.table, w))?;
    println!("wrote {} ({} VMs)", vms.display(), trace.table.vms.len());
    if let Some(samples) = trace.samples()? {
        let usage = dir.join("usage.csv");
        files::write_atomic(&usage, |w| {
            let ok = samples.map(|s| s.map_err(|e| std::io::Error::other(e.to_string())));
            crate::trace::write_usage_csv(&trace.table, ok, has_mem, w)
        })?;
        println!("wrote {}", usage.display());
    }
    for note in &trace.notes {
        println!("note: {note}");
    }
    Ok(())
}

fn run(
    scenario: &Path,
    out: Option<PathBuf>,
    quiet: bool,
    report: &ReportArgs,
) -> Result<(), Error> {
    let baseline = report.baseline()?;
    let run = crate::run_scenario(scenario)?;
    let dir = out.unwrap_or_else(|| PathBuf::from("reports").join(&run.scenario.name));
    let mut written = crate::write_outputs(&run, &dir)?;
    if report.report.is_some() {
        written.extend(write_report(
            &run,
            scenario,
            baseline.as_ref(),
            None,
            None,
            &dir,
        )?);
    }
    if !quiet {
        print!("{}", crate::report::totals_table(&run.summary));
        println!();
        for path in written {
            println!("wrote {}", path.display());
        }
    }
    Ok(())
}

/// The run's page (and charts) in `dir`, with the savings against `baseline` and the study's
/// or the optimizer's section when given.
fn write_report(
    run: &crate::Run,
    scenario: &Path,
    baseline: Option<&crate::report::Summary>,
    study: Option<&crate::uncertainty::stats::Result>,
    plan: Option<&crate::optimize::Recommendation>,
    dir: &Path,
) -> Result<Vec<PathBuf>, Error> {
    use crate::report::html;
    let mut report = html::Report::of_run(run);
    report.baseline = baseline;
    report.study = study;
    report.plan = plan;
    report.inputs = Some(html::Inputs {
        path: scenario.display().to_string(),
        text: crate::error::read_input(scenario)?,
    });
    files::write_page(dir, &html::render(&report))
}

/// `compare`: both runs' headline figures and their change; with --report html, a page.
fn compare(
    a: &Path,
    b: &Path,
    report: Option<ReportFormat>,
    out: Option<PathBuf>,
) -> Result<(), Error> {
    let (sa, sb) = (suite::load_typed_summary(a)?, suite::load_typed_summary(b)?);
    print!("{}", crate::report::compare_table(&sa, &sb));
    if report.is_some() {
        let dir = out.unwrap_or_else(|| {
            PathBuf::from("reports").join(format!("compare-{}-vs-{}", sa.scenario, sb.scenario))
        });
        let page = crate::report::html::render_compare(&sa, &sb);
        for path in files::write_page(&dir, &page)? {
            println!("wrote {}", path.display());
        }
    }
    Ok(())
}

/// `diff`: true when nothing moved beyond the tolerance.
fn diff(baseline: &Path, new: &Path, args: &CompareArgs) -> Result<bool, Error> {
    let (old, new_doc) = (suite::load_summary(baseline)?, suite::load_summary(new)?);
    let changes = regress::compare(&old, &new_doc, args.tolerance());
    let title = format!("{} -> {}", baseline.display(), new.display());
    print!("{}", args.render(&title, &changes));
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
        DiffFormat::Text => println!("{line}"),
        DiffFormat::Markdown => eprintln!("{line}"),
    };
    let mut report = String::new();
    let (mut failed, mut first_error) = (0, None);
    for case in &cases {
        match suite::check_case(case, args.tolerance(), update) {
            Ok(verdict) => {
                failed += usize::from(verdict.fails());
                progress(&check_line(case, &verdict, dir));
                if let suite::Verdict::Compared(changes) = &verdict
                    && verdict.fails()
                {
                    let section = args.render(&case.name, changes);
                    match args.format {
                        DiffFormat::Text => print!("{section}"),
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
        if update {
            std::fs::remove_file(&stale).map_err(|e| Error::io(&stale, e))?;
            progress(&format!(
                "removed  {} (its scenario is gone)",
                stale.display()
            ));
        } else {
            progress(&format!(
                "note     {} has no scenario; --update removes it",
                stale.display()
            ));
        }
    }
    let verb = if update { "updated" } else { "checked" };
    let tally = format!("{verb} {} scenarios: {failed} failed", cases.len());
    match args.format {
        DiffFormat::Text => println!("{tally}"),
        DiffFormat::Markdown => {
            let mark = if failed == 0 { "✅" } else { "⚠️" };
            println!("## {mark} hybridplan check: {tally}\n");
            print!("{report}");
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(failed == 0),
    }
}

fn check_line(case: &suite::Case, verdict: &suite::Verdict, dir: &Path) -> String {
    let count = |c: &[regress::Change]| c.iter().filter(|c| c.beyond).count();
    match verdict {
        suite::Verdict::Compared(c) if verdict.fails() => {
            format!(
                "CHANGED  {}: {} figures beyond tolerance",
                case.name,
                count(c)
            )
        }
        suite::Verdict::Compared(c) => format!(
            "ok       {} ({} figures changed within tolerance)",
            case.name,
            c.len()
        ),
        suite::Verdict::Missing => format!(
            "MISSING  {}: no baseline {}; run `hybridplan check {} --update` to create it",
            case.name,
            case.baseline.display(),
            dir.display()
        ),
        suite::Verdict::Updated(None) => format!("created  {}", case.baseline.display()),
        suite::Verdict::Updated(Some(c)) if c.is_empty() => format!("same     {}", case.name),
        suite::Verdict::Updated(Some(c)) => format!(
            "updated  {} ({} figures changed, {} beyond tolerance)",
            case.name,
            c.len(),
            count(c)
        ),
    }
}

/// `run --replications` (`replications` is Some) or `run --sweep`: the study's items, or one
/// shard of them, in parallel.
fn study(
    scenario: &Path,
    replications: Option<u32>,
    shard: Option<(u32, u32)>,
    out: Option<PathBuf>,
    quiet: bool,
    report: &ReportArgs,
) -> Result<(), Error> {
    use crate::uncertainty::{stats, study::Study};
    let baseline = report.baseline()?;
    let study = match replications {
        Some(n) => Study::load(scenario, Some(n))?,
        None => Study::sweep(scenario)?,
    };
    let header = stats::Header::of(&study);
    let (k, of) = shard.unwrap_or((1, 1));
    let indices: Vec<u32> = (k - 1..study.items()).step_by(of as usize).collect();
    let bar = progress_bar(indices.len() as u64, quiet);
    let records = study.run_all(&indices, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let dir = out.unwrap_or_else(|| PathBuf::from("reports").join(&study.name));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    if shard.is_some() {
        let path = dir.join(format!("{}.shard-{k}-of-{of}.json", header.kind()));
        let items = study.items();
        let partial = stats::Partial {
            header,
            shard: format!("{k}/{of}"),
            records,
        };
        write_json(&path, &partial)?;
        if !quiet {
            println!(
                "wrote {} ({} of {items} items)",
                path.display(),
                indices.len()
            );
        }
        return Ok(());
    }
    let result = finish_study(header, records, &dir, quiet, scenario)?;
    if report.report.is_some() {
        // The page shows the scenario as written, with the study's spread beside it.
        let run = crate::run_scenario(scenario)?;
        let mut written = crate::write_outputs(&run, &dir)?;
        let study = result.as_ref();
        written.extend(write_report(
            &run,
            scenario,
            baseline.as_ref(),
            study,
            None,
            &dir,
        )?);
        if !quiet {
            for path in written {
                println!("wrote {}", path.display());
            }
        }
    }
    Ok(())
}

/// `merge`: the shards' records into one result.
fn merge(partials: &[PathBuf], out: Option<PathBuf>, quiet: bool) -> Result<(), Error> {
    use crate::uncertainty::stats;
    let mut header: Option<stats::Header> = None;
    let mut records = Vec::new();
    for path in partials {
        let text = crate::error::read_input(path)?;
        let p: stats::Partial = serde_json::from_str(&text).map_err(|e| {
            InputError::line(path, e.line() as u64, format!("not a shard's result: {e}"))
        })?;
        match &header {
            Some(h) if *h != p.header => {
                let msg = format!(
                    "shard {} is of another study than {}",
                    p.shard,
                    partials[0].display()
                );
                return Err(InputError::file(path, msg).into());
            }
            Some(_) => {}
            None => header = Some(p.header.clone()),
        }
        records.extend(p.records);
    }
    let header = header.expect("clap requires at least one partial");
    let dir = out.unwrap_or_else(|| PathBuf::from("reports").join(&header.scenario));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    finish_study(header, records, &dir, quiet, &partials[0]).map(|_| ())
}

/// Writes a whole study's result: replications.json or sweep.csv. `origin` is named when the
/// records do not cover the study exactly once. Returns a Monte Carlo study's result.
fn finish_study(
    header: crate::uncertainty::stats::Header,
    records: Vec<crate::uncertainty::study::Record>,
    dir: &Path,
    quiet: bool,
    origin: &Path,
) -> Result<Option<crate::uncertainty::stats::Result>, Error> {
    use crate::uncertainty::stats;
    let bad = |m: String| -> Error { InputError::file(origin, m).into() };
    let (path, text, result) = if header.sweep.is_empty() {
        let result = stats::build(header, records).map_err(bad)?;
        let path = dir.join("replications.json");
        write_json(&path, &result)?;
        let text = stats::render_text(&result);
        (path, text, Some(result))
    } else {
        let records = stats::complete(&header, records).map_err(bad)?;
        let path = dir.join("sweep.csv");
        files::write_atomic(&path, |w| stats::write_sweep_csv(&header, &records, w))?;
        (path, stats::render_sweep(&header, &records), None)
    };
    if !quiet {
        print!("{text}");
        println!("\nwrote {}", path.display());
    }
    Ok(result)
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), Error> {
    files::write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, value)?;
        w.write_all(b"\n")
    })
}

/// A progress bar on stderr, hidden when stderr is not a terminal or with --quiet.
fn progress_bar(len: u64, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {eta} left")
    {
        bar.set_style(style);
    }
    bar
}

/// How far the simulated plan may be from the planned total and still agree.
const VALIDATE_TOLERANCE_PCT: f64 = 5.0;

/// Whether the simulated plan agrees with the planned total, and if not, the known reasons.
fn validation_verdict(
    diff: f64,
    planned: f64,
    summary: &crate::report::Summary,
    scenario: &crate::scenario::Scenario,
) -> (bool, String) {
    let pct = diff / planned.abs().max(1e-9) * 100.0;
    if pct.abs() <= VALIDATE_TOLERANCE_PCT && summary.shortfalls.count == 0 {
        return (
            true,
            format!("validate: agrees within {VALIDATE_TOLERANCE_PCT} %"),
        );
    }
    let mut why = Vec::new();
    if !scenario.autoscale.is_empty() {
        why.push("autoscaled groups are simulated but not in the model".to_string());
    }
    if summary.shortfalls.count > 0 {
        why.push(format!(
            "{} VMs found no room at some moment (packing whole VMs on hosts, or a percentile plan)",
            summary.shortfalls.count
        ));
    }
    if why.is_empty() {
        why.push("static shares cannot follow bursts, and hosts pack whole VMs".to_string());
    }
    let verdict = format!(
        "validate: differs by more than {VALIDATE_TOLERANCE_PCT} % or leaves VMs unplaced: {}",
        why.join("; ")
    );
    (false, verdict)
}

/// `optimize`: solve, print and write the plan; with `validate` (or a report), simulate it.
fn optimize(
    path: &Path,
    opt: crate::optimize::Options,
    percentile: Option<f64>,
    validate: bool,
    out: Option<PathBuf>,
    report: Option<ReportFormat>,
) -> Result<(), Error> {
    use crate::optimize::{self as o, NoPlan};
    let mut scenario = crate::scenario::load(path)?;
    let trace = crate::trace::load(&scenario.trace)?;
    let full = o::Profile::build(&scenario, &trace.table);
    // Planning for a percentile collapses the profile to one step; else it is used as built.
    let collapsed = percentile.map(|p| full.at_percentile(p));
    let profile = collapsed.as_ref().unwrap_or(&full);
    let (sites, solved) = o::plan(&scenario, profile, opt).map_err(|e| {
        let reasons = match e {
            NoPlan::NoVenue(groups) => vec![format!(
                "no allowed venue can hold group(s) {}: a VM of each is larger than every allowed public instance type and private host",
                groups.join(", ")
            )],
            NoPlan::Conflict(reasons) => reasons,
            NoPlan::Infeasible => vec![
                "the groups' allowed venues and the sites' max_hosts leave no placement for all demand".into(),
            ],
            NoPlan::Solver(m) => vec![format!("the solver failed: {m}")],
        };
        Error::NoPlan {
            file: path.to_path_buf(),
            reasons,
        }
    })?;
    let names: Vec<&str> = scenario.venues.iter().map(|v| v.name.as_str()).collect();
    let cur = scenario.currency.to_string();
    let mut rec = o::Recommendation::build(
        &scenario.name,
        &cur,
        &names,
        profile,
        &sites,
        &solved,
        opt,
        o::committed_cost(&scenario),
    );
    if !scenario.autoscale.is_empty() {
        let groups: Vec<&str> = scenario
            .autoscale
            .iter()
            .map(|a| a.group.as_str())
            .collect();
        rec.notes.push(format!(
            "autoscaled group(s) {} are sized by their autoscaler when simulated, not by the model: their instances are not in the planned total, so --validate differs by them",
            groups.join(", ")
        ));
    }
    rec.demand = full.stats();
    rec.backup = o::backup::advise_checked(&scenario);
    // The backup service is part of the plan's cost (what it bills is independent of
    // placement, so it is added to the model's optimum).
    if let Some(b) = &rec.backup {
        rec.planned_total = crate::units::cents(rec.planned_total + b.cost);
    }
    rec.commitments_to_buy = o::commit::advise(&scenario, &trace.table, &sites, &solved);
    rec.commitment_saving = (!rec.commitments_to_buy.is_empty())
        .then(|| o::commit::SavingCheck::of(&rec.commitments_to_buy));
    rec.percentile = percentile;
    // The runner-up pays what the plan pays whatever the design: sunk commitments, backup.
    let mut fixed = vec![("commitments (sunk)".to_string(), rec.commitments)];
    fixed.extend(
        rec.backup
            .as_ref()
            .map(|b| ("backup service".to_string(), b.cost)),
    );
    let ctx = o::explain::Context {
        names: &names,
        currency: &cur,
        fixed,
    };
    rec.explanation = o::explain::explain(profile, &sites, opt, &solved, &ctx);
    let basis = match percentile {
        Some(p) => format!("each group's P{p} of demand over {} steps", full.steps),
        None => format!(
            "{} steps ({} distinct)",
            full.steps,
            o::model::distinct_steps(profile).len()
        ),
    };
    println!(
        "{}: placement and sizing for {basis}, headroom {:.0} %, solver {}; costs in {cur}\n",
        scenario.name,
        opt.headroom * 100.0,
        o::model::SOLVER_NAME
    );
    print!("{}", rec.table());
    let dir = out.unwrap_or_else(|| PathBuf::from("reports").join(&scenario.name));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let plan_path = dir.join(format!("{}.plan.toml", scenario.name));
    let plan_text = rec.plan_file(&path.display().to_string());
    files::write_atomic(&plan_path, |w| w.write_all(plan_text.as_bytes()))?;
    let mut written = vec![plan_path.clone()];
    if validate || report.is_some() {
        let plan = crate::scenario::load_plan(&plan_path, &scenario.venues)?;
        o::apply(&mut scenario, plan, &sites, &solved, rec.backup.as_ref());
        let (outcome, summary) = crate::simulate(&scenario, &trace)?;
        let diff = summary.total - rec.planned_total;
        println!(
            "\nvalidate: simulated total {:.2} vs planned {:.2} ({:+.2}, {:+.1} %); {} VMs unplaced, {:.1} shortfall VM-hours",
            summary.total,
            rec.planned_total,
            diff,
            diff / rec.planned_total.max(1e-9) * 100.0,
            summary.shortfalls.count,
            summary.shortfalls.vm_hours
        );
        let (agrees, verdict) = validation_verdict(diff, rec.planned_total, &summary, &scenario);
        println!("{verdict}");
        if let Some(b) = &summary.backup {
            println!(
                "validate backup: {} of {} nightly windows missed, {} RPO breaches with the recommended links",
                b.windows_missed,
                b.sites.iter().map(|s| s.nights).sum::<u64>(),
                b.rpo_breaches
            );
        }
        let buy: Vec<crate::scenario::Commitment> = rec
            .commitments_to_buy
            .iter()
            .map(|a| a.commitment.clone())
            .collect();
        if !buy.is_empty() {
            // The plan again with the recommended commitments bought.
            let mut with = scenario.clone();
            with.commitments.extend(buy);
            let (_, bought) = crate::simulate(&with, &trace)?;
            let saving: f64 = rec.commitments_to_buy.iter().map(|a| a.saving).sum();
            if let Some(c) = rec.commitment_saving.as_mut() {
                c.simulated = Some(crate::units::cents(summary.total - bought.total));
            }
            let planned = rec.planned_total - saving;
            println!(
                "validate with the commitments to buy: simulated total {:.2} vs planned {:.2} ({:+.1} %); simulated saving {:.2} vs planned {:.2}",
                bought.total,
                planned,
                (bought.total - planned) / planned.max(1e-9) * 100.0,
                summary.total - bought.total,
                saving
            );
        }
        rec.validation = Some(o::Validation {
            agrees,
            simulated_total: summary.total,
            difference: crate::units::cents(diff),
            unplaced_vms: summary.shortfalls.count,
            shortfall_vm_hours: summary.shortfalls.vm_hours,
        });
        if report.is_some() {
            let run = crate::Run {
                scenario,
                trace,
                outcome,
                summary,
            };
            written.extend(write_report(&run, path, None, None, Some(&rec), &dir)?);
        }
    }
    let json_path = dir.join("optimize.json");
    write_json(&json_path, &rec)?;
    written.insert(1, json_path);
    println!();
    for p in written {
        println!("wrote {}", p.display());
    }
    Ok(())
}
