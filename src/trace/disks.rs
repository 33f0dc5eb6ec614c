//! Per-VM virtual disks (`disks.csv`, as `trace import` writes it): each disk's size and, when
//! given, its storage tier and provisioned IOPS, for pricing storage by class on public venues.

use super::files;
use super::rows::{Row, csv_error, read_row};
use crate::error::{Error, InputError};
use std::collections::BTreeMap;
use std::path::Path;

/// The tier of a disk without a `tier` cell.
pub const DEFAULT_TIER: &str = "standard";

/// One virtual disk.
#[derive(Debug, Clone, PartialEq)]
pub struct DiskSpec {
    pub gib: f64,
    pub tier: String,
    /// Provisioned IOPS (0: the class's included IOPS).
    pub iops: f64,
}

/// Every VM's disks, by VM id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Disks {
    pub by_vm: BTreeMap<String, Vec<DiskSpec>>,
    /// Every tier named, sorted.
    pub tiers: Vec<String>,
}

/// Reads `disks.csv`: header `vm,capacity_gib` plus any of `disk`, `thin`, `tier`, `iops`
/// (other columns are errors, so a typo is not silently ignored).
pub fn read(path: &Path) -> Result<Disks, Error> {
    let mut csv = csv::ReaderBuilder::new().from_reader(files::open(path)?);
    let header = csv.headers().map_err(|e| csv_error(path, e))?.clone();
    let names: Vec<&str> = header.iter().map(str::trim).collect();
    const KNOWN: [&str; 6] = ["vm", "capacity_gib", "disk", "thin", "tier", "iops"];
    if let Some(bad) = names.iter().find(|n| !KNOWN.contains(n)) {
        let msg = format!(
            "unknown column \"{bad}\"; expected vm,capacity_gib and optionally disk, thin, tier, iops"
        );
        return Err(InputError::line(path, 1, msg).into());
    }
    let find = |c: &str| names.iter().position(|n| *n == c);
    let (Some(vm_c), Some(gib_c)) = (find("vm"), find("capacity_gib")) else {
        return Err(InputError::line(path, 1, "missing column vm or capacity_gib").into());
    };
    let (tier_c, iops_c) = (find("tier"), find("iops"));
    let mut disks = Disks::default();
    let mut record = csv::StringRecord::new();
    let mut count = 0usize;
    while read_row(&mut csv, &mut record, path)? {
        let row = Row::new(path, &record);
        count += 1;
        if count > super::rvtools::MAX_DISKS {
            let msg = format!("more than {} disks", super::rvtools::MAX_DISKS);
            return Err(row.err(msg).into());
        }
        // Written by `trace import`, whose text cells are neutralised for spreadsheets.
        let vm = crate::text::csv_text(row.text(vm_c));
        if vm.is_empty() {
            return Err(row.err("vm is empty").into());
        }
        let gib = row.number(gib_c, "capacity_gib")?;
        let iops = match iops_c.map(|c| row.text(c)) {
            None | Some("") => 0.0,
            Some(_) => row.number(iops_c.unwrap_or(0), "iops")?,
        };
        if gib < 0.0 || iops < 0.0 {
            return Err(row.err("capacity_gib and iops must be >= 0").into());
        }
        let tier = match tier_c.map(|c| row.text(c)) {
            None | Some("") => DEFAULT_TIER.to_string(),
            Some(t) => t.to_string(),
        };
        if !disks.tiers.contains(&tier) {
            disks.tiers.push(tier.clone());
        }
        let spec = DiskSpec { gib, tier, iops };
        disks.by_vm.entry(vm.to_string()).or_default().push(spec);
    }
    disks.tiers.sort();
    Ok(disks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disks_read_with_default_tier_and_checked_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disks.csv");
        std::fs::write(
            &path,
            "vm,disk,capacity_gib,thin,tier,iops\na,d1,40,false,,\na,d2,500,true,fast,6000\n",
        )
        .unwrap();
        let d = read(&path).unwrap();
        assert_eq!(d.tiers, ["fast", "standard"]);
        assert_eq!(
            d.by_vm["a"][1],
            DiskSpec {
                gib: 500.0,
                tier: "fast".into(),
                iops: 6000.0
            }
        );
        std::fs::write(&path, "vm,size\na,1\n").unwrap();
        let e = read(&path).unwrap_err().to_string();
        assert!(e.contains(":1: unknown column \"size\""), "{e}");
        std::fs::write(&path, "vm,capacity_gib\na,lots\n").unwrap();
        let e = read(&path).unwrap_err().to_string();
        assert!(
            e.contains(":2: capacity_gib \"lots\" is not a finite number"),
            "{e}"
        );
    }
}
