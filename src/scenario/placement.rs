//! The placement policy and its settings: `policy = ...` and the optional `[placement]` table
//! (`min_stay` for private-first, `plan` for plan-driven placement), and plan files.

use super::venues::Venue;
use crate::error::{Error, InputError, KeyError, read_input};
use crate::units::{HOUR, SimTime, de_duration, de_opt_duration};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How the simulator chooses a venue (and a host) for each arriving VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// The first venue, in scenario order, that can hold the VM; the lowest-numbered host.
    FirstFit,
    /// The first venue that can hold the VM; within a site the host left with the least free
    /// memory (packing hosts tightly).
    BestFit,
    /// The venue with the lowest marginal cost per hour (cheapest-feasible): a private host or
    /// HCI node already paid for costs nothing more (an HCI platform's consumption price
    /// apart); a public venue costs its right-sized instance (nothing while a reservation is
    /// free) plus storage and network. Ties go to the earlier venue.
    Cheapest,
    /// Private and HCI venues first (in scenario order); when they are full, the cheapest
    /// public venue. A burst VM returns to a private venue when room frees up, after at least
    /// `min_stay` on the public venue.
    PrivateFirst,
    /// Follows a plan file: per group, an order of venues or shares across venues.
    Plan,
}

impl Policy {
    pub fn name(self) -> &'static str {
        match self {
            Policy::FirstFit => "first-fit",
            Policy::BestFit => "best-fit",
            Policy::Cheapest => "cheapest",
            Policy::PrivateFirst => "private-first",
            Policy::Plan => "plan",
        }
    }
}

/// Where one group's VMs go.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanRule {
    /// Venues by index, tried in this order.
    Order(Vec<usize>),
    /// Venues by index with the share of the group's VMs each should get (summing to 1).
    Shares(Vec<(usize, f64)>),
}

/// A placement plan: a rule per group; "*" for the groups not named.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub path: PathBuf,
    pub groups: BTreeMap<String, PlanRule>,
    /// `return_after`: a VM on a public venue moves back to owned capacity once it has stayed
    /// this long and room frees up (as private-first does); only when every rule is an order.
    pub return_after: Option<SimTime>,
    /// `[[capacity]]`: hosts (private) or units (HCI) in service from a time on, per venue in
    /// time order, as the optimizer sizes each year; they replace the venue's own `[[capacity]]`
    /// rows and `[[growth]]` rule in the simulation.
    pub capacity: Vec<PlanCapacity>,
}

/// A venue's hosts or units in service from `at` on (seconds from the start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanCapacity {
    pub venue: usize,
    pub at: SimTime,
    pub count: u32,
}

impl Plan {
    pub fn rule(&self, group: &str) -> Option<&PlanRule> {
        self.groups.get(group).or_else(|| self.groups.get("*"))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlacement {
    #[serde(default, deserialize_with = "de_opt_duration")]
    min_stay: Option<SimTime>,
    plan: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    groups: BTreeMap<String, RawRule>,
    #[serde(default, deserialize_with = "de_opt_duration")]
    return_after: Option<SimTime>,
    #[serde(default)]
    capacity: Vec<RawPlanCapacity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlanCapacity {
    venue: String,
    #[serde(deserialize_with = "de_duration")]
    at: SimTime,
    hosts: Option<u32>,
    units: Option<u32>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRule {
    Order(Vec<String>),
    Shares(BTreeMap<String, f64>),
}

/// Checks the policy's settings; loads and checks the plan file.
pub(super) fn validate(
    policy: Policy,
    raw: Option<RawPlacement>,
    (base, files): (&Path, &super::Files),
    venues: &[Venue],
    (scenario, horizon): (&Path, SimTime),
) -> Result<(SimTime, Option<Plan>), Error> {
    let bad = |k: &str, m: String| -> Error { InputError::key(scenario, k, m).into() };
    let raw = raw.unwrap_or(RawPlacement {
        min_stay: None,
        plan: None,
    });
    if raw.min_stay.is_some() && policy != Policy::PrivateFirst {
        return Err(bad(
            "placement.min_stay",
            format!(
                "applies only to policy private-first, not {}",
                policy.name()
            ),
        ));
    }
    let plan = match (policy, raw.plan) {
        (Policy::Plan, Some(p)) => {
            let path = base.join(p);
            Some(parse_plan(&files.text(&path)?, &path, venues, horizon)?)
        }
        (Policy::Plan, None) => {
            return Err(bad(
                "placement.plan",
                "policy plan needs plan = \"<plan file>\"".into(),
            ));
        }
        (_, Some(_)) => {
            return Err(bad(
                "placement.plan",
                format!("applies only to policy plan, not {}", policy.name()),
            ));
        }
        (_, None) => None,
    };
    Ok((raw.min_stay.unwrap_or(HOUR), plan))
}

/// Reads a plan file against the scenario's venues and horizon.
pub fn load_plan(path: &Path, venues: &[Venue], horizon: SimTime) -> Result<Plan, Error> {
    parse_plan(&read_input(path)?, path, venues, horizon)
}

/// A plan file's text (read from `path`) against the scenario's venues and horizon.
fn parse_plan(text: &str, path: &Path, venues: &[Venue], horizon: SimTime) -> Result<Plan, Error> {
    let raw: RawPlan = toml::from_str(text).map_err(|e| InputError::from_toml(path, text, &e))?;
    let bad = |k: String, m: String| -> Error { InputError::key(path, k, m).into() };
    if let Some(secs) = raw.return_after {
        let max = super::limits::MAX_RETURN_AFTER;
        super::limits::duration_at_most("return_after".into(), secs, max)
            .map_err(|e| e.in_file(path))?;
    }
    let names: Vec<&str> = venues.iter().map(|v| v.name.as_str()).collect();
    let venue = |group: &str, name: &str| -> Result<usize, Error> {
        let e = |e: KeyError| -> Error { e.in_file(path).into() };
        crate::known::find(
            &format!("groups.{group}"),
            name,
            "a venue of the scenario",
            &names,
        )
        .map_err(e)
    };
    let mut groups = BTreeMap::new();
    for (group, rule) in raw.groups {
        let rule = match rule {
            RawRule::Order(names) if !names.is_empty() => PlanRule::Order(
                names
                    .iter()
                    .map(|n| venue(&group, n))
                    .collect::<Result<_, _>>()?,
            ),
            RawRule::Order(_) => {
                return Err(bad(format!("groups.{group}"), "names no venue".into()));
            }
            RawRule::Shares(shares) => {
                let mut out = Vec::with_capacity(shares.len());
                for (name, share) in &shares {
                    if !(share.is_finite() && *share >= 0.0) {
                        return Err(bad(
                            format!("groups.{group}.{name}"),
                            format!("share {share} must be >= 0"),
                        ));
                    }
                    out.push((venue(&group, name)?, *share));
                }
                let sum: f64 = out.iter().map(|s| s.1).sum();
                if (sum - 1.0).abs() > 1e-6 {
                    return Err(bad(
                        format!("groups.{group}"),
                        format!("shares add up to {sum}; they must add up to 1"),
                    ));
                }
                // Scenario order, so ties are broken the same way every run.
                out.sort_by_key(|s| s.0);
                PlanRule::Shares(out)
            }
        };
        groups.insert(group, rule);
    }
    if raw.return_after.is_some() && groups.values().any(|r| matches!(r, PlanRule::Shares(_))) {
        let msg = "applies only when every group has an order of venues, not shares";
        return Err(bad("return_after".into(), msg.into()));
    }
    let capacity = plan_capacity(raw.capacity, venues, horizon).map_err(|e| e.in_file(path))?;
    Ok(Plan {
        path: path.to_path_buf(),
        groups,
        return_after: raw.return_after,
        capacity,
    })
}

/// A plan file's `[[capacity]]` rows: a private venue counts `hosts`, an HCI venue `units`;
/// each inside the horizon, after the venue's row before it, within the limits of the venue's
/// own counts.
fn plan_capacity(
    raw: Vec<RawPlanCapacity>,
    venues: &[Venue],
    horizon: SimTime,
) -> Result<Vec<PlanCapacity>, KeyError> {
    use super::{VenueSize, limits, timeline};
    limits::at_most("capacity".into(), raw.len(), timeline::MAX_CAPACITY_CHANGES)?;
    let mut out: Vec<PlanCapacity> = Vec::with_capacity(raw.len());
    for (i, c) in raw.into_iter().enumerate() {
        let key = |k: &str| format!("capacity[{i}].{k}");
        let v = venues
            .iter()
            .position(|v| v.name == c.venue)
            .ok_or_else(|| {
                KeyError::new(
                    key("venue"),
                    format!("\"{}\" is not a venue of the scenario", c.venue),
                )
            })?;
        // What the venue counts, its limit, and the count given (only that key).
        let (what, limit, given) = match venues[v].size {
            VenueSize::Hosts(_) => (
                "hosts",
                limits::MAX_HOSTS,
                c.hosts.filter(|_| c.units.is_none()),
            ),
            VenueSize::Hci { .. } => (
                "units",
                limits::MAX_HCI_UNITS,
                c.units.filter(|_| c.hosts.is_none()),
            ),
            VenueSize::Public => {
                let m = format!(
                    "\"{}\" is a public venue; capacity applies to private and HCI venues",
                    c.venue
                );
                return Err(KeyError::new(key("venue"), m));
            }
        };
        let Some(given) = given else {
            let m = format!(
                "\"{}\" counts {what}: give `{what} = N` (and only that)",
                c.venue
            );
            return Err(KeyError::new(key(what), m));
        };
        limits::at_most(key(what), given, limit)?;
        if c.at == 0 || c.at >= horizon {
            let m = format!(
                "{}s must be after the start and before the end of the horizon ({horizon}s)",
                c.at
            );
            return Err(KeyError::new(key("at"), m));
        }
        if let Some(last) = out.iter().rev().find(|p| p.venue == v)
            && last.at >= c.at
        {
            let m = format!(
                "{}s must come after the venue's row before it ({}s): list rows in time order",
                c.at, last.at
            );
            return Err(KeyError::new(key("at"), m));
        }
        out.push(PlanCapacity {
            venue: v,
            at: c.at,
            count: given,
        });
    }
    Ok(out)
}
