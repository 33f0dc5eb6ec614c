//! Azure Public Dataset V1: CSV files without header (plain or gzip), in one folder.
//!
//! - `vmtable*`: vmid, subscription, deployment, created (s), deleted (s), max CPU %, avg CPU %,
//!   p95 CPU %, category, core count bucket, memory bucket (GB). created/deleted become start
//!   and end; the category becomes the group; the buckets become vCPUs and GiB. A bucket of the
//!   form ">N" (the top bucket) is read as N, its lower bound, and counted in the notes.
//! - `vm_cpu_readings*`: timestamp (s, every 300 s), vmid, min, max, avg CPU %; the average
//!   becomes the sample's utilisation (avg / 100).

use super::files::{find_some, open};
use super::{ReadOptions, Sample, TableBuilder, Trace, Vm, sample_time};
use crate::error::{Error, InputError};
use std::path::Path;

fn csv_reader(path: &Path) -> Result<csv::Reader<super::files::Input>, Error> {
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(open(path)?))
}

fn read_err(path: &Path, e: csv::Error) -> InputError {
    let line = e.position().map_or(0, |p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("row has {len} fields but the first row has {expected_len}")
        }
        _ => e.to_string(),
    };
    InputError::line(path, line, message)
}

struct Cells<'a> {
    path: &'a Path,
    line: u64,
    record: &'a csv::StringRecord,
}

impl Cells<'_> {
    fn err(&self, m: String) -> InputError {
        InputError::line(self.path, self.line, m)
    }

    fn get(&self, i: usize, name: &str) -> Result<&str, InputError> {
        self.record
            .get(i)
            .map(str::trim)
            .ok_or_else(|| self.err(format!("missing field {} ({name})", i + 1)))
    }

    fn number(&self, i: usize, name: &str) -> Result<f64, InputError> {
        let t = self.get(i, name)?;
        t.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.err(format!("{name} \"{t}\" is not a finite number")))
    }

    fn seconds(&self, i: usize, name: &str) -> Result<u64, InputError> {
        let t = self.get(i, name)?;
        t.parse().map_err(|_| {
            self.err(format!(
                "{name} \"{t}\" is not a whole number of seconds >= 0"
            ))
        })
    }

    /// A bucket value: a number > 0, or ">N" (returns N and true).
    fn bucket(&self, i: usize, name: &str) -> Result<(f64, bool), InputError> {
        let t = self.get(i, name)?;
        let (open_ended, n) = match t.strip_prefix('>') {
            Some(rest) => (true, rest.trim()),
            None => (false, t),
        };
        match n.parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => Ok((v, open_ended)),
            _ => Err(self.err(format!(
                "{name} \"{t}\" is not a bucket value > 0 (e.g. 4 or >24)"
            ))),
        }
    }
}

pub fn load(dir: &Path, options: &ReadOptions) -> Result<Trace, Error> {
    let mut table = TableBuilder::new();
    let mut open_buckets = 0u64;
    let mut zero_life = 0u64;
    let mut record = csv::StringRecord::new();
    for path in find_some(dir, &["vmtable"], "vmtable")? {
        let mut csv = csv_reader(&path)?;
        while csv
            .read_record(&mut record)
            .map_err(|e| read_err(&path, e))?
        {
            let line = record.position().map_or(0, |p| p.line());
            let c = Cells {
                path: &path,
                line,
                record: &record,
            };
            if record.len() != 11 {
                return Err(c
                    .err(format!(
                        "row has {} fields; a vmtable row has 11",
                        record.len()
                    ))
                    .into());
            }
            let id = c.get(0, "vmid")?;
            let start = c.seconds(3, "created")?;
            let mut end = c.seconds(4, "deleted")?;
            if end <= start {
                // Seen in the trace for VMs deleted within one reading interval.
                end = start.saturating_add(super::planetlab::INTERVAL);
                zero_life += 1;
            }
            let (cores, open_c) = c.bucket(9, "core bucket")?;
            let (mem, open_m) = c.bucket(10, "memory bucket")?;
            open_buckets += u64::from(open_c || open_m);
            let group = table.group(c.get(8, "category")?);
            let vm = Vm {
                id: id.to_string(),
                group,
                start,
                end: Some(end),
                vcpus: cores,
                mem_gib: mem,
                disk_gib: 0.0,
            };
            table.push(vm, line).map_err(|first| {
                c.err(format!("duplicate VM id \"{id}\" (first on line {first})"))
            })?;
        }
    }
    if table.is_empty() {
        return Err(InputError::file(dir, "the vmtable files have no rows").into());
    }

    let mut samples = Vec::new();
    let (mut unknown, mut outside) = (0u64, 0u64);
    for path in find_some(dir, &["cpu_readings"], "vm_cpu_readings")? {
        let mut csv = csv_reader(&path)?;
        while csv
            .read_record(&mut record)
            .map_err(|e| read_err(&path, e))?
        {
            let line = record.position().map_or(0, |p| p.line());
            let c = Cells {
                path: &path,
                line,
                record: &record,
            };
            if record.len() != 5 {
                return Err(c
                    .err(format!(
                        "row has {} fields; a readings row has 5",
                        record.len()
                    ))
                    .into());
            }
            let t = c.seconds(0, "timestamp")?;
            let id = c.get(1, "vmid")?;
            let avg = c.number(4, "avg CPU")?;
            if !(0.0..=100.0).contains(&avg) {
                return Err(c.err(format!("avg CPU {avg} is outside 0..=100 %")).into());
            }
            let Some(vm) = table.input_index(id) else {
                if options.skip_unknown_vms {
                    unknown += 1;
                    continue;
                }
                return Err(c
                    .err(format!("usage for unknown VM \"{id}\" (not in the vmtable; --skip-unknown-vms skips such rows)"))
                    .into());
            };
            let v = &table.vms()[vm as usize];
            if t < v.start || v.end.is_some_and(|e| t >= e) {
                outside += 1;
                continue;
            }
            samples.push(Sample::new(
                vm,
                sample_time(t).map_err(|m| c.err(m))?,
                (avg / 100.0) as f32,
                None,
            ));
        }
    }
    let mut notes = Vec::new();
    if open_buckets > 0 {
        notes.push(format!(
            "{open_buckets} VMs in an open-ended top bucket (\">N\") sized at N"
        ));
    }
    if zero_life > 0 {
        notes.push(format!(
            "{zero_life} VMs deleted when created given one 300 s interval"
        ));
    }
    if unknown > 0 {
        notes.push(format!(
            "{unknown} readings of VMs not in the vmtable skipped"
        ));
    }
    if outside > 0 {
        notes.push(format!(
            "{outside} readings outside their VM's lifetime dropped"
        ));
    }
    let (table, moved) = table.finish();
    for s in &mut samples {
        s.vm = moved[s.vm as usize];
    }
    Ok(Trace::from_samples(table, samples, notes))
}
