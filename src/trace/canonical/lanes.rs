//! The canonical readers' plain lanes: a row in the columns' own order (as `trace convert`
//! writes them) read in one pass over its line's bytes, with every check of the general reader,
//! or left untouched to it (`CsvRows::next_row_or`). The general readers in `canonical` stay the
//! reference and the only source of errors; proptests in `both_paths` compare the two.

use super::{MAX_VM_DISK_GIB, MAX_VM_MEM_GIB, MAX_VM_VCPUS};
use crate::trace::decimal;
use crate::trace::{Sample, TableBuilder, Vm, VmTable, sample_time};
use crate::units::SimTime;

/// Adds the VM of a row of `vms.csv` in the columns' own order when every cell is in its
/// plainest form and valid: an id and a group of visible characters (no neutralising quote, no
/// space to trim), whole seconds of digits, sizes of digits and a point within their limits.
/// False leaves the row, untouched, to `vm_row`, which reads any form and words any error; a VM
/// added here is the one `vm_row` would add. One pass over the line's bytes, where splitting it
/// into cells and reading each through `Row` takes three times the instructions (README,
/// "Benchmarks": a million short rows).
pub(super) fn plain_vm(line: &[u8], at: u64, table: &mut TableBuilder) -> bool {
    let mut cells = line.split(|&b| b == b',');
    let mut next = || cells.next().unwrap_or(b"\n");
    let (id, group) = (next(), next());
    let (start, end) = (decimal::digits(next()), next());
    let sizes = [
        decimal::plain(next()),
        decimal::plain(next()),
        decimal::plain(next()),
    ];
    let (Some(id), Some(group), Some(start), [Some(vcpus), Some(mem_gib), Some(disk_gib)]) = (
        plain_name(id),
        table
            .group_of(group)
            .or_else(|| plain_name(group).map(|g| table.group(g))),
        start,
        sizes,
    ) else {
        return false;
    };
    let end = match end {
        b"" => None,
        e => match decimal::digits(e) {
            Some(e) if e > start => Some(e),
            _ => return false,
        },
    };
    let sized = vcpus > 0.0 && vcpus <= MAX_VM_VCPUS && mem_gib > 0.0 && mem_gib <= MAX_VM_MEM_GIB;
    if cells.next().is_some() || !sized || disk_gib > MAX_VM_DISK_GIB {
        return false;
    }
    let vm = Vm {
        group,
        start,
        end,
        vcpus,
        mem_gib,
        disk_gib,
    };
    table.push_unchecked(id, vm, at);
    true
}

/// A name cell that `text` and `csv_text` give back as it is: visible characters at both ends
/// (nothing to trim) and no leading quote (nothing to neutralise).
fn plain_name(cell: &[u8]) -> Option<&str> {
    match (cell.first(), cell.last()) {
        (Some(&a), Some(z)) if a != b'\'' && a.is_ascii_graphic() && z.is_ascii_graphic() => {
            std::str::from_utf8(cell).ok()
        }
        _ => None,
    }
}

/// What the rows so far set for the next one.
pub(super) struct Seen {
    pub(super) last_t: SimTime,
    /// Last sample time per VM, to catch duplicates (`u64::MAX`: none yet).
    pub(super) last_per_vm: Vec<SimTime>,
    /// The VM after the last row's, tried first.
    pub(super) next_vm: u32,
}

impl Seen {
    /// Notes a sample of `vm` at `t` (every check passed).
    pub(super) fn note(&mut self, vm: u32, t: SimTime) {
        self.last_t = t;
        self.last_per_vm[vm as usize] = t;
        self.next_vm = vm + 1;
    }

    /// The VM after the last row's when `id` is its id (rows of one time step usually list VMs
    /// in table order, as `trace convert` writes them): no hashing of the id.
    pub(super) fn next_if(&self, table: &VmTable, id: &[u8]) -> Option<u32> {
        let next = self.next_vm;
        ((next as usize) < table.vms.len() && table.id(next).as_bytes() == id).then_some(next)
    }
}

/// The sample of a row of `usage.csv` in the columns' own order (`with_mem`: a fourth,
/// `mem_util`) when every cell is in its plainest form and the sample passes every check of
/// `next_sample`; None leaves the row, and `seen`, untouched for `next_sample`, which reads any
/// form and words any error. As `plain_vm` for the VM table: one pass over the line's bytes.
pub(super) fn plain_sample(
    line: &[u8],
    with_mem: bool,
    table: &VmTable,
    seen: &mut Seen,
) -> Option<Sample> {
    let mut cells = line.split(|&b| b == b',');
    let mut next = || cells.next().unwrap_or(b"\n");
    let (id, t) = (next(), decimal::digits(next())?);
    let fraction = |cell: &[u8]| decimal::plain(cell).filter(|v| (0.0..=1.0).contains(v));
    let cpu = fraction(next())?;
    let mem = match with_mem.then(&mut next) {
        None | Some(b"") => None,
        Some(m) => Some(fraction(m)? as f32),
    };
    if cells.next().is_some() || !matches!(id.first(), Some(&a) if a != b'\'') {
        return None;
    }
    let vm = match seen.next_if(table, id) {
        Some(vm) => vm,
        None => table.position(plain_name(id)?)?,
    };
    let v = &table.vms[vm as usize];
    let lived = t >= v.start && v.end.is_none_or(|e| t < e);
    if t < seen.last_t || seen.last_per_vm[vm as usize] == t || !lived {
        return None;
    }
    let packed_t = sample_time(t).ok()?;
    seen.note(vm, t);
    Some(Sample::new(vm, packed_t, cpu as f32, mem))
}
