//! Setting a scenario key by its dotted path (`backup.dedup`, `venues.1.hosts`): on the loaded
//! scenario for the keys studies vary most (`apply`), else in the parsed TOML of the scenario
//! before it is validated again (`set`).

use crate::scenario::{Scenario, VenueSize};
use crate::trace::TraceSpec;
use toml::{Table, Value};

/// Why a key cannot be set to a value; the caller adds the scenario file. Each message keeps the
/// key path as written (`venues.1.hosts`) so the user finds it in the file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OverrideError {
    #[error("an empty key")]
    EmptyKey,
    #[error("`{0}` is a list: add an index")]
    NeedsIndex(String),
    #[error("`{0}` is not a table")]
    NotATable(String),
    /// A table on the way is not there (`groups.wbe.egress_gib_per_vm_month`); with the key of
    /// the nearest one that is (`groups.web`), if one is close.
    #[error("the scenario has no `{key}`{hint}", key = .0, hint = did_you_mean(.1))]
    Missing(String, Option<String>),
    #[error("`{0}`: \"{1}\" is not a list index")]
    NotAnIndex(String, String),
    #[error("`{0}`: index {1} is beyond the list's {2} entries")]
    BeyondList(String, usize, usize),
    #[error("`{0}` must be followed by a key of a table in the list")]
    NeedsKey(String),
    #[error("`{0}`: {1}")]
    Within(String, Box<OverrideError>),
    #[error("`{0}` is not a number")]
    NotANumber(String),
    #[error("{1} is not a whole number: `{0}` is a count")]
    NotWhole(String, f64),
    #[error("{0}")]
    Synthetic(crate::error::KeyError),
}

/// `; did you mean `k`?` for a suggested key, else nothing.
fn did_you_mean(near: &Option<String>) -> String {
    near.as_ref()
        .map(|k| format!("; did you mean `{k}`?"))
        .unwrap_or_default()
}

/// Sets `key` to `value` on a loaded scenario, without reading anything again: a venue's
/// `price_factor` or (private) `hosts`, or a number of the synthetic generator. Ok(false) for
/// any other key, and for a value only a full load can judge; `base` is the scenario's TOML.
pub fn apply(s: &mut Scenario, base: &Table, key: &str, value: f64) -> Result<bool, OverrideError> {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        ["venues", i, field] => {
            let Some(v) = i.parse::<usize>().ok().and_then(|i| s.venues.get_mut(i)) else {
                return Ok(false);
            };
            match (*field, v.size) {
                ("price_factor", _) if value.is_finite() && value > 0.0 => {
                    // The loaded rate is the exchange rate x the written factor (default 1).
                    let old = lookup(base, key).and_then(number).unwrap_or(1.0);
                    v.rate = v.rate / old * value;
                    Ok(true)
                }
                ("hosts", VenueSize::Hosts(_)) if value.fract() == 0.0 && value >= 1.0 => {
                    v.size = VenueSize::Hosts(value.min(f64::from(u32::MAX)) as u32);
                    Ok(true)
                }
                _ => Ok(false),
            }
        }
        ["trace", "synthetic", rest @ ..] => match &mut s.trace {
            TraceSpec::Synthetic(p) => p
                .set(&rest.join("."), value)
                .map_err(|e| OverrideError::Synthetic(e.within("trace.synthetic"))),
            _ => Ok(false),
        },
        _ => Ok(false),
    }
}

/// Sets the seed of a loaded scenario, and of its synthetic trace unless that names its own.
pub fn apply_seed(s: &mut Scenario, base: &Table, seed: u64) {
    s.seed = seed;
    if let TraceSpec::Synthetic(p) = &mut s.trace
        && lookup(base, "trace.synthetic.seed").is_none()
    {
        p.seed = seed;
    }
}

fn number(v: &Value) -> Option<f64> {
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

/// The value at a dotted path, if the scenario writes it.
fn lookup<'t>(table: &'t Table, key: &str) -> Option<&'t Value> {
    let parts: Vec<&str> = key.split('.').collect();
    let mut at = table.get(parts[0]);
    for part in &parts[1..] {
        at = match at {
            Some(Value::Table(t)) => t.get(*part),
            Some(Value::Array(items)) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
    }
    at
}

/// Scenario keys that hold counts (hosts, nodes, units, VMs, instances, items): whole numbers.
const COUNT_KEYS: [&str; 10] = [
    "hosts",
    "nodes",
    "units",
    "max_hosts",
    "initial_vms",
    "count",
    "min",
    "max",
    "initial",
    "items",
];

/// Whether `key` holds a count: the scenario writes it as an integer, or, when it does not write
/// it, its name is one of `COUNT_KEYS`.
pub fn is_count(table: &Table, key: &str) -> bool {
    match lookup(table, key) {
        Some(v) => v.is_integer(),
        None => key
            .rsplit('.')
            .next()
            .is_some_and(|l| COUNT_KEYS.contains(&l)),
    }
}

/// Sets `key` to `value`. Every table and array on the way must exist; the last part may be new
/// (a default the scenario did not write). A count (see `is_count`) takes only whole numbers.
pub fn set(table: &mut Table, key: &str, value: f64) -> Result<(), OverrideError> {
    let parts: Vec<&str> = key.split('.').collect();
    let (last, path) = parts.split_last().ok_or(OverrideError::EmptyKey)?;
    let mut at = table;
    for (i, part) in path.iter().enumerate() {
        let here = parts[..=i].join(".");
        if !at.contains_key(*part) {
            let names: Vec<&str> = at.keys().map(String::as_str).collect();
            let near = crate::known::nearest(part, &names);
            let near = near.map(|n| [&parts[..i], &[n]].concat().join("."));
            return Err(OverrideError::Missing(here, near));
        }
        let next = match at.get_mut(*part) {
            Some(Value::Table(t)) => t,
            Some(Value::Array(items)) => {
                let idx_part = parts
                    .get(i + 1)
                    .ok_or_else(|| OverrideError::NeedsIndex(here.clone()))?;
                return set_in_array(items, &parts, i + 1, idx_part, value);
            }
            Some(_) => return Err(OverrideError::NotATable(here)),
            None => return Err(OverrideError::Missing(here, None)),
        };
        at = next;
    }
    put(at, last, value, key)
}

fn set_in_array(
    items: &mut [Value],
    parts: &[&str],
    i: usize,
    idx: &str,
    value: f64,
) -> Result<(), OverrideError> {
    let here = parts[..=i].join(".");
    let n: usize = idx
        .parse()
        .map_err(|_| OverrideError::NotAnIndex(here.clone(), idx.to_string()))?;
    let len = items.len();
    let item = items
        .get_mut(n)
        .ok_or_else(|| OverrideError::BeyondList(here.clone(), n, len))?;
    let rest = &parts[i + 1..];
    match item {
        Value::Table(t) if !rest.is_empty() => {
            set(t, &rest.join("."), value).map_err(|e| OverrideError::Within(here, Box::new(e)))
        }
        _ => Err(OverrideError::NeedsKey(here)),
    }
}

fn put(at: &mut Table, last: &str, value: f64, key: &str) -> Result<(), OverrideError> {
    let count = match at.get(last) {
        Some(Value::Integer(_)) => true,
        Some(Value::Float(_)) => false,
        None => COUNT_KEYS.contains(&last),
        Some(_) => return Err(OverrideError::NotANumber(key.to_string())),
    };
    let new = if !count {
        Value::Float(value)
    } else if value.fract() == 0.0 && value.abs() < 9.0e15 {
        Value::Integer(value as i64)
    } else {
        return Err(OverrideError::NotWhole(key.to_string(), value));
    };
    at.insert(last.to_string(), new);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_set_through_tables_and_lists() {
        let mut t: Table = toml::from_str(
            "seed = 1\n[backup]\ndedup = 3.0\n[[venues]]\nname = \"a\"\nhosts = 2\n[[venues]]\nname = \"b\"\n",
        )
        .unwrap();
        set(&mut t, "backup.dedup", 2.5).unwrap();
        assert_eq!(
            set(&mut t, "venues.0.hosts", 3.6).unwrap_err().to_string(),
            "`venues.0`: 3.6 is not a whole number: `hosts` is a count"
        );
        set(&mut t, "venues.0.hosts", 4.0).unwrap();
        assert!(is_count(&t, "venues.0.hosts") && is_count(&t, "venues.1.hosts"));
        assert!(!is_count(&t, "backup.dedup") && !is_count(&t, "venues.1.price_factor"));
        set(&mut t, "venues.1.price_factor", 1.1).unwrap();
        assert_eq!(t["backup"]["dedup"].as_float(), Some(2.5));
        assert_eq!(t["venues"][0]["hosts"].as_integer(), Some(4)); // integers stay integers
        assert_eq!(t["venues"][1]["price_factor"].as_float(), Some(1.1));
        assert_eq!(
            set(&mut t, "nothing.x", 1.0).unwrap_err().to_string(),
            "the scenario has no `nothing`"
        );
        assert!(
            set(&mut t, "venues.5.hosts", 1.0)
                .unwrap_err()
                .to_string()
                .contains("index 5 is beyond")
        );
        assert!(
            set(&mut t, "venues.0.name", 1.0)
                .unwrap_err()
                .to_string()
                .contains("is not a number")
        );
    }
}
