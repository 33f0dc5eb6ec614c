//! Figures quoted in prose (the worked examples' READMEs) that a run checks, so they cannot go
//! stale: each is written between markers naming the scenario and the summary.json figure,
//!
//! ```text
//! <!-- fig msp-backup.toml venues[msp-backup].total -->18,693.04<!-- /fig -->
//! ```
//!
//! and must read exactly as that figure of a fresh run renders with the decimals (and
//! thousands separators) written. The path is dotted keys into summary.json; `key[name]`
//! picks the element of array `key` whose name, site, venue or group is `name`.

use serde_json::Value;

/// One quoted figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// 1-based line of the README.
    pub line: usize,
    /// The scenario, relative to the README's folder.
    pub scenario: String,
    pub path: String,
    /// The figure as written.
    pub written: String,
}

const OPEN: &str = "<!-- fig ";
const CLOSE: &str = "<!-- /fig -->";

/// Every marker of a document, in order; a marker that is not closed on its line, or names
/// no scenario and path, is an error naming its line.
pub fn markers(text: &str) -> Result<Vec<Marker>, (usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find(OPEN) {
            let after = &rest[at + OPEN.len()..];
            let bad = |what: &str| (i + 1, format!("figure marker {what}: {}", &rest[at..]));
            let head_end = after.find("-->").ok_or_else(|| bad("without -->"))?;
            let mut head = after[..head_end].split_whitespace();
            let (Some(scenario), Some(path), None) = (head.next(), head.next(), head.next()) else {
                return Err(bad("needs a scenario and a figure path"));
            };
            let body = &after[head_end + 3..];
            let end = body
                .find(CLOSE)
                .ok_or_else(|| bad("without <!-- /fig -->"))?;
            out.push(Marker {
                line: i + 1,
                scenario: scenario.to_string(),
                path: path.to_string(),
                written: body[..end].trim().to_string(),
            });
            rest = &body[end + CLOSE.len()..];
        }
    }
    Ok(out)
}

/// The number at `path` in a summary.json value.
pub fn lookup(summary: &Value, path: &str) -> Option<f64> {
    let mut v = summary;
    for part in path.split('.') {
        v = match part.split_once('[') {
            Some((key, name)) => {
                let name = name.strip_suffix(']')?;
                v.get(key)?.as_array()?.iter().find(|e| {
                    ["name", "site", "venue", "group"]
                        .iter()
                        .any(|k| e.get(k).and_then(Value::as_str) == Some(name))
                })?
            }
            None => v.get(part)?,
        };
    }
    v.as_f64()
}

/// `value` written like `like`: its number of decimals, with thousands separators if it has
/// any (or none and the value is below 1,000).
pub fn render(value: f64, like: &str) -> String {
    let decimals = like.split_once('.').map_or(0, |(_, d)| d.len());
    let plain = format!("{:.*}", decimals, value.abs());
    let (whole, frac) = plain.split_once('.').unwrap_or((&plain, ""));
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if like.contains(',') && i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if value < 0.0 && plain.bytes().any(|b| b != b'0' && b != b'.') {
        "-"
    } else {
        ""
    };
    match frac {
        "" => format!("{sign}{grouped}"),
        f => format!("{sign}{grouped}.{f}"),
    }
}

/// A marker whose figure is not what the run gives: what to write instead, in words.
pub fn stale(m: &Marker, summary: &Value) -> Option<String> {
    let expected = match lookup(summary, &m.path) {
        Some(v) => render(v, &m.written),
        None => {
            return Some(format!(
                "line {}: {} is not a figure of {}",
                m.line, m.path, m.scenario
            ));
        }
    };
    (expected != m.written).then(|| {
        format!(
            "line {}: {} {} is {expected}, the README says {}",
            m.line, m.scenario, m.path, m.written
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn markers_name_their_figure() {
        let text = "a\nthe service costs <!-- fig x.toml venues[svc].total -->18,811.40<!-- /fig --> (\
                    <!-- fig x.toml backup.stores -->6<!-- /fig --> stores)\n";
        let m = markers(text).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].line, m[0].path.as_str(), m[0].written.as_str()),
            (2, "venues[svc].total", "18,811.40")
        );
        assert_eq!(
            (m[1].scenario.as_str(), m[1].written.as_str()),
            ("x.toml", "6")
        );
        let summary = json!({"venues": [{"name": "host", "total": 1.0}, {"name": "svc", "total": 18693.04}],
                             "backup": {"stores": 6}});
        // The stale figure of the issue: 18,811.40 where the run gives 18,693.04.
        assert_eq!(
            stale(&m[0], &summary).unwrap(),
            "line 2: x.toml venues[svc].total is 18,693.04, the README says 18,811.40"
        );
        assert_eq!(stale(&m[1], &summary), None);
        assert!(markers("<!-- fig x.toml -->1<!-- /fig -->").is_err());
        assert!(markers("<!-- fig x.toml a -->1").is_err());
    }

    #[test]
    fn figures_render_as_written() {
        assert_eq!(render(18693.04, "18,811.40"), "18,693.04");
        assert_eq!(render(352.4667, "352.47"), "352.47");
        assert_eq!(render(1234.5, "1234.5"), "1234.5");
        assert_eq!(render(6.0, "6"), "6");
        assert_eq!(render(-1405.08, "-1,405.08"), "-1,405.08");
        assert_eq!(render(-0.001, "0.00"), "0.00");
    }
}
