//! The `[rightsize]` table: fit each VM to the cheapest instance type of a public venue that
//! covers its P-th percentile CPU and memory plus headroom, before the run.

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
        if venues[venue].public().is_none() {
            let m = format!(
                "\"{}\" is not a public venue; right-sizing fits VMs to a public book's instance types",
                self.venue
            );
            return Err(KeyError::new("rightsize.venue", m));
        }
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
        })
    }
}
