//! The scenario's `[backup]` section: which backup service, the data's reduction and change, the
//! retention, how sites are seeded and the client sites with their links.

use super::limits;
use crate::error::KeyError;
use crate::pricing::{BackupBook, Book, BookKind, LinkError, LinkQuality, Sizing};
use crate::units::{DAY, HOUR, SimTime, de_opt_duration};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct BackupPlan {
    /// Names the backup service in outputs (it is billed like a venue).
    pub name: String,
    pub book: Book,
    pub service: BackupBook,
    /// Multiplier from the book's currency to the scenario's.
    pub rate: f64,
    pub sizing: Sizing,
    pub seeding: Seeding,
    pub sites: Vec<BackupSite>,
    /// The nightly backup window: it opens at this time of day and lasts `window`.
    pub window_start: SimTime,
    pub window: SimTime,
    /// Recovery point objective: the newest backup may be at most this old.
    pub rpo: SimTime,
    /// The backup target's shared ingress, Mbps (none: only the sites' links limit).
    pub target_ingress_mbps: Option<f64>,
    /// How long seeding may take at most, for the optimizer's link choice (none: the horizon).
    pub seed_within: Option<SimTime>,
}

impl BackupPlan {
    pub fn protected_tb(&self) -> f64 {
        self.sites.iter().map(|s| s.protected_tb).sum()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Seeding {
    /// Shipped transfer drives.
    Drive,
    /// The first full copy over the WAN link.
    Wan,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BackupSite {
    pub name: String,
    pub protected_tb: f64,
    pub servers: u32,
    pub link_mbps: f64,
    pub quality: LinkQuality,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBackup {
    pub name: String,
    pub book: std::path::PathBuf,
    compression: f64,
    dedup: f64,
    change_rate: f64,
    retention_daily: u32,
    #[serde(default)]
    retention_weekly: u32,
    #[serde(default)]
    retention_monthly: u32,
    seeding: Seeding,
    #[serde(default, deserialize_with = "de_opt_duration")]
    window_start: Option<SimTime>,
    #[serde(default, deserialize_with = "de_opt_duration")]
    window: Option<SimTime>,
    #[serde(default, deserialize_with = "de_opt_duration")]
    rpo: Option<SimTime>,
    target_ingress_mbps: Option<f64>,
    #[serde(default, deserialize_with = "de_opt_duration")]
    seed_within: Option<SimTime>,
    /// The `inventory.csv` of `trace import`, for sites' `protected_groups`.
    pub inventory: Option<std::path::PathBuf>,
    sites: Vec<RawSite>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    name: String,
    /// The data protected, typed; or `protected_groups` to take it from the inventory.
    protected_tb: Option<f64>,
    protected_groups: Option<Vec<String>>,
    servers: u32,
    link_mbps: f64,
    rtt_ms: f64,
    loss_pct: f64,
}

impl RawBackup {
    /// Validates everything but the book (loaded by the caller); `used` is the used GiB per
    /// group of the `inventory` file, when the section names one.
    pub(super) fn validate(
        self,
        book: Book,
        rate: f64,
        used: Option<&BTreeMap<String, f64>>,
    ) -> Result<BackupPlan, KeyError> {
        let err = |k: &str, m: String| KeyError::new(format!("backup.{k}"), m);
        let service = match &book.kind {
            BookKind::Backup(b) => b.clone(),
            other => {
                return Err(err(
                    "book",
                    format!(
                        "{} is a {} book; expected a [backup] book",
                        book.path.display(),
                        other.name()
                    ),
                ));
            }
        };
        if self.name.trim().is_empty() {
            return Err(err("name", "must not be empty".into()));
        }
        for (k, v) in [("compression", self.compression), ("dedup", self.dedup)] {
            if !(v.is_finite() && v >= 1.0) {
                return Err(err(
                    k,
                    format!("{v} must be a ratio >= 1 (2.0 halves the data)"),
                ));
            }
        }
        if !(self.change_rate.is_finite() && (0.0..=1.0).contains(&self.change_rate)) {
            return Err(err(
                "change_rate",
                format!(
                    "{} must be a daily share in 0..=1 (0.02 = 2 % a day)",
                    self.change_rate
                ),
            ));
        }
        if self.sites.is_empty() {
            return Err(err("sites", "needs at least one [[backup.sites]]".into()));
        }
        let sites = validate_sites(self.sites, &service, used)?;
        let window_start = self.window_start.unwrap_or(22 * HOUR);
        if window_start >= DAY {
            return Err(err(
                "window_start",
                format!("{window_start}s must be a time of day under 24h, e.g. \"22h\""),
            ));
        }
        let window = self.window.unwrap_or(8 * HOUR);
        if window == 0 || window > DAY {
            return Err(err(
                "window",
                format!("{window}s must be between 1s and 24h"),
            ));
        }
        let rpo = self.rpo.unwrap_or(26 * HOUR);
        if rpo == 0 {
            return Err(err("rpo", "must be longer than 0s".into()));
        }
        if let Some(m) = self.target_ingress_mbps
            && !(m.is_finite() && m > 0.0)
        {
            return Err(err(
                "target_ingress_mbps",
                format!("{m} must be a finite number > 0"),
            ));
        }
        Ok(BackupPlan {
            window_start,
            window,
            rpo,
            target_ingress_mbps: self.target_ingress_mbps,
            seed_within: self.seed_within,
            name: self.name,
            book,
            service,
            rate,
            sizing: Sizing {
                compression: self.compression,
                dedup: self.dedup,
                change_rate: self.change_rate,
                daily: self.retention_daily,
                weekly: self.retention_weekly,
                monthly: self.retention_monthly,
            },
            seeding: self.seeding,
            sites,
        })
    }
}

/// The client sites of `[[backup.sites]]`, each link checked against the service's limits.
fn validate_sites(
    raw: Vec<RawSite>,
    service: &BackupBook,
    used: Option<&BTreeMap<String, f64>>,
) -> Result<Vec<BackupSite>, KeyError> {
    let mut sites: Vec<BackupSite> = Vec::with_capacity(raw.len());
    for (i, s) in raw.into_iter().enumerate() {
        let err = |f: &str, m: String| KeyError::new(format!("backup.sites[{i}].{f}"), m);
        if s.name.trim().is_empty() || sites.iter().any(|o| o.name == s.name) {
            return Err(err(
                "name",
                format!("\"{}\" must be non-empty and unique", s.name),
            ));
        }
        let protected_tb = match (s.protected_tb, &s.protected_groups) {
            (Some(tb), None) => tb,
            (None, Some(groups)) => {
                protected_from(groups, used, format!("backup.sites[{i}].protected_groups"))?
            }
            (Some(_), Some(_)) => {
                let m = "give protected_tb or protected_groups, not both".to_string();
                return Err(err("protected_groups", m));
            }
            (None, None) => {
                let m = "missing: give protected_tb (TB) or protected_groups (their used disks in [backup] inventory)".to_string();
                return Err(err("protected_tb", m));
            }
        };
        for (k, v) in [("protected_tb", protected_tb), ("link_mbps", s.link_mbps)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(err(k, format!("{v} must be a finite number > 0")));
            }
        }
        let key = format!("backup.sites[{i}].protected_tb");
        limits::at_most(key, protected_tb, limits::MAX_PROTECTED_TB)?;
        for (k, v) in [("rtt_ms", s.rtt_ms), ("loss_pct", s.loss_pct)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(err(k, format!("{v} must be a finite number >= 0")));
            }
        }
        let quality = LinkQuality {
            rtt_ms: s.rtt_ms,
            loss_pct: s.loss_pct,
        };
        service.check_link(quality).map_err(|m| {
            let key = match m {
                LinkError::RoundTrip { .. } => "rtt_ms",
                LinkError::Loss { .. } => "loss_pct",
            };
            err(key, format!("site \"{}\": {m}", s.name))
        })?;
        sites.push(BackupSite {
            name: s.name,
            protected_tb,
            servers: s.servers,
            link_mbps: s.link_mbps,
            quality,
        });
    }
    Ok(sites)
}

/// The protected TB of `groups`: the used GiB of their VMs in the inventory, in decimal TB (as
/// backup products and their prices count them).
fn protected_from(
    groups: &[String],
    used: Option<&BTreeMap<String, f64>>,
    key: String,
) -> Result<f64, KeyError> {
    let err = |m: String| KeyError::new(key.clone(), m);
    let Some(used) = used else {
        return Err(err("needs [backup] inventory = \"<folder>/inventory.csv\" (written by `trace import`) to take the groups' disks from".into()));
    };
    if groups.is_empty() {
        return Err(err("is empty: name at least one group".into()));
    }
    let mut gib = 0.0;
    for g in groups {
        let Some(v) = used.get(g) else {
            let known: Vec<&str> = used.keys().map(String::as_str).take(20).collect();
            return Err(err(format!(
                "\"{g}\" is not a group of the inventory's VMs (groups: {known:?})"
            )));
        };
        gib += v;
    }
    Ok(gib / crate::pricing::site_storage::GIB_PER_TB)
}
