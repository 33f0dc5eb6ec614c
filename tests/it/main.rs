//! The integration tests, as one binary: each file was its own test crate, and each linked the
//! whole of hybridplan and its dependencies again; as modules of one crate they link once.
//! Snapshots live in tests/it/snapshots/ (insta names them `it__<module>__<name>.snap`),
//! proptest's regressions beside their source (properties.proptest-regressions); the fixtures
//! and cross-checks stay in tests/fixtures/ and tests/crosscheck/, found from the crate root.

mod common;

mod auto_replications;
mod bad_input;
mod bad_input_rows;
mod bad_input_table;
mod billing;
mod browser;
mod confinement;
mod crn;
mod estate;
mod example_run;
mod fixture_traces;
mod fuzz_documents;
mod fuzz_readers;
mod hardening;
mod layers;
mod mechanisms;
mod optimize;
mod pricing_cli;
mod pricing_rules;
mod properties;
mod proposal;
mod real_traces;
mod regression_check;
mod report_html;
mod trace_bad_input;
mod uncertainty;
mod worked_figures;
mod years;
