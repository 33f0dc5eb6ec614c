//! Performance data for right-sizing: each VM's CPU and memory utilisation at a percentile,
//! either computed from the trace's usage series or read from a per-VM percentile file
//! (`vm,cpu_p95,mem_p95`, shares of the allocated size, as monitoring tools export them).

use super::rows::{Row, csv_error, read_row};
use super::stats::interpolated;
use super::{Sample, VmTable};
use crate::error::{Error, InputError};
use std::path::Path;

/// A VM's utilisation at the percentile, as shares (0..=1) of its allocated vCPUs and memory.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percentiles {
    pub cpu: f64,
    /// `None`: the data has no memory figure.
    pub mem: Option<f64>,
}

/// Percentile `p` (in (0, 100]) of each VM's samples, by linear interpolation; `None` for a VM
/// without samples. Holds every sample once (4 bytes each for CPU, and for memory).
pub fn from_samples(
    table: &VmTable,
    samples: impl Iterator<Item = Result<Sample, InputError>>,
    p: f64,
) -> Result<Vec<Option<Percentiles>>, InputError> {
    let n = table.vms.len();
    let (mut cpu, mut mem) = (vec![Vec::<f32>::new(); n], vec![Vec::<f32>::new(); n]);
    for s in samples {
        let s = s?;
        cpu[s.vm as usize].push(s.cpu);
        if let Some(m) = s.mem() {
            mem[s.vm as usize].push(m);
        }
    }
    let at = |v: &mut Vec<f32>| {
        v.sort_unstable_by(f32::total_cmp);
        (!v.is_empty()).then(|| interpolated(v, p / 100.0))
    };
    Ok(cpu
        .iter_mut()
        .zip(mem.iter_mut())
        .map(|(c, m)| at(c).map(|cpu| Percentiles { cpu, mem: at(m) }))
        .collect())
}

/// Reads a percentile file: header `vm,cpu_pNN,mem_pNN` (`mem_pNN` optional) whose NN must be
/// the percentile asked for; one row per VM of `table` at most (VMs not listed: `None`).
pub fn read_file(path: &Path, table: &VmTable, p: f64) -> Result<Vec<Option<Percentiles>>, Error> {
    let mut csv = csv::ReaderBuilder::new().from_reader(super::files::open(path)?);
    let header = csv.headers().map_err(|e| csv_error(path, e))?.clone();
    let want = format!("p{}", p);
    let names: Vec<&str> = header.iter().map(str::trim).collect();
    let (cpu_col, mem_col) = (format!("cpu_{want}"), format!("mem_{want}"));
    let find = |c: &str| names.iter().position(|n| *n == c);
    let (Some(vm_c), Some(cpu_c)) = (find("vm"), find(&cpu_col)) else {
        let msg = format!(
            "header is \"{}\"; expected vm,{cpu_col}[,{mem_col}] (the scenario's percentile is {p})",
            names.join(",")
        );
        return Err(InputError::line(path, 1, msg).into());
    };
    let mem_c = find(&mem_col);
    let mut out = vec![None; table.vms.len()];
    let mut record = csv::StringRecord::new();
    while read_row(&mut csv, &mut record, path)? {
        let row = Row::new(path, &record);
        let id = crate::text::csv_text(row.text(vm_c));
        let Some(i) = table.position(id) else {
            // A VM left out of the table (powered off, a template) may still have data.
            continue;
        };
        if out[i as usize].is_some() {
            return Err(row.err(format!("VM \"{id}\" is listed twice")).into());
        }
        let mem = match mem_c {
            Some(c) if !row.text(c).is_empty() => Some(f64::from(row.fraction(c, &mem_col)?)),
            _ => None,
        };
        out[i as usize] = Some(Percentiles {
            cpu: f64::from(row.fraction(cpu_c, &cpu_col)?),
            mem,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Vm;

    fn table() -> VmTable {
        let vm = Vm {
            group: 0,
            start: 0,
            end: None,
            vcpus: 4.0,
            mem_gib: 16.0,
            disk_gib: 0.0,
        };
        VmTable::new([("a", vm.clone()), ("b", vm)], vec!["g".into()])
    }

    #[test]
    fn percentiles_of_samples_interpolate() {
        // VM a: CPU 0.1, 0.2, ..., 1.0 (10 samples); P90 at position 0.9 x 9 = 8.1:
        // 0.9 + 0.1 x 0.1 = 0.91. VM b has no samples.
        let samples = (1..=10).map(|k| Ok(Sample::new(0, k * 300, k as f32 / 10.0, Some(0.5))));
        let p = from_samples(&table(), samples, 90.0).unwrap();
        let a = p[0].unwrap();
        assert!((a.cpu - 0.91).abs() < 1e-6, "{a:?}");
        assert_eq!(a.mem, Some(0.5));
        assert_eq!(p[1], None);
    }

    #[test]
    fn the_file_must_carry_the_percentile_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("perf.csv");
        std::fs::write(&path, "vm,cpu_p95,mem_p95\na,0.5,0.25\nzz,0.1,0.1\n").unwrap();
        let p = read_file(&path, &table(), 95.0).unwrap();
        assert_eq!(
            p,
            [
                Some(Percentiles {
                    cpu: 0.5,
                    mem: Some(0.25)
                }),
                None
            ]
        );
        let e = read_file(&path, &table(), 90.0).unwrap_err().to_string();
        assert!(
            e.contains(":1: header is \"vm,cpu_p95,mem_p95\"; expected vm,cpu_p90"),
            "{e}"
        );
        std::fs::write(&path, "vm,cpu_p95\na,50\n").unwrap();
        let e = read_file(&path, &table(), 95.0).unwrap_err().to_string();
        assert!(e.contains(":2: cpu_p95 50 is outside 0..=1"), "{e}");
    }
}
