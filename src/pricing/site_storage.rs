//! A private site's shared storage (Ceph, vSAN, a RAID set per host): raw capacity per host and
//! how it is protected, giving the usable capacity that the site's VM disks must fit in.

use super::check::Check;
use crate::error::InputError;
use serde::Deserialize;

/// GiB in one (decimal) TB, as drives are sold: 10^12 / 2^30.
pub const GIB_PER_TB: f64 = 1e12 / 1_073_741_824.0;

/// How copies or parity eat raw capacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Protection {
    /// N full copies (Ceph replicated pools, vSAN mirroring: FTT=1 is 2 copies).
    Replicas(u32),
    /// One parity drive per set of `drives`.
    Raid5 { drives: u32 },
    /// Two parity drives per set of `drives`.
    Raid6 { drives: u32 },
}

impl Protection {
    /// The share of raw capacity left for data.
    pub fn efficiency(self) -> f64 {
        match self {
            Protection::Replicas(n) => 1.0 / f64::from(n),
            Protection::Raid5 { drives } => f64::from(drives - 1) / f64::from(drives),
            Protection::Raid6 { drives } => f64::from(drives - 2) / f64::from(drives),
        }
    }
}

/// `[private.storage]`, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteStorage {
    pub raw_tb_per_host: f64,
    pub protection: Protection,
    /// The share of usable capacity that may be filled (Ceph warns at 0.85 "near full").
    pub max_fill: f64,
}

impl SiteStorage {
    /// Usable GiB of `hosts` hosts: raw x protection efficiency x max fill.
    pub fn usable_gib(&self, hosts: u32) -> f64 {
        f64::from(hosts)
            * self.raw_tb_per_host
            * GIB_PER_TB
            * self.protection.efficiency()
            * self.max_fill
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSiteStorage {
    raw_tb_per_host: f64,
    protection: String,
    drives_per_host: Option<u32>,
    max_fill: Option<f64>,
}

impl RawSiteStorage {
    pub(super) fn validate(self, c: Check) -> Result<SiteStorage, InputError> {
        let raw_tb_per_host = c.positive("raw_tb_per_host", self.raw_tb_per_host)?;
        let expected = "expected replicas-N (e.g. replicas-3 for Ceph, replicas-2 for vSAN FTT=1 mirroring), raid1, raid10, raid5 or raid6";
        let drives = |min: u32| match self.drives_per_host {
            Some(d) if d >= min => Ok(d),
            Some(d) => Err(c.err(
                "drives_per_host",
                format!("{d} is too few for {}: at least {min}", self.protection),
            )),
            None => Err(c.err(
                "drives_per_host",
                format!(
                    "missing: {} needs the drives in each host's set",
                    self.protection
                ),
            )),
        };
        let protection = match self.protection.as_str() {
            "raid1" | "raid10" => Protection::Replicas(2),
            "raid5" => Protection::Raid5 { drives: drives(3)? },
            "raid6" => Protection::Raid6 { drives: drives(4)? },
            p => match p.strip_prefix("replicas-").map(str::parse::<u32>) {
                Some(Ok(n)) if (1..=10).contains(&n) => Protection::Replicas(n),
                _ => {
                    let msg = format!("\"{p}\" is not a protection scheme; {expected}");
                    return Err(c.err("protection", msg));
                }
            },
        };
        let max_fill = c.range("max_fill", self.max_fill.unwrap_or(1.0), 0.01, 1.0)?;
        Ok(SiteStorage {
            raw_tb_per_host,
            protection,
            max_fill,
        })
    }
}
