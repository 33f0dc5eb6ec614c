//! The PlanetLab traces as CloudSim ships them: a folder per day, a file per VM, one integer CPU
//! utilisation percentage per line, every 300 s over 24 h. The files carry no VM sizes, so sizes
//! come from the options: a list assigned to the files in name order, cycling (give one size for
//! a fixed size). The default is CloudSim's four PlanetLab VM types.
//!
//! `path` may be one day's folder (group = the folder's name, starting at 0 s) or a folder of day
//! folders (day k, in name order, starts at k x 86,400 s; each day is its own group; files beside
//! the day folders, such as licences, are ignored).

use super::files::list;
use super::{ReadOptions, Sample, TableBuilder, Trace, Vm, sample_time};
use crate::error::{Error, InputError, ValueError};
use crate::units::{DAY, SimTime};
use serde::Deserialize;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Seconds between two PlanetLab samples.
pub const INTERVAL: SimTime = 300;

/// A VM size assigned to a trace that has none.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VmSize {
    pub vcpus: f64,
    pub mem_gib: f64,
}

impl VmSize {
    /// Parses "VCPUS:GIB", e.g. "2:4" or "1:0.85".
    pub fn parse(text: &str) -> Result<VmSize, ValueError> {
        let bad = || {
            let expected =
                "is not VCPUS:GIB with both > 0 (at most 10000 vCPUs and 1000000 GiB), e.g. 2:4";
            ValueError::new("size", text, expected)
        };
        let (c, m) = text.split_once(':').ok_or_else(bad)?;
        let vcpus: f64 = c.trim().parse().map_err(|_| bad())?;
        let mem_gib: f64 = m.trim().parse().map_err(|_| bad())?;
        let size = VmSize { vcpus, mem_gib };
        size.check().map_err(|_| bad())?;
        Ok(size)
    }

    pub fn check(&self) -> Result<(), BadSize> {
        // Within the largest VM a trace may hold (README, "Limits").
        if self.vcpus > 0.0
            && self.vcpus <= super::canonical::MAX_VM_VCPUS
            && self.mem_gib > 0.0
            && self.mem_gib <= super::canonical::MAX_VM_MEM_GIB
        {
            Ok(())
        } else {
            Err(BadSize(*self))
        }
    }
}

/// A VM size with a vCPU count or memory that is not a finite number > 0.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("size {} vCPU / {} GiB must have both > 0 (at most 10000 vCPUs and 1000000 GiB)", .0.vcpus, .0.mem_gib)]
pub struct BadSize(pub VmSize);

/// CloudSim's PlanetLab VM types (org.cloudbus.cloudsim.examples.power.Constants): one PE each,
/// with 870, 1740, 1740 and 613 MB of RAM.
pub const CLOUDSIM_SIZES: [VmSize; 4] = [
    VmSize {
        vcpus: 1.0,
        mem_gib: 870.0 / 1024.0,
    },
    VmSize {
        vcpus: 1.0,
        mem_gib: 1740.0 / 1024.0,
    },
    VmSize {
        vcpus: 1.0,
        mem_gib: 1740.0 / 1024.0,
    },
    VmSize {
        vcpus: 1.0,
        mem_gib: 613.0 / 1024.0,
    },
];

struct Day {
    name: String,
    offset: SimTime,
    files: Vec<PathBuf>,
}

fn days(path: &Path) -> Result<Vec<Day>, Error> {
    let entries = list(path)?;
    let folder_name = |p: &Path| {
        p.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    };
    let dirs: Vec<&PathBuf> = entries.iter().filter(|p| p.is_dir()).collect();
    let days = if dirs.is_empty() {
        vec![Day {
            name: folder_name(path),
            offset: 0,
            files: entries.clone(),
        }]
    } else {
        let mut days = Vec::with_capacity(dirs.len());
        for (k, dir) in dirs.into_iter().enumerate() {
            let files = list(dir)?.into_iter().filter(|p| p.is_file()).collect();
            days.push(Day {
                name: folder_name(dir),
                offset: k as SimTime * DAY,
                files,
            });
        }
        days
    };
    if days.iter().all(|d| d.files.is_empty()) {
        return Err(InputError::file(
            path,
            "has no VM files (expected one file per VM, or folders of them)",
        )
        .into());
    }
    Ok(days)
}

/// Parses one VM file's percentages into `samples` (VM `vm`, first sample at `offset`);
/// returns how many there were.
fn parse_file(
    text: &str,
    path: &Path,
    vm: u32,
    offset: SimTime,
    samples: &mut Vec<Sample>,
) -> Result<u64, InputError> {
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        let field = line.trim();
        if field.is_empty() {
            continue;
        }
        let pct: f32 = match field.parse::<u32>() {
            Ok(p) if p <= 100 => p as f32,
            _ => {
                return Err(InputError::line(
                    path,
                    i as u64 + 1,
                    format!("CPU \"{field}\" is not a whole percentage 0..=100"),
                ));
            }
        };
        let t = sample_time(offset + n * INTERVAL)
            .map_err(|m| InputError::line(path, i as u64 + 1, m.to_string()))?;
        samples.push(Sample::new(vm, t, pct / 100.0, None));
        n += 1;
    }
    if n == 0 {
        return Err(InputError::file(
            path,
            "has no samples (expected one CPU percentage per line)",
        ));
    }
    Ok(n)
}

pub fn load(path: &Path, options: &ReadOptions) -> Result<Trace, Error> {
    if options.sizes.is_empty() {
        return Err(InputError::file(
            path,
            "PlanetLab files carry no VM sizes: give at least one size",
        )
        .into());
    }
    let days = days(path)?;
    let files: usize = days.iter().map(|d| d.files.len()).sum();
    // CloudSim's files hold 288 samples (24 h); reserving that avoids regrowing a large buffer.
    let mut samples = Vec::with_capacity(files * (DAY / INTERVAL) as usize);
    let mut table = TableBuilder::new();
    let mut text = String::new();
    let mut index = 0usize;
    for day in &days {
        let group = table.group(&day.name);
        for file in &day.files {
            text.clear();
            read_capped(file, &mut text)?;
            let vm = index as u32;
            let n = parse_file(&text, file, vm, day.offset, &mut samples)?;
            let name = file
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let id = if days.len() > 1 {
                format!("{}/{name}", day.name)
            } else {
                name
            };
            let size = options.sizes[index % options.sizes.len()];
            let vm_row = Vm {
                group,
                start: day.offset,
                end: Some(day.offset + n * INTERVAL),
                vcpus: size.vcpus,
                mem_gib: size.mem_gib,
                disk_gib: 0.0,
            };
            table
                .push(&id, vm_row, index as u64 + 1)
                .map_err(|_| InputError::file(file, "VM listed twice"))?;
            index += 1;
        }
    }
    Ok(table.into_trace(samples, Vec::new()))
}

/// The most one PlanetLab file may hold (README, "Limits"): a real one is 288 short lines,
/// about 1.5 kB, and each is read whole.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Reads `file` into `text`, refusing more than `MAX_FILE_BYTES`.
fn read_capped(file: &Path, text: &mut String) -> Result<(), Error> {
    let read = std::fs::File::open(file)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_string(text))
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => InputError::file(file, "is not text").into(),
            _ => Error::io(file, e),
        })?;
    if read as u64 > MAX_FILE_BYTES {
        let msg =
            format!("holds more than the limit of {MAX_FILE_BYTES} bytes (README, \"Limits\")");
        return Err(InputError::file(file, msg).into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_become_fractions_every_300_seconds() {
        let mut samples = Vec::new();
        let n = parse_file("24\n34\n\n100\n", Path::new("vm1"), 7, 86_400, &mut samples).unwrap();
        assert_eq!(n, 3);
        // Sample k is at offset + k x 300 s.
        assert_eq!(samples[0], Sample::new(7, 86_400, 0.24, None));
        assert_eq!(samples[2], Sample::new(7, 87_000, 1.0, None));
    }

    #[test]
    fn bad_percentages_name_the_line() {
        let mut samples = Vec::new();
        let err = parse_file("24\n101\n", Path::new("vm1"), 0, 0, &mut samples).unwrap_err();
        assert_eq!(
            err.to_string(),
            "vm1:2: CPU \"101\" is not a whole percentage 0..=100"
        );
        let err = parse_file("2.5\n", Path::new("vm1"), 0, 0, &mut samples).unwrap_err();
        assert_eq!(
            err.to_string(),
            "vm1:1: CPU \"2.5\" is not a whole percentage 0..=100"
        );
        let err = parse_file("\n", Path::new("vm1"), 0, 0, &mut samples).unwrap_err();
        assert!(err.message.contains("no samples"));
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(
            VmSize::parse("2:4"),
            Ok(VmSize {
                vcpus: 2.0,
                mem_gib: 4.0
            })
        );
        assert!(VmSize::parse("2").is_err());
        assert!(VmSize::parse("1e300:4").is_err());
        assert!(VmSize::parse("4:NaN").is_err());
        assert!(VmSize::parse("10000:1000000").is_ok());
        let e = VmSize::parse("0:4").unwrap_err();
        assert_eq!((e.what, e.text.as_str()), ("size", "0:4"));
        assert_eq!(
            e.to_string(),
            "size \"0:4\" is not VCPUS:GIB with both > 0 (at most 10000 vCPUs and 1000000 GiB), e.g. 2:4"
        );
    }
}
