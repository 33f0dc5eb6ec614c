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
    cells: Cells<'a>,
}

/// Where a row's cells are: a record of the `csv` crate, or one unquoted line split at its
/// commas by `plain::PlainRows` (`ends[i]`: where cell `i` ends in `text`).
enum Cells<'a> {
    Record(&'a csv::StringRecord),
    Plain { text: &'a str, ends: &'a [u32] },
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
        Self::at(path, record.position().map_or(0, |p| p.line()), record)
    }

    /// A record read at `line` (a reader that started part way through a file counts from there).
    pub fn at(path: &'a Path, line: u64, record: &'a csv::StringRecord) -> Self {
        Row {
            path,
            line,
            cells: Cells::Record(record),
        }
    }

    /// An unquoted line whose cells end at `ends` (the last at `text.len()`).
    pub fn plain(path: &'a Path, line: u64, text: &'a str, ends: &'a [u32]) -> Self {
        Row {
            path,
            line,
            cells: Cells::Plain { text, ends },
        }
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        match self.cells {
            Cells::Record(r) => r.len(),
            Cells::Plain { ends, .. } => ends.len(),
        }
    }

    /// A cell as it is in the file ("" when the row is shorter).
    #[inline]
    fn raw(&self, col: usize) -> &'a str {
        match self.cells {
            Cells::Record(r) => r.get(col).unwrap_or(""),
            Cells::Plain { text, ends } => text.get(plain_span(ends, col)).unwrap_or(""),
        }
    }

    /// A cell's bytes as they are in the file ("" when the row is shorter), for the number
    /// readers' fast lane: no trimming and no check of UTF-8 boundaries, which a cell of plain
    /// digits does not need (anything else goes the general way, through `text`).
    #[inline]
    fn bytes(&self, col: usize) -> &'a [u8] {
        match self.cells {
            Cells::Record(r) => r.get(col).unwrap_or("").as_bytes(),
            Cells::Plain { text, ends } => {
                text.as_bytes().get(plain_span(ends, col)).unwrap_or(b"")
            }
        }
    }

    pub fn err(&self, message: impl Into<String>) -> InputError {
        InputError::line(self.path, self.line, message)
    }

    /// A cell, trimmed ("" when the row is shorter).
    #[inline]
    pub fn text(&self, col: usize) -> &str {
        let t = self.raw(col);
        // Most cells start and end with a visible ASCII character: nothing to trim, and no
        // character to decode from either end (about 6 % of the time of a usage row otherwise).
        match (t.as_bytes().first(), t.as_bytes().last()) {
            (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => t,
            _ => t.trim(),
        }
    }

    // The number readers below take a cell of plain digits (and a point) straight from its
    // bytes, with `decimal`'s exact fast paths, and hand anything else (spaces, a sign, an
    // exponent, a bad value) to a general reader that trims, parses and words the error: the
    // same value or the same error either way, without trimming or a general parse per cell.

    /// A whole number >= 0; `unit` (e.g. "seconds") goes into the message when not empty.
    #[inline]
    pub fn whole(&self, col: usize, name: &str, unit: &str) -> Result<u64, InputError> {
        match super::decimal::digits(self.bytes(col)) {
            Some(v) => Ok(v),
            None => self.whole_general(col, name, unit),
        }
    }

    #[cold]
    fn whole_general(&self, col: usize, name: &str, unit: &str) -> Result<u64, InputError> {
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

    #[inline]
    pub fn seconds(&self, col: usize, name: &str) -> Result<u64, InputError> {
        self.whole(col, name, "seconds")
    }

    #[inline]
    pub fn number(&self, col: usize, name: &str) -> Result<f64, InputError> {
        match super::decimal::plain(self.bytes(col)) {
            Some(v) => Ok(v),
            None => self.number_general(col, name),
        }
    }

    #[cold]
    fn number_general(&self, col: usize, name: &str) -> Result<f64, InputError> {
        let t = self.text(col);
        match super::decimal::parse(t) {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.err(format!("{name} \"{t}\" is not a finite number"))),
        }
    }

    #[inline]
    pub fn positive(&self, col: usize, name: &str) -> Result<f64, InputError> {
        match self.number(col, name)? {
            v if v > 0.0 => Ok(v),
            v => Err(self.refused(format_args!("{name} {v} must be > 0"))),
        }
    }

    /// `v` (read from this row's `name`) when it is within `max` (README, "Limits").
    #[inline]
    pub fn at_most(&self, v: f64, name: &str, max: f64) -> Result<f64, InputError> {
        if v <= max {
            Ok(v)
        } else {
            Err(self.over_limit(v, name, max))
        }
    }

    #[cold]
    fn over_limit(&self, v: f64, name: &str, max: f64) -> InputError {
        let v = crate::scenario::limits::compact(v);
        self.refused(format_args!(
            "{name} {v} is over the limit of {max} (README, \"Limits\")"
        ))
    }

    #[inline]
    pub fn fraction(&self, col: usize, name: &str) -> Result<f32, InputError> {
        match self.number(col, name)? {
            v if (0.0..=1.0).contains(&v) => Ok(v as f32),
            v => Err(self.refused(format_args!(
                "{name} {v} is outside 0..=1 (a fraction, not a percentage)"
            ))),
        }
    }

    /// `err`, kept out of the number readers' inlined code.
    #[cold]
    fn refused(&self, message: std::fmt::Arguments) -> InputError {
        self.err(message.to_string())
    }
}

/// Where cell `col` of a plain row is in its text: after the comma that ends the cell before
/// it, up to its own end (an empty span past the last cell).
#[inline]
fn plain_span(ends: &[u32], col: usize) -> std::ops::Range<usize> {
    match ends.get(col) {
        Some(&end) => col.checked_sub(1).map_or(0, |c| ends[c] as usize + 1)..end as usize,
        None => 0..0,
    }
}

/// Describes a CSV reading error by file and line.
pub fn csv_error(path: &Path, err: csv::Error) -> InputError {
    csv_error_from(path, err, 1)
}

/// Describes a CSV reading error by file and line, for a reader whose line 1 is line `first` of
/// the file (see `plain`, which hands a file to `csv` part way through).
pub fn csv_error_from(path: &Path, err: csv::Error, first: u64) -> InputError {
    let line = err.position().map_or(0, |p| p.line() + first - 1);
    let message = match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("row has {len} fields but the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "row is not valid UTF-8".to_string(),
        csv::ErrorKind::Io(e) => match e.get_ref().and_then(|e| e.downcast_ref()) {
            Some(super::files::OverLimit(limit)) => limit.clone(),
            None => format!("read failed: {e}"),
        },
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
        if row.len() < min_fields {
            return Err(row
                .err(format!(
                    "row has {} fields; expected at least {min_fields}",
                    row.len()
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
