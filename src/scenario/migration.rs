//! `[[migrations]]`: a group moves from one venue to another on a date. Its data is copied over
//! the site's WAN link first (data / link rate), then the group runs at both venues for the
//! cutover, then its running VMs move and new ones start at the new venue only. The copy's
//! egress (data x price) is paid when it starts, the labour per VM moved when they move.
//!
//! ```toml
//! [[migrations]]
//! group = "db"; from = "vmware"; to = "openstack"; at = "2027-06-01"
//! data_gib = 2000; wan_mbps = 1000; egress_per_gib = 0.02; labour_per_vm = 150; cutover = "7d"
//! ```
//!
//! With `wan_site = "<[backup] client site>"` the copy shares that site's link with its backup
//! traffic (sim/transfers.rs) and ends when its data is sent, not after data / rate.

use super::money::Frame;
use super::timeline;
use crate::error::KeyError;
use crate::units::{SimTime, de_duration};
use serde::Deserialize;

/// Migrations of one scenario.
pub const MAX_MIGRATIONS: usize = 1_000;
/// Data moved by one migration: 100 PB.
pub const MAX_DATA_GIB: f64 = 1e8;
/// A WAN link: 1 Tbit/s.
pub const MAX_WAN_MBPS: f64 = 1e6;

#[derive(Debug, Clone, PartialEq)]
pub struct Migration {
    pub group: String,
    pub from: usize,
    pub to: usize,
    /// When the copy starts.
    pub at: SimTime,
    pub data_gib: f64,
    /// The copy's rate: the migration's own link, or (with `wan_site`) the most the copy may
    /// take of the shared link.
    pub wan_mbps: f64,
    /// `wan_site`: the `[backup]` client site whose WAN link the copy shares with that site's
    /// seed and nightly jobs (its index in the backup plan's sites). The copy then takes an
    /// equal share of the link while backup traffic runs, and ends when its data is sent.
    pub wan_site: Option<usize>,
    pub egress_per_gib: f64,
    pub labour_per_vm: f64,
    pub cutover: SimTime,
}

impl Migration {
    /// Seconds to copy the data over the link: GiB x 8 x 1,073.741824 Mbit / Mbps.
    pub fn transfer(&self) -> SimTime {
        (self.data_gib * 8.0 * 1_073.741_824 / self.wan_mbps).ceil() as SimTime
    }

    /// When the copy is done and the double run starts.
    pub fn copied(&self) -> SimTime {
        self.at.saturating_add(self.transfer())
    }

    /// When the VMs move: the end of the cutover.
    pub fn moved(&self) -> SimTime {
        self.copied().saturating_add(self.cutover)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMigration {
    group: String,
    from: String,
    to: String,
    at: String,
    data_gib: f64,
    wan_mbps: Option<f64>,
    wan_site: Option<String>,
    #[serde(default)]
    egress_per_gib: f64,
    #[serde(default)]
    labour_per_vm: f64,
    #[serde(default, deserialize_with = "de_duration")]
    cutover: SimTime,
}

/// The `[[migrations]]` tables; `links` are the `[backup]` client sites (name, link Mbps) a
/// copy may share.
pub(super) fn validate(
    raw: Vec<RawMigration>,
    f: &Frame,
    links: &[(&str, f64)],
) -> Result<Vec<Migration>, KeyError> {
    super::limits::at_most("migrations".into(), raw.len(), MAX_MIGRATIONS)?;
    let mut out = Vec::with_capacity(raw.len());
    for (i, m) in raw.into_iter().enumerate() {
        let key = |k: &str| format!("migrations[{i}].{k}");
        let (from, to) = (f.venue(&key("from"), &m.from)?, f.venue(&key("to"), &m.to)?);
        if from == to {
            let msg = format!("\"{}\" is also the venue it moves from", m.to);
            return Err(KeyError::new(key("to"), msg));
        }
        // The shared site's link, when the copy shares one; the copy's own rate defaults to it.
        let site = match &m.wan_site {
            Some(name) => {
                let found = links.iter().position(|(n, _)| n == name).ok_or_else(|| {
                    let known: Vec<&str> = links.iter().map(|l| l.0).collect();
                    let msg = match known.is_empty() {
                        true => format!("\"{name}\": the scenario has no [backup] client sites to share a link with"),
                        false => format!("\"{name}\" is not a [backup] client site (sites: {})", known.join(", ")),
                    };
                    KeyError::new(key("wan_site"), msg)
                })?;
                Some(found)
            }
            None => None,
        };
        let wan_mbps = match (m.wan_mbps, site) {
            (Some(mbps), _) => mbps,
            (None, Some(s)) => links[s].1,
            (None, None) => {
                let msg = "give the copy's link rate (`wan_mbps = N`) or the [backup] site whose link it shares (`wan_site = \"...\"`)";
                return Err(KeyError::new(key("wan_mbps"), msg));
            }
        };
        let migration = Migration {
            from,
            to,
            at: f.at(&key("at"), &m.at)?,
            data_gib: timeline::within(&key("data_gib"), m.data_gib, 0.0, MAX_DATA_GIB)?,
            wan_mbps: timeline::within(&key("wan_mbps"), wan_mbps, 0.001, MAX_WAN_MBPS)?,
            wan_site: site,
            egress_per_gib: timeline::within(&key("egress_per_gib"), m.egress_per_gib, 0.0, 1e3)?,
            labour_per_vm: timeline::within(
                &key("labour_per_vm"),
                m.labour_per_vm,
                0.0,
                timeline::MAX_AMOUNT,
            )?,
            cutover: m.cutover,
            group: m.group,
        };
        if migration.moved() >= f.horizon {
            let msg = format!(
                "the copy ({}s) and cutover ({}s) from {}s end at or after the end of the horizon ({}s)",
                migration.transfer(),
                migration.cutover,
                migration.at,
                f.horizon
            );
            return Err(KeyError::new(key("cutover"), msg));
        }
        out.push(migration);
    }
    Ok(out)
}
