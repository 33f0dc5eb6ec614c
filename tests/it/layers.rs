//! The shape of the source tree, checked on every `cargo test` (and so in CI):
//! - imports only point down the layer table (`LAYERS`): every `crate::X`, `use crate::{X, ..}`
//!   and `super::X` reference in src/**/*.rs is mapped to its top-level module and compared
//!   with the layer of the file's own top-level module;
//! - no module file is over `MAX_FILE_LINES` lines;
//! - no function is over `MAX_FN_LINES` lines, counted from its `fn` line to its closing brace.
//!
//! The scan is textual (comments and string literals are blanked first, braces are counted),
//! which is enough for this code base's rustfmt-formatted sources.

use std::path::{Path, PathBuf};

/// Top-level modules by layer, lowest first. A module may import from its own layer and any
/// layer below it, never from above. `lib` stands for items of the crate root (its re-exports
/// of the pipeline's entry points).
const LAYERS: &[&[&str]] = &[
    &["error", "units", "random", "text", "known"],
    &["scenario", "pricing", "trace"],
    &["engine"],
    &["sim"],
    &["summary"],
    &["optimize", "uncertainty"],
    &["report", "regress"],
    &["pipeline", "lib"],
    &["cli"],
];

const MAX_FILE_LINES: usize = 600;
const MAX_FN_LINES: usize = 120;

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out.sort();
    out
}

/// `src/a/b.rs` and `src/a/b/mod.rs` -> ["a", "b"]; `src/lib.rs` -> [].
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// The line with comments, string and char literals blanked (kept: code and braces). `in_raw`
/// carries a multi-line raw or plain string across lines.
fn code_of(line: &str, in_string: &mut Option<String>) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some(end) = in_string.clone() {
            let rest: String = chars[i..].iter().collect();
            if end == "\"" && chars[i] == '\\' {
                i += 2;
                continue;
            }
            if rest.starts_with(&end) {
                *in_string = None;
                i += end.chars().count();
            } else {
                i += 1;
            }
            continue;
        }
        let c = chars[i];
        let rest: String = chars[i..].iter().collect();
        if rest.starts_with("//") {
            break;
        }
        if rest.starts_with("r#") || rest.starts_with("r\"") {
            let hashes = rest[1..].chars().take_while(|&h| h == '#').count();
            if rest[1 + hashes..].starts_with('"') {
                *in_string = Some(format!("\"{}", "#".repeat(hashes)));
                out.push_str("\"\"");
                i += 2 + hashes;
                continue;
            }
        }
        if c == '"' {
            *in_string = Some("\"".into());
            out.push_str("\"\"");
            i += 1;
            continue;
        }
        // A char literal ('{', '\'', '\n'); a lifetime ('a) has no closing quote right after.
        if c == '\'' {
            if chars.get(i + 1) == Some(&'\\') {
                if let Some(end) = (i + 2..chars.len().min(i + 12)).find(|&j| chars[j] == '\'') {
                    i = end + 1;
                    continue;
                }
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

struct Source {
    rel: PathBuf,
    /// Code of each line: comments and literals blanked.
    code: Vec<String>,
}

fn read(path: &Path) -> Source {
    let text = std::fs::read_to_string(path).unwrap();
    let mut in_string = None;
    let code = text.lines().map(|l| code_of(l, &mut in_string)).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    Source {
        rel: path.strip_prefix(&root).unwrap().to_path_buf(),
        code,
    }
}

/// Identifiers following `prefix` in `code`: `crate::a::x` gives `a`, `crate::{a, b::c}` gives
/// `a` and `b`.
fn targets_after(code: &str, prefix: &str) -> Vec<(usize, String)> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find(prefix) {
        let start = from + at;
        let before = code[..start].chars().last();
        from = start + prefix.len();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            for part in inner.split(',') {
                let name = ident(part.trim());
                if !name.is_empty() {
                    out.push((start, name));
                }
            }
        } else if rest.starts_with('*') {
            out.push((start, "*".into()));
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.push((start, name));
            }
        }
    }
    out
}

/// Every reference from the file to another top-level module: (line number, module).
fn references(src: &Source) -> Vec<(usize, String)> {
    let file_path = module_path(&src.rel);
    // Inline `mod name {` blocks: (brace depth they opened at, name).
    let mut inline: Vec<(i64, String)> = Vec::new();
    let mut depth: i64 = 0;
    let mut out = Vec::new();
    for (n, code) in src.code.iter().enumerate() {
        let mut path = file_path.clone();
        path.extend(inline.iter().map(|(_, m)| m.clone()));
        for (_, name) in targets_after(code, "crate::") {
            out.push((n + 1, name));
        }
        for (at, name) in targets_after(code, "super::") {
            // `super::super::x` climbs twice.
            let mut up = 1;
            let mut rest = &code[at + "super::".len()..];
            let mut name = name;
            while rest.starts_with("super::") {
                up += 1;
                rest = &rest["super::".len()..];
                name = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
            }
            let parent = &path[..path.len().saturating_sub(up)];
            match parent.first() {
                Some(top) => out.push((n + 1, top.clone())),
                None if !name.is_empty() && name != "*" => out.push((n + 1, name)),
                None => {}
            }
        }
        let trimmed = code.trim_start();
        let words: Vec<&str> = trimmed.split_whitespace().collect();
        let mod_at = words.iter().position(|w| *w == "mod");
        if let Some(i) = mod_at
            && words.get(i + 2) == Some(&"{")
            && words[..i]
                .iter()
                .all(|w| w.starts_with("pub") || *w == "#[cfg(test)]")
        {
            inline.push((depth, words[i + 1].to_string()));
        }
        for c in code.chars() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if inline.last().is_some_and(|(d, _)| *d == depth) {
                        inline.pop();
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Functions longer than `MAX_FN_LINES`: (name, first line, lines).
fn long_functions(src: &Source) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    for (start, code) in src.code.iter().enumerate() {
        let Some(at) = find_fn(code) else { continue };
        let name: String = code[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let (mut depth, mut opened) = (0i64, false);
        let mut end = None;
        'scan: for (n, line) in src.code.iter().enumerate().skip(start) {
            let from = if n == start { at } else { 0 };
            for c in line[from..].chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => {
                        depth -= 1;
                        if opened && depth == 0 {
                            end = Some(n);
                            break 'scan;
                        }
                    }
                    // A declaration without a body (a trait's method).
                    ';' if !opened && depth == 0 => break 'scan,
                    _ => {}
                }
            }
        }
        if let Some(end) = end {
            let lines = end - start + 1;
            if lines > MAX_FN_LINES {
                out.push((name, start + 1, lines));
            }
        }
    }
    out
}

/// Where `fn name` starts on a line of code, if it declares a function.
fn find_fn(code: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = code[from..].find("fn ") {
        let start = from + at;
        let before = code[..start].chars().last();
        let after = code[start + 3..].chars().next();
        if !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && after.is_some_and(|c| c.is_alphabetic() || c == '_')
        {
            return Some(start);
        }
        from = start + 3;
    }
    None
}

fn top_module(rel: &Path) -> String {
    module_path(rel)
        .first()
        .cloned()
        .unwrap_or_else(|| "lib".into())
}

/// Imports of a file that point up the layer table: (allow-list key, message).
fn upward_imports(src: &Source) -> Vec<(String, String)> {
    let shown = format!("src/{}", src.rel.display());
    let own = top_module(&src.rel);
    let own_layer = layer_of(&own)
        .unwrap_or_else(|| panic!("{shown}: module `{own}` is not in the layer table"));
    let mut found = Vec::new();
    for (line, target) in references(src) {
        let target = match layer_of(&target) {
            Some(_) => target,
            // A crate-root item (a re-export in lib.rs).
            None => "lib".into(),
        };
        let layer = layer_of(&target).unwrap();
        if layer > own_layer {
            found.push((
                format!("import {shown} -> {target}"),
                format!(
                    "{shown}:{line}: `{own}` (layer {own_layer}) imports `{target}` (layer {layer}), which is above it"
                ),
            ));
        }
    }
    found
}

/// Every problem found, each with its allow-list key.
fn problems() -> Vec<(String, String)> {
    let mut found = Vec::new();
    for path in sources() {
        let src = read(&path);
        let shown = format!("src/{}", src.rel.display());
        found.extend(upward_imports(&src));
        if src.code.len() > MAX_FILE_LINES {
            found.push((
                format!("file {shown}"),
                format!(
                    "{shown}: {} lines, more than {MAX_FILE_LINES}",
                    src.code.len()
                ),
            ));
        }
        for (name, line, lines) in long_functions(&src) {
            found.push((
                format!("fn {shown} {name}"),
                format!("{shown}:{line}: fn {name} is {lines} lines, more than {MAX_FN_LINES}"),
            ));
        }
    }
    found
}

#[test]
fn imports_point_down_and_files_and_functions_stay_small() {
    let offenders: Vec<String> = problems().into_iter().map(|(_, m)| m).collect();
    assert!(
        offenders.is_empty(),
        "{} problem(s):\n{}",
        offenders.len(),
        offenders.join("\n")
    );
}

#[test]
fn the_scan_reads_references_and_function_lengths() {
    let mut in_string = None;
    // Comments and strings are not code.
    assert_eq!(
        code_of("let s = \"crate::cli\"; // crate::cli", &mut in_string),
        "let s = \"\"; "
    );
    assert_eq!(
        targets_after("use crate::{report::files, sim};", "crate::"),
        [(4, "report".to_string()), (4, "sim".to_string())]
    );
    // `super::` at the top of src/sim/mod.rs is the crate root; in src/sim/site.rs it is sim.
    let at = |rel: &str, line: &str| {
        let src = Source {
            rel: PathBuf::from(rel),
            code: vec![line.to_string()],
        };
        references(&src)
    };
    assert_eq!(
        at("sim/mod.rs", "use super::units::X;"),
        [(1, "units".into())]
    );
    assert_eq!(
        at("sim/site.rs", "use super::hosts::X;"),
        [(1, "sim".into())]
    );
    // Inside an inline module, `super::` is the file's own module.
    let src = Source {
        rel: PathBuf::from("sim/mod.rs"),
        code: ["mod tests {", "    use super::*;", "}"]
            .map(String::from)
            .to_vec(),
    };
    assert_eq!(references(&src), [(2, "sim".into())]);
    // The cycles this test was written against: report used lib, study used lib::simulate,
    // scenario used uncertainty's types. Each is named with file, line and both modules.
    let upward = |rel: &str, line: &str| {
        let src = Source {
            rel: PathBuf::from(rel),
            code: vec!["".into(), line.to_string()],
        };
        upward_imports(&src)
            .into_iter()
            .map(|(_, m)| m)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        upward(
            "report/html/mod.rs",
            "pub fn of_run(run: &'a crate::Run) -> Report<'a> {"
        ),
        ["src/report/html/mod.rs:2: `report` (layer 6) imports `lib` (layer 7), which is above it"]
    );
    assert_eq!(
        upward(
            "uncertainty/study.rs",
            "let (_, s) = crate::simulate(&scenario, &trace)?;"
        )
        .len(),
        1
    );
    assert_eq!(
        upward(
            "scenario/mod.rs",
            "pub sweep: Vec<crate::uncertainty::Axis>,"
        ),
        [
            "src/scenario/mod.rs:2: `scenario` (layer 1) imports `uncertainty` (layer 5), which is above it"
        ]
    );
    assert!(upward("cli.rs", "use crate::pipeline::{self as pipe, write_json};").is_empty());
    assert!(upward("summary/mod.rs", "use crate::{sim::Outcome, units::four};").is_empty());
    // A function of 3 lines: the `fn` line, its body and the closing brace.
    let src = Source {
        rel: PathBuf::from("x.rs"),
        code: ["fn f() {", "    g();", "}"].map(String::from).to_vec(),
    };
    let long: Vec<(String, usize, usize)> = long_functions(&src);
    assert!(long.is_empty());
    let body: Vec<String> = std::iter::once("fn big() {".to_string())
        .chain((0..MAX_FN_LINES - 1).map(|_| "    g();".to_string()))
        .chain(std::iter::once("}".to_string()))
        .collect();
    let src = Source {
        rel: PathBuf::from("x.rs"),
        code: body,
    };
    // MAX_FN_LINES + 1 lines in all.
    assert_eq!(
        long_functions(&src),
        [("big".to_string(), 1, MAX_FN_LINES + 1)]
    );
}
