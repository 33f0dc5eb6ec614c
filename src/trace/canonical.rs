//! Readers for the canonical CSV trace: `vms.csv` and `usage.csv`. Both read rows through
//! `plain::CsvRows` (unquoted lines split in place, quoted ones by the `csv` crate), allocate
//! nothing per row, and report problems as `file:line: what is wrong`.

mod lanes;

use super::plain::{CsvRows, Taken};
use super::rows::Row;
use super::{Sample, TableBuilder, Vm, VmTable, sample_time};
use crate::error::InputError;
use crate::text::{csv_cell, csv_text};
use crate::units::SimTime;
use lanes::{Seen, plain_sample, plain_vm};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const VM_COLUMNS: [&str; 7] = [
    "id", "group", "start_s", "end_s", "vcpus", "mem_gib", "disk_gib",
];
const USAGE_COLUMNS: [&str; 3] = ["id", "t_s", "cpu_util"];
const USAGE_OPTIONAL: [&str; 1] = ["mem_util"];

/// Finds each expected column in the header; unknown and missing columns are errors.
fn columns(
    header: &csv::StringRecord,
    path: &Path,
    required: &[&str],
    optional: &[&str],
) -> Result<HashMap<String, usize>, InputError> {
    let mut at = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        if !required.contains(&name) && !optional.contains(&name) {
            return Err(InputError::line(
                path,
                1,
                format!(
                    "unknown column \"{name}\"; expected columns {}",
                    required.join(",")
                ),
            ));
        }
        if at.insert(name.to_string(), i).is_some() {
            return Err(InputError::line(
                path,
                1,
                format!("column \"{name}\" appears twice"),
            ));
        }
    }
    if let Some(missing) = required.iter().find(|c| !at.contains_key(**c)) {
        return Err(InputError::line(
            path,
            1,
            format!(
                "missing column \"{missing}\"; expected columns {}",
                required.join(",")
            ),
        ));
    }
    Ok(at)
}

/// Opens a CSV stream and maps its header to column positions; `plain: false` reads every row
/// with the `csv` crate (the reference the plain path is tested against).
fn open_rows<R: Read>(
    reader: R,
    path: &Path,
    required: &[&str],
    optional: &[&str],
    plain: bool,
) -> Result<(CsvRows<R>, HashMap<String, usize>), InputError> {
    let rows = CsvRows::open(reader, path, plain)?;
    if rows.header().is_empty() {
        return Err(InputError::file(
            path,
            "file is empty; expected a header line",
        ));
    }
    let col = columns(rows.header(), path, required, optional)?;
    Ok((rows, col))
}

/// The largest VM a trace may hold (README, "Limits"): far above any VM a cloud sells (about
/// 900 vCPUs, 32 TiB), so a size of 1e300 is refused instead of read as a VM nothing can hold.
pub const MAX_VM_VCPUS: f64 = 10_000.0;
pub const MAX_VM_MEM_GIB: f64 = 1e6;
pub const MAX_VM_DISK_GIB: f64 = 1e7;

/// Reads `vms.csv` (header: id,group,start_s,end_s,vcpus,mem_gib,disk_gib) into a table.
///
/// Ids are checked for repeats once all rows are in (by sorting, cheaper than a hash table
/// filled row by row), and before any later error is reported, so the first bad line is the one
/// named, as if each row had been checked on arrival.
pub fn read_vms<R: Read>(reader: R, path: &Path) -> Result<VmTable, InputError> {
    read_vms_via(reader, path, true)
}

/// `read_vms`, with `plain: false` through the `csv` crate only.
fn read_vms_via<R: Read>(reader: R, path: &Path, plain: bool) -> Result<VmTable, InputError> {
    let (mut rows, col) = open_rows(reader, path, &VM_COLUMNS, &[], plain)?;
    let cols = VM_COLUMNS.map(|c| col[c]);
    // The lane reads the columns in the order `trace convert` writes them.
    let lane = plain && cols == [0, 1, 2, 3, 4, 5, 6];
    let mut table = TableBuilder::new();
    let read = (|| {
        while let Some(taken) =
            rows.next_row_or(|line, at| lane && plain_vm(line, at, &mut table))?
        {
            if let Taken::Row(row) = taken {
                vm_row(&row, cols, &mut table)?;
            }
        }
        Ok(())
    })();
    if let Some((id, line, first)) = table.first_repeat() {
        return Err(InputError::line(
            path,
            line,
            format!("duplicate VM id \"{id}\" (first on line {first})"),
        ));
    }
    read?;
    if table.is_empty() {
        return Err(InputError::file(path, "has a header but no VM rows"));
    }
    Ok(table.finish())
}

/// Checks one row of `vms.csv` and adds its VM (ids are checked later, see `read_vms`).
fn vm_row(row: &Row, cols: [usize; 7], table: &mut TableBuilder) -> Result<(), InputError> {
    let [id_c, group_c, start_c, end_c, vcpus_c, mem_c, disk_c] = cols;
    let id = csv_text(row.text(id_c));
    if id.is_empty() {
        return Err(row.err("id is empty"));
    }
    let group_name = csv_text(row.text(group_c));
    if group_name.is_empty() {
        return Err(row.err(format!("group of VM \"{id}\" is empty")));
    }
    let group = table.group(group_name);
    let start = row.seconds(start_c, "start_s")?;
    let end = match row.text(end_c) {
        "" => None,
        _ => Some(row.seconds(end_c, "end_s")?),
    };
    if let Some(end) = end.filter(|&e| e <= start) {
        return Err(row.err(format!("end_s {end} is not after start_s {start}")));
    }
    let disk_gib = row.number(disk_c, "disk_gib")?;
    if disk_gib < 0.0 {
        return Err(row.err(format!("disk_gib {disk_gib} must be >= 0")));
    }
    let vm = Vm {
        group,
        start,
        end,
        vcpus: row.at_most(row.positive(vcpus_c, "vcpus")?, "vcpus", MAX_VM_VCPUS)?,
        mem_gib: row.at_most(row.positive(mem_c, "mem_gib")?, "mem_gib", MAX_VM_MEM_GIB)?,
        disk_gib: row.at_most(disk_gib, "disk_gib", MAX_VM_DISK_GIB)?,
    };
    table.push_unchecked(id, vm, row.line);
    Ok(())
}

/// Streams `usage.csv` (header: id,t_s,cpu_util[,mem_util]) in time order, checking every row
/// against the VM table: unknown VMs, time going backwards, duplicate samples, samples outside
/// the VM's lifetime and utilisation outside 0..=1 are errors naming the line.
pub struct UsageReader<'t, R: Read> {
    rows: CsvRows<R>,
    table: &'t VmTable,
    cols: [usize; 3],
    mem_col: Option<usize>,
    /// Whether `plain_sample` may read rows: the columns are in `trace convert`'s order.
    lane: bool,
    seen: Seen,
    done: bool,
}

impl<'t, R: Read> UsageReader<'t, R> {
    pub fn new(reader: R, path: &Path, table: &'t VmTable) -> Result<Self, InputError> {
        Self::via(reader, path, table, true)
    }

    /// `new`, with `plain: false` through the `csv` crate only.
    fn via(reader: R, path: &Path, table: &'t VmTable, plain: bool) -> Result<Self, InputError> {
        let (rows, col) = open_rows(reader, path, &USAGE_COLUMNS, &USAGE_OPTIONAL, plain)?;
        let cols = USAGE_COLUMNS.map(|c| col[c]);
        let mem_col = col.get("mem_util").copied();
        Ok(UsageReader {
            rows,
            table,
            lane: plain && cols == [0, 1, 2] && mem_col.is_none_or(|c| c == 3),
            cols,
            mem_col,
            seen: Seen {
                last_t: 0,
                last_per_vm: vec![SimTime::MAX; table.vms.len()],
                next_vm: 0,
            },
            done: false,
        })
    }

    fn next_sample(&mut self) -> Result<Option<Sample>, InputError> {
        let (table, lane, with_mem) = (self.table, self.lane, self.mem_col.is_some());
        let mut fast = None;
        let taken = self.rows.next_row_or(|line, _| {
            fast = lane.then(|| plain_sample(line, with_mem, table, &mut self.seen));
            matches!(fast, Some(Some(_)))
        })?;
        let row = match taken {
            None => return Ok(None),
            Some(Taken::Fast) => return Ok(fast.flatten()),
            Some(Taken::Row(row)) => row,
        };
        let [id_c, t_c, cpu_c] = self.cols;
        let id = csv_text(row.text(id_c));
        let vm = match self.seen.next_if(table, id.as_bytes()) {
            Some(vm) => vm,
            None => table.position(id).ok_or_else(|| {
                row.err(format!(
                    "usage for unknown VM \"{id}\" (not in the VM table)"
                ))
            })?,
        };
        let t = row.seconds(t_c, "t_s")?;
        if t < self.seen.last_t {
            return Err(row.err(format!(
                "t_s {t} goes back in time (previous row had {}); usage rows must be sorted by t_s",
                self.seen.last_t
            )));
        }
        let v = &table.vms[vm as usize];
        if self.seen.last_per_vm[vm as usize] == t {
            return Err(row.err(format!("second sample for VM \"{id}\" at t_s {t}")));
        }
        if t < v.start || v.end.is_some_and(|e| t >= e) {
            let end = v.end.map_or("the horizon".to_string(), |e| e.to_string());
            return Err(row.err(format!(
                "sample at t_s {t} is outside VM \"{id}\"'s lifetime [{}, {end})",
                v.start
            )));
        }
        let packed_t = sample_time(t).map_err(|m| row.err(m.to_string()))?;
        let cpu = row.fraction(cpu_c, "cpu_util")?;
        let mem = match self.mem_col {
            Some(c) if !row.text(c).is_empty() => Some(row.fraction(c, "mem_util")?),
            _ => None,
        };
        self.seen.note(vm, t);
        Ok(Some(Sample::new(vm, packed_t, cpu, mem)))
    }
}

impl<R: Read> Iterator for UsageReader<'_, R> {
    type Item = Result<Sample, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.next_sample().transpose();
        // Stop after the first error: later rows would only repeat it.
        self.done = matches!(next, None | Some(Err(_)));
        next
    }
}

/// The canonical files in a folder: `vms.csv` (or `vms.csv.gz`) and, if present, `usage.csv`
/// (or `usage.csv.gz`). A path that is a file is taken as the VM table, with `usage.csv` beside it.
pub fn paths_in(path: &Path) -> (PathBuf, Option<PathBuf>) {
    let (dir, vms) = if path.is_dir() {
        let gz = path.join("vms.csv.gz");
        (
            path.to_path_buf(),
            if gz.exists() {
                gz
            } else {
                path.join("vms.csv")
            },
        )
    } else {
        (
            path.parent().unwrap_or(Path::new(".")).to_path_buf(),
            path.to_path_buf(),
        )
    };
    let usage = ["usage.csv", "usage.csv.gz"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.exists());
    (vms, usage)
}

/// Writes a VM table as canonical `vms.csv`; ids and group names are neutralised for
/// spreadsheets ([`csv_cell`]) and read back as they were ([`csv_text`]).
pub fn write_vms_csv(table: &VmTable, out: impl Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(VM_COLUMNS)?;
    for (i, vm) in table.vms.iter().enumerate() {
        let end = vm.end.map(|e| e.to_string()).unwrap_or_default();
        w.write_record([
            csv_cell(table.id(i as u32)).as_ref(),
            csv_cell(table.group_name(vm)).as_ref(),
            &vm.start.to_string(),
            &end,
            &vm.vcpus.to_string(),
            &vm.mem_gib.to_string(),
            &vm.disk_gib.to_string(),
        ])?;
    }
    w.flush()
}

/// Writes samples (already in time order) as canonical `usage.csv`; the `mem_util` column is
/// written only when `has_mem`. One buffer is reused for every number.
pub fn write_usage_csv<I>(
    table: &VmTable,
    samples: I,
    has_mem: bool,
    out: impl Write,
) -> std::io::Result<()>
where
    I: Iterator<Item = std::io::Result<Sample>>,
{
    let mut w = csv::Writer::from_writer(out);
    let header: &[&str] = if has_mem {
        &["id", "t_s", "cpu_util", "mem_util"]
    } else {
        &USAGE_COLUMNS
    };
    w.write_record(header)?;
    let mut buf = String::new();
    let mut field = |w: &mut csv::Writer<_>, value: &dyn std::fmt::Display| {
        buf.clear();
        let _ = write!(buf, "{value}");
        w.write_field(&buf)
    };
    for s in samples {
        let s = s?;
        w.write_field(csv_cell(table.id(s.vm)).as_bytes())?;
        field(&mut w, &s.t)?;
        // f32 prints its shortest round-trip form: 0.1, not 0.10000000149011612.
        field(&mut w, &s.cpu)?;
        if has_mem {
            match s.mem() {
                Some(m) => field(&mut w, &m)?,
                None => w.write_field("")?,
            }
        }
        w.write_record(None::<&[u8]>)?;
    }
    w.flush()
}

#[cfg(test)]
mod both_paths;

#[cfg(test)]
mod tests {
    use super::*;

    fn vms(text: &str) -> Result<VmTable, InputError> {
        read_vms(text.as_bytes(), Path::new("vms.csv"))
    }

    const HEADER: &str = "id,group,start_s,end_s,vcpus,mem_gib,disk_gib\n";

    #[test]
    fn vm_table_is_sorted_by_start_and_groups_are_interned() {
        let t = vms(&format!(
            "{HEADER}b,web,600,,2,8,50\na,db,0,3600,8,64,500\nc,web,600,1200,2,8,0\n"
        ))
        .unwrap();
        let ids: Vec<&str> = (0..3).map(|i| t.id(i)).collect();
        assert_eq!(ids, ["a", "b", "c"]); // a starts at 0; b before c at 600 by file order
        assert_eq!(t.groups, ["web", "db"]);
        assert_eq!(t.group_name(&t.vms[0]), "db");
        assert_eq!(t.vms[1].end, None);
        assert_eq!(t.position("c"), Some(2));
    }

    #[test]
    fn formula_ids_and_groups_are_neutralised_and_read_back() {
        let t = vms(&format!("{HEADER}=cmd,@web,0,,2,8,50\n-7,'-x,0,,2,8,50\n")).unwrap();
        let mut out = Vec::new();
        write_vms_csv(&t, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        // The file a spreadsheet opens holds no formula; hybridplan reads the names back.
        assert_eq!(
            text,
            format!("{HEADER}'=cmd,'@web,0,,2,8,50\n'-7,'-x,0,,2,8,50\n")
        );
        let back = vms(&text).unwrap();
        assert_eq!((back.id(0), back.id(1)), ("=cmd", "-7"));
        assert_eq!(back.groups, ["@web", "-x"]);
    }

    #[test]
    fn vm_rows_are_checked() {
        let cases = [
            (
                "a,web,0,,2,8,1\na,web,0,,2,8,1\n",
                "vms.csv:3: duplicate VM id \"a\" (first on line 2)",
            ),
            (
                "a,web,10,5,2,8,1\n",
                "vms.csv:2: end_s 5 is not after start_s 10",
            ),
            (
                "a,web,-1,,2,8,1\n",
                "vms.csv:2: start_s \"-1\" is not a whole number of seconds >= 0",
            ),
            (
                "a,web,0,,NaN,8,1\n",
                "vms.csv:2: vcpus \"NaN\" is not a finite number",
            ),
            ("a,web,0,,0,8,1\n", "vms.csv:2: vcpus 0 must be > 0"),
            (
                "a,web,0,,2,8\n",
                "vms.csv:2: row has 6 fields but the header has 7",
            ),
            ("a,,0,,2,8,1\n", "vms.csv:2: group of VM \"a\" is empty"),
            // The repeat on line 4 comes before the bad vcpus on line 5, and so is reported.
            (
                "a,web,0,,2,8,1\nb,web,0,,2,8,1\na,web,0,,2,8,1\nc,web,0,,0,8,1\n",
                "vms.csv:4: duplicate VM id \"a\" (first on line 2)",
            ),
            // The bad vcpus on line 3 comes first.
            (
                "a,web,0,,2,8,1\nc,web,0,,0,8,1\na,web,0,,2,8,1\n",
                "vms.csv:3: vcpus 0 must be > 0",
            ),
        ];
        for (rows, want) in cases {
            assert_eq!(
                vms(&format!("{HEADER}{rows}")).unwrap_err().to_string(),
                want
            );
        }
        assert_eq!(
            vms("id,group,start,end_s,vcpus,mem_gib,disk_gib\n")
                .unwrap_err()
                .to_string(),
            "vms.csv:1: unknown column \"start\"; expected columns id,group,start_s,end_s,vcpus,mem_gib,disk_gib"
        );
        assert_eq!(
            vms(HEADER).unwrap_err().to_string(),
            "vms.csv: has a header but no VM rows"
        );
        let bad_utf8 = [HEADER.as_bytes(), b"a,web,0,,2,8,1\nb\xff,web,0,,2,8,1\n"].concat();
        assert_eq!(
            read_vms(&bad_utf8[..], Path::new("vms.csv"))
                .unwrap_err()
                .to_string(),
            "vms.csv:3: row is not valid UTF-8"
        );
        assert_eq!(
            vms("").unwrap_err().to_string(),
            "vms.csv: file is empty; expected a header line"
        );
    }

    fn usage(table: &VmTable, text: &str) -> Result<Vec<Sample>, InputError> {
        UsageReader::new(text.as_bytes(), Path::new("usage.csv"), table)?.collect()
    }

    #[test]
    fn usage_rows_are_checked_against_the_table() {
        let t = vms(&format!("{HEADER}a,web,0,3600,2,8,1\nb,web,0,,2,8,1\n")).unwrap();
        let ok = usage(
            &t,
            "id,t_s,cpu_util,mem_util\na,0,0.5,\nb,0,1,0.25\na,300,0,\n",
        )
        .unwrap();
        assert_eq!(ok.len(), 3);
        assert_eq!(ok[1], Sample::new(1, 0, 1.0, Some(0.25)));
        let cases = [
            (
                "x,0,0.5\n",
                "usage.csv:2: usage for unknown VM \"x\" (not in the VM table)",
            ),
            (
                "a,300,0.5\nb,0,0.5\n",
                "usage.csv:3: t_s 0 goes back in time (previous row had 300); usage rows must be sorted by t_s",
            ),
            (
                "a,0,1.5\n",
                "usage.csv:2: cpu_util 1.5 is outside 0..=1 (a fraction, not a percentage)",
            ),
            (
                "a,0,nan\n",
                "usage.csv:2: cpu_util \"nan\" is not a finite number",
            ),
            (
                "a,0,0.5\na,0,0.6\n",
                "usage.csv:3: second sample for VM \"a\" at t_s 0",
            ),
            (
                "a,3600,0.5\n",
                "usage.csv:2: sample at t_s 3600 is outside VM \"a\"'s lifetime [0, 3600)",
            ),
        ];
        for (rows, want) in cases {
            assert_eq!(
                usage(&t, &format!("id,t_s,cpu_util\n{rows}"))
                    .unwrap_err()
                    .to_string(),
                want
            );
        }
    }
}
