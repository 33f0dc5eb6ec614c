//! RVTools inventory exports: the vInfo, vCPU, vMemory, vDisk and vHost sheets, each saved as
//! CSV or together in RVTools' own xlsx workbook, read into an [`Inventory`] and from there into
//! the canonical VM table.
//!
//! The column names are RVTools' own (as in its "Export all to Excel" workbook); see the
//! README's "Inventory import" section for the columns read and their units (MiB).

mod sheet;
pub mod xlsx;

use super::{TableBuilder, Vm, VmTable};
use crate::error::{Error, InputError};
use crate::text::csv_cell as cell;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The most VMs, disks and hosts an export may list: far above any vCenter, and a bound on the
/// memory held.
pub const MAX_VMS: usize = 1_000_000;
pub const MAX_DISKS: usize = 8_000_000;
pub const MAX_HOSTS: usize = 100_000;

/// A VM's power state, as RVTools' `Powerstate` column says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Power {
    On,
    Off,
    Suspended,
}

impl Power {
    pub fn name(self) -> &'static str {
        match self {
            Power::On => "poweredOn",
            Power::Off => "poweredOff",
            Power::Suspended => "suspended",
        }
    }
}

/// One VM of the vInfo sheet (sizes overridden by vCPU and vMemory when given).
#[derive(Debug, Clone, PartialEq)]
pub struct InventoryVm {
    pub name: String,
    pub power: Power,
    pub template: bool,
    pub os: String,
    pub cluster: String,
    pub host: String,
    pub vcpus: u32,
    pub mem_mib: f64,
    pub provisioned_mib: f64,
    pub in_use_mib: f64,
}

impl InventoryVm {
    /// Why the VM is left out of the table by default, or `None` when it is kept.
    pub fn left_out(&self) -> Option<&'static str> {
        match (self.template, self.power) {
            (true, _) => Some("template"),
            (false, Power::Off) => Some("powered off"),
            (false, Power::Suspended) => Some("suspended"),
            (false, Power::On) => None,
        }
    }

    pub fn windows(&self) -> bool {
        self.os.to_ascii_lowercase().contains("windows")
    }

    /// Its workload group: the cluster, with `-windows` for Windows guests (a group has one OS
    /// for licensing).
    pub fn group(&self) -> String {
        let cluster = if self.cluster.is_empty() {
            "no-cluster"
        } else {
            &self.cluster
        };
        match self.windows() {
            true => format!("{cluster}-windows"),
            false => cluster.to_string(),
        }
    }
}

/// One virtual disk of the vDisk sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Disk {
    pub vm: String,
    pub name: String,
    pub capacity_mib: f64,
    pub thin: bool,
}

/// One ESXi host of the vHost sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Host {
    pub name: String,
    pub cluster: String,
    pub sockets: u32,
    pub cores: u32,
    pub mem_mib: f64,
}

/// Everything read from an export.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// In vInfo order.
    pub vms: Vec<InventoryVm>,
    pub disks: Vec<Disk>,
    pub hosts: Vec<Host>,
    /// What was adapted, e.g. "3 VMs whose vCPU sheet differs from vInfo (vCPU used)".
    pub notes: Vec<String>,
}

/// The sheets read, by the end of the file name (`RVTools_tabvInfo.csv`, `vInfo.csv`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Info,
    Cpu,
    Memory,
    Disk,
    Host,
}

const KINDS: [(&str, Kind); 5] = [
    ("vinfo", Kind::Info),
    ("vcpu", Kind::Cpu),
    ("vmemory", Kind::Memory),
    ("vdisk", Kind::Disk),
    ("vhost", Kind::Host),
];

fn kind_of(path: &Path) -> Result<Kind, InputError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let stem = name.trim_end_matches(".gz").trim_end_matches(".csv");
    KINDS
        .iter()
        .find(|(end, _)| stem.ends_with(end))
        .map(|&(_, k)| k)
        .ok_or_else(|| {
            InputError::file(
                path,
                "is not a sheet this reader knows: expected a CSV file named after its RVTools sheet, ending in vInfo, vCPU, vMemory, vDisk or vHost (e.g. RVTools_tabvInfo.csv), or an RVTools .xlsx workbook",
            )
        })
}

/// Where an export's sheets come from: CSV files, one a sheet, or one xlsx workbook.
enum Export<'a> {
    Csv(Vec<(Kind, &'a Path)>),
    /// The workbook and the sheets read from it, by their tab names.
    Book(Box<xlsx::Book>, Vec<(Kind, String)>),
}

impl<'a> Export<'a> {
    /// The sheets of `paths`: a workbook given alone, or CSV files each a different sheet.
    fn of(paths: &'a [PathBuf]) -> Result<Export<'a>, Error> {
        if let Some(book) = paths.iter().find(|p| xlsx::is_workbook(p)) {
            if paths.len() > 1 {
                let msg = "is an xlsx workbook, which holds every sheet: give it alone, without CSV sheets";
                return Err(InputError::file(book, msg).into());
            }
            return Export::book(book);
        }
        let mut by_kind: Vec<(Kind, &Path)> = Vec::new();
        for path in paths {
            let kind = kind_of(path)?;
            if let Some((_, first)) = by_kind.iter().find(|(k, _)| *k == kind) {
                let msg = format!(
                    "is the same sheet as {}; give each sheet once",
                    first.display()
                );
                return Err(InputError::file(path, msg).into());
            }
            by_kind.push((kind, path));
        }
        by_kind.sort();
        if by_kind.first().map(|&(k, _)| k) != Some(Kind::Info) {
            let first = paths.first().map_or(Path::new("(none)"), PathBuf::as_path);
            let msg = "no vInfo sheet given: the VMs are listed there (e.g. RVTools_tabvInfo.csv)";
            return Err(InputError::file(first, msg).into());
        }
        Ok(Export::Csv(by_kind))
    }

    /// A workbook: its tabs named vInfo, vCPU, vMemory, vDisk and vHost (any case; RVTools'
    /// other tabs are ignored).
    fn book(path: &Path) -> Result<Export<'a>, Error> {
        let book = xlsx::Book::open(path)?;
        let names = book.sheet_names();
        let mut sheets: Vec<(Kind, String)> = Vec::new();
        for name in &names {
            let lower = name.to_ascii_lowercase();
            let Some(&(_, kind)) = KINDS.iter().find(|(n, _)| *n == lower) else {
                continue;
            };
            if let Some((_, first)) = sheets.iter().find(|(k, _)| *k == kind) {
                let msg = format!("has two sheets \"{first}\" and \"{name}\"; expected one");
                return Err(InputError::file(path, msg).into());
            }
            sheets.push((kind, name.clone()));
        }
        sheets.sort();
        if sheets.first().map(|(k, _)| *k) != Some(Kind::Info) {
            // A crafted book may list thousands of sheets: the first ten are enough to see.
            let shown: Vec<String> = names
                .iter()
                .take(10)
                .map(|n| crate::text::quote(n))
                .collect();
            let more = names.len().saturating_sub(10);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let msg = format!(
                "has no vInfo sheet (the VMs are listed there); its sheets are {}{more}",
                shown.join(", ")
            );
            return Err(InputError::file(path, msg).into());
        }
        Ok(Export::Book(Box::new(book), sheets))
    }

    /// The sheets given, vInfo first.
    fn kinds(&self) -> Vec<Kind> {
        match self {
            Export::Csv(sheets) => sheets.iter().map(|&(k, _)| k).collect(),
            Export::Book(_, sheets) => sheets.iter().map(|(k, _)| *k).collect(),
        }
    }

    /// The sheet of `kind` (one of [`Export::kinds`]).
    fn sheet(&mut self, kind: Kind) -> sheet::Source<'_> {
        match self {
            Export::Csv(sheets) => {
                let &(_, path) = sheets
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .expect("a given sheet");
                sheet::Source::Csv(path)
            }
            Export::Book(book, sheets) => {
                let (_, name) = sheets
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .expect("a given sheet");
                sheet::Source::Xlsx(book, name)
            }
        }
    }
}

/// Reads the sheets of one export: CSV files (vInfo required, the others optional, each at
/// most once) or one xlsx workbook holding them.
pub fn read(paths: &[PathBuf]) -> Result<Inventory, Error> {
    let mut export = Export::of(paths)?;
    let kinds = export.kinds();
    let mut inv = Inventory {
        vms: read_info(export.sheet(Kind::Info))?,
        ..Inventory::default()
    };
    let index: HashMap<String, usize> = inv
        .vms
        .iter()
        .enumerate()
        .map(|(i, v)| (v.name.clone(), i))
        .collect();
    for &kind in &kinds[1..] {
        let src = export.sheet(kind);
        match kind {
            Kind::Cpu | Kind::Memory => read_sizes(src, kind, &index, &mut inv)?,
            Kind::Disk => inv.disks = read_disks(src, &index)?,
            Kind::Host => inv.hosts = read_hosts(src)?,
            Kind::Info => unreachable!("sorted first and given once"),
        }
    }
    Ok(inv)
}

const INFO: &[&str] = &[
    "VM",
    "Powerstate",
    "CPUs",
    "Memory",
    "Provisioned MiB",
    "In Use MiB",
    "Template",
    "OS according to the configuration file",
    "Cluster",
    "Host",
];

fn read_info(src: sheet::Source) -> Result<Vec<InventoryVm>, Error> {
    let path = src.path().to_path_buf();
    let mut vms = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    sheet::each(src, INFO, 6, |c| {
        let name = c.name(0)?;
        if let Some(first) = seen.insert(name.to_string(), c.line) {
            return Err(c.err(format!(
                "VM \"{name}\" is listed twice (first on line {first})"
            )));
        }
        if vms.len() == MAX_VMS {
            return Err(c.err(format!("more than {MAX_VMS} VMs")));
        }
        let power = match c.text(1) {
            "poweredOn" => Power::On,
            "poweredOff" => Power::Off,
            "suspended" => Power::Suspended,
            t => {
                let msg = format!(
                    "column \"Powerstate\": \"{t}\" is not poweredOn, poweredOff or suspended"
                );
                return Err(c.err(msg));
            }
        };
        vms.push(InventoryVm {
            name: name.to_string(),
            power,
            vcpus: c.count(2)?,
            mem_mib: positive(c, 3)?,
            provisioned_mib: c.number(4)?,
            in_use_mib: c.number(5)?,
            template: c.flag(6)?,
            os: c.text(7).to_string(),
            cluster: c.text(8).to_string(),
            host: c.text(9).to_string(),
        });
        Ok(())
    })?;
    if vms.is_empty() {
        return Err(InputError::file(&path, "has a header but no VM rows").into());
    }
    Ok(vms)
}

fn positive(c: &sheet::Cells, i: usize) -> Result<f64, InputError> {
    match c.number(i)? {
        v if v > 0.0 => Ok(v),
        _ => Err(c.err(format!("column {}: a size must be > 0", i + 1))),
    }
}

/// The VM named in column 0 of a row of another sheet, which vInfo must list.
fn known(c: &sheet::Cells, index: &HashMap<String, usize>) -> Result<usize, InputError> {
    let name = c.name(0)?;
    index.get(name).copied().ok_or_else(|| {
        c.err(format!(
            "VM \"{name}\" is not in the vInfo sheet; give the sheets of one export"
        ))
    })
}

/// vCPU (`CPUs`) and vMemory (`Size MiB`): the sizes there win over vInfo's; differences are
/// counted in the notes.
fn read_sizes(
    src: sheet::Source,
    kind: Kind,
    index: &HashMap<String, usize>,
    inv: &mut Inventory,
) -> Result<(), Error> {
    const CPU: &[&str] = &["VM", "CPUs"];
    const MEMORY: &[&str] = &["VM", "Size MiB"];
    let cpu = kind == Kind::Cpu;
    let mut differ = 0u64;
    sheet::each(src, if cpu { CPU } else { MEMORY }, 2, |c| {
        let vm = &mut inv.vms[known(c, index)?];
        if cpu {
            let n = c.count(1)?;
            differ += u64::from(n != vm.vcpus);
            vm.vcpus = n;
        } else {
            let mib = positive(c, 1)?;
            differ += u64::from(mib != vm.mem_mib);
            vm.mem_mib = mib;
        }
        Ok(())
    })?;
    let what = if cpu {
        "VMs whose vCPU sheet differs from vInfo (vCPU used)"
    } else {
        "VMs whose vMemory sheet differs from vInfo (vMemory used)"
    };
    super::rows::note(&mut inv.notes, differ, what);
    Ok(())
}

fn read_disks(src: sheet::Source, index: &HashMap<String, usize>) -> Result<Vec<Disk>, Error> {
    const DISK: &[&str] = &["VM", "Disk", "Capacity MiB", "Thin"];
    let mut disks = Vec::new();
    sheet::each(src, DISK, 3, |c| {
        known(c, index)?;
        if disks.len() == MAX_DISKS {
            return Err(c.err(format!("more than {MAX_DISKS} disks")));
        }
        disks.push(Disk {
            vm: c.text(0).to_string(),
            name: c.name(1)?.to_string(),
            capacity_mib: c.number(2)?,
            thin: c.flag(3)?,
        });
        Ok(())
    })?;
    Ok(disks)
}

fn read_hosts(src: sheet::Source) -> Result<Vec<Host>, Error> {
    const HOST: &[&str] = &["Host", "# CPU", "# Cores", "# Memory", "Cluster"];
    let mut hosts = Vec::new();
    sheet::each(src, HOST, 4, |c| {
        if hosts.len() == MAX_HOSTS {
            return Err(c.err(format!("more than {MAX_HOSTS} hosts")));
        }
        hosts.push(Host {
            name: c.name(0)?.to_string(),
            sockets: c.count(1)?,
            cores: c.count(2)?,
            mem_mib: positive(c, 3)?,
            cluster: c.text(4).to_string(),
        });
        Ok(())
    })?;
    Ok(hosts)
}

impl Inventory {
    /// The canonical VM table: every VM runs the whole horizon at its allocated size, in the
    /// group of its cluster (and OS); templates, powered-off and suspended VMs are left out
    /// unless `include_all`.
    pub fn table(&self, include_all: bool) -> VmTable {
        let mut table = TableBuilder::new();
        for (at, v) in self.vms.iter().enumerate() {
            if !include_all && v.left_out().is_some() {
                continue;
            }
            let vm = Vm {
                group: table.group(&v.group()),
                start: 0,
                end: None,
                vcpus: f64::from(v.vcpus),
                mem_gib: v.mem_mib / 1024.0,
                disk_gib: v.provisioned_mib / 1024.0,
            };
            // Names are unique: read_info refuses a repeat.
            let _ = table.push(&v.name, vm, at as u64);
        }
        table.finish()
    }

    /// The VMs left out by default, with the reason.
    pub fn left_out(&self) -> impl Iterator<Item = (&InventoryVm, &'static str)> {
        self.vms
            .iter()
            .filter_map(|v| v.left_out().map(|why| (v, why)))
    }

    /// `inventory.csv`: every VM of the export with what the canonical table leaves out.
    pub fn write_inventory_csv(&self, include_all: bool, out: impl Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "vm",
            "power_state",
            "template",
            "os",
            "cluster",
            "host",
            "vcpus",
            "mem_gib",
            "provisioned_gib",
            "in_use_gib",
            "group",
            "included",
            "reason",
        ])?;
        for v in &self.vms {
            let why = v.left_out();
            let included = include_all || why.is_none();
            w.write_record([
                &*cell(&v.name),
                v.power.name(),
                if v.template { "true" } else { "false" },
                &cell(&v.os),
                &cell(&v.cluster),
                &cell(&v.host),
                &v.vcpus.to_string(),
                &gib(v.mem_mib),
                &gib(v.provisioned_mib),
                &gib(v.in_use_mib),
                &cell(&v.group()),
                if included { "true" } else { "false" },
                why.unwrap_or(""),
            ])?;
        }
        w.flush()
    }

    /// `disks.csv`: vm,disk,capacity_gib,thin (no tier or IOPS: RVTools does not know them).
    pub fn write_disks_csv(&self, out: impl Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["vm", "disk", "capacity_gib", "thin"])?;
        for d in &self.disks {
            let thin = if d.thin { "true" } else { "false" };
            w.write_record([&*cell(&d.vm), &cell(&d.name), &gib(d.capacity_mib), thin])?;
        }
        w.flush()
    }

    /// `hosts.csv`: the estate's ESXi hosts, host,cluster,sockets,cores,mem_gib.
    pub fn write_hosts_csv(&self, out: impl Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["host", "cluster", "sockets", "cores", "mem_gib"])?;
        for h in &self.hosts {
            w.write_record([
                &*cell(&h.name),
                &cell(&h.cluster),
                &h.sockets.to_string(),
                &h.cores.to_string(),
                &gib(h.mem_mib),
            ])?;
        }
        w.flush()
    }
}

/// MiB as GiB, shortest exact form (1536 MiB -> "1.5").
fn gib(mib: f64) -> String {
    (mib / 1024.0).to_string()
}

#[cfg(test)]
mod tests;
