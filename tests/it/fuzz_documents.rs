//! Fuzz targets for the document readers (README, "Fuzzing"): the scenario, price book, plan,
//! summary and shard readers, fed the shipped files with random mutations (numbers swapped for
//! extremes, lines dropped or repeated, tables and bytes inserted, text cut short). Each must
//! answer Ok or an error that names a file; a panic fails the case and proptest shrinks it.
//! `fuzz_cases` sets how many cases run (`HYBRIDPLAN_FUZZ_CASES`, default 48 per target) from a
//! fixed seed (`HYBRIDPLAN_FUZZ_SEED`, default 17), so `cargo test` is the same every time.

use crate::common::{Scratch, root};
use hybridplan::pricing::Book;
use hybridplan::regress::Tolerance;
use hybridplan::{pipeline, scenario};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The proptest settings of every fuzz target: case count and seed from the environment.
pub fn fuzz_config() -> Config {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    Config {
        cases: env("HYBRIDPLAN_FUZZ_CASES").map_or(48, |n| n as u32),
        rng_seed: RngSeed::Fixed(env("HYBRIDPLAN_FUZZ_SEED").unwrap_or(17)),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Values a number in a document is swapped for.
const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "1e300",
    "-1e300",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "9223372036854775807",
    "nan",
    "inf",
    "-inf",
    "1e-300",
    "0.0",
    "\"x\"",
    "[]",
    "{}",
    "1.7e39",
    "99999999999999999999",
    "-0",
    "5e-324",
    "\"\"",
    "true",
];

/// Text inserted into a document.
const PIECES: &[&str] = &[
    "\n",
    "\"",
    "=",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "#",
    "\u{0}",
    "é",
    "\u{1b}[2J",
    "\n[[venues]]\n",
    "\n[groups.x]\n",
    "\nhosts = 1e9\n",
    "\nunits = 4000000000\n",
    "\n[uncertainty]\n",
    "\n[[public.egress_tiers]]\nup_to_gb = 5\nprice_gb = 1\n",
    "\"scenario\": \"..\",",
    "\"records\": [],",
    "null",
    "1e999",
    "-",
];

#[derive(Debug, Clone)]
pub enum Mutation {
    Number(usize, usize),
    Delete(usize),
    Repeat(usize),
    Insert(usize, usize),
    Truncate(usize),
    Byte(usize, u8),
}

pub fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let one = prop_oneof![
        4 => (any::<usize>(), 0..EXTREMES.len()).prop_map(|(i, v)| Mutation::Number(i, v)),
        1 => any::<usize>().prop_map(Mutation::Delete),
        1 => any::<usize>().prop_map(Mutation::Repeat),
        2 => (any::<usize>(), 0..PIECES.len()).prop_map(|(i, p)| Mutation::Insert(i, p)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Byte(i, b)),
    ];
    prop::collection::vec(one, 1..5)
}

/// The byte ranges of the numbers in `text` (a digit run with its sign, point and exponent).
fn numbers(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
        if !starts {
            i += 1;
            continue;
        }
        let start = if i > 0 && b[i - 1] == b'-' { i - 1 } else { i };
        while i < b.len() && (b[i].is_ascii_digit() || matches!(b[i], b'.' | b'e' | b'_')) {
            i += 1;
        }
        out.push((start, i));
    }
    out
}

/// `text` with the mutations made in turn (positions taken modulo the text's length).
pub fn mutate(text: &str, ms: &[Mutation]) -> Vec<u8> {
    let mut t = text.as_bytes().to_vec();
    for m in ms {
        let s = String::from_utf8_lossy(&t).into_owned();
        let lines: Vec<&str> = s.split_inclusive('\n').collect();
        let n = lines.len().max(1);
        t = match *m {
            Mutation::Number(i, v) => match numbers(&s) {
                found if found.is_empty() => t,
                found => {
                    let (a, z) = found[i % found.len()];
                    [
                        &s.as_bytes()[..a],
                        EXTREMES[v].as_bytes(),
                        &s.as_bytes()[z..],
                    ]
                    .concat()
                }
            },
            Mutation::Delete(i) => (lines.iter().enumerate())
                .filter(|(k, _)| *k != i % n)
                .flat_map(|(_, l)| l.bytes())
                .collect(),
            Mutation::Repeat(i) => (lines.iter().enumerate())
                .flat_map(|(k, l)| {
                    if k == i % n {
                        l.repeat(2)
                    } else {
                        l.to_string()
                    }
                    .into_bytes()
                })
                .collect(),
            Mutation::Insert(i, p) => {
                let at = i % (t.len() + 1);
                [&t[..at], PIECES[p].as_bytes(), &t[at..]].concat()
            }
            Mutation::Truncate(i) => t[..i % (t.len() + 1)].to_vec(),
            Mutation::Byte(i, b) if !t.is_empty() => {
                let at = i % t.len();
                t[at] = b;
                t
            }
            Mutation::Byte(..) => t,
        };
    }
    t
}

/// An error must name a file: one of `files`, or a file the document led to (a book, a trace).
fn names_a_file(message: &str, files: &[&Path]) {
    let named = files
        .iter()
        .any(|f| message.contains(&*f.file_name().unwrap().to_string_lossy()))
        || [".toml", ".csv", ".json", "/"]
            .iter()
            .any(|e| message.contains(e));
    assert!(named, "the error names no file: {message}");
    assert!(!message.trim().is_empty());
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap()
}

const SCENARIOS: &[&str] = &[
    "scenarios/example-hybrid.toml",
    "scenarios/private-cloud-year.toml",
    "scenarios/retail-hci.toml",
    "scenarios/split-by-plan.toml",
    "scenarios/synthetic-growth.toml",
    "scenarios/bitbrains-hosting.toml",
];

const BOOKS: &[&str] = &[
    "pricing/aws-us-east-1.toml",
    "pricing/azure-eastus.toml",
    "pricing/azure-stack-hub.toml",
    "pricing/backup-msp.toml",
    "pricing/gcp-us-central1.toml",
    "pricing/private-kvm-2s32c.toml",
    "pricing/private-vmware-2s32c.toml",
];

/// A shard of the example as a two-replication study, made once (the file's path).
fn shard() -> &'static PathBuf {
    static SHARD: OnceLock<(Scratch, PathBuf)> = OnceLock::new();
    &SHARD
        .get_or_init(|| {
            let scratch = Scratch::new();
            let s = crate::common::copy_example(&scratch);
            let text = std::fs::read_to_string(&s).unwrap() + "[uncertainty]\nreplications = 2\n";
            std::fs::write(&s, text).unwrap();
            let study = pipeline::prepare_study(&s, false, Some(0), Some((1, 1))).unwrap();
            let out = study.run(&s, Some(scratch.path().join("out")), None, &|| {});
            let path = match out.unwrap() {
                pipeline::StudyOutput::Partial { path, .. } => path,
                _ => unreachable!("a shard run writes a partial result"),
            };
            (scratch, path)
        })
        .1
}

proptest! {
    #![proptest_config(fuzz_config())]

    #[test]
    fn fuzz_scenario_reader(which in 0..SCENARIOS.len(), ms in mutations()) {
        let path = root().join(SCENARIOS[which]);
        let text = String::from_utf8_lossy(&mutate(&read(SCENARIOS[which]), &ms)).into_owned();
        if let Err(e) = scenario::parse(&text, &path) {
            names_a_file(&e.to_string(), &[&path]);
        }
    }

    #[test]
    fn fuzz_scenario_simulated(which in 0..3usize, ms in mutations()) {
        // The scenarios on the small example trace, cut to two days, run when they load: a
        // value the checks let through must not panic the simulation or price it inf.
        let rel = ["scenarios/example-hybrid.toml", "scenarios/retail-hci.toml", "scenarios/split-by-plan.toml"][which];
        let path = root().join(rel);
        let text = String::from_utf8_lossy(&mutate(&read(rel), &ms)).into_owned();
        if let Ok(mut s) = scenario::parse(&text, &path) {
            s.horizon = s.horizon.min(2 * 86_400);
            s.step = s.step.min(s.horizon);
            let run = hybridplan::trace::load(&s.trace).and_then(|t| pipeline::simulate(&s, &t));
            match run {
                Ok((_, summary)) => prop_assert!(summary.total.is_finite(), "{}", summary.total),
                Err(e) => names_a_file(&e.to_string(), &[&path]),
            }
        }
    }

    #[test]
    fn fuzz_price_book_reader(which in 0..BOOKS.len(), ms in mutations()) {
        let path = root().join(BOOKS[which]);
        let text = String::from_utf8_lossy(&mutate(&read(BOOKS[which]), &ms)).into_owned();
        if let Err(e) = Book::parse(&text, &path) {
            names_a_file(&e.to_string(), &[&path]);
        }
    }

    #[test]
    fn fuzz_plan_reader(ms in mutations()) {
        static VENUES: OnceLock<Vec<scenario::Venue>> = OnceLock::new();
        let venues = VENUES.get_or_init(|| {
            scenario::load(&root().join("scenarios/split-by-plan.toml")).unwrap().venues
        });
        let scratch = Scratch::new();
        let path = scratch.path().join("p.plan.toml");
        std::fs::write(&path, mutate(&read("scenarios/plans/split-by-plan.plan.toml"), &ms)).unwrap();
        // A 30-day horizon, as split-by-plan's: dated capacity rows must fall inside it.
        if let Err(e) = scenario::load_plan(&path, venues, 30 * 86_400) {
            names_a_file(&e.to_string(), &[&path]);
        }
    }

    #[test]
    fn fuzz_summary_reader(ms in mutations()) {
        let scratch = Scratch::new();
        let base = root().join("scenarios/baselines/example-hybrid.json");
        let path = scratch.path().join("s.json");
        std::fs::write(&path, mutate(&read("scenarios/baselines/example-hybrid.json"), &ms)).unwrap();
        if let Err(e) = pipeline::load_summary(&path) {
            names_a_file(&e.to_string(), &[&path]);
        }
        let tol = Tolerance { relative: 0.005, absolute: 0.0 };
        if let Err(e) = pipeline::diff(&base, &path, tol) {
            names_a_file(&e.to_string(), &[&path, &base]);
        }
    }

    #[test]
    fn fuzz_shard_reader(ms in mutations()) {
        let scratch = Scratch::new();
        let original = shard();
        let path = scratch.path().join("s.json");
        let text = std::fs::read_to_string(original).unwrap();
        std::fs::write(&path, mutate(&text, &ms)).unwrap();
        let out = scratch.path().join("merged");
        if let Err(e) = pipeline::merge(std::slice::from_ref(&path), Some(out.clone())) {
            names_a_file(&e.to_string(), &[&path]);
            prop_assert!(!out.exists(), "a refused merge wrote {}", out.display());
        }
    }
}

#[test]
fn mutations_swap_numbers_and_cut_lines() {
    let text = "a = 12\nb = -3.5e2\nc = x1\n";
    assert_eq!(numbers(text), [(4, 6), (11, 17)]);
    let out = mutate(text, &[Mutation::Number(1, 2), Mutation::Delete(0)]);
    assert_eq!(String::from_utf8(out).unwrap(), "b = 1e300\nc = x1\n");
}
