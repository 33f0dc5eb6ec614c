//! The `[storage]` table: the VMs' disks (`disks.csv`) and, per public venue, which of its
//! book's storage classes each disk tier is priced as (gp3, io2, Premium SSD, pd-balanced ...).

use super::Venue;
use crate::error::{Error, InputError};
use crate::trace::disks::{self, DEFAULT_TIER, Disks};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStorage {
    disks: Option<PathBuf>,
    #[serde(default)]
    classes: BTreeMap<String, BTreeMap<String, String>>,
}

/// Storage pricing, checked: every tier of the disks has a class on every venue that prices
/// by class.
#[derive(Debug, Clone, PartialEq)]
pub struct Storage {
    /// The disks file (for messages) and its disks; VMs it does not list have one disk of
    /// their `disk_gib` in the default tier.
    pub path: Option<PathBuf>,
    pub disks: Disks,
    /// By venue position: tier -> storage class, for public venues priced by class.
    pub classes: Vec<Option<BTreeMap<String, String>>>,
}

impl RawStorage {
    pub(super) fn validate(
        self,
        base: &Path,
        venues: &[Venue],
        file: &Path,
    ) -> Result<Storage, Error> {
        let path = self.disks.map(|p| base.join(p));
        let disks = match &path {
            Some(p) => disks::read(p)?,
            None => Disks::default(),
        };
        let mut classes = vec![None; venues.len()];
        for (name, tiers) in self.classes {
            let key = format!("storage.classes.{name}");
            let bad = |m: String| -> Error { InputError::key(file, key.clone(), m).into() };
            let names: Vec<&str> = venues.iter().map(|v| v.name.as_str()).collect();
            let v = crate::known::find(&key, &name, "a venue of this scenario", &names)
                .map_err(|e| e.in_file(file))?;
            let Some(book) = venues[v].public() else {
                return Err(bad(format!(
                    "\"{name}\" is not a public venue; owned sites take storage as a limit ([private.storage])"
                )));
            };
            let wanted = disks.tiers.iter().map(String::as_str).chain([DEFAULT_TIER]);
            for tier in wanted {
                if !tiers.contains_key(tier) {
                    return Err(bad(format!(
                        "no storage class for tier \"{tier}\" (the disks' tiers: {DEFAULT_TIER} and those of the disks file)"
                    )));
                }
            }
            for class in tiers.values() {
                if book.storage_class(class).is_none() {
                    let known: Vec<&str> = book.storage.iter().map(|c| c.name.as_str()).collect();
                    return Err(bad(format!(
                        "\"{class}\" is not a storage class of {} (it has: {})",
                        venues[v].book.path.display(),
                        known.join(", ")
                    )));
                }
            }
            classes[v] = Some(tiers);
        }
        Ok(Storage {
            path,
            disks,
            classes,
        })
    }
}
