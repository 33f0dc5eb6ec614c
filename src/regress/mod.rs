//! Comparing two runs figure by figure (`hybridplan diff`, `hybridplan check`): every number in
//! two summary.json documents, matched by path, with array elements matched by their name.

pub mod figures;
pub mod suite;

use crate::error::ValueError;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

/// How far a figure may move before it counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// Relative to the baseline value (0.005 = 0.5 %).
    pub relative: f64,
    /// A change no larger than this never counts (in the figure's unit).
    pub absolute: f64,
}

impl Tolerance {
    /// Parses "0.5%" or "0.005".
    pub fn parse_relative(text: &str) -> Result<f64, ValueError> {
        let t = text.trim();
        let (n, scale) = match t.strip_suffix('%') {
            Some(p) => (p, 0.01),
            None => (t, 1.0),
        };
        match n.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v * scale),
            _ => Err(ValueError::new(
                "tolerance",
                text,
                "is not a share >= 0, e.g. 0.5% or 0.005",
            )),
        }
    }
}

/// One figure that differs between the two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: String,
    pub old: Option<f64>,
    pub new: Option<f64>,
    /// Beyond the tolerance (always so for figures that appear or disappear).
    pub beyond: bool,
}

impl Change {
    pub fn delta(&self) -> Option<f64> {
        Some(self.new? - self.old?)
    }

    pub fn relative(&self) -> Option<f64> {
        let (old, new) = (self.old?, self.new?);
        (old != 0.0).then(|| (new - old) / old.abs())
    }
}

/// Keys that name an element of an array; an element with several is named by all of them.
const NAME_KEYS: [&str; 10] = [
    "name", "venue", "group", "site", "service", "what", "category", "rule", "month", "vm",
];

/// The name of an array element: the values of its name keys joined by "/".
fn element_name(x: &Value) -> Option<String> {
    let parts: Vec<String> = NAME_KEYS
        .iter()
        .filter_map(|k| match x.get(k) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Every number (and boolean, as 0/1) in a document, by path.
pub fn figures(doc: &Value) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    walk(doc, String::new(), &mut out);
    out
}

fn walk(v: &Value, path: String, out: &mut BTreeMap<String, f64>) {
    match v {
        Value::Number(n) => {
            if let Some(x) = n.as_f64() {
                out.insert(path, x);
            }
        }
        Value::Bool(b) => {
            out.insert(path, if *b { 1.0 } else { 0.0 });
        }
        Value::Object(map) => {
            for (k, x) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(x, p, out);
            }
        }
        Value::Array(items) => {
            // Elements are named by their name keys so that inserting a venue does not renumber
            // the others; a name that repeats falls back to the element's index.
            let names: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(i, x)| element_name(x).unwrap_or_else(|| i.to_string()))
                .collect();
            for (i, x) in items.iter().enumerate() {
                let repeated = names.iter().filter(|n| **n == names[i]).count() > 1;
                let name = if repeated {
                    format!("{}#{i}", names[i])
                } else {
                    names[i].clone()
                };
                walk(x, format!("{path}[{name}]"), out);
            }
        }
        Value::String(_) | Value::Null => {}
    }
}

/// The figures that differ, in path order.
pub fn compare(old: &Value, new: &Value, tol: Tolerance) -> Vec<Change> {
    let (a, b) = (figures(old), figures(new));
    let mut paths: Vec<&String> = a.keys().chain(b.keys()).collect();
    paths.sort();
    paths.dedup();
    let mut changes = Vec::new();
    for p in paths {
        let (o, n) = (a.get(p).copied(), b.get(p).copied());
        let beyond = match (o, n) {
            (Some(x), Some(y)) => {
                let d = (y - x).abs();
                if d == 0.0 {
                    continue;
                }
                d > tol.relative * x.abs() && d > tol.absolute
            }
            _ => true,
        };
        changes.push(Change {
            path: p.clone(),
            old: o,
            new: n,
            beyond,
        });
    }
    changes
}

/// A figure with up to four decimals, without trailing zeros.
fn num(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |v| trim(format!("{v:.4}")))
}

fn signed(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |v| trim(format!("{v:+.4}")))
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn pct(c: &Change) -> String {
    match (c.old, c.new, c.relative()) {
        (None, _, _) => "added".to_string(),
        (_, None, _) => "removed".to_string(),
        (_, _, Some(r)) => format!("{:+.2}%", r * 100.0),
        _ => "from 0".to_string(),
    }
}

/// A plain-text report of the changes beyond tolerance (and a count of the others).
pub fn render_text(title: &str, changes: &[Change], tol: Tolerance) -> String {
    let mut out = String::new();
    let beyond: Vec<&Change> = changes.iter().filter(|c| c.beyond).collect();
    let _ = writeln!(
        out,
        "{title}: {} figures moved beyond {:.2}% (and {} more within it)",
        beyond.len(),
        tol.relative * 100.0,
        changes.len() - beyond.len()
    );
    let w = beyond.iter().map(|c| c.path.len()).max().unwrap_or(0);
    for c in beyond {
        let d = signed(c.delta());
        let _ = writeln!(
            out,
            "  {:<w$}  {:>14} -> {:>14}  {:>14}  {:>9}",
            c.path,
            num(c.old),
            num(c.new),
            d,
            pct(c)
        );
    }
    out
}

/// A Markdown table for a pull-request comment.
pub fn render_markdown(title: &str, changes: &[Change], tol: Tolerance) -> String {
    let mut out = String::new();
    let beyond: Vec<&Change> = changes.iter().filter(|c| c.beyond).collect();
    let mark = if beyond.is_empty() { "✅" } else { "⚠️" };
    let _ = writeln!(
        out,
        "### {mark} {title}: {} figures moved beyond {:.2}%\n",
        beyond.len(),
        tol.relative * 100.0
    );
    if !beyond.is_empty() {
        let _ = writeln!(
            out,
            "| figure | baseline | new | change | % |\n|---|---:|---:|---:|---:|"
        );
        for c in beyond {
            let d = signed(c.delta());
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                c.path,
                num(c.old),
                num(c.new),
                d,
                pct(c)
            );
        }
        let _ = writeln!(out);
    }
    let within = changes.len() - changes.iter().filter(|c| c.beyond).count();
    if within > 0 {
        let _ = writeln!(out, "{within} more figures changed within the tolerance.\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn figures_are_named_by_path_and_array_elements_by_name() {
        let doc = json!({"total": 10.5, "venues": [{"name": "dc", "total": 4}, {"name": "aws", "total": 6.5}], "ok": true, "note": "x"});
        let f = figures(&doc);
        assert_eq!(f.get("venues[aws].total"), Some(&6.5));
        assert_eq!(f.get("ok"), Some(&1.0));
        assert_eq!(f.len(), 4); // strings are not figures
    }

    #[test]
    fn tolerance_is_relative_and_absolute() {
        let old = json!({"total": 1000.0, "small": 1.0, "same": 3.0, "gone": 2.0});
        let new = json!({"total": 1004.0, "small": 1.2, "same": 3.0, "added": 1.0});
        let tol = Tolerance {
            relative: Tolerance::parse_relative("0.5%").unwrap(),
            absolute: 0.0,
        };
        let c = compare(&old, &new, tol);
        let beyond: Vec<&str> = c
            .iter()
            .filter(|c| c.beyond)
            .map(|c| c.path.as_str())
            .collect();
        // total moved 0.4 % (within); small moved 20 % (beyond); added and gone always count.
        assert_eq!(beyond, ["added", "gone", "small"]);
        assert_eq!(c.len(), 4);
        // With an absolute floor of 0.5, the 0.2 change of "small" no longer counts.
        let c = compare(
            &old,
            &new,
            Tolerance {
                absolute: 0.5,
                ..tol
            },
        );
        assert!(!c.iter().any(|c| c.path == "small" && c.beyond));
        assert_eq!(Tolerance::parse_relative("2"), Ok(2.0));
        assert_eq!(
            Tolerance::parse_relative("-1%").unwrap_err().to_string(),
            "tolerance \"-1%\" is not a share >= 0, e.g. 0.5% or 0.005"
        );
    }

    #[test]
    fn markdown_lists_the_moves() {
        let c = vec![Change {
            path: "total".into(),
            old: Some(100.0),
            new: Some(110.0),
            beyond: true,
        }];
        let md = render_markdown(
            "example",
            &c,
            Tolerance {
                relative: 0.005,
                absolute: 0.0,
            },
        );
        assert!(
            md.contains("| `total` | 100 | 110 | +10 | +10.00% |"),
            "{md}"
        );
    }
}
