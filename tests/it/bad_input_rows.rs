//! The rows of `bad_inputs.txt` (issue 17's table of bad inputs) and how each is set up: the
//! shipped scenarios, books, plan and example traces copied into a scratch folder, one edit
//! made, and the command line to run. `bad_input_table.rs` runs and checks every row in the
//! tests; `benches/bad_inputs.rs` times every row with the release binary.
//!
//! A row is `name | command | file | from | to | expected ;; expected ...`:
//! - command: arguments split on spaces; `{s:NAME}` is the copied `scenarios/NAME.toml`,
//!   `{book:NAME}` the copied `pricing/NAME.toml`, `{f:REL}` any copied or written file,
//!   `{dir}` an empty folder, `{fifo}` a named pipe, `{bomb}` a gzip file holding one 2 GiB
//!   field, `{usd}`/`{eur}` the example's baseline summary in USD and a copy saying EUR,
//!   `{shard:K}` shard K of 2 of the example's two-replication study (made by running it, in
//!   `shards/`); a `run` gets `--out` into the scratch folder;
//! - file: the file `from` -> `to` is made in (relative to the scratch root), `-` for none;
//! - from/to: `\n` stands for a newline; an empty `from` appends `to`; `{long}` in `to` is a
//!   2 MiB run of `x` (longer than a trace line may be), `{huge}` one of 65 MiB (more than a
//!   scenario or book may hold), `{lines}` 2 MiB of two-byte lines (in quotes: one CSV field
//!   longer than a record may be, though every line is short), `{times:N}TEXT{end}` TEXT
//!   written N times (an array one entry past its limit);
//! - expected: `{dir}` and `{f:REL}` are replaced as in the command.

use crate::common::{Scratch, root};
use std::io::Write;
use std::path::Path;

const TABLE: &str = include_str!("bad_inputs.txt");

pub struct Row<'a> {
    pub name: &'a str,
    pub command: &'a str,
    pub file: &'a str,
    pub from: String,
    pub to: String,
    pub expect: Vec<&'a str>,
}

pub fn rows() -> Vec<Row<'static>> {
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

/// `{long}` as 2 MiB of `x`, `{huge}` as 65 MiB, `{lines}` as 2 MiB of `x` lines (made only
/// when a row asks), and `{times:N}TEXT{end}` as TEXT N times.
fn expand_runs(text: &str) -> String {
    let mut t = text.to_string();
    while let Some(start) = t.find("{times:") {
        let open = start + t[start..].find('}').expect("{times:N}");
        let n: usize = t[start + 7..open]
            .parse()
            .expect("{times:N} with N a number");
        let close = open + t[open..].find("{end}").expect("{times:N}...{end}");
        let body = t[open + 1..close].repeat(n);
        t.replace_range(start..close + 5, &body);
    }
    for (token, unit, len) in [
        ("{long}", "x", 2usize << 20),
        ("{huge}", "x", 65 << 20),
        ("{lines}", "x\n", 1 << 20),
    ] {
        if t.contains(token) {
            t = t.replace(token, &unit.repeat(len));
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
pub fn expand(text: &str, scratch: &Path) -> String {
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
            Some(("shard", k)) => path(format!("shards/replications.shard-{k}-of-2.json")),
            _ => rest[start..start + len + 1].to_string(),
        });
        rest = &rest[start + len + 1..];
    }
    out + rest
}

/// Sets up `row` in `scratch` (its copies, its edit, the files its placeholders name) and
/// returns its command line; a `run` gets `--out` into `scratch/out`, which must not appear.
pub fn prepare(row: &Row, scratch: &Scratch) -> Result<Vec<String>, String> {
    let s = scratch.path();
    copy_tree(scratch);
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
    if row.command.contains("{shard:") {
        shards(s)?;
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
    let mut args: Vec<String> = row.command.split(' ').map(|a| expand(a, s)).collect();
    if args[0] == "run" {
        args.extend(["--out".into(), s.join("out").display().to_string()]);
    }
    Ok(args)
}

/// Shards 1/2 and 2/2 of the copied example's two-replication study, into `scratch/shards`.
fn shards(scratch: &Path) -> Result<(), String> {
    let scenario = scratch.join("scenarios/example-hybrid.toml");
    for k in ["1/2", "2/2"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_hybridplan"))
            .arg("run")
            .arg(&scenario)
            .args(["--replications", "2", "--shard", k, "--quiet", "--out"])
            .arg(scratch.join("shards"))
            .output()
            .map_err(|e| format!("running shard {k}: {e}"))?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            return Err(format!("shard {k} failed: {stderr}"));
        }
    }
    Ok(())
}
