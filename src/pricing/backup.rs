//! A deduplicating backup service in a private cloud (as MSPs run for client sites) and the WAN
//! links that feed it: storage per TB-month of deduplicated data, a cap per store (more data
//! needs more stores), WAN links priced per Mbps-month with the product's link limits, initial
//! seeding by shipped drive, and a licence per protected server billed quarterly in arrears.
//!
//! The sizing model (`Sizing`) is documented in the README ("Backup"): retained logical data =
//! protected x (1 + daily change x (daily copies + 7 x weekly + 30 x monthly)), changed blocks
//! taken as distinct (an upper bound); stored = retained / (compression x deduplication), with
//! deduplication global across sites; each night a site sends protected x change rate /
//! (compression x deduplication) over its link.

use super::check::Check;
use crate::error::InputError;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub struct BackupBook {
    /// Deduplicated data one store may hold, TB.
    pub store_cap_tb: f64,
    pub stored_tb_month: f64,
    pub store_monthly: f64,
    pub licence_server_month: f64,
    /// Months per licence invoice (3: quarterly), paid at the end of the period.
    pub licence_period_months: u32,
    pub wan_mbps_month: f64,
    /// Link sizes on offer, Mbps, rising.
    pub link_sizes_mbps: Vec<f64>,
    pub max_rtt_ms: f64,
    pub max_loss_pct: f64,
    pub drive_tb: f64,
    pub drive_cost: f64,
    pub drive_days: f64,
}

/// What a site needs from the link: its round-trip time and loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkQuality {
    pub rtt_ms: f64,
    pub loss_pct: f64,
}

/// A site's link the backup product does not support.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinkError {
    #[error("round-trip time {rtt_ms} ms is above the {max} ms the backup product supports")]
    RoundTrip { rtt_ms: f64, max: f64 },
    #[error("packet loss {loss_pct} % is not under the {max} % the backup product supports")]
    Loss { loss_pct: f64, max: f64 },
}

impl BackupBook {
    /// Checks a link against the product's limits (round-trip time at most, loss under).
    pub fn check_link(&self, q: LinkQuality) -> Result<(), LinkError> {
        if q.rtt_ms > self.max_rtt_ms {
            return Err(LinkError::RoundTrip {
                rtt_ms: q.rtt_ms,
                max: self.max_rtt_ms,
            });
        }
        if q.loss_pct >= self.max_loss_pct {
            return Err(LinkError::Loss {
                loss_pct: q.loss_pct,
                max: self.max_loss_pct,
            });
        }
        Ok(())
    }

    /// Stores needed for `stored_tb` of deduplicated data.
    pub fn stores(&self, stored_tb: f64) -> u32 {
        ((stored_tb / self.store_cap_tb).ceil() as u32).max(1)
    }

    /// Drives to ship `tb` of (reduced) seed data, and their cost.
    pub fn seed_drives(&self, tb: f64) -> (u32, f64) {
        let drives = ((tb / self.drive_tb).ceil() as u32).max(1);
        (drives, f64::from(drives) * self.drive_cost)
    }

    /// The smallest link on offer of at least `mbps`.
    pub fn link_size_at_least(&self, mbps: f64) -> Option<f64> {
        self.link_sizes_mbps.iter().copied().find(|&s| s >= mbps)
    }
}

/// Hours to move `tb` terabytes (10^12 bytes) at `mbps` (10^6 bit/s).
pub fn transfer_hours(tb: f64, mbps: f64) -> f64 {
    tb * 8e12 / (mbps * 1e6) / 3_600.0
}

/// How data shrinks and grows: the scenario's backup policy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sizing {
    pub compression: f64,
    pub dedup: f64,
    /// Share of protected data changed per day.
    pub change_rate: f64,
    pub daily: u32,
    pub weekly: u32,
    pub monthly: u32,
}

impl Sizing {
    pub fn reduction(&self) -> f64 {
        self.compression * self.dedup
    }

    /// Logical TB retained for `protected_tb` (full copy plus retained changes).
    pub fn retained_tb(&self, protected_tb: f64) -> f64 {
        let change_days =
            f64::from(self.daily) + 7.0 * f64::from(self.weekly) + 30.0 * f64::from(self.monthly);
        protected_tb * (1.0 + self.change_rate * change_days)
    }

    /// TB stored after compression and deduplication.
    pub fn stored_tb(&self, protected_tb: f64) -> f64 {
        self.retained_tb(protected_tb) / self.reduction()
    }

    /// TB a site sends each night.
    pub fn nightly_tb(&self, protected_tb: f64) -> f64 {
        protected_tb * self.change_rate / self.reduction()
    }

    /// TB of the initial full copy after reduction.
    pub fn seed_tb(&self, protected_tb: f64) -> f64 {
        protected_tb / self.reduction()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBackup {
    store_cap_tb: f64,
    stored_tb_month: f64,
    #[serde(default)]
    store_monthly: f64,
    licence_server_month: f64,
    #[serde(default = "three")]
    licence_period_months: u32,
    wan_mbps_month: f64,
    link_sizes_mbps: Vec<f64>,
    max_rtt_ms: f64,
    max_loss_pct: f64,
    drive_tb: f64,
    drive_cost: f64,
    drive_days: f64,
}

fn three() -> u32 {
    3
}

impl RawBackup {
    pub(super) fn validate(self, path: &Path) -> Result<BackupBook, InputError> {
        let c = Check::new(path, "backup");
        c.positive("store_cap_tb", self.store_cap_tb)?;
        for (k, v) in [
            ("stored_tb_month", self.stored_tb_month),
            ("store_monthly", self.store_monthly),
            ("licence_server_month", self.licence_server_month),
            ("wan_mbps_month", self.wan_mbps_month),
            ("drive_cost", self.drive_cost),
        ] {
            c.price(k, v)?;
        }
        c.at_least("licence_period_months", self.licence_period_months, 1)?;
        if self.link_sizes_mbps.is_empty() {
            return Err(c.err("link_sizes_mbps", "needs at least one link size"));
        }
        for (i, pair) in self.link_sizes_mbps.windows(2).enumerate() {
            if pair[1] <= pair[0] {
                return Err(c.err(
                    "link_sizes_mbps",
                    format!(
                        "sizes must rise: {} follows {} (position {})",
                        pair[1],
                        pair[0],
                        i + 1
                    ),
                ));
            }
        }
        c.positive("link_sizes_mbps", self.link_sizes_mbps[0])?;
        Ok(BackupBook {
            store_cap_tb: self.store_cap_tb,
            stored_tb_month: self.stored_tb_month,
            store_monthly: self.store_monthly,
            licence_server_month: self.licence_server_month,
            licence_period_months: self.licence_period_months,
            wan_mbps_month: self.wan_mbps_month,
            link_sizes_mbps: self.link_sizes_mbps,
            max_rtt_ms: c.positive("max_rtt_ms", self.max_rtt_ms)?,
            max_loss_pct: c.range("max_loss_pct", self.max_loss_pct, 0.0, 100.0)?,
            drive_tb: c.positive("drive_tb", self.drive_tb)?,
            drive_cost: self.drive_cost,
            drive_days: c.positive("drive_days", self.drive_days)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizing_is_hand_checked() {
        let s = Sizing {
            compression: 2.0,
            dedup: 2.5,
            change_rate: 0.02,
            daily: 14,
            weekly: 4,
            monthly: 3,
        };
        // Change days: 14 + 7 x 4 + 30 x 3 = 132; retained = 10 x (1 + 0.02 x 132) = 36.4 TB.
        assert!((s.retained_tb(10.0) - 36.4).abs() < 1e-9);
        // Stored = 36.4 / (2 x 2.5) = 7.28 TB; nightly = 10 x 0.02 / 5 = 0.04 TB; seed = 2 TB.
        assert!((s.stored_tb(10.0) - 7.28).abs() < 1e-9);
        assert!((s.nightly_tb(10.0) - 0.04).abs() < 1e-12);
        assert!((s.seed_tb(10.0) - 2.0).abs() < 1e-12);
        // 0.04 TB = 3.2e11 bit at 100 Mbps = 3,200 s = 0.8889 h.
        assert!((transfer_hours(0.04, 100.0) - 3_200.0 / 3_600.0).abs() < 1e-12);
    }

    #[test]
    fn stores_links_and_drives() {
        let b = BackupBook {
            store_cap_tb: 64.0,
            stored_tb_month: 20.0,
            store_monthly: 0.0,
            licence_server_month: 5.0,
            licence_period_months: 3,
            wan_mbps_month: 3.0,
            link_sizes_mbps: vec![50.0, 100.0, 200.0],
            max_rtt_ms: 250.0,
            max_loss_pct: 1.0,
            drive_tb: 40.0,
            drive_cost: 300.0,
            drive_days: 7.0,
        };
        // 64 TB fits one store; 64.1 TB needs two.
        assert_eq!((b.stores(64.0), b.stores(64.1), b.stores(0.0)), (1, 2, 1));
        assert_eq!(b.seed_drives(85.0), (3, 900.0)); // ceil(85 / 40) = 3 drives x 300
        assert_eq!(b.link_size_at_least(120.0), Some(200.0));
        assert!(
            b.check_link(LinkQuality {
                rtt_ms: 250.0,
                loss_pct: 0.5
            })
            .is_ok()
        );
        let far = LinkQuality {
            rtt_ms: 251.0,
            loss_pct: 0.5,
        };
        assert_eq!(
            b.check_link(far),
            Err(LinkError::RoundTrip {
                rtt_ms: 251.0,
                max: 250.0
            })
        );
        let lossy = LinkQuality {
            rtt_ms: 20.0,
            loss_pct: 1.0,
        };
        assert_eq!(
            b.check_link(lossy).unwrap_err().to_string(),
            "packet loss 1 % is not under the 1 % the backup product supports"
        );
    }
}
