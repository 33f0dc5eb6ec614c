//! Owned capacity that changes by date: `[[capacity]]` puts more hosts (private) or scale units
//! (HCI) in service on a date (or fewer: the VMs on the hosts taken out move elsewhere), and
//! `[[growth]]` adds a block whenever the site is forecast to be nearly full a purchase lead
//! time ahead, in service after that lead time.
//! Hosts are billed from the day they enter service to the day they leave it.
//!
//! ```toml
//! [[capacity]]
//! venue = "dc"; at = "2027-03-01"; hosts = 8       # HCI: units = 3 (whole units of `nodes`)
//! [[growth]]
//! venue = "dc"; block = 2; threshold_pct = 80; lead_time = "60d"; max = 16
//! ```

use super::money::Frame;
use super::timeline;
use super::{VenueSize, limits};
use crate::error::KeyError;
use crate::units::{DAY, SimTime, de_duration, de_opt_duration};
use serde::Deserialize;

/// The capacity plan of one private or HCI venue.
#[derive(Debug, Clone, PartialEq)]
pub struct VenueCapacity {
    pub venue: usize,
    /// (in service from, hosts or units in service), in time order, each larger than the last.
    pub changes: Vec<(SimTime, u32)>,
    pub growth: Option<Growth>,
}

impl VenueCapacity {
    /// The most hosts (private) or units (HCI) the venue can ever have in service.
    pub fn most(&self) -> u32 {
        let dated = self.changes.iter().map(|c| c.1).max().unwrap_or(0);
        dated.max(self.growth.as_ref().map_or(0, |g| g.max))
    }
}

/// "Block by block": at a step boundary where the allocated vCPUs or memory, forecast
/// `lead_time` ahead, exceed `threshold` of what is in service, `block` more hosts or units are
/// ordered and enter service `lead_time` later (one order at a time), up to `max`. The forecast
/// is today's peak allocation plus the rising trend (least squares) of the daily peaks over
/// `forecast_window`.
#[derive(Debug, Clone, PartialEq)]
pub struct Growth {
    pub block: u32,
    pub threshold: f64,
    pub lead_time: SimTime,
    pub max: u32,
    pub forecast_window: SimTime,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChange {
    venue: String,
    at: String,
    hosts: Option<u32>,
    units: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGrowth {
    venue: String,
    block: u32,
    threshold_pct: f64,
    #[serde(deserialize_with = "de_duration")]
    lead_time: SimTime,
    max: u32,
    #[serde(default, deserialize_with = "de_opt_duration")]
    forecast_window: Option<SimTime>,
}

/// The plan file's `[[capacity]]` rows (the optimizer's sizing per year) in place of the
/// scenario's dated rows and growth rule for each venue they name: the plan decides what is in
/// service and when (a row that leaves the count as it was changes nothing).
pub fn follow_plan(
    capacity: &mut Vec<VenueCapacity>,
    plan: &super::Plan,
    failures: bool,
) -> Result<(), KeyError> {
    if failures && !plan.capacity.is_empty() {
        let m = "the plan sizes venues by date, and host failures and dated capacity cannot be simulated together yet (the scenario has failures = true)";
        return Err(KeyError::new("capacity", m));
    }
    merge_plan(capacity, plan);
    Ok(())
}

/// `follow_plan` without its check (for a plan the optimizer wrote, which never sizes by date
/// a scenario with host failures).
pub fn merge_plan(capacity: &mut Vec<VenueCapacity>, plan: &super::Plan) {
    let mut venues: Vec<usize> = plan.capacity.iter().map(|c| c.venue).collect();
    venues.sort_unstable();
    venues.dedup();
    for v in venues {
        capacity.retain(|c| c.venue != v);
        capacity.push(VenueCapacity {
            venue: v,
            changes: plan
                .capacity
                .iter()
                .filter(|c| c.venue == v)
                .map(|c| (c.at, c.count))
                .collect(),
            growth: None,
        });
    }
    capacity.sort_by_key(|c| c.venue);
}

/// The forecast window when a growth rule gives none (longer than the horizon is harmless).
pub const DEFAULT_FORECAST_WINDOW: SimTime = 30 * DAY;

/// What the venue counts (hosts or units), its count at the start and its limit.
fn counted(f: &Frame, key: &str, v: usize) -> Result<(&'static str, u32, u32), KeyError> {
    match f.venues[v].size {
        VenueSize::Hosts(h) => Ok(("hosts", h, limits::MAX_HOSTS)),
        VenueSize::Hci { units, .. } => Ok(("units", units, limits::MAX_HCI_UNITS)),
        VenueSize::Public => Err(KeyError::new(
            key,
            format!(
                "\"{}\" is a public venue; capacity changes apply to private and HCI venues",
                f.venues[v].name
            ),
        )),
    }
}

/// The `[[capacity]]` and `[[growth]]` tables, grouped by venue in scenario order.
pub(super) fn validate(
    changes: Vec<RawChange>,
    growth: Vec<RawGrowth>,
    f: &Frame,
    failures: bool,
) -> Result<Vec<VenueCapacity>, KeyError> {
    limits::at_most(
        "capacity".into(),
        changes.len(),
        timeline::MAX_CAPACITY_CHANGES,
    )?;
    let mut out: Vec<VenueCapacity> = Vec::new();
    let entry = |out: &mut Vec<VenueCapacity>, v: usize| -> usize {
        out.iter().position(|c| c.venue == v).unwrap_or_else(|| {
            out.push(VenueCapacity {
                venue: v,
                changes: Vec::new(),
                growth: None,
            });
            out.len() - 1
        })
    };
    for (i, c) in changes.into_iter().enumerate() {
        let key = |k: &str| format!("capacity[{i}].{k}");
        let v = f.venue(&key("venue"), &c.venue)?;
        let (what, initial, limit) = counted(f, &key("venue"), v)?;
        let count = match (what, c.hosts, c.units) {
            ("hosts", Some(h), None) => h,
            ("units", None, Some(u)) => u,
            _ => {
                let m = format!(
                    "\"{}\" counts {what}: give `{what} = N` (and only that)",
                    c.venue
                );
                return Err(KeyError::new(key(what), m));
            }
        };
        limits::at_most(key(what), count, limit)?;
        let at = f.at(&key("at"), &c.at)?;
        let k = entry(&mut out, v);
        let (last_at, last) = out[k].changes.last().copied().unwrap_or((0, initial));
        if count == last || (at <= last_at && !out[k].changes.is_empty()) {
            let m = format!(
                "{count} {what} at {}s must come after the change before it and differ from its {last} (list changes in date order)",
                at
            );
            return Err(KeyError::new(key(what), m));
        }
        out[k].changes.push((at, count));
    }
    for (i, g) in growth.into_iter().enumerate() {
        let key = |k: &str| format!("growth[{i}].{k}");
        let v = f.venue(&key("venue"), &g.venue)?;
        let (what, initial, limit) = counted(f, &key("venue"), v)?;
        let k = entry(&mut out, v);
        if out[k].growth.is_some() {
            let m = format!("\"{}\" already has a growth rule", g.venue);
            return Err(KeyError::new(key("venue"), m));
        }
        limits::at_most(key("max"), g.max, limit)?;
        let most = out[k].changes.last().map_or(initial, |c| c.1);
        if g.block == 0 || g.max <= most {
            let m = format!(
                "block {} and max {} {what}: block must be at least 1 and max more than the {most} {what} otherwise in service",
                g.block, g.max
            );
            return Err(KeyError::new(key("max"), m));
        }
        if g.lead_time >= f.horizon {
            let m = format!("{}s must be shorter than the horizon", g.lead_time);
            return Err(KeyError::new(key("lead_time"), m));
        }
        let forecast_window = g.forecast_window.unwrap_or(DEFAULT_FORECAST_WINDOW);
        if g.forecast_window.is_some() && !(DAY..=f.horizon.max(DAY)).contains(&forecast_window) {
            let m =
                format!("{forecast_window}s must be at least a day (1d) and at most the horizon");
            return Err(KeyError::new(key("forecast_window"), m));
        }
        out[k].growth = Some(Growth {
            forecast_window,
            block: g.block,
            threshold: timeline::within(&key("threshold_pct"), g.threshold_pct, 1.0, 100.0)?
                / 100.0,
            lead_time: g.lead_time,
            max: g.max,
        });
    }
    if failures && let Some(c) = out.first() {
        let m = format!(
            "is true, but venue \"{}\" changes capacity by date; host failures and dated capacity cannot be simulated together yet",
            f.venues[c.venue].name
        );
        return Err(KeyError::new("failures", m));
    }
    out.sort_by_key(|c| c.venue);
    Ok(out)
}
