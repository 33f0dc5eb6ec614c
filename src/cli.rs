//! The command line: argument parsing, exit codes and what is printed. Everything else is
//! library code.

use crate::error::Error;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code for bad input: a scenario, price book or trace that cannot be accepted. Command-line
/// usage errors also exit with 2 (clap's convention).
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code when writing outputs or another system operation failed.
pub const EXIT_FAILURE: u8 = 1;

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
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            scenario,
            out,
            quiet,
        } => match run(&scenario, out, quiet) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(match e {
                    Error::Input(_) => EXIT_BAD_INPUT,
                    Error::Io { .. } => EXIT_FAILURE,
                })
            }
        },
    }
}

fn run(scenario: &std::path::Path, out: Option<PathBuf>, quiet: bool) -> Result<(), Error> {
    let run = crate::run_scenario(scenario)?;
    let dir = out.unwrap_or_else(|| PathBuf::from("reports").join(&run.scenario.name));
    let written = crate::write_outputs(&run, &dir)?;
    if !quiet {
        print!("{}", crate::report::totals_table(&run.summary));
        println!();
        for path in written {
            println!("wrote {}", path.display());
        }
    }
    Ok(())
}
