//! How often a host class fails and how long a repair takes: failures arrive at the annual
//! failure rate (exponential times between failures), repairs last a lognormal time around the
//! median repair time.

use super::check::Check;
use crate::error::InputError;
use crate::units::{SimTime, de_duration};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Failures {
    /// Failures per host per year (0.024 = 2.4 % AFR).
    pub afr: f64,
    /// Median time to repair.
    pub repair: SimTime,
    /// Standard deviation of ln(repair time).
    pub repair_sigma: f64,
}

impl Failures {
    /// Mean time between failures of one host, hours.
    pub fn mtbf_hours(&self) -> f64 {
        8_760.0 / self.afr
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFailures {
    afr_pct: f64,
    #[serde(deserialize_with = "de_duration")]
    repair: SimTime,
    #[serde(default = "default_sigma")]
    repair_sigma: f64,
}

pub fn default_sigma() -> f64 {
    0.3
}

impl RawFailures {
    pub fn validate(self, c: Check) -> Result<Failures, InputError> {
        check(c, self.afr_pct, self.repair, self.repair_sigma)
    }
}

/// Checks an annual failure rate in percent, a median repair time and its spread.
pub fn check(c: Check, afr_pct: f64, repair: SimTime, sigma: f64) -> Result<Failures, InputError> {
    // Up to 100 failures a host-year: far beyond real hardware, but useful for stress tests.
    c.range("afr_pct", afr_pct, 0.001, 10_000.0)?;
    if repair == 0 {
        return Err(c.err("repair", "must be longer than 0s"));
    }
    c.range("repair_sigma", sigma, 0.0, 3.0)?;
    Ok(Failures {
        afr: afr_pct / 100.0,
        repair,
        repair_sigma: sigma,
    })
}
