//! The command line's arguments (clap definitions) and their value parsers. A value parser
//! returns a `String` error, which clap prints with the flag it belongs to.

use crate::error::{Error, InputError, ValueError};
use crate::pricing::quote::QuoteRequest;
use crate::regress::{self, Tolerance};
use crate::scenario::uncertainty::MAX_REPLICATIONS;
use crate::summary::Summary;
use crate::trace::{Format, ReadOptions, TraceSpec, VmSize};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(
    name = "hybridplan",
    version,
    about = "Hybrid-cloud cost and placement simulator"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Read, summarise, convert and generate workload traces.
    #[command(subcommand)]
    Trace(TraceCommand),
    /// Check price books and quote their items line by line.
    #[command(subcommand)]
    Pricing(PricingCommand),
    /// Simulate a scenario: print the totals and write summary.json and ledger.csv.
    #[command(group = clap::ArgGroup::new("study").multiple(true))]
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Output folder [default: reports/<scenario name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Run N seeded replications (1 to 1,000,000) drawing the scenario's [uncertainty]
        /// parameters (without N, the scenario's own count, 100 when its [uncertainty] table
        /// gives none or it has no table; `auto`: batches of 100 until
        /// --target is met) and 10 pairs of P10/P90 sensitivity runs per parameter; writes
        /// replications.json. With --sweep: N replications of each grid point [default: 20].
        #[arg(long, value_name = "N|auto", num_args = 0..=1, default_missing_value = "scenario", group = "study", value_parser = parse_replications)]
        replications: Option<Replications>,
        /// With --replications auto: stop when the 95 % interval of the total's P50 is within
        /// this share of it (half-width / P50), e.g. 0.5% [default: 0.5%].
        #[arg(long, value_name = "PCT", value_parser = parse_target, requires = "replications")]
        target: Option<f64>,
        /// Run every point of the scenario's [[sweep]] grid, each point the mean of 20
        /// replications (or --replications N) sharing their random numbers across points;
        /// writes sweep.csv.
        #[arg(long, group = "study")]
        sweep: bool,
        /// With --replications or --sweep: run only shard K of N (items K-1, K-1+N, ...) and
        /// write <replications|sweep>.shard-K-of-N.json for `hybridplan merge`.
        #[arg(long, value_name = "K/N", value_parser = parse_shard, requires = "study")]
        shard: Option<(u32, u32)>,
        /// Also write the ledger for other tools: focus = FinOps FOCUS 1.0 columns as
        /// focus.csv and focus.parquet.
        #[arg(long, value_enum, value_name = "FORMAT", conflicts_with = "study")]
        export: Option<ExportFormat>,
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
        #[command(flatten)]
        brand: BrandArgs,
    },
    /// Put two runs side by side: print each figure of both and the change; with
    /// --report html, write a comparison page.
    Compare {
        /// Run A: a summary.json or a folder holding one.
        a: PathBuf,
        /// Run B, compared against A.
        b: PathBuf,
        /// Also write a comparison page: index.html and each chart as an .svg file.
        #[arg(long, value_enum, value_name = "FORMAT")]
        report: Option<ReportFormat>,
        /// With --report: output folder for the page [default: reports/compare-<A>-vs-<B>].
        #[arg(long, requires = "report")]
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

/// Ledger formats for other tools.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// The FinOps Open Cost and Usage Specification (FOCUS 1.0): focus.csv and focus.parquet.
    Focus,
}

/// The report formats for people.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML page (index.html) and each chart as an .svg file.
    Html,
}

#[derive(Args)]
pub struct ReportArgs {
    /// Also write a report for people: index.html and each chart as an .svg file.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub report: Option<ReportFormat>,
    /// With --report: a run (summary.json or its folder) to state savings against.
    #[arg(long, value_name = "SUMMARY", requires = "report")]
    pub baseline: Option<PathBuf>,
    #[command(flatten)]
    pub brand: BrandArgs,
}

/// Branding of the report for the party handing it over.
#[derive(Args, Default)]
pub struct BrandArgs {
    /// With --report: the company named in the report's header (1 to 80 characters).
    #[arg(long, value_name = "NAME", requires = "report")]
    pub company: Option<String>,
    /// With --report: a logo (PNG, JPEG or SVG, at most 256 KiB) embedded in the header.
    #[arg(long, value_name = "FILE", requires = "report")]
    pub logo: Option<PathBuf>,
    /// With --report: the header's accent colour, #rgb or #rrggbb, e.g. #0b3954.
    #[arg(long, value_name = "COLOUR", value_parser = parse_accent, requires = "report")]
    pub accent: Option<String>,
}

fn parse_accent(text: &str) -> Result<String, ValueError> {
    crate::report::html::brand::parse_colour(text).map_err(|_| {
        ValueError::new(
            "accent",
            text,
            "is not a colour: expected #rgb or #rrggbb in hexadecimal, e.g. #0b3954",
        )
    })
}

use crate::report::html::BrandError;

impl BrandArgs {
    /// The branding, the logo read and checked (its size before its bytes are read).
    pub fn brand(&self) -> Result<crate::report::html::Brand, Error> {
        let logo = self
            .logo
            .as_deref()
            .map(crate::pipeline::read_logo)
            .transpose()?;
        let brand = crate::report::html::Brand::new(
            self.company.as_deref(),
            logo.as_deref(),
            self.accent.as_deref(),
        );
        brand.map_err(|e| {
            let at = match (&e, self.logo.as_deref()) {
                (BrandError::LogoFormat | BrandError::LogoSize(_), Some(logo)) => logo,
                (BrandError::Colour(_), _) => Path::new("--accent"),
                _ => Path::new("--company"),
            };
            InputError::file(at, e.to_string()).into()
        })
    }
}

impl ReportArgs {
    /// The --baseline run, read before anything is simulated or written.
    pub fn baseline(&self) -> Result<Option<Summary>, Error> {
        self.baseline
            .as_deref()
            .map(crate::pipeline::load_summary)
            .transpose()
    }
}

/// How two runs are compared and the comparison reported.
#[derive(Args)]
pub struct CompareArgs {
    /// How far a figure may move relative to its baseline value, e.g. 0.5% or 0.005.
    #[arg(long, default_value = "0.5%", value_parser = Tolerance::parse_relative)]
    pub tolerance: f64,
    /// A change no larger than this never counts, whatever its share (in the figure's unit).
    #[arg(long = "abs", default_value_t = 0.0, value_parser = parse_abs)]
    pub absolute: f64,
    /// text for the terminal, markdown for a pull-request comment.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
pub enum DiffFormat {
    Text,
    Markdown,
}

impl CompareArgs {
    pub fn tolerance(&self) -> Tolerance {
        Tolerance {
            relative: self.tolerance,
            absolute: self.absolute,
        }
    }

    pub fn render(&self, title: &str, changes: &[regress::Change]) -> String {
        match self.format {
            DiffFormat::Text => regress::render_text(title, changes, self.tolerance()),
            DiffFormat::Markdown => regress::render_markdown(title, changes, self.tolerance()),
        }
    }
}

pub fn parse_headroom(text: &str) -> Result<f64, ValueError> {
    match text.trim().parse::<f64>() {
        Ok(v) if (0.0..1.0).contains(&v) => Ok(v),
        _ => Err(ValueError::new(
            "headroom",
            text,
            "is not a share in 0..1, e.g. 0.1",
        )),
    }
}

pub fn parse_percentile(text: &str) -> Result<f64, ValueError> {
    match text.trim_end_matches('%').trim().parse::<f64>() {
        Ok(p) if p > 0.0 && p <= 100.0 => Ok(p),
        _ => Err(ValueError::new(
            "percentile",
            text,
            "is not a percentile: expected a number in (0, 100], e.g. 95",
        )),
    }
}

/// `--replications`: a count, `auto`, or (the flag without a value) the scenario's own count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Replications {
    Count(u32),
    Auto,
    Scenario,
}

pub fn parse_replications(text: &str) -> Result<Replications, ValueError> {
    let bad = || {
        let expected = format!(
            "is not a number of replications or auto: expected 1 to {MAX_REPLICATIONS}, e.g. 200"
        );
        ValueError::new("replications", text, expected)
    };
    match text.trim() {
        "auto" => Ok(Replications::Auto),
        // clap's value when --replications is given without one (default_missing_value).
        "scenario" => Ok(Replications::Scenario),
        n => match n.parse::<u64>() {
            Ok(n @ 1..) if n <= u64::from(MAX_REPLICATIONS) => Ok(Replications::Count(n as u32)),
            _ => Err(bad()),
        },
    }
}

/// A relative target: `0.5%` or `0.005`, above 0 and below 100 %.
pub fn parse_target(text: &str) -> Result<f64, ValueError> {
    let t = text.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|p| p / 100.0),
        None => t.parse::<f64>(),
    };
    match v {
        Ok(v) if v > 0.0 && v < 1.0 => Ok(v),
        _ => Err(ValueError::new(
            "target",
            text,
            "is not a share above 0 and below 100 %; expected e.g. 0.5% or 0.005",
        )),
    }
}

pub fn parse_shard(text: &str) -> Result<(u32, u32), ValueError> {
    let bad = || {
        ValueError::new(
            "shard",
            text,
            "is not a shard K/N with 1 <= K <= N, e.g. 2/3",
        )
    };
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    match (k.trim().parse::<u32>(), n.trim().parse::<u32>()) {
        (Ok(k), Ok(n)) if 1 <= k && k <= n => Ok((k, n)),
        _ => Err(bad()),
    }
}

pub fn parse_abs(text: &str) -> Result<f64, ValueError> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(ValueError::new("amount", text, "is not a number >= 0")),
    }
}

fn parse_age(text: &str) -> Result<crate::units::SimTime, ValueError> {
    crate::units::parse_duration(text)
        .ok()
        .filter(|d| *d > 0)
        .ok_or_else(|| ValueError::new("age", text, "is not a duration > 0 such as 180d or 1y"))
}

fn parse_today(text: &str) -> Result<String, ValueError> {
    crate::pricing::day_number(text)
        .map(|_| text.to_string())
        .ok_or_else(|| ValueError::new("date", text, "is not a date of the form YYYY-MM-DD"))
}

#[derive(Subcommand)]
pub enum PricingCommand {
    /// Validate price books: every rule, with the file and key of each problem.
    Check {
        /// Price books (TOML), or folders: the .toml files directly in each.
        #[arg(required = true)]
        books: Vec<PathBuf>,
        /// Warn about books whose prices are older than this (e.g. 180d, 1y) [default: 1y].
        #[arg(long, value_name = "AGE", value_parser = parse_age)]
        max_age: Option<crate::units::SimTime>,
        /// The date to measure ages on, YYYY-MM-DD [default: today, UTC].
        #[arg(long, value_name = "DATE", value_parser = parse_today)]
        today: Option<String>,
    },
    /// Print one item of a book as a bill would, line by line.
    Quote {
        /// The price book.
        book: PathBuf,
        #[command(flatten)]
        request: QuoteRequest,
    },
    /// Write a price book from a provider's published price files: AWS Price List offer files
    /// (CSV or JSON), Azure Retail Prices API pages (JSON), GCP Cloud Billing Catalog SKUs.
    Import {
        /// The provider whose files these are.
        provider: crate::pricing::import::Provider,
        /// The price files (an AWS offer file, Azure pages, GCP SKU lists).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The region to take, as the provider names it (us-east-1, eastus, us-central1).
        #[arg(long)]
        region: String,
        /// A book to start from: billing, storage, egress, discounts and offers the price
        /// files do not hold are kept from it.
        #[arg(long)]
        base: Option<PathBuf>,
        /// The book's name [default: "<provider> <region> (imported)"].
        #[arg(long)]
        name: Option<String>,
        /// A line for the book's header comment, e.g. where typed figures in the files come
        /// from (repeatable).
        #[arg(long)]
        note: Vec<String>,
        /// The book to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum TraceCommand {
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
    /// Import an inventory export as the canonical VM table (vms.csv) plus inventory.csv,
    /// disks.csv and hosts.csv; templates and powered-off VMs are listed and left out.
    Import {
        /// The exporting tool.
        #[arg(value_enum)]
        source: ImportSource,
        /// The export: its xlsx workbook alone, or its sheets saved as CSV, named after their
        /// sheet (e.g. RVTools_tabvInfo.csv; vInfo required, vCPU, vMemory, vDisk, vHost
        /// optional).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output folder (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Keep templates and powered-off or suspended VMs in vms.csv.
        #[arg(long)]
        include_all: bool,
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

/// Inventory tools whose exports `trace import` reads.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportSource {
    /// RVTools (VMware vSphere): its vInfo, vCPU, vMemory, vDisk and vHost sheets, as its xlsx
    /// workbook or as CSV.
    Rvtools,
}

/// How to read a trace given on the command line.
#[derive(Args)]
pub struct ReadArgs {
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
    pub fn spec(&self, path: &Path) -> Result<TraceSpec, Error> {
        for (flag, v) in [
            ("--cpu-scale", self.cpu_scale),
            ("--mem-scale", self.mem_scale),
        ] {
            // As `trace.cpu_scale` and `trace.mem_scale` (README, "Limits").
            if !(v > 0.0 && v <= 1e6) {
                let msg = format!("{v} must be a finite number > 0 and at most 1000000");
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
