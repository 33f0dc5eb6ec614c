//! Workload traces. Every reader produces the canonical form: a VM table (one row per VM, held
//! in memory) and utilisation samples in time order. The canonical CSV's usage file is streamed
//! from disk; the other formats are organised per VM, so their samples are gathered into one
//! compact array (16 bytes a sample) and sorted by time once.
//!
//! The formats and their unit conversions are documented in the README ("Trace formats").

mod azure;
mod bitbrains;
mod canonical;
mod decimal;
pub mod disks;
pub(crate) mod files;
mod google;
mod ids;
pub mod perf;
mod plain;
mod planetlab;
pub(crate) mod rows;
pub mod rvtools;
pub mod stats;
pub mod synthetic;
mod table;

pub use canonical::{UsageReader, read_vms, write_usage_csv, write_vms_csv};
pub use planetlab::{CLOUDSIM_SIZES, VmSize};
pub use rows::note as note_count;
pub use table::TableBuilder;

use crate::error::{Error, InputError};
use crate::units::SimTime;
use ids::Ids;
use std::path::{Path, PathBuf};

/// One VM as requested: its size and lifetime. Its id is kept by its table (`VmTable::id`), all
/// ids in one string, so a VM holds no heap memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Vm {
    /// Index into `VmTable::groups`.
    pub group: u32,
    pub start: SimTime,
    /// `None`: runs to the end of the horizon.
    pub end: Option<SimTime>,
    pub vcpus: f64,
    pub mem_gib: f64,
    pub disk_gib: f64,
}

/// All VMs of a trace, sorted by start time (input order among equal starts).
#[derive(Debug, Clone, Default)]
pub struct VmTable {
    pub vms: Vec<Vm>,
    /// Group names, in order of first appearance.
    pub groups: Vec<String>,
    /// The VMs' ids, by position in `vms`.
    ids: Ids,
}

impl VmTable {
    /// A table of (id, VM) pairs in any order, with the given group names.
    ///
    /// Panics on a repeated id: for tables built by code; readers go through `TableBuilder`,
    /// which reports it.
    pub fn new<S: AsRef<str>>(vms: impl IntoIterator<Item = (S, Vm)>, groups: Vec<String>) -> Self {
        let mut table = TableBuilder::with_groups(groups);
        for (at, (id, vm)) in vms.into_iter().enumerate() {
            let id = id.as_ref();
            if let Err(first) = table.push(id, vm, at as u64) {
                panic!("VM id {id:?} given twice (first at {first})");
            }
        }
        table.finish()
    }

    /// The id of the VM at position `i` of `vms`.
    pub fn id(&self, i: u32) -> &str {
        self.ids.get(i)
    }

    /// The position of a VM in `vms`, by id.
    pub fn position(&self, id: &str) -> Option<u32> {
        self.ids.position(id)
    }

    pub fn group_name(&self, vm: &Vm) -> &str {
        &self.groups[vm.group as usize]
    }
}

/// One utilisation sample of one VM, packed into 16 bytes because real traces hold millions.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Seconds from the start of the trace (u32 covers 136 years).
    pub t: u32,
    /// Position of the VM in `VmTable::vms`.
    pub vm: u32,
    /// CPU utilisation of the VM's vCPUs, 0..=1.
    pub cpu: f32,
    /// Memory utilisation, 0..=1, or NaN when the trace has none.
    mem: f32,
}

impl Sample {
    pub fn new(vm: u32, t: u32, cpu: f32, mem: Option<f32>) -> Sample {
        Sample {
            t,
            vm,
            cpu,
            mem: mem.unwrap_or(f32::NAN),
        }
    }

    pub fn time(&self) -> SimTime {
        SimTime::from(self.t)
    }

    pub fn mem(&self) -> Option<f32> {
        (!self.mem.is_nan()).then_some(self.mem)
    }
}

impl PartialEq for Sample {
    // Compares "no memory utilisation" (NaN inside) as equal to itself.
    fn eq(&self, o: &Sample) -> bool {
        (self.t, self.vm, self.cpu, self.mem()) == (o.t, o.vm, o.cpu, o.mem())
    }
}

/// Converts a sample time to the packed form, or says why not.
pub(crate) fn sample_time(t: SimTime) -> Result<u32, TimeBeyondSpan> {
    u32::try_from(t).map_err(|_| TimeBeyondSpan(t))
}

/// A sample time the packed form (u32 seconds) cannot hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("time {0} s is beyond the 136 years a trace may span")]
pub struct TimeBeyondSpan(pub SimTime);

/// The trace formats hybridplan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// vms.csv + usage.csv (optionally .csv.gz), as documented in the README.
    Canonical,
    /// CloudSim's PlanetLab layout: one file per VM, CPU % every 300 s.
    Planetlab,
    /// OpenDC's Bitbrains Parquet layout: tasks.parquet + fragments.parquet.
    Bitbrains,
    /// Azure Public Dataset V1: vmtable + vm_cpu_readings CSVs without header.
    #[value(name = "azure-v1")]
    AzureV1,
    /// Google cluster-usage 2011: task_events + task_usage CSVs.
    #[value(name = "google-2011")]
    Google2011,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Canonical,
        Format::Planetlab,
        Format::Bitbrains,
        Format::AzureV1,
        Format::Google2011,
    ];

    /// The format with this name ("azure-v1", ...).
    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Canonical => "canonical",
            Format::Planetlab => "planetlab",
            Format::Bitbrains => "bitbrains",
            Format::AzureV1 => "azure-v1",
            Format::Google2011 => "google-2011",
        }
    }
}

/// Options of the readers whose files lack something the canonical form needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOptions {
    /// PlanetLab: sizes given to the VM files in name order, cycling (one entry: a fixed size).
    pub sizes: Vec<VmSize>,
    /// Google 2011: cores that a normalised CPU value of 1.0 stands for.
    pub cpu_scale: f64,
    /// Google 2011: GiB that a normalised memory value of 1.0 stands for.
    pub mem_scale: f64,
    /// Skip usage rows of VMs missing from the VM table (counted in the notes) instead of
    /// failing: for excerpts such as the Azure sample, whose two files share no VM ids.
    pub skip_unknown_vms: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            sizes: CLOUDSIM_SIZES.to_vec(),
            cpu_scale: google::DEFAULT_CPU_SCALE,
            mem_scale: google::DEFAULT_MEM_SCALE,
            skip_unknown_vms: false,
        }
    }
}

/// Where a trace is and how to read it.
#[derive(Debug, Clone)]
pub enum TraceSpec {
    /// The canonical CSV pair.
    Canonical {
        vms: PathBuf,
        usage: Option<PathBuf>,
    },
    /// Any other format: a folder (or, for PlanetLab, a folder of day folders).
    Files {
        format: Format,
        path: PathBuf,
        options: ReadOptions,
    },
    /// A synthetic workload generated from parameters.
    Synthetic(synthetic::Params),
}

impl TraceSpec {
    /// A spec from a command-line path: a folder, or for the canonical format also `vms.csv`.
    pub fn from_path(format: Format, path: &Path, options: ReadOptions) -> TraceSpec {
        match format {
            Format::Canonical => {
                let (vms, usage) = canonical::paths_in(path);
                TraceSpec::Canonical { vms, usage }
            }
            _ => TraceSpec::Files {
                format,
                path: path.to_path_buf(),
                options,
            },
        }
    }
}

/// A loaded trace.
#[derive(Debug)]
pub struct Trace {
    pub table: VmTable,
    usage: Usage,
    /// What the reader had to adapt, e.g. "12 samples above capacity clamped to 1.0".
    pub notes: Vec<String>,
}

#[derive(Debug)]
enum Usage {
    None,
    /// The canonical usage.csv, streamed on every pass.
    Csv(PathBuf),
    /// Samples sorted by (time, VM).
    Memory(Vec<Sample>),
}

impl Trace {
    /// A trace whose samples are already in memory; they are sorted here, and a second sample
    /// of one VM at one time is dropped (counted in the notes).
    pub fn from_samples(table: VmTable, mut samples: Vec<Sample>, mut notes: Vec<String>) -> Trace {
        // Stable, so "the first" of two samples at one time is the first the reader saw.
        samples.sort_by_key(|s| (s.t, s.vm));
        let before = samples.len();
        samples.dedup_by_key(|s| (s.t, s.vm));
        if samples.len() < before {
            notes.push(format!(
                "{} second samples of a VM at the same time dropped",
                before - samples.len()
            ));
        }
        let usage = if samples.is_empty() {
            Usage::None
        } else {
            Usage::Memory(samples)
        };
        Trace {
            table,
            usage,
            notes,
        }
    }

    /// The trace with a canonical usage file of at most `max_bytes` read into memory, in the
    /// file's order (the order a streamed pass gives): many runs of one trace (a study) then
    /// read the file once instead of once a run. A larger file stays streamed.
    pub fn into_memory(self, max_bytes: u64) -> Result<Trace, Error> {
        let Usage::Csv(path) = &self.usage else {
            return Ok(self);
        };
        if std::fs::metadata(path).map_or(true, |m| m.len() > max_bytes) {
            return Ok(self);
        }
        let samples: Vec<Sample> = match self.samples()? {
            Some(it) => it.collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        Ok(Trace {
            usage: Usage::Memory(samples),
            ..self
        })
    }

    pub fn has_usage(&self) -> bool {
        !matches!(self.usage, Usage::None)
    }

    /// The samples in time order (a fresh pass over the file for the canonical CSV), or `None`
    /// when the trace has no usage.
    pub fn samples(&self) -> Result<Option<Samples<'_>>, Error> {
        Ok(match &self.usage {
            Usage::None => None,
            Usage::Csv(path) => {
                let reader = UsageReader::new(files::open(path)?, path, &self.table)?;
                Some(Samples::Csv(Box::new(reader)))
            }
            Usage::Memory(v) => Some(Samples::Memory(v.iter())),
        })
    }
}

/// An iterator over a trace's samples, wherever they live.
pub enum Samples<'t> {
    Csv(Box<UsageReader<'t, files::Input>>),
    Memory(std::slice::Iter<'t, Sample>),
}

impl Iterator for Samples<'_> {
    type Item = Result<Sample, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Samples::Csv(r) => r.next(),
            Samples::Memory(it) => it.next().map(|s| Ok(*s)),
        }
    }
}

/// Reads a trace in any format.
pub fn load(spec: &TraceSpec) -> Result<Trace, Error> {
    match spec {
        TraceSpec::Canonical { vms, usage } => {
            let table = read_vms(files::open(vms)?, vms)?;
            let usage = match usage {
                Some(p) => {
                    files::check_exists(p)?;
                    Usage::Csv(p.clone())
                }
                None => Usage::None,
            };
            Ok(Trace {
                table,
                usage,
                notes: Vec::new(),
            })
        }
        TraceSpec::Files {
            format,
            path,
            options,
        } => match format {
            Format::Canonical => load(&TraceSpec::from_path(*format, path, options.clone())),
            Format::Planetlab => planetlab::load(path, options),
            Format::Bitbrains => bitbrains::load(path),
            Format::AzureV1 => azure::load(path, options),
            Format::Google2011 => google::load(path, options),
        },
        TraceSpec::Synthetic(params) => Ok(synthetic::generate(params)),
    }
}
