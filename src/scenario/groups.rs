//! Per-group policies (`[groups.<name>]`, with `"*"` for groups not named): the OS and SQL
//! Server licences and which of them the customer brings along, how VMs are bought on public
//! venues, and their network traffic.

use crate::error::KeyError;
use crate::known::{self, nearest};
use crate::pricing::{Brought, Licences, Purchase, SqlEdition};
use crate::units::{MINUTE, SimTime, de_opt_duration};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A `[groups.<name>]` table whose name is no group the run knows (`known`: the trace's groups
/// and the autoscaled ones) but is one typo away from one that has no table of its own is an
/// error suggesting that name: a misspelt table would otherwise be ignored and its group run on
/// the defaults. A table for a group that is simply absent from this trace (a scenario shared by
/// several traces, a generated trace without that group) stays allowed.
pub fn check_known<'a>(
    groups: impl IntoIterator<Item = &'a String> + Clone,
    known: &[&str],
) -> Result<(), KeyError> {
    let tabled: Vec<&str> = groups.clone().into_iter().map(String::as_str).collect();
    let untabled: Vec<&str> = known
        .iter()
        .copied()
        .filter(|k| !tabled.contains(k))
        .collect();
    for name in groups {
        if name == "*" || known.contains(&name.as_str()) {
            continue;
        }
        if let Some(n) = nearest(name, &untabled) {
            let msg = format!(
                "\"{name}\" is not a group of the trace or of [[autoscale]]; did you mean \"{n}\"?"
            );
            return Err(KeyError::new(format!("groups.{name}"), msg));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupPolicy {
    /// Windows VMs pay the book's Windows uplift (or the HCI Windows rate).
    pub windows: bool,
    /// SQL Server licence-included on public venues, of this edition.
    pub sql: Option<SqlEdition>,
    /// The licences the customer brings along (Azure Hybrid Benefit): on a book that offers
    /// it, the VMs do not pay them.
    pub hybrid_benefit: Brought,
    pub purchase: Purchase,
    /// Internet egress per VM-month, GiB (billed on public venues).
    pub egress_gib_per_vm_month: f64,
    /// Transfer to other regions per VM-month, GiB (billed on public venues).
    pub inter_region_gib_per_vm_month: f64,
    /// What an evicted spot VM does.
    pub spot_fallback: SpotFallback,
    /// How long an evicted spot VM waits before it tries spot again (with `wait`).
    pub spot_wait: SimTime,
    /// The venues the group may run on (by scenario index), from its `venues` (sovereignty)
    /// and its `latency_class`; `None`: any venue.
    pub allowed: Option<Vec<bool>>,
    /// Where the group runs today (venue index) and what moving one of its VMs elsewhere
    /// costs, one-off, in the reporting currency (for the optimizer).
    pub current: Option<(usize, f64)>,
}

impl GroupPolicy {
    /// Whether the group may run on venue `v`.
    pub fn allows(&self, v: usize) -> bool {
        self.allowed.as_ref().is_none_or(|a| a[v])
    }

    /// The licences the group's VMs carry.
    pub fn licences(&self) -> Licences {
        Licences {
            windows: self.windows,
            sql: self.sql,
        }
    }

    /// The licences the group's VMs pay for on a public book: those they carry, less the
    /// ones brought along where the book offers hybrid benefit.
    pub fn licences_paid(&self, book: &crate::pricing::PublicBook) -> Licences {
        book.licences_paid(self.licences(), self.hybrid_benefit)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SpotFallback {
    /// Restart at once on on-demand capacity (billed at on-demand prices).
    #[default]
    OnDemand,
    /// Stay down for `spot_wait` (SLA minutes lost), then try spot again.
    Wait,
}

impl Default for GroupPolicy {
    fn default() -> Self {
        GroupPolicy {
            windows: false,
            sql: None,
            hybrid_benefit: Brought::default(),
            purchase: Purchase::OnDemand,
            egress_gib_per_vm_month: 0.0,
            inter_region_gib_per_vm_month: 0.0,
            spot_fallback: SpotFallback::OnDemand,
            spot_wait: 30 * MINUTE,
            allowed: None,
            current: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
enum Os {
    #[default]
    Linux,
    Windows,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGroup {
    #[serde(default)]
    os: Os,
    /// SQL Server edition: "standard" or "enterprise".
    sql: Option<String>,
    /// `true`, `false` or a list of the licences brought along: "windows", "sql".
    hybrid_benefit: Option<toml::Value>,
    #[serde(default)]
    purchase: Purchase,
    #[serde(default)]
    egress_gib_per_vm_month: f64,
    #[serde(default)]
    inter_region_gib_per_vm_month: f64,
    #[serde(default)]
    spot_fallback: SpotFallback,
    #[serde(default, deserialize_with = "de_opt_duration")]
    spot_wait: Option<SimTime>,
    /// Sovereignty: the only venues the group's VMs may run on.
    venues: Option<Vec<String>>,
    /// A class of the scenario's `[latency_classes]`: the venues close enough to its users.
    latency_class: Option<String>,
    /// Where the group runs today, and the one-off cost of moving one VM off it.
    current_venue: Option<String>,
    migration_per_vm: Option<f64>,
}

/// What a venue name is looked up among, for errors.
const VENUE: &str = "a venue of this scenario";

/// The venues of a list of names, as a mask over `venues`; `key` names the list in errors.
fn venue_mask(names: &[String], venues: &[&str], key: &str) -> Result<Vec<bool>, KeyError> {
    let mut mask = vec![false; venues.len()];
    for (i, n) in names.iter().enumerate() {
        let v = known::find(&format!("{key}[{i}]"), n, VENUE, venues)?;
        mask[v] = true;
    }
    Ok(mask)
}

/// `current_venue` and `migration_per_vm`, which go together.
fn current(name: &str, g: &RawGroup, venues: &[&str]) -> Result<Option<(usize, f64)>, KeyError> {
    let key = |k: &str| format!("groups.{name}.{k}");
    match (&g.current_venue, g.migration_per_vm) {
        (None, None) => Ok(None),
        (Some(v), Some(cost)) => {
            let i = known::find(&key("current_venue"), v, VENUE, venues)?;
            if !(cost.is_finite() && cost >= 0.0) {
                return Err(KeyError::new(
                    key("migration_per_vm"),
                    format!("{cost} must be a finite amount >= 0"),
                ));
            }
            Ok(Some((i, cost)))
        }
        (Some(_), None) => Err(KeyError::new(
            key("migration_per_vm"),
            "is needed with current_venue: the one-off cost of moving one VM",
        )),
        (None, Some(_)) => Err(KeyError::new(
            key("current_venue"),
            "is needed with migration_per_vm: where the group runs today",
        )),
    }
}

/// A group with SQL Server may run only where its licence can be billed: every public venue
/// the group may use needs the edition's rate in its book, unless the group brings the
/// licence to a book with hybrid benefit (then it is not billed there). Private sites and HCI
/// units bill no SQL Server licence (the customer licenses its own servers). A missing rate
/// is an error naming the group, the venue and the book file, never a silent zero.
pub(super) fn check_sql_rates(
    groups: &BTreeMap<String, GroupPolicy>,
    venues: &[super::Venue],
) -> Result<(), KeyError> {
    for (name, g) in groups {
        let Some(edition) = g.sql else { continue };
        for (v, venue) in venues.iter().enumerate() {
            let Some(book) = venue.public() else { continue };
            if !g.allows(v) || g.licences_paid(book).sql.is_none() {
                continue;
            }
            if !book.sql.contains_key(&edition) {
                let m = format!(
                    "\"{edition}\" needs a {} licence rate on venue \"{}\", but its book {} has none ([public.sql.{edition}]); keep the group off that venue (groups.{name}.venues) or give the book the rate",
                    edition.product(),
                    venue.name,
                    venue.book.path.display()
                );
                return Err(KeyError::new(format!("groups.{name}.sql"), m));
            }
        }
    }
    Ok(())
}

/// The licences that may be brought along, as `hybrid_benefit` lists them.
const LICENCES: [&str; 2] = ["windows", "sql"];

/// `hybrid_benefit`: `true` brings every licence the group carries (Windows and SQL Server),
/// a list brings the ones it names. Bringing what the group does not carry is an error, so a
/// Linux group without SQL Server has nothing to bring.
fn brought(name: &str, raw: Option<&toml::Value>, carried: Licences) -> Result<Brought, KeyError> {
    let key = format!("groups.{name}.hybrid_benefit");
    let nothing = "the group carries no licence to bring along: it applies to os = \"windows\" or a group with sql";
    let list = match raw {
        None | Some(toml::Value::Boolean(false)) => return Ok(Brought::default()),
        Some(toml::Value::Boolean(true)) => {
            if !(carried.windows || carried.sql.is_some()) {
                return Err(KeyError::new(key, nothing));
            }
            return Ok(Brought {
                windows: carried.windows,
                sql: carried.sql.is_some(),
            });
        }
        Some(toml::Value::Array(list)) => list,
        Some(other) => {
            let m = format!(
                "{other} must be true, false or a list of the licences brought along (\"windows\", \"sql\")"
            );
            return Err(KeyError::new(key, m));
        }
    };
    if list.is_empty() {
        let m = "lists no licence; write false or leave it out to bring none";
        return Err(KeyError::new(key, m));
    }
    let mut out = Brought::default();
    for (i, v) in list.iter().enumerate() {
        let at = format!("{key}[{i}]");
        let Some(text) = v.as_str() else {
            let m = format!("{v} is not a licence name; expected \"windows\" or \"sql\"");
            return Err(KeyError::new(at, m));
        };
        let what = "a licence hybrid_benefit can bring along";
        match known::find(&at, text, what, &LICENCES)? {
            0 if !carried.windows => {
                let m = "\"windows\" is brought along, but the group is not os = \"windows\"";
                return Err(KeyError::new(at, m));
            }
            0 => out.windows = true,
            _ if carried.sql.is_none() => {
                let m = "\"sql\" is brought along, but the group has no sql edition";
                return Err(KeyError::new(at, m));
            }
            _ => out.sql = true,
        }
    }
    Ok(out)
}

/// `[latency_classes]`: each class's venues as a mask; an error names the key.
pub(super) fn latency_classes(
    raw: BTreeMap<String, Vec<String>>,
    venues: &[&str],
) -> Result<BTreeMap<String, Vec<bool>>, KeyError> {
    raw.into_iter()
        .map(|(class, names)| {
            let key = format!("latency_classes.{class}");
            if names.is_empty() {
                return Err(KeyError::new(
                    key,
                    "lists no venue; a class needs at least one",
                ));
            }
            Ok((class, venue_mask(&names, venues, &key)?))
        })
        .collect()
}

/// Validates every group against the scenario's venues and latency classes; an error names
/// the key.
pub(super) fn validate(
    raw: BTreeMap<String, RawGroup>,
    venues: &[&str],
    classes: &BTreeMap<String, Vec<bool>>,
) -> Result<BTreeMap<String, GroupPolicy>, KeyError> {
    let mut out = BTreeMap::new();
    for (name, g) in raw {
        let mut allowed: Option<Vec<bool>> = None;
        if let Some(list) = &g.venues {
            let key = format!("groups.{name}.venues");
            if list.is_empty() {
                return Err(KeyError::new(
                    key,
                    "lists no venue; leave it out to allow every venue",
                ));
            }
            allowed = Some(venue_mask(list, venues, &key)?);
        }
        if let Some(class) = &g.latency_class {
            let mask = classes.get(class).ok_or_else(|| {
                let names: Vec<&str> = classes.keys().map(String::as_str).collect();
                let m = known::unknown(class, "a class of [latency_classes]", &names);
                KeyError::new(format!("groups.{name}.latency_class"), m)
            })?;
            let both: Vec<bool> = match &allowed {
                Some(a) => a.iter().zip(mask).map(|(x, y)| *x && *y).collect(),
                None => mask.clone(),
            };
            if !both.contains(&true) {
                let m =
                    format!("no venue of latency class \"{class}\" is among the group's venues");
                return Err(KeyError::new(format!("groups.{name}.latency_class"), m));
            }
            allowed = Some(both);
        }
        for (k, v) in [
            ("egress_gib_per_vm_month", g.egress_gib_per_vm_month),
            (
                "inter_region_gib_per_vm_month",
                g.inter_region_gib_per_vm_month,
            ),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(KeyError::new(
                    format!("groups.{name}.{k}"),
                    format!("{v} must be a finite number of GiB >= 0"),
                ));
            }
        }
        let sql = g
            .sql
            .as_deref()
            .map(|s| SqlEdition::find(&format!("groups.{name}.sql"), s))
            .transpose()?;
        let carried = Licences {
            windows: g.os == Os::Windows,
            sql,
        };
        let hybrid_benefit = brought(&name, g.hybrid_benefit.as_ref(), carried)?;
        let current = current(&name, &g, venues)?;
        out.insert(
            name,
            GroupPolicy {
                windows: carried.windows,
                sql,
                hybrid_benefit,
                purchase: g.purchase,
                egress_gib_per_vm_month: g.egress_gib_per_vm_month,
                inter_region_gib_per_vm_month: g.inter_region_gib_per_vm_month,
                spot_fallback: g.spot_fallback,
                spot_wait: g.spot_wait.unwrap_or(30 * MINUTE),
                allowed,
                current,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_group_gets_the_nearest_known_name() {
        // known::nearest's own tests cover the distance rule; here, the group's message.
        let known = ["web", "batch", "db"];
        let web = "webx".to_string();
        let err = check_known([&web], &known).unwrap_err();
        assert_eq!(
            err.to_string(),
            "key `groups.webx`: \"webx\" is not a group of the trace or of [[autoscale]]; did you mean \"web\"?"
        );
        let star = "*".to_string();
        assert!(check_known([&star], &known).is_ok());
        // A group absent from this trace, and no typo of one: allowed.
        let other = "archive".to_string();
        assert!(check_known([&other], &known).is_ok());
        // "webx" beside a [groups.web] table of its own is a second table, not a typo of it.
        let both = [web.clone(), "web".to_string()];
        assert!(check_known(both.iter(), &known).is_ok());
    }
}
