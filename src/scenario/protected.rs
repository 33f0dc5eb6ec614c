//! Backup volumes from the estate's own data: `[backup] inventory` names the `inventory.csv`
//! that `trace import` writes, and a site's `protected_groups` take their protected data from
//! the used GiB of that table's VMs in those groups, instead of a typed `protected_tb`.

use crate::error::{Error, InputError};
use crate::trace::rows::{csv_error, read_row};
use crate::trace::rvtools::MAX_VMS;
use std::collections::BTreeMap;
use std::path::Path;

/// The most a VM's used disk may be (as `vms.csv`'s `disk_gib`, README "Limits").
const MAX_VM_GIB: f64 = 1e7;

/// Used GiB per workload group of the VMs in the VM table (`included` = true): a powered-off
/// VM or a template left out of the simulation is not counted.
pub fn used_gib_by_group(path: &Path) -> Result<BTreeMap<String, f64>, Error> {
    let input = crate::trace::files::open(path)?;
    let mut csv = csv::ReaderBuilder::new().from_reader(input);
    let header = csv.headers().map_err(|e| csv_error(path, e))?.clone();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            let msg = format!(
                "missing column \"{name}\"; expected the inventory.csv that `trace import` writes (group, in_use_gib, included)"
            );
            InputError::line(path, 1, msg)
        })
    };
    let (group, used, included) = (col("group")?, col("in_use_gib")?, col("included")?);
    let mut by_group: BTreeMap<String, f64> = BTreeMap::new();
    let mut record = csv::StringRecord::new();
    let mut rows = 0usize;
    while read_row(&mut csv, &mut record, path)? {
        let line = record.position().map_or(0, |p| p.line());
        let at = |m: String| InputError::line(path, line, m);
        rows += 1;
        if rows > MAX_VMS {
            return Err(at(format!("more than {MAX_VMS} VMs (README, \"Limits\")")).into());
        }
        match record.get(included).unwrap_or("") {
            "true" => {}
            "false" => continue,
            t => {
                return Err(
                    at(format!("column \"included\": \"{t}\" is not true or false")).into(),
                );
            }
        }
        let text = record.get(used).unwrap_or("");
        let gib = match text.parse::<f64>() {
            Ok(v) if v.is_finite() && (0.0..=MAX_VM_GIB).contains(&v) => v,
            _ => {
                let msg = format!(
                    "column \"in_use_gib\": \"{text}\" is not a number of GiB in 0..={MAX_VM_GIB}"
                );
                return Err(at(msg).into());
            }
        };
        let name = record.get(group).unwrap_or("");
        if name.is_empty() {
            return Err(at("column \"group\" is empty".to_string()).into());
        }
        *by_group.entry(name.to_string()).or_insert(0.0) += gib;
    }
    Ok(by_group)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn used_gib_is_summed_per_group_over_the_vms_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("inventory.csv");
        std::fs::write(
            &path,
            "vm,group,in_use_gib,included\na,prod,100.5,true\nb,prod,20,true\nc,prod,999,false\nd,dev,7,true\n",
        )
        .unwrap();
        // prod: 100.5 + 20 = 120.5 (c is left out of the VM table); dev: 7.
        let m = used_gib_by_group(&path).unwrap();
        assert_eq!(m.get("prod"), Some(&120.5));
        assert_eq!(m.get("dev"), Some(&7.0));
        std::fs::write(&path, "vm,group,in_use_gib,included\na,prod,lots,true\n").unwrap();
        let e = used_gib_by_group(&path).unwrap_err().to_string();
        assert!(
            e.contains(":2: column \"in_use_gib\": \"lots\" is not a number"),
            "{e}"
        );
    }
}
