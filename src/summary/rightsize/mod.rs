//! Right-sizing before the run (`[rightsize]`): each VM is fitted to the cheapest instance type
//! of a public venue's book (or the smallest flavour of a private site's flavour list) that
//! covers its P-th percentile CPU and memory plus headroom; the run then simulates the VMs at
//! their new size, everywhere. Without performance data for a VM its allocated size is kept,
//! and the outputs say so.
//!
//! A VM is never made larger than it was: utilisation is a share of the allocated size, so it
//! says nothing of demand above it.

use crate::error::Error;
use crate::pricing::{Licences, PriceModel, PublicBook, VmUsage};
use crate::scenario::Scenario;
use crate::scenario::rightsize::{Flavour, Rightsize};
use crate::text::csv_cell as cell;
use crate::trace::perf::{self, Percentiles};
use crate::trace::{Sample, Trace, VmTable};
use crate::units::HOURS_PER_MONTH;
use serde::{Deserialize, Serialize};
use std::io::Write;

/// The sizes VMs are fitted to: a public book's instance types (priced), or a private site's
/// flavours (no price of their own: a private site costs its hosts, so a smaller flavour saves
/// through the hosts the run needs, not a per-VM price).
#[derive(Debug, Clone)]
pub enum Sizes {
    Book(Box<PublicBook>),
    Flavours(Vec<Flavour>),
}

impl Sizes {
    /// The size that holds `vcpus` and `mem_gib`: the book's cheapest instance type, or the
    /// smallest flavour (fewest vCPUs, then least memory, then the first listed).
    pub fn fit(&self, vcpus: f64, mem_gib: f64) -> Option<usize> {
        match self {
            Sizes::Book(book) => book.cheapest_fit(vcpus, mem_gib).map(|(ix, _)| ix),
            Sizes::Flavours(list) => list
                .iter()
                .enumerate()
                .filter(|(_, f)| f64::from(f.vcpus) >= vcpus && f.mem_gib >= mem_gib)
                .min_by(|(i, a), (j, b)| {
                    (a.vcpus.cmp(&b.vcpus))
                        .then(a.mem_gib.total_cmp(&b.mem_gib))
                        .then(i.cmp(j))
                })
                .map(|(ix, _)| ix),
        }
    }

    /// vCPUs and GiB of size `ix`.
    pub fn size(&self, ix: usize) -> (f64, f64) {
        match self {
            Sizes::Book(book) => {
                let t = &book.instances[ix];
                (f64::from(t.vcpus), t.mem_gib)
            }
            Sizes::Flavours(list) => (f64::from(list[ix].vcpus), list[ix].mem_gib),
        }
    }

    pub fn name(&self, ix: usize) -> &str {
        match self {
            Sizes::Book(book) => &book.instances[ix].name,
            Sizes::Flavours(list) => &list[ix].name,
        }
    }

    /// The on-demand price of size `ix` an hour, in the book's currency (0 for a flavour).
    fn hourly(&self, ix: usize, paid: Licences) -> f64 {
        match self {
            Sizes::Book(book) => book
                .vm_hour_cost(ix, PriceModel::OnDemand, paid, &VmUsage::default())
                .total(),
            Sizes::Flavours(_) => 0.0,
        }
    }
}

/// Why a VM got the size it got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Fitted to its percentile use.
    Fitted,
    /// No performance data: its allocated size is kept.
    NoData,
    /// No instance type (or flavour) holds its allocated size: kept (the run reports it as too
    /// large on the venues that cannot hold it).
    TooLarge,
}

impl Basis {
    pub fn name(self) -> &'static str {
        match self {
            Basis::Fitted => "fitted",
            Basis::NoData => "no performance data: allocated size kept",
            Basis::TooLarge => "no instance type holds it: allocated size kept",
        }
    }
}

/// One VM's right-sizing decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Position in the trace's table.
    pub vm: u32,
    /// The allocated size.
    pub vcpus: f64,
    pub mem_gib: f64,
    pub basis: Basis,
    pub use_at: Option<Percentiles>,
    /// Capacity asked of the new size: percentile x allocated x (1 + headroom), at most the
    /// allocated size.
    pub need_vcpus: f64,
    pub need_mem_gib: f64,
    /// Instance types (positions in the book) for the allocated and the new size.
    pub before: Option<usize>,
    pub after: Option<usize>,
    /// Monthly on-demand price (730 h, the Windows and SQL Server licences the VM pays there
    /// included) in the scenario's currency.
    pub monthly_before: f64,
    pub monthly_after: f64,
}

/// Every VM's decision and what they were fitted against.
#[derive(Debug, Clone)]
pub struct RightSizing {
    pub venue: String,
    /// The venue's sizes: its book's instance types or the scenario's flavours.
    pub sizes: Sizes,
    pub options: Rightsize,
    /// "percentile file", "usage series" or "none".
    pub data: &'static str,
    pub decisions: Vec<Decision>,
}

/// Fits every VM of `table` (pure: no I/O). `licences(vm)` says which licences a VM pays on the
/// venue (Windows, SQL Server); `rate` turns the book's prices into the scenario's currency.
pub fn fit(
    table: &VmTable,
    use_at: &[Option<Percentiles>],
    sizes: &Sizes,
    opt: &Rightsize,
    rate: f64,
    licences: &dyn Fn(u32) -> Licences,
) -> Vec<Decision> {
    let monthly = |ix: Option<usize>, vm: u32| {
        ix.map_or(0.0, |ix| {
            sizes.hourly(ix, licences(vm)) * rate * HOURS_PER_MONTH
        })
    };
    let grow = 1.0 + opt.headroom;
    let mut out = Vec::with_capacity(table.vms.len());
    for (i, vm) in table.vms.iter().enumerate() {
        let i = i as u32;
        let before = sizes.fit(vm.vcpus, vm.mem_gib);
        let p = use_at[i as usize];
        let (basis, need_vcpus, need_mem_gib) = match (before, p) {
            (None, _) => (Basis::TooLarge, vm.vcpus, vm.mem_gib),
            (Some(_), None) => (Basis::NoData, vm.vcpus, vm.mem_gib),
            (Some(_), Some(p)) => (
                Basis::Fitted,
                (vm.vcpus * p.cpu * grow).min(vm.vcpus),
                // Without a memory figure the allocated memory is kept.
                (vm.mem_gib * p.mem.unwrap_or(1.0) * grow).min(vm.mem_gib),
            ),
        };
        let after = match basis {
            Basis::Fitted => sizes.fit(need_vcpus, need_mem_gib),
            _ => before,
        };
        out.push(Decision {
            vm: i,
            vcpus: vm.vcpus,
            mem_gib: vm.mem_gib,
            basis,
            use_at: p,
            need_vcpus,
            need_mem_gib,
            before,
            after,
            monthly_before: monthly(before, i),
            monthly_after: monthly(after, i),
        });
    }
    out
}

/// Applies the scenario's `[rightsize]` to a loaded trace: the trace with every fitted VM at
/// its new size (usage samples rescaled to it, so the same cores are used), and the decisions.
/// Without `[rightsize]` the trace is returned as it was.
pub fn prepare(scenario: &Scenario, trace: &Trace) -> Result<Option<(Trace, RightSizing)>, Error> {
    let Some(opt) = &scenario.rightsize else {
        return Ok(None);
    };
    let venue = &scenario.venues[opt.venue];
    let sizes = match venue.public() {
        Some(book) => Sizes::Book(Box::new(book.clone())),
        // A private site: the scenario gave its flavour list (checked when it was loaded).
        None => Sizes::Flavours(opt.flavours.clone()),
    };
    let (use_at, data) = match (&opt.perf, trace.samples()?) {
        (Some(path), _) => (
            perf::read_file(path, &trace.table, opt.percentile)?,
            "percentile file",
        ),
        (None, Some(samples)) => (
            perf::from_samples(&trace.table, samples, opt.percentile)?,
            "usage series",
        ),
        (None, None) => (vec![None; trace.table.vms.len()], "none"),
    };
    let table = &trace.table;
    // What each VM pays on the venue: its licences, less those brought along (Azure Hybrid
    // Benefit); nothing on a private site.
    let licences = |vm: u32| match venue.public() {
        Some(book) => scenario
            .group(table.group_name(&table.vms[vm as usize]))
            .licences_paid(book),
        None => Licences::default(),
    };
    let decisions = fit(table, &use_at, &sizes, opt, venue.rate, &licences);
    let resized = resize(trace, &decisions, &sizes)?;
    let rs = RightSizing {
        venue: venue.name.clone(),
        sizes,
        options: opt.clone(),
        data,
        decisions,
    };
    Ok(Some((resized, rs)))
}

/// The trace with each VM at its new instance type's size; CPU and memory samples rescaled to
/// the new size (clamped to 1.0 above it, counted in the notes).
fn resize(trace: &Trace, decisions: &[Decision], sizes: &Sizes) -> Result<Trace, Error> {
    let mut table = trace.table.clone();
    let mut scale = vec![(1.0f64, 1.0f64); table.vms.len()];
    for d in decisions {
        if let (Basis::Fitted, Some(ix)) = (d.basis, d.after) {
            let ((vcpus, mem_gib), vm) = (sizes.size(ix), &mut table.vms[d.vm as usize]);
            scale[d.vm as usize] = (vm.vcpus / vcpus, vm.mem_gib / mem_gib);
            vm.vcpus = vcpus;
            vm.mem_gib = mem_gib;
        }
    }
    let mut notes = trace.notes.clone();
    let mut samples = Vec::new();
    let mut clamped = 0u64;
    if let Some(all) = trace.samples()? {
        for s in all {
            let s = s?;
            let (c, m) = scale[s.vm as usize];
            let cpu = (f64::from(s.cpu) * c) as f32;
            let mem = s.mem().map(|x| ((f64::from(x) * m) as f32).min(1.0));
            clamped += u64::from(cpu > 1.0);
            samples.push(Sample::new(s.vm, s.t, cpu.min(1.0), mem));
        }
    }
    crate::trace::note_count(
        &mut notes,
        clamped,
        "usage samples above a right-sized VM's vCPUs clamped to 1.0",
    );
    Ok(Trace::from_samples(table, samples, notes))
}

/// Right-sizing in summary.json: the totals and the ten largest savings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RightsizeSummary {
    pub venue: String,
    pub percentile: f64,
    pub headroom: f64,
    /// Where the percentiles came from: "percentile file", "usage series" or "none".
    pub data: String,
    pub vms: u64,
    /// Fitted to a private site's flavours (no per-VM prices: the money figures are 0 and the
    /// saving shows in the hosts the run needs); absent for a public venue's instance types.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub flavours: bool,
    /// VMs moved to a cheaper instance type (or a smaller flavour).
    pub resized: u64,
    /// VMs without performance data, kept at their allocated size.
    pub without_data: u64,
    pub vcpus_before: f64,
    pub vcpus_after: f64,
    pub mem_gib_before: f64,
    pub mem_gib_after: f64,
    /// On-demand price a month (730 h) of every VM on the venue, before and after.
    pub monthly_before: f64,
    pub monthly_after: f64,
    pub monthly_saving: f64,
    pub largest: Vec<ResizedVm>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResizedVm {
    pub vm: String,
    pub before: String,
    pub after: String,
    pub monthly_saving: f64,
}

const LARGEST: usize = 10;

impl RightSizing {
    /// The size a VM was simulated at: its new type's, or its own when kept.
    fn after_size(&self, d: &Decision) -> (f64, f64) {
        match (d.basis, d.after) {
            (Basis::Fitted, Some(i)) => self.sizes.size(i),
            _ => (d.vcpus, d.mem_gib),
        }
    }

    fn name(&self, ix: Option<usize>) -> String {
        ix.map_or_else(String::new, |i| self.sizes.name(i).to_string())
    }

    /// The figures for summary.json (money and sizes rounded as the rest of the summary).
    pub fn summary(&self, table: &VmTable) -> RightsizeSummary {
        // `table` gives the VMs' ids only (the same in the resized table).
        let r2 = |x: f64| (x * 100.0).round() / 100.0 + 0.0;
        let r4 = |x: f64| (x * 1e4).round() / 1e4 + 0.0;
        let (mut vb, mut va, mut mb, mut ma) = (0.0, 0.0, 0.0, 0.0);
        for d in &self.decisions {
            let a = self.after_size(d);
            (vb, va, mb, ma) = (vb + d.vcpus, va + a.0, mb + d.mem_gib, ma + a.1);
        }
        let before: f64 = self.decisions.iter().map(|d| d.monthly_before).sum();
        let after: f64 = self.decisions.iter().map(|d| d.monthly_after).sum();
        let mut saved: Vec<&Decision> = self
            .decisions
            .iter()
            .filter(|d| d.after != d.before)
            .collect();
        // Largest saving first; ties by table order, so the list is the same on every run.
        saved.sort_by(|a, b| {
            let s = |d: &Decision| d.monthly_before - d.monthly_after;
            s(b).total_cmp(&s(a)).then(a.vm.cmp(&b.vm))
        });
        RightsizeSummary {
            venue: self.venue.to_string(),
            percentile: self.options.percentile,
            headroom: self.options.headroom,
            data: self.data.to_string(),
            vms: self.decisions.len() as u64,
            flavours: matches!(self.sizes, Sizes::Flavours(_)),
            resized: saved.len() as u64,
            without_data: self
                .decisions
                .iter()
                .filter(|d| d.basis == Basis::NoData)
                .count() as u64,
            vcpus_before: r4(vb),
            vcpus_after: r4(va),
            mem_gib_before: r4(mb),
            mem_gib_after: r4(ma),
            monthly_before: r2(before),
            monthly_after: r2(after),
            monthly_saving: r2(before - after),
            largest: saved
                .iter()
                .take(LARGEST)
                .map(|d| ResizedVm {
                    vm: table.id(d.vm).to_string(),
                    before: self.name(d.before),
                    after: self.name(d.after),
                    monthly_saving: r2(d.monthly_before - d.monthly_after),
                })
                .collect(),
        }
    }

    /// `rightsize.csv`: one row per VM, before and after, with the basis of the decision.
    pub fn write_csv(&self, table: &VmTable, out: impl Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "vm",
            "group",
            "vcpus",
            "mem_gib",
            "cpu_use",
            "mem_use",
            "need_vcpus",
            "need_mem_gib",
            "before",
            "after",
            "vcpus_after",
            "mem_gib_after",
            "monthly_before",
            "monthly_after",
            "monthly_saving",
            "basis",
        ])?;
        let opt = |x: Option<f64>| x.map(|v| format!("{v:.4}")).unwrap_or_default();
        for d in &self.decisions {
            let (va, ma) = self.after_size(d);
            w.write_record([
                &*cell(table.id(d.vm)),
                &cell(table.group_name(&table.vms[d.vm as usize])),
                &d.vcpus.to_string(),
                &d.mem_gib.to_string(),
                &opt(d.use_at.map(|p| p.cpu)),
                &opt(d.use_at.and_then(|p| p.mem)),
                &format!("{:.4}", d.need_vcpus),
                &format!("{:.4}", d.need_mem_gib),
                &cell(&self.name(d.before)),
                &cell(&self.name(d.after)),
                &va.to_string(),
                &ma.to_string(),
                &format!("{:.2}", d.monthly_before),
                &format!("{:.2}", d.monthly_after),
                &format!("{:.2}", d.monthly_before - d.monthly_after),
                d.basis.name(),
            ])?;
        }
        w.flush()
    }
}

#[cfg(test)]
mod tests;
