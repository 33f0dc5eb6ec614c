//! Azure Public Dataset V1: CSV files without header (plain or gzip), in one folder.
//!
//! - `vmtable*`: vmid, subscription, deployment, created (s), deleted (s), max CPU %, avg CPU %,
//!   p95 CPU %, category, core count bucket, memory bucket (GB). created/deleted become start
//!   and end; the category becomes the group; the buckets become vCPUs and GiB. A bucket of the
//!   form ">N" (the top bucket) is read as N, its lower bound, and counted in the notes.
//! - `vm_cpu_readings*`: timestamp (s, every 300 s), vmid, min, max, avg CPU %; the average
//!   becomes the sample's utilisation (avg / 100).

use super::files::find_some;
use super::rows::{Row, for_each_row, note};
use super::{ReadOptions, Sample, TableBuilder, Trace, Vm, sample_time};
use crate::error::{Error, InputError};
use std::path::Path;

/// A bucket value: a number > 0, or ">N" (returns N and true).
fn bucket(r: &Row, i: usize, name: &str) -> Result<(f64, bool), InputError> {
    let t = r.text(i);
    let (open_ended, n) = match t.strip_prefix('>') {
        Some(rest) => (true, rest.trim()),
        None => (false, t),
    };
    match n.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok((v, open_ended)),
        _ => Err(r.err(format!(
            "{name} \"{t}\" is not a bucket value > 0 (e.g. 4 or >24)"
        ))),
    }
}

pub fn load(dir: &Path, options: &ReadOptions) -> Result<Trace, Error> {
    let mut table = TableBuilder::new();
    let (mut open_buckets, mut zero_life) = (0u64, 0u64);
    for path in find_some(dir, &["vmtable"], "vmtable")? {
        for_each_row(&path, 0, |r| {
            if r.len() != 11 {
                return Err(r.err(format!("row has {} fields; a vmtable row has 11", r.len())));
            }
            let id = r.text(0);
            if id.is_empty() {
                return Err(r.err("vmid is empty"));
            }
            let start = r.seconds(3, "created")?;
            let mut end = r.seconds(4, "deleted")?;
            if end <= start {
                // Seen in the trace for VMs deleted within one reading interval.
                end = start.saturating_add(super::planetlab::INTERVAL);
                zero_life += 1;
            }
            let (cores, open_c) = bucket(r, 9, "core bucket")?;
            let (mem, open_m) = bucket(r, 10, "memory bucket")?;
            open_buckets += u64::from(open_c || open_m);
            let group = table.group(r.text(8));
            let vm = Vm {
                group,
                start,
                end: Some(end),
                vcpus: cores,
                mem_gib: mem,
                disk_gib: 0.0,
            };
            table.push(id, vm, r.line).map_err(|first| {
                r.err(format!("duplicate VM id \"{id}\" (first on line {first})"))
            })?;
            Ok(())
        })?;
    }
    if table.is_empty() {
        return Err(InputError::file(dir, "the vmtable files have no rows").into());
    }

    let mut samples = Vec::new();
    let (mut unknown, mut outside) = (0u64, 0u64);
    for path in find_some(dir, &["cpu_readings"], "vm_cpu_readings")? {
        for_each_row(&path, 0, |r| {
            if r.len() != 5 {
                return Err(r.err(format!("row has {} fields; a readings row has 5", r.len())));
            }
            let t = r.seconds(0, "timestamp")?;
            let id = r.text(1);
            let avg = r.number(4, "avg CPU")?;
            if !(0.0..=100.0).contains(&avg) {
                return Err(r.err(format!("avg CPU {avg} is outside 0..=100 %")));
            }
            let Some(vm) = table.input_index(id) else {
                if options.skip_unknown_vms {
                    unknown += 1;
                    return Ok(());
                }
                return Err(r.err(format!("usage for unknown VM \"{id}\" (not in the vmtable; --skip-unknown-vms skips such rows)")));
            };
            let v = &table.vms()[vm as usize];
            if t < v.start || v.end.is_some_and(|e| t >= e) {
                outside += 1;
                return Ok(());
            }
            samples.push(Sample::new(
                vm,
                sample_time(t).map_err(|m| r.err(m.to_string()))?,
                (avg / 100.0) as f32,
                None,
            ));
            Ok(())
        })?;
    }
    let mut notes = Vec::new();
    note(
        &mut notes,
        open_buckets,
        "VMs in an open-ended top bucket (\">N\") sized at N",
    );
    note(
        &mut notes,
        zero_life,
        "VMs deleted when created given one 300 s interval",
    );
    note(
        &mut notes,
        unknown,
        "readings of VMs not in the vmtable skipped",
    );
    note(
        &mut notes,
        outside,
        "readings outside their VM's lifetime dropped",
    );
    Ok(table.into_trace(samples, notes))
}
