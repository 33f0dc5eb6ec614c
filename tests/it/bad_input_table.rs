//! Issue 17's table-driven bad-input suite: each row of `bad_inputs.txt` copies the shipped
//! scenarios, books, plan and example trace into a scratch folder, makes one edit, runs one
//! command line, and must get exit code 2, nothing on stdout, a one-line `error:` message
//! holding every expected string (the file, the key or line, the value, the limit), no panic
//! and no output folder. Every failing row is reported at once.
//!
//! A row is `name | command | file | from | to | expected ;; expected ...`:
//! - command: arguments split on spaces; `{s:NAME}` is the copied `scenarios/NAME.toml`,
//!   `{book:NAME}` the copied `pricing/NAME.toml`, `{f:REL}` any copied or written file,
//!   `{dir}` an empty folder, `{fifo}` a named pipe, `{bomb}` a gzip file holding one 2 GiB
//!   field, `{usd}`/`{eur}` the example's baseline summary in USD and a copy saying EUR; a
//!   `run` gets `--out` into the scratch folder;
//! - file: the file `from` -> `to` is made in (relative to the scratch root), `-` for none;
//! - from/to: `\n` stands for a newline; an empty `from` appends `to`; `{long}` in `to` is a
//!   2 MiB run of `x` (longer than a trace line may be), `{huge}` one of 65 MiB (more than a
//!   scenario or book may hold);
//! - expected: `{dir}` and `{f:REL}` are replaced as in the command.

use crate::common::{Scratch, hybridplan, root};
use std::io::Write;
use std::path::Path;

const TABLE: &str = include_str!("bad_inputs.txt");

struct Row<'a> {
    name: &'a str,
    command: &'a str,
    file: &'a str,
    from: String,
    to: String,
    expect: Vec<&'a str>,
}

fn rows() -> Vec<Row<'static>> {
    let unescape = |s: &str| s.replace("\\n", "\n");
    TABLE
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split(" | ").map(str::trim).collect();
            assert_eq!(f.len(), 6, "a row has six fields: {l}");
            Row {
                name: f[0],
                command: f[1],
                file: f[2],
                from: unescape(f[3]),
                to: unescape(&expand_runs(f[4])),
                expect: f[5].split(" ;; ").collect(),
            }
        })
        .collect()
}

/// `{long}` as 2 MiB of `x`, `{huge}` as 65 MiB (made only when a row asks).
fn expand_runs(text: &str) -> String {
    let mut t = text.to_string();
    for (token, len) in [("{long}", 2usize << 20), ("{huge}", 65 << 20)] {
        if t.contains(token) {
            t = t.replace(token, &"x".repeat(len));
        }
    }
    t
}

/// The shipped scenarios (top level), plan, books and the example and estate traces, into
/// `scratch`.
fn copy_tree(scratch: &Scratch) {
    for dir in [
        "scenarios",
        "scenarios/plans",
        "scenarios/traces/planetlab-mix",
        "scenarios/traces/rvtools-estate",
        "pricing",
    ] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                let rel = path.strip_prefix(root()).unwrap();
                std::fs::create_dir_all(scratch.path().join(rel).parent().unwrap()).unwrap();
                std::fs::copy(&path, scratch.path().join(rel)).unwrap();
            }
        }
    }
}

/// A gzip file whose one line is 2 GiB of `a`: 2048 gzip members of 1 MiB each (a gzip file
/// may hold many members, read one after another), about 2 MB on disk.
fn bomb(path: &Path) {
    let mut one = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    one.write_all(&vec![b'a'; 1 << 20]).unwrap();
    let one = one.finish().unwrap();
    let mut file = std::fs::File::create(path).unwrap();
    for _ in 0..2048 {
        file.write_all(&one).unwrap();
    }
}

/// Replaces the placeholders of a command or an expected string.
fn expand(text: &str, scratch: &Path) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let token = &rest[start + 1..start + len];
        let path = |rel: String| scratch.join(rel).display().to_string();
        out.push_str(&match token.split_once(':') {
            Some(("s", name)) => path(format!("scenarios/{name}.toml")),
            Some(("book", name)) => path(format!("pricing/{name}.toml")),
            Some(("f", rel)) => path(rel.to_string()),
            None if ["dir", "fifo", "bomb", "eur"].contains(&token) => path(token.to_string()),
            None if token == "usd" => path("scenarios/baselines/example-hybrid.json".into()),
            _ => rest[start..start + len + 1].to_string(),
        });
        rest = &rest[start + len + 1..];
    }
    out + rest
}

/// Sets up, runs and checks one row; the problem in words if it fails.
fn check(row: &Row) -> Result<(), String> {
    let scratch = Scratch::new();
    let s = scratch.path();
    copy_tree(&scratch);
    std::fs::create_dir(s.join("dir")).unwrap();
    if row.command.contains("{fifo}") || row.to.contains("fifo") {
        let made = std::process::Command::new("mkfifo")
            .arg(s.join("fifo"))
            .status();
        assert!(made.unwrap().success(), "mkfifo");
    }
    if row.command.contains("{bomb}") || row.to.contains("bomb") {
        bomb(&s.join("bomb"));
    }
    if row.command.contains("{usd}") || row.command.contains("{eur}") {
        let usd = std::fs::read_to_string(root().join("scenarios/baselines/example-hybrid.json"));
        let usd = usd.unwrap();
        scratch.write("scenarios/baselines/example-hybrid.json", &usd);
        scratch.write(
            "eur",
            &usd.replace("\"currency\": \"USD\"", "\"currency\": \"EUR\""),
        );
    }
    if row.file != "-" {
        let path = s.join(row.file);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if !row.from.is_empty() && !text.contains(&row.from) {
            return Err(format!("{:?} is not in {}", row.from, row.file));
        }
        let edited = match row.from.is_empty() {
            true => text + &row.to,
            false => text.replacen(&row.from, &row.to, 1),
        };
        scratch.write(row.file, &edited);
    }
    let out = s.join("out");
    let mut args: Vec<String> = row.command.split(' ').map(|a| expand(a, s)).collect();
    if args[0] == "run" {
        args.extend(["--out".into(), out.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = hybridplan(&args);
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
