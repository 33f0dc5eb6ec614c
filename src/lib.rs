//! hybridplan: a hybrid-cloud cost and placement simulator.
//!
//! A tour of the pipeline (data flows one way, and imports only point down the layers):
//! 1. [`scenario::load`] reads a scenario TOML file into a validated [`scenario::Scenario`],
//!    loading every venue's [`pricing::Book`] on the way; its `[uncertainty]` and `[[sweep]]`
//!    tables are read in [`scenario::uncertainty`].
//! 2. [`trace::load`] reads the trace in any supported format into a VM table and utilisation
//!    samples in time order (streamed from disk for the canonical CSV).
//! 3. [`sim::run`] replays the trace on the generic [`engine`], places every VM by the scenario's
//!    policy, bills it into a [`sim::Ledger`] and returns an [`sim::Outcome`]. It does no I/O.
//! 4. [`summary::Summary`] is what the outcome comes to (summary.json);
//!    [`summary::simulate`] goes from a loaded scenario and trace to both.
//! 5. Above the summary: [`optimize`] recommends placement and sizes and checks its plan by
//!    simulation; [`uncertainty`] runs Monte Carlo replications and sweeps of a scenario.
//! 6. [`report`] renders: the ledger as CSV, the totals table, the HTML page;
//!    [`report::files`] writes atomically. [`regress`] compares runs with baselines.
//! 7. [`pipeline`] chains load -> simulate -> summarise -> write for every command;
//!    [`cli`] parses arguments, calls the pipeline and prints.
//!
//! Layers, lowest first: `error`, `units`, `text`; `scenario`, `pricing`, `trace`; `engine`; `sim`;
//! `summary`; `optimize`, `uncertainty`; `report`, `regress`; `pipeline`; `cli`. The test
//! `tests/it/layers.rs` fails on an import that points up this list.

pub mod cli;
pub mod engine;
pub mod error;
pub mod known;
pub mod optimize;
pub mod pipeline;
pub mod pricing;
pub mod random;
pub mod regress;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod summary;
pub mod text;
pub mod trace;
pub mod uncertainty;
pub mod units;

/// The pipeline's entry points, for the integration tests and benches.
pub use pipeline::{Run, run_scenario, simulate, write_outputs};
