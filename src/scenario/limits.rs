//! Upper bounds on every number of a scenario or a price book, checked at load time so a typo
//! such as `hosts = 4294967295` or a price of 1.7e39 is refused before anything is allocated or
//! priced (README, "Limits"). Each bound is far above any real estate the simulator is meant
//! for. The tables below are walked over the parsed TOML before the typed checks run: a key
//! not listed still meets `ANY_NUMBER`, so no number goes unbounded.

use crate::error::KeyError;
use crate::trace::synthetic;
use crate::units::{DAY, SimTime, format_duration};

/// Hosts of one private site: a large data centre holds tens of thousands; the simulator keeps
/// a few hundred bytes per host, so 100,000 hosts stay within tens of MB.
pub const MAX_HOSTS: u32 = 100_000;
/// Scale units of one HCI venue (each of at most the book's nodes per unit).
pub const MAX_HCI_UNITS: u32 = 10_000;
/// Hosts and HCI nodes of all venues together: what one run may hold in memory.
pub const MAX_TOTAL_HOSTS: u64 = 1_000_000;
/// Instances of one autoscaled group: each running instance is a VM the simulator tracks.
pub const MAX_AUTOSCALE: u32 = 1_000_000;
/// TB protected at one backup site: 100 PB, beyond any site a link-based backup serves; the
/// transfer simulation's work grows with the volume.
pub const MAX_PROTECTED_TB: f64 = 100_000.0;
/// The longest scenario horizon: ten years, beyond any hardware life or contract term.
pub const MAX_HORIZON: SimTime = 10 * 365 * DAY;
/// Usage snapshots in one run (horizon / step): each is read at every venue.
pub const MAX_STEPS: u64 = 5_000_000;
/// Any number without a bound of its own: a quadrillion, above any price in any currency in
/// use (a billion-dollar facility is about 1.6e13 IDR) and far enough below f64's range that
/// bounded prices times bounded counts and hours stay finite.
pub const ANY_NUMBER: f64 = 1e15;

/// One bounded key: a dotted path where `[]` stands for any array index and `*` for any table
/// key; an array's bound is on its length.
pub struct Bound {
    pub key: &'static str,
    pub max: f64,
}

const fn b(key: &'static str, max: f64) -> Bound {
    Bound { key, max }
}

/// The scenario keys with a bound of their own (the README's "Limits" table says why).
pub const SCENARIO: &[Bound] = &[
    b("seed", i64::MAX as f64),
    b("trace.synthetic.seed", i64::MAX as f64),
    b("venues", 100.0),
    b("venues[].hosts", MAX_HOSTS as f64),
    b("venues[].nodes", 1_000.0),
    b("venues[].units", MAX_HCI_UNITS as f64),
    b("venues[].max_hosts", MAX_HOSTS as f64),
    b("venues[].price_factor", 1_000.0),
    b("venues[].failure_factor", 10_000.0),
    b("venues[].eviction_factor", 10_000.0),
    b("venues[].carbon_kg_per_kwh", 10.0),
    b("commitments", 1_000.0),
    b("commitments[].count", 1_000_000.0),
    b("groups.*.egress_gib_per_vm_month", 1e6),
    b("groups.*.inter_region_gib_per_vm_month", 1e6),
    b("autoscale", 100.0),
    b("autoscale[].min", MAX_AUTOSCALE as f64),
    b("autoscale[].max", MAX_AUTOSCALE as f64),
    b("autoscale[].initial", MAX_AUTOSCALE as f64),
    b("autoscale[].step", MAX_AUTOSCALE as f64),
    b("autoscale[].items", 1e12),
    b("autoscale[].vcpus", 10_000.0),
    b("autoscale[].mem_gib", 1e6),
    b("autoscale[].disk_gib", 1e7),
    b("backup.sites", 1_000.0),
    b("backup.sites[].protected_tb", MAX_PROTECTED_TB),
    b("backup.sites[].servers", 1e6),
    b("backup.sites[].link_mbps", 1e7),
    b("backup.sites[].rtt_ms", 1e5),
    b("backup.target_ingress_mbps", 1e7),
    b("backup.retention_daily", 10_000.0),
    b("backup.retention_weekly", 10_000.0),
    b("backup.retention_monthly", 10_000.0),
    b("backup.compression", 1_000.0),
    b("backup.dedup", 1_000.0),
    b("trace.cpu_scale", 1e6),
    b("trace.mem_scale", 1e6),
    b("trace.synthetic.groups", 1_000.0),
    b(
        "trace.synthetic.groups[].initial_vms",
        synthetic::MAX_INITIAL_VMS as f64,
    ),
    b(
        "trace.synthetic.groups[].arrivals_per_day",
        synthetic::MAX_ARRIVALS_PER_DAY,
    ),
    b(
        "trace.synthetic.groups[].growth_per_month",
        synthetic::MAX_GROWTH_PER_MONTH,
    ),
    b("trace.synthetic.groups[].max_vcpus", 10_000.0),
    b("trace.synthetic.groups[].min_vcpus", 10_000.0),
    b("trace.synthetic.groups[].mem_gib_per_vcpu", 10_000.0),
    b("trace.synthetic.groups[].disk_gib", 1e7),
    b("trace.synthetic.groups[].size_shape", 1e6),
    b("uncertainty.parameters", 1_000.0),
    b("sweep", 10.0),
    b("exchange_rates.*", 1e6),
];

/// The price book keys with a bound of their own; every price meets `ANY_NUMBER`.
pub const BOOK: &[Bound] = &[
    b("public.instances", 100_000.0),
    b("public.instances[].vcpus", 10_000.0),
    b("public.instances[].mem_gib", 1e6),
    b("public.reserved", 100_000.0),
    b("public.savings_plans", 1_000.0),
    b("public.egress_tiers", 100.0),
    b("public.sql.*.min_vcpus", 10_000.0),
    b("private.cores", 10_000.0),
    b("private.sockets", 64.0),
    b("private.mem_gib", 1e6),
    b("private.cpu_overcommit", 100.0),
    b("hci.nodes_min", 1_000.0),
    b("hci.nodes_max", 1_000.0),
    b("hci.node.cores", 10_000.0),
    b("hci.node.sockets", 64.0),
    b("hci.node.mem_gib", 1e6),
    b("hci.node.capacity_drives", 1_000.0),
    b("hci.node.drive_tb", 1_000.0),
    b("hci.max_vms_per_node", 1e6),
    b("hci.max_vms_per_unit", 1e6),
    b("backup.link_sizes_mbps", 1_000.0),
    b("backup.link_sizes_mbps[]", 1e7),
    b("backup.store_cap_tb", 1e6),
    b("backup.licence_period_months", 1_200.0),
    b("backup.drive_days", 3_650.0),
    b("backup.max_rtt_ms", 1e5),
    b("*.tco.life_years", 100.0),
    b("*.tco.software", 1_000.0),
];

/// One bounded duration key (a string with a unit, such as "15m"), its bound in seconds. A
/// duration past its bound is a typo ("1000000y") that would push event times towards
/// `SimTime`'s end, where sums of times saturate and events silently never happen.
pub struct DurationBound {
    pub key: &'static str,
    pub max: SimTime,
}

const fn d(key: &'static str, max: SimTime) -> DurationBound {
    DurationBound { key, max }
}

/// The scenario's duration keys with a bound here; `horizon` and `step` have
/// `check_run_length`, and the keys measured against the horizon (`backup.window`,
/// `growth[].lead_time`, `money.capital[].life`, ...) have their typed checks.
pub const SCENARIO_DURATIONS: &[DurationBound] = &[
    d("autoscale[].interval", DAY),
    d("autoscale[].sustain", 30 * DAY),
    d("autoscale[].cooldown", 30 * DAY),
    d("autoscale[].stabilization", 30 * DAY),
    d("autoscale[].item_time", DAY),
    d("autoscale[].deadline", MAX_HORIZON),
    d("autoscale[].window", 365 * DAY),
    d("autoscale[].lead", 30 * DAY),
    d("groups.*.spot_wait", 30 * DAY),
    d("placement.min_stay", 365 * DAY),
    d("backup.rpo", 365 * DAY),
    d("backup.seed_within", 365 * DAY),
    d("migrations[].cutover", 365 * DAY),
    d("trace.synthetic.step", synthetic::MAX_STEP),
    d("trace.synthetic.burst_length", synthetic::MAX_BURST_LENGTH),
    d(
        "trace.synthetic.groups[].lifetime_median",
        synthetic::MAX_LIFETIME_MEDIAN,
    ),
];

/// The price book's duration keys.
pub const BOOK_DURATIONS: &[DurationBound] = &[
    d("public.minimum", DAY),
    d("*.failures.repair", 365 * DAY),
    d("hci.repair_standard", 365 * DAY),
    d("hci.repair_custom", 365 * DAY),
];

/// A plan file's `return_after`: a VM that stays on a public venue a year is not coming back.
pub const MAX_RETURN_AFTER: SimTime = 365 * DAY;

/// Checks every duration of a parsed document that `bounds` names. Text that is no duration
/// is left to the typed checks, which name its line and say what a duration looks like.
pub fn check_durations(doc: &toml::Table, bounds: &[DurationBound]) -> Result<(), KeyError> {
    for b in bounds {
        for (key, value) in find(doc, b.key) {
            let Some(Ok(secs)) = value.as_str().map(crate::units::parse_duration) else {
                continue;
            };
            duration_at_most(key, secs, b.max)?;
        }
    }
    Ok(())
}

/// Refuses a duration above `limit`, naming the key, the duration as written in the largest
/// exact unit and the limit.
pub fn duration_at_most(key: String, secs: SimTime, limit: SimTime) -> Result<(), KeyError> {
    if secs > limit {
        let msg = format!(
            "{} is over the limit of {} (README, \"Limits\")",
            format_duration(secs),
            format_duration(limit)
        );
        return Err(KeyError::new(key, msg));
    }
    Ok(())
}

/// The values at a pattern of `Bound`'s form (`autoscale[].cooldown`, `*.failures.repair`),
/// each with its key as errors show it (`autoscale[1].cooldown`).
fn find<'t>(doc: &'t toml::Table, pattern: &str) -> Vec<(String, &'t toml::Value)> {
    let mut at: Vec<(String, &toml::Value)> = Vec::new();
    for (n, part) in pattern.split('.').enumerate() {
        let (name, each) = match part.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (part, false),
        };
        let mut next = Vec::new();
        let tables: Vec<(String, &toml::Table)> = match n {
            0 => vec![(String::new(), doc)],
            _ => at
                .iter()
                .filter_map(|(k, v)| v.as_table().map(|t| (k.clone(), t)))
                .collect(),
        };
        for (key, table) in tables {
            let join = |k: &str| match key.is_empty() {
                true => k.to_string(),
                false => format!("{key}.{k}"),
            };
            let hits: Vec<(String, &toml::Value)> = match name {
                "*" => table.iter().map(|(k, v)| (join(k), v)).collect(),
                _ => table
                    .get(name)
                    .map(|v| (join(name), v))
                    .into_iter()
                    .collect(),
            };
            for (k, v) in hits {
                match (each, v) {
                    (true, toml::Value::Array(items)) => next.extend(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, item)| (format!("{k}[{i}]"), item)),
                    ),
                    (true, _) => {}
                    (false, v) => next.push((k, v)),
                }
            }
        }
        at = next;
    }
    at
}

/// Refuses `value` above `limit`, naming the key, the value and the limit.
pub fn at_most<T: PartialOrd + std::fmt::Display>(
    key: String,
    value: T,
    limit: T,
) -> Result<(), KeyError> {
    if value > limit {
        let msg = format!("{value} is over the limit of {limit} (README, \"Limits\")");
        return Err(KeyError::new(key, msg));
    }
    Ok(())
}

/// The horizon within `MAX_HORIZON` and its steps within `MAX_STEPS`.
pub fn check_run_length(horizon: SimTime, step: SimTime) -> Result<(), KeyError> {
    if horizon > MAX_HORIZON {
        let msg = format!(
            "{} is over the limit of {} (README, \"Limits\")",
            format_duration(horizon),
            format_duration(MAX_HORIZON)
        );
        return Err(KeyError::new("horizon", msg));
    }
    let steps = horizon / step.max(1);
    if steps > MAX_STEPS {
        let msg = format!(
            "{} makes {steps} steps over the horizon of {}, over the limit of {MAX_STEPS} (README, \"Limits\")",
            format_duration(step),
            format_duration(horizon)
        );
        return Err(KeyError::new("step", msg));
    }
    Ok(())
}

/// Checks every number (and every bounded array's length) of a parsed document against
/// `bounds`, or `ANY_NUMBER` when its key has none. Infinities and NaN are left to the typed
/// checks, which say what the key means.
pub fn check(doc: &toml::Table, bounds: &[Bound]) -> Result<(), KeyError> {
    for (k, v) in doc {
        walk(v, k.clone(), k.clone(), bounds)?;
    }
    Ok(())
}

/// `key` names the value as errors show it (`venues[2].hosts`), `shape` as the tables do
/// (`venues[].hosts`).
fn walk(v: &toml::Value, key: String, shape: String, bounds: &[Bound]) -> Result<(), KeyError> {
    let bound = || {
        bounds
            .iter()
            .find(|b| matches(b.key, &shape))
            .map_or(ANY_NUMBER, |b| b.max)
    };
    match v {
        toml::Value::Integer(i) if (*i as f64).abs() > bound() => over(key, i, *i < 0, bound()),
        toml::Value::Float(f) if f.is_finite() && f.abs() > bound() => {
            over(key, compact(*f), *f < 0.0, bound())
        }
        toml::Value::Array(items) => {
            if bounds.iter().any(|b| matches(b.key, &shape)) {
                let (n, max) = (items.len() as f64, bound());
                if n > max {
                    let msg =
                        format!("has {n} entries, over the limit of {max} (README, \"Limits\")");
                    return Err(KeyError::new(key, msg));
                }
            }
            for (i, item) in items.iter().enumerate() {
                walk(item, format!("{key}[{i}]"), format!("{shape}[]"), bounds)?;
            }
            Ok(())
        }
        toml::Value::Table(t) => {
            for (k, item) in t {
                walk(item, format!("{key}.{k}"), format!("{shape}.{k}"), bounds)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A number as a message shows it: 1e300 as "1e300", not three hundred digits.
pub fn compact(v: f64) -> String {
    if v.abs() >= 1e16 {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// The error for a number beyond its bound, on either side of zero.
fn over(
    key: String,
    value: impl std::fmt::Display,
    negative: bool,
    max: f64,
) -> Result<(), KeyError> {
    let msg = if negative {
        format!("{value} is below the limit of -{max} (README, \"Limits\")")
    } else {
        format!("{value} is over the limit of {max} (README, \"Limits\")")
    };
    Err(KeyError::new(key, msg))
}

/// Whether `shape` fits `pattern`, where a pattern's `*` segment fits any one segment.
fn matches(pattern: &str, shape: &str) -> bool {
    let (mut p, mut s) = (pattern.split('.'), shape.split('.'));
    loop {
        match (p.next(), s.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == b || (a == "*" && !b.contains('[')) => {}
            (Some(a), Some(b)) if a.starts_with("*[") && b.ends_with(&a[1..]) => {}
            _ => return false,
        }
    }
}

/// Hosts and HCI nodes of all `[[venues]]` together, within `MAX_TOTAL_HOSTS`: each venue is
/// bounded, but a hundred of the largest would not fit in memory.
pub fn check_total_hosts(doc: &toml::Table) -> Result<(), KeyError> {
    let Some(toml::Value::Array(venues)) = doc.get("venues") else {
        return Ok(());
    };
    let int = |v: &toml::Value, k: &str| v.get(k).and_then(|x| x.as_integer()).unwrap_or(0);
    let total: i64 = venues
        .iter()
        .map(|v| int(v, "hosts").max(0) + int(v, "nodes").max(0) * int(v, "units").max(1))
        .sum();
    if total as u64 > MAX_TOTAL_HOSTS {
        let msg = format!(
            "{total} hosts and HCI nodes in all, over the limit of {MAX_TOTAL_HOSTS} (README, \"Limits\")"
        );
        return Err(KeyError::new("venues", msg));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn durations_past_their_bound_are_refused_with_the_key() {
        // 31d > 30d (the cooldown's bound), in the second [[autoscale]].
        let text = "[[autoscale]]\ncooldown = \"1h\"\n[[autoscale]]\ncooldown = \"31d\"\n";
        let e = check_durations(&doc(text), SCENARIO_DURATIONS).unwrap_err();
        assert_eq!(e.key, "autoscale[1].cooldown");
        assert_eq!(
            e.message,
            "31d is over the limit of 30d (README, \"Limits\")"
        );
        // 30d is the bound itself: allowed; text that is no duration is the typed check's.
        let ok = "[[autoscale]]\ncooldown = \"30d\"\n[groups.web]\nspot_wait = \"x\"\n";
        assert!(check_durations(&doc(ok), SCENARIO_DURATIONS).is_ok());
        // `*` stands for any table: 2y = 730d > 365d under [private.failures].
        let book = "[private.failures]\nrepair = \"2y\"\n";
        let e = check_durations(&doc(book), BOOK_DURATIONS).unwrap_err();
        assert_eq!(e.key, "private.failures.repair");
        assert_eq!(e.message, "2y is over the limit of 1y (README, \"Limits\")");
        let e = check_durations(
            &doc("[groups.web]\nspot_wait = \"60d\"\n"),
            SCENARIO_DURATIONS,
        );
        assert_eq!(e.unwrap_err().key, "groups.web.spot_wait");
    }

    #[test]
    fn a_key_is_checked_against_its_own_bound_or_the_catch_all() {
        let e = check(&doc("[[venues]]\nhosts = 100001\n"), SCENARIO).unwrap_err();
        assert_eq!(
            e.to_string(),
            "key `venues[0].hosts`: 100001 is over the limit of 100000 (README, \"Limits\")"
        );
        let e = check(&doc("[groups.web]\nmigration_per_vm = -1.7e39\n"), SCENARIO).unwrap_err();
        assert_eq!(
            e.to_string(),
            "key `groups.web.migration_per_vm`: -1.7e39 is below the limit of -1000000000000000 (README, \"Limits\")"
        );
        assert!(check(&doc("[[venues]]\nhosts = 100000\nseed = 9\n"), SCENARIO).is_ok());
        assert!(check(&doc("seed = 9223372036854775807\n"), SCENARIO).is_ok());
    }

    #[test]
    fn an_array_is_bounded_by_its_length() {
        let text = "sweep = [".to_string() + &"{},".repeat(11) + "]\n";
        let e = check(&doc(&text), SCENARIO).unwrap_err();
        assert!(
            e.to_string()
                .contains("`sweep`: has 11 entries, over the limit of 10")
        );
    }

    #[test]
    fn patterns_match_whole_segments() {
        assert!(matches(
            "groups.*.egress_gib_per_vm_month",
            "groups.web.egress_gib_per_vm_month"
        ));
        assert!(matches("*.tco.life_years", "hci.tco.life_years"));
        assert!(!matches("venues[].hosts", "venues[].hosts.x"));
        assert!(!matches("exchange_rates.*", "exchange_rates[]"));
    }

    #[test]
    fn hosts_of_every_venue_add_up() {
        // 10 venues x 100,000 hosts = 1,000,000 (at the limit); one HCI venue of 2 nodes x 1
        // unit more is 1,000,002.
        let full = "[[venues]]\nhosts = 100000\n".repeat(10);
        assert!(check_total_hosts(&doc(&full)).is_ok());
        let over = full + "[[venues]]\nnodes = 2\n";
        let e = check_total_hosts(&doc(&over)).unwrap_err();
        assert!(e.to_string().contains("1000002 hosts and HCI nodes"), "{e}");
    }
}
