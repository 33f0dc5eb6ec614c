//! Reading trace CSV files row by row: one reused record (nothing allocated per row; csv checks
//! UTF-8 once for the whole row, on an all-ASCII row with one pass), and cell accessors that
//! report `file:line: what is wrong`.

use super::files::open;
use crate::error::{Error, InputError};
use std::io::Read;
use std::path::Path;

/// The current row of a CSV file, with enough context to report a bad value.
pub struct Row<'a> {
    pub path: &'a Path,
    pub line: u64,
    pub record: &'a csv::StringRecord,
}

/// Reads the next record into `record`, reusing its buffers; false at the end.
pub fn read_row<R: Read>(
    csv: &mut csv::Reader<R>,
    record: &mut csv::StringRecord,
    path: &Path,
) -> Result<bool, InputError> {
    csv.read_record(record).map_err(|e| csv_error(path, e))
}

impl<'a> Row<'a> {
    pub fn new(path: &'a Path, record: &'a csv::StringRecord) -> Self {
        Row {
            path,
            line: record.position().map_or(0, |p| p.line()),
            record,
        }
    }

    pub fn err(&self, message: impl Into<String>) -> InputError {
        InputError::line(self.path, self.line, message)
    }

    /// A cell, trimmed ("" when the row is shorter).
    pub fn text(&self, col: usize) -> &str {
        let t = self.record.get(col).unwrap_or("");
        // Most cells start and end with a visible ASCII character: nothing to trim, and no
        // character to decode from either end (about 6 % of the time of a usage row otherwise).
        match (t.as_bytes().first(), t.as_bytes().last()) {
            (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => t,
            _ => t.trim(),
        }
    }

    /// A whole number >= 0; `unit` (e.g. "seconds") goes into the message when not empty.
    pub fn whole(&self, col: usize, name: &str, unit: &str) -> Result<u64, InputError> {
        let t = self.text(col);
        super::decimal::parse_whole(t).map_err(|_| {
            let of = if unit.is_empty() {
                String::new()
            } else {
                format!(" of {unit}")
            };
            self.err(format!("{name} \"{t}\" is not a whole number{of} >= 0"))
        })
    }

    pub fn seconds(&self, col: usize, name: &str) -> Result<u64, InputError> {
        self.whole(col, name, "seconds")
    }

    pub fn number(&self, col: usize, name: &str) -> Result<f64, InputError> {
        let t = self.text(col);
        match super::decimal::parse(t) {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.err(format!("{name} \"{t}\" is not a finite number"))),
        }
    }

    pub fn positive(&self, col: usize, name: &str) -> Result<f64, InputError> {
        let v = self.number(col, name)?;
        if v > 0.0 {
            Ok(v)
        } else {
            Err(self.err(format!("{name} {v} must be > 0")))
        }
    }

    pub fn fraction(&self, col: usize, name: &str) -> Result<f32, InputError> {
        let v = self.number(col, name)?;
        if (0.0..=1.0).contains(&v) {
            Ok(v as f32)
        } else {
            Err(self.err(format!(
                "{name} {v} is outside 0..=1 (a fraction, not a percentage)"
            )))
        }
    }
}

/// Describes a CSV reading error by file and line.
pub fn csv_error(path: &Path, err: csv::Error) -> InputError {
    let line = err.position().map_or(0, |p| p.line());
    let message = match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("row has {len} fields but the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "row is not valid UTF-8".to_string(),
        csv::ErrorKind::Io(e) => format!("read failed: {e}"),
        _ => err.to_string(),
    };
    if line == 0 {
        InputError::file(path, message)
    } else {
        InputError::line(path, line, message)
    }
}

/// Calls `f` on every row of a headerless CSV file (plain or gzip) with at least `min_fields`
/// fields; lines starting with `#` are comments.
pub fn for_each_row(
    path: &Path,
    min_fields: usize,
    mut f: impl FnMut(&Row) -> Result<(), InputError>,
) -> Result<(), Error> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(open(path)?);
    let mut record = csv::StringRecord::new();
    while read_row(&mut csv, &mut record, path)? {
        let row = Row::new(path, &record);
        if record.len() < min_fields {
            return Err(row
                .err(format!(
                    "row has {} fields; expected at least {min_fields}",
                    record.len()
                ))
                .into());
        }
        f(&row)?;
    }
    Ok(())
}

/// Adds "<count> <what>" to the notes when anything was counted.
pub fn note(notes: &mut Vec<String>, count: u64, what: &str) {
    if count > 0 {
        notes.push(format!("{count} {what}"));
    }
}
