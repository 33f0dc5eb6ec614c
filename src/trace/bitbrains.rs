//! The Bitbrains traces in OpenDC's Parquet layout: a folder with `tasks.parquet` (one row per
//! VM) and `fragments.parquet` (utilisation periods, in time order per VM).
//!
//! Units (see ../shared/data/README.md): times and durations in milliseconds, `cpu_capacity`
//! and `cpu_usage` in MHz summed over the VM's cores, `mem_capacity` in KB (KiB). Conversions:
//! start = (submission_time - earliest submission_time) / 1000 s; end = start + duration / 1000
//! (rounded to the second, at least 1 s); vCPUs = cpu_count; GiB = KB / 1,048,576; a fragment
//! starts where the VM's previous fragments end and its utilisation is cpu_usage / cpu_capacity.
//! Fragments above capacity are clamped to 1.0 and fragments past the VM's end are dropped,
//! both counted in the trace's notes.

use super::rows::note;
use super::{Sample, TableBuilder, Trace, Vm, sample_time};
use crate::error::{Error, InputError};
use parquet::basic::Type as PhysicalType;
use parquet::column::reader::get_typed_column_reader;
use parquet::data_type::{DataType, DoubleType, Int32Type, Int64Type};
use parquet::file::reader::{FileReader, SerializedFileReader};
use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

/// The most rows a Parquet trace file may claim (README, "Limits"): its columns are read whole,
/// 10 bytes a row each, and a crafted footer can claim any count.
pub const MAX_PARQUET_ROWS: i64 = 100_000_000;

fn open(path: &Path) -> Result<SerializedFileReader<File>, Error> {
    crate::error::check_regular(path)?;
    let file = File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => InputError::file(path, "file not found").into(),
        _ => Error::io(path, e),
    })?;
    SerializedFileReader::new(file)
        .map_err(|e| InputError::file(path, format!("is not a readable Parquet file: {e}")).into())
}

/// Refuses a column chunk whose footer places it outside the file: the parquet crate asserts
/// (panics) on a negative offset or size, and would seek past the end on a large one.
fn check_chunk(
    chunk: &parquet::file::metadata::ColumnChunkMetaData,
    path: &Path,
    name: &str,
) -> Result<(), InputError> {
    let len = std::fs::metadata(path).map_or(0, |m| m.len()) as i64;
    let start = chunk
        .dictionary_page_offset()
        .unwrap_or(chunk.data_page_offset());
    let size = chunk.compressed_size();
    let inside = start >= 0 && size >= 0 && start.checked_add(size).is_some_and(|end| end <= len);
    if inside && chunk.data_page_offset() >= 0 {
        return Ok(());
    }
    let msg = format!(
        "column \"{name}\" claims bytes {start}..+{size} of a {len}-byte file; the file is corrupt"
    );
    Err(InputError::file(path, msg))
}

/// Reads a whole column by name, checking its physical type and that it has no nulls.
fn column<T: DataType>(
    reader: &SerializedFileReader<File>,
    path: &Path,
    name: &str,
    expected: PhysicalType,
) -> Result<Vec<T::T>, InputError> {
    let schema = reader.metadata().file_metadata().schema_descr();
    let names: Vec<&str> = schema.columns().iter().map(|c| c.name()).collect();
    let ix = names.iter().position(|n| *n == name).ok_or_else(|| {
        InputError::file(
            path,
            format!("missing column \"{name}\" (columns: {})", names.join(", ")),
        )
    })?;
    let found = schema.column(ix).physical_type();
    if found != expected {
        return Err(InputError::file(
            path,
            format!("column \"{name}\" is {found}, expected {expected}"),
        ));
    }
    let broken = |e: parquet::errors::ParquetError| {
        InputError::file(path, format!("column \"{name}\" cannot be read: {e}"))
    };
    let rows = reader.metadata().file_metadata().num_rows();
    if rows > MAX_PARQUET_ROWS {
        let msg = format!(
            "claims {rows} rows, over the limit of {MAX_PARQUET_ROWS} (README, \"Limits\")"
        );
        return Err(InputError::file(path, msg));
    }
    let rows = rows.max(0) as usize;
    let mut values = Vec::with_capacity(rows);
    let mut levels = Vec::with_capacity(rows);
    for g in 0..reader.num_row_groups() {
        let group = reader.get_row_group(g).map_err(broken)?;
        check_chunk(group.metadata().column(ix), path, name)?;
        let mut col = get_typed_column_reader::<T>(group.get_column_reader(ix).map_err(broken)?);
        let group_rows = group.metadata().num_rows().max(0) as usize;
        if group_rows > rows - values.len().min(rows) {
            let msg =
                format!("column \"{name}\": row groups hold more rows than the file's {rows}");
            return Err(InputError::file(path, msg));
        }
        let (records, _, _) = col
            .read_records(group_rows, Some(&mut levels), None, &mut values)
            .map_err(broken)?;
        if records != group_rows {
            return Err(InputError::file(
                path,
                format!("column \"{name}\" is truncated: {records} of {group_rows} rows"),
            ));
        }
    }
    if values.len() != rows {
        return Err(InputError::file(
            path,
            format!(
                "column \"{name}\" has {} empty (null) cells",
                rows - values.len()
            ),
        ));
    }
    Ok(values)
}

pub fn load(dir: &Path) -> Result<Trace, Error> {
    let tasks_path = dir.join("tasks.parquet");
    let frags_path = dir.join("fragments.parquet");
    let tasks = open(&tasks_path)?;
    let ids = column::<Int32Type>(&tasks, &tasks_path, "id", PhysicalType::INT32)?;
    let submitted =
        column::<Int64Type>(&tasks, &tasks_path, "submission_time", PhysicalType::INT64)?;
    let durations = column::<Int64Type>(&tasks, &tasks_path, "duration", PhysicalType::INT64)?;
    let cores = column::<Int32Type>(&tasks, &tasks_path, "cpu_count", PhysicalType::INT32)?;
    let capacity = column::<DoubleType>(&tasks, &tasks_path, "cpu_capacity", PhysicalType::DOUBLE)?;
    let mem_kb = column::<Int64Type>(&tasks, &tasks_path, "mem_capacity", PhysicalType::INT64)?;
    if ids.is_empty() {
        return Err(InputError::file(&tasks_path, "has no rows").into());
    }

    let epoch = submitted.iter().copied().min().unwrap_or(0);
    let mut table = TableBuilder::new();
    let group = table.group("bitbrains");
    let mut by_id: HashMap<i32, u32> = HashMap::with_capacity(ids.len());
    for row in 0..ids.len() {
        let bad = |m: String| InputError::file(&tasks_path, format!("row {}: {m}", row + 1));
        if durations[row] <= 0
            || cores[row] <= 0
            || mem_kb[row] <= 0
            || capacity[row].is_nan()
            || capacity[row] <= 0.0
        {
            return Err(bad(format!(
                "task {} needs duration, cpu_count, cpu_capacity and mem_capacity > 0 (got {}, {}, {}, {})",
                ids[row], durations[row], cores[row], capacity[row], mem_kb[row]
            ))
            .into());
        }
        // i128: a corrupt file may hold any i64, and the difference must not overflow.
        let start = ((i128::from(submitted[row]) - i128::from(epoch)) / 1000) as u64;
        let vm = Vm {
            group,
            start,
            end: Some(
                start.saturating_add(((i128::from(durations[row]) + 500) / 1000).max(1) as u64),
            ),
            vcpus: f64::from(cores[row]),
            mem_gib: mem_kb[row] as f64 / 1_048_576.0,
            disk_gib: 0.0,
        };
        let index = table
            .push(&ids[row].to_string(), vm, row as u64 + 1)
            .map_err(|first| {
                bad(format!(
                    "duplicate task id {} (first in row {first})",
                    ids[row]
                ))
            })?;
        by_id.insert(ids[row], index);
    }

    let frags = open(&frags_path)?;
    let frag_ids = column::<Int32Type>(&frags, &frags_path, "id", PhysicalType::INT32)?;
    let frag_ms = column::<Int64Type>(&frags, &frags_path, "duration", PhysicalType::INT64)?;
    let usage = column::<DoubleType>(&frags, &frags_path, "cpu_usage", PhysicalType::DOUBLE)?;
    let mut samples = Vec::with_capacity(frag_ids.len());
    // Milliseconds since its start that each VM's next fragment begins at.
    let mut cursor = vec![0i64; ids.len()];
    let mut last_t = vec![u32::MAX; ids.len()];
    let (mut clamped, mut past_end, mut merged) = (0u64, 0u64, 0u64);
    for row in 0..frag_ids.len() {
        let bad = |m: String| InputError::file(&frags_path, format!("row {}: {m}", row + 1));
        let &vm = by_id.get(&frag_ids[row]).ok_or_else(|| {
            bad(format!(
                "usage for unknown VM {} (not in tasks.parquet)",
                frag_ids[row]
            ))
        })?;
        let (v, i) = (&table.vms()[vm as usize], vm as usize);
        if frag_ms[row] < 0 || !usage[row].is_finite() || usage[row] < 0.0 {
            return Err(bad(format!(
                "fragment of VM {} needs duration >= 0 and a finite cpu_usage >= 0 (got {}, {})",
                frag_ids[row], frag_ms[row], usage[row]
            ))
            .into());
        }
        let t = v.start.saturating_add((cursor[i] / 1000) as u64);
        cursor[i] = cursor[i].saturating_add(frag_ms[row]);
        if v.end.is_some_and(|e| t >= e) {
            past_end += 1;
            continue;
        }
        let t = sample_time(t).map_err(|e| bad(e.to_string()))?;
        if last_t[i] == t {
            // Two fragments starting within the same second: keep the first.
            merged += 1;
            continue;
        }
        last_t[i] = t;
        let mut util = usage[row] / capacity[i];
        if util > 1.0 {
            util = 1.0;
            clamped += 1;
        }
        samples.push(Sample::new(vm, t, util as f32, None));
    }
    let mut notes = Vec::new();
    note(
        &mut notes,
        clamped,
        "fragments above the VM's CPU capacity clamped to 100 %",
    );
    note(
        &mut notes,
        past_end,
        "fragments starting after their VM's end dropped",
    );
    note(
        &mut notes,
        merged,
        "fragments starting in the same second as the one before dropped",
    );
    Ok(table.into_trace(samples, notes))
}
