//! The `[rightsize]` table: fit each VM to the cheapest instance type of a public venue (or the
//! smallest flavour of a private OpenStack site's flavour list) that covers its P-th percentile
//! CPU and memory plus headroom, before the run.

use super::Venue;
use crate::error::KeyError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The headroom kept above the percentile when the scenario does not say: 20 %, a common
/// sizing margin for bursts above P95.
pub const DEFAULT_HEADROOM: f64 = 0.2;
pub const DEFAULT_PERCENTILE: f64 = 95.0;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRightsize {
    venue: String,
    percentile: Option<f64>,
    headroom: Option<f64>,
    perf: Option<PathBuf>,
    flavours: Option<Vec<Flavour>>,
}

/// The most flavours a list may hold: OpenStack clouds offer tens; each is tried for every VM.
pub const MAX_FLAVOURS: usize = 1_000;

/// A private site's flavour (an OpenStack VM size).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flavour {
    pub name: String,
    pub vcpus: u32,
    pub mem_gib: f64,
}

/// Right-sizing, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Rightsize {
    /// Position of the public venue whose instance types the VMs are fitted to.
    pub venue: usize,
    /// In (0, 100].
    pub percentile: f64,
    /// Share kept above the percentile, in [0, 10].
    pub headroom: f64,
    /// A per-VM percentile file; without it, the trace's usage series (if any).
    pub perf: Option<PathBuf>,
    /// A private venue's flavour list (empty for a public venue, whose book's instance types
    /// are the sizes).
    pub flavours: Vec<Flavour>,
}

impl RawRightsize {
    pub(super) fn validate(self, base: &Path, venues: &[Venue]) -> Result<Rightsize, KeyError> {
        let names: Vec<&str> = venues.iter().map(|v| v.name.as_str()).collect();
        let venue = crate::known::find(
            "rightsize.venue",
            &self.venue,
            "a venue of this scenario",
            &names,
        )?;
        let v = &venues[venue];
        let flavours = match (v.public(), v.private(), self.flavours) {
            (Some(_), _, None) => Vec::new(),
            (Some(_), _, Some(_)) => {
                let m = format!(
                    "\"{}\" is a public venue: its book's instance types are the sizes; flavours are for a private site",
                    self.venue
                );
                return Err(KeyError::new("rightsize.flavours", m));
            }
            (None, Some(_), Some(list)) => check_flavours(list)?,
            (None, Some(_), None) => {
                let m = format!(
                    "\"{}\" is a private site: give its flavour list, e.g. flavours = [{{ name = \"m1.small\", vcpus = 1, mem_gib = 2 }}]",
                    self.venue
                );
                return Err(KeyError::new("rightsize.flavours", m));
            }
            (None, None, _) => {
                let m = format!(
                    "\"{}\" is neither a public venue nor a private site; right-sizing fits VMs to instance types or flavours",
                    self.venue
                );
                return Err(KeyError::new("rightsize.venue", m));
            }
        };
        let percentile = self.percentile.unwrap_or(DEFAULT_PERCENTILE);
        if !(percentile > 0.0 && percentile <= 100.0) {
            let m = format!("{percentile} is not a percentile in (0, 100], e.g. 95");
            return Err(KeyError::new("rightsize.percentile", m));
        }
        let headroom = self.headroom.unwrap_or(DEFAULT_HEADROOM);
        if !(0.0..=10.0).contains(&headroom) {
            let m = format!("{headroom} is not a share in 0..=10, e.g. 0.2 for 20 %");
            return Err(KeyError::new("rightsize.headroom", m));
        }
        Ok(Rightsize {
            venue,
            percentile,
            headroom,
            perf: self.perf.map(|p| base.join(p)),
            flavours,
        })
    }
}

/// A flavour list: 1 to `MAX_FLAVOURS` entries with unique names, whole vCPUs of 1 to 10,000
/// and memory over 0 up to 1,000,000 GiB (the bounds of a VM, README "Limits").
fn check_flavours(list: Vec<Flavour>) -> Result<Vec<Flavour>, KeyError> {
    if list.is_empty() || list.len() > MAX_FLAVOURS {
        let m = format!(
            "{} flavours; expected 1 to {MAX_FLAVOURS} (README, \"Limits\")",
            list.len()
        );
        return Err(KeyError::new("rightsize.flavours", m));
    }
    for (i, f) in list.iter().enumerate() {
        let key = |k: &str| format!("rightsize.flavours[{i}].{k}");
        if f.name.trim().is_empty() || list[..i].iter().any(|o| o.name == f.name) {
            let m = format!("\"{}\" must be non-empty and unique", f.name);
            return Err(KeyError::new(key("name"), m));
        }
        if !(1..=10_000).contains(&f.vcpus) {
            let m = format!("{} is not a vCPU count in 1..=10000", f.vcpus);
            return Err(KeyError::new(key("vcpus"), m));
        }
        if !(f.mem_gib.is_finite() && f.mem_gib > 0.0 && f.mem_gib <= 1e6) {
            let m = format!("{} is not a size in GiB over 0 up to 1000000", f.mem_gib);
            return Err(KeyError::new(key("mem_gib"), m));
        }
    }
    Ok(list)
}
