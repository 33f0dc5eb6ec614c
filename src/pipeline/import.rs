//! `trace import`: an inventory export read and written as the canonical VM table, with the
//! inventory's other facts (power state, OS, host, disks, hosts) beside it.

use crate::error::Error;
use crate::report::files;
use crate::trace::rvtools::{self, Inventory};
use std::path::{Path, PathBuf};

/// What an import read and wrote.
pub struct Imported {
    pub inventory: Inventory,
    /// VMs in the canonical table.
    pub kept: usize,
    pub written: Vec<PathBuf>,
}

/// `trace import rvtools`: reads the sheets and writes `vms.csv` (canonical), `inventory.csv`
/// and, when their sheets were given, `disks.csv` and `hosts.csv` into `dir`. Templates and
/// powered-off or suspended VMs are left out of vms.csv unless `include_all`.
pub fn import_rvtools(paths: &[PathBuf], dir: &Path, include_all: bool) -> Result<Imported, Error> {
    let inventory = rvtools::read(paths)?;
    let table = inventory.table(include_all);
    let output = super::Output::begin(dir)?;
    let dir = output.dir();
    let vms = dir.join("vms.csv");
    files::write_atomic(&vms, |w| crate::trace::write_vms_csv(&table, w))?;
    let inv = dir.join("inventory.csv");
    files::write_atomic(&inv, |w| inventory.write_inventory_csv(include_all, w))?;
    let mut written = vec![vms, inv];
    if !inventory.disks.is_empty() {
        let disks = dir.join("disks.csv");
        files::write_atomic(&disks, |w| inventory.write_disks_csv(w))?;
        written.push(disks);
    }
    if !inventory.hosts.is_empty() {
        let hosts = dir.join("hosts.csv");
        files::write_atomic(&hosts, |w| inventory.write_hosts_csv(w))?;
        written.push(hosts);
    }
    let written = output.shown(written);
    output.commit()?;
    Ok(Imported {
        kept: table.vms.len(),
        inventory,
        written,
    })
}
