//! Workload traces in the canonical form: a VM table (one row per VM, held in memory) and a usage
//! series (utilisation samples, streamed in time order so memory does not grow with the horizon).
//! The file format is documented in the README ("Trace format").

mod canonical;

pub use canonical::{UsageReader, read_vms};

use crate::units::SimTime;
use std::collections::HashMap;

/// One VM as requested: its size and lifetime.
#[derive(Debug, Clone, PartialEq)]
pub struct Vm {
    pub id: String,
    /// Index into `VmTable::groups`.
    pub group: u32,
    pub start: SimTime,
    /// `None`: runs to the end of the horizon.
    pub end: Option<SimTime>,
    pub vcpus: f64,
    pub mem_gib: f64,
    pub disk_gib: f64,
}

/// All VMs of a trace, sorted by start time (file order among equal starts).
#[derive(Debug, Clone, Default)]
pub struct VmTable {
    pub vms: Vec<Vm>,
    /// Group names, in order of first appearance in the file.
    pub groups: Vec<String>,
    index: HashMap<String, u32>,
}

impl VmTable {
    /// Builds a table from VMs in any order; ids must be unique (the reader checks this).
    pub fn new(mut vms: Vec<Vm>, groups: Vec<String>) -> VmTable {
        vms.sort_by_key(|v| v.start);
        let index = vms
            .iter()
            .enumerate()
            .map(|(i, v)| (v.id.clone(), i as u32))
            .collect();
        VmTable { vms, groups, index }
    }

    /// The position of a VM in `vms`, by id.
    pub fn position(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    pub fn group_name(&self, vm: &Vm) -> &str {
        &self.groups[vm.group as usize]
    }
}

/// One utilisation sample of one VM.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Position of the VM in `VmTable::vms`.
    pub vm: u32,
    pub t: SimTime,
    /// CPU utilisation of the VM's vCPUs, 0..=1.
    pub cpu: f32,
    /// Memory utilisation, 0..=1, when the trace has it.
    pub mem: Option<f32>,
}

use crate::error::{Error, InputError};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

fn open(path: &Path) -> Result<BufReader<File>, Error> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => InputError::file(path, "file not found").into(),
            _ => Error::io(path, e),
        })
}

/// Reads a canonical `vms.csv` file.
pub fn load_vms(path: &Path) -> Result<VmTable, Error> {
    Ok(read_vms(open(path)?, path)?)
}

/// Opens a canonical `usage.csv` file for streaming against `table`.
pub fn open_usage<'t>(
    path: &Path,
    table: &'t VmTable,
) -> Result<UsageReader<'t, BufReader<File>>, Error> {
    Ok(UsageReader::new(open(path)?, path, table)?)
}
