//! One RVTools sheet, saved as CSV or a sheet of the xlsx workbook: its header mapped to the
//! columns we read, and cell accessors whose errors name the file, the line (the sheet's row in
//! a workbook) and the column. A CSV sheet's delimiter is `,` or `;`, as Excel writes it in the
//! user's locale.

use super::xlsx::Book;
use crate::error::{Error, InputError};
use crate::trace::files;
use crate::trace::rows::{csv_error, read_row};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// The longest cell accepted (names, OS strings): anything longer is not an RVTools export.
pub const MAX_CELL: usize = 4_096;

/// Where a sheet's rows come from.
pub enum Source<'a> {
    /// A CSV file holding one sheet.
    Csv(&'a Path),
    /// The sheet of this name in a workbook.
    Xlsx(&'a mut Book, &'a str),
}

impl Source<'_> {
    /// The file, for errors about the sheet as a whole.
    pub fn path(&self) -> &Path {
        match self {
            Source::Csv(path) => path,
            Source::Xlsx(book, _) => book.path(),
        }
    }
}

/// Calls `f` on every row of the sheet that is not blank. `wanted` are RVTools' column names;
/// the first `required` of them must be in the header.
pub fn each(
    src: Source,
    wanted: &'static [&'static str],
    required: usize,
    f: impl FnMut(&Cells) -> Result<(), InputError>,
) -> Result<(), Error> {
    match src {
        Source::Csv(path) => Ok(open(path, wanted, required)?.each(path, f)?),
        Source::Xlsx(book, name) => each_xlsx(book, name, wanted, required, f),
    }
}

/// Positions of the `wanted` columns in a header (`None`: absent); an error when one of the
/// first `required` is missing.
fn map_header(
    header: &[&str],
    wanted: &'static [&'static str],
    required: usize,
) -> Result<Vec<Option<usize>>, String> {
    let names: Vec<&str> = header
        .iter()
        // Excel's "CSV UTF-8" starts the file with a byte-order mark.
        .map(|h| h.trim_start_matches('\u{feff}').trim())
        .collect();
    let cols: Vec<Option<usize>> = wanted
        .iter()
        .map(|w| names.iter().position(|n| n == w))
        .collect();
    match (0..required).find(|&i| cols[i].is_none()) {
        Some(missing) => Err(format!(
            "missing column \"{}\"; an RVTools sheet needs the columns {}",
            wanted[missing],
            wanted[..required].join(", ")
        )),
        None => Ok(cols),
    }
}

/// A workbook's sheet: its first row with a cell is the header, as in the CSV file; each later
/// row is cut down to the wanted columns, in `wanted` order.
fn each_xlsx(
    book: &mut Book,
    name: &str,
    wanted: &'static [&'static str],
    required: usize,
    mut f: impl FnMut(&Cells) -> Result<(), InputError>,
) -> Result<(), Error> {
    let path = book.path().to_path_buf();
    // Per wanted column: its column in the sheet, then its position in `record`.
    let mut sheet_cols: Option<Vec<Option<u32>>> = None;
    let mut present: Vec<Option<usize>> = Vec::new();
    let mut record = csv::StringRecord::new();
    book.rows(name, |line, cells| {
        let Some(cols) = &sheet_cols else {
            // Columns are below Excel's 16,384 (checked as the sheet streams).
            let width = cells
                .iter()
                .map(|&(c, _)| c as usize + 1)
                .max()
                .unwrap_or(0);
            let mut header = vec![""; width];
            for (c, text) in cells {
                header[*c as usize] = text;
            }
            let found = map_header(&header, wanted, required)
                .map_err(|msg| InputError::line(&path, line, format!("sheet \"{name}\": {msg}")))?;
            present = (0..wanted.len()).map(|i| found[i].map(|_| i)).collect();
            sheet_cols = Some(found.iter().map(|c| c.map(|c| c as u32)).collect());
            return Ok(());
        };
        record.clear();
        for col in cols {
            let text = col
                .and_then(|c| cells.iter().find(|(at, _)| *at == c))
                .map_or("", |(_, t)| t.as_str());
            record.push_field(text);
        }
        if cells.iter().all(|(_, t)| t.trim().is_empty()) {
            return Ok(());
        }
        f(&Cells {
            path: &path,
            line,
            sheet: Some(name),
            record: &record,
            cols: &present,
            names: wanted,
        })?;
        Ok(())
    })?;
    if sheet_cols.is_none() {
        let msg = format!(
            "sheet \"{name}\" is empty: expected a header row with the columns {}",
            wanted[..required].join(", ")
        );
        return Err(InputError::file(&path, msg).into());
    }
    Ok(())
}

/// An open sheet: a CSV reader and the position of each wanted column (`None`: absent).
struct Sheet<R: Read> {
    csv: csv::Reader<R>,
    cols: Vec<Option<usize>>,
    names: &'static [&'static str],
}

/// Sniffs the delimiter from the header line: `;` when it has more `;` than `,`.
fn delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let count = |c: u8| line.iter().filter(|&&b| b == c).count();
    if count(b';') > count(b',') {
        b';'
    } else {
        b','
    }
}

/// Opens the CSV sheet `path` (plain or gzip) and maps its header. `wanted` are RVTools' column names;
/// the first `required` of them must be present.
fn open(
    path: &Path,
    wanted: &'static [&'static str],
    required: usize,
) -> Result<Sheet<impl Read>, Error> {
    let mut input = BufReader::new(files::open(path)?);
    let head = input.fill_buf().map_err(|e| Error::io(path, e))?.to_vec();
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter(&head))
        .flexible(true)
        .from_reader(input);
    let header = csv.headers().map_err(|e| csv_error(path, e))?.clone();
    let header: Vec<&str> = header.iter().collect();
    let cols = map_header(&header, wanted, required).map_err(|m| InputError::line(path, 1, m))?;
    Ok(Sheet {
        csv,
        cols,
        names: wanted,
    })
}

/// The current row of a sheet.
pub struct Cells<'a> {
    pub path: &'a Path,
    pub line: u64,
    /// The workbook's sheet, named in errors (`None` for a CSV file).
    sheet: Option<&'a str>,
    record: &'a csv::StringRecord,
    cols: &'a [Option<usize>],
    names: &'static [&'static str],
}

impl<R: Read> Sheet<R> {
    /// Calls `f` on every row that is not blank.
    fn each(
        &mut self,
        path: &Path,
        mut f: impl FnMut(&Cells) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        let mut record = csv::StringRecord::new();
        while read_row(&mut self.csv, &mut record, path)? {
            let line = record.position().map_or(0, |p| p.line());
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if let Some(long) = record.iter().position(|c| c.len() > MAX_CELL) {
                let msg = format!("column {} has a cell over {MAX_CELL} bytes", long + 1);
                return Err(InputError::line(path, line, msg));
            }
            f(&Cells {
                path,
                line,
                sheet: None,
                record: &record,
                cols: &self.cols,
                names: self.names,
            })?;
        }
        Ok(())
    }
}

impl Cells<'_> {
    pub fn err(&self, message: impl Into<String>) -> InputError {
        match self.sheet {
            None => InputError::line(self.path, self.line, message),
            Some(sheet) => {
                let message = format!("sheet \"{sheet}\": {}", message.into());
                InputError::line(self.path, self.line, message)
            }
        }
    }

    /// The cell of wanted column `i`, trimmed ("" when the column or the cell is absent).
    pub fn text(&self, i: usize) -> &str {
        self.cols[i]
            .and_then(|c| self.record.get(c))
            .map_or("", str::trim)
    }

    /// A number >= 0 in column `i`; RVTools writes whole MiB, but Excel may add a thousands
    /// separator ("1,024" or "1 024") when it saves the sheet.
    pub fn number(&self, i: usize) -> Result<f64, InputError> {
        let t = self.text(i);
        let plain: String = t
            .chars()
            .filter(|c| !matches!(c, ',' | ' ' | '\u{a0}'))
            .collect();
        match plain.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(self.err(format!(
                "column \"{}\": \"{t}\" is not a number >= 0",
                self.names[i]
            ))),
        }
    }

    /// A whole number >= 1 in column `i` (vCPUs, sockets, cores).
    pub fn count(&self, i: usize) -> Result<u32, InputError> {
        let v = self.number(i)?;
        if v >= 1.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) {
            Ok(v as u32)
        } else {
            Err(self.err(format!(
                "column \"{}\": \"{}\" is not a whole number >= 1",
                self.names[i],
                self.text(i)
            )))
        }
    }

    /// RVTools' True/False in column `i` (an absent column reads as false).
    pub fn flag(&self, i: usize) -> Result<bool, InputError> {
        match self.text(i).to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(true),
            "false" | "no" | "0" | "" => Ok(false),
            t => Err(self.err(format!(
                "column \"{}\": \"{t}\" is not True or False",
                self.names[i]
            ))),
        }
    }

    /// A non-empty name in column `i`.
    pub fn name(&self, i: usize) -> Result<&str, InputError> {
        match self.text(i) {
            "" => Err(self.err(format!("column \"{}\" is empty", self.names[i]))),
            t => Ok(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_read_from_the_header() {
        assert_eq!(delimiter(b"VM;Powerstate;CPUs\na,b,c"), b';');
        assert_eq!(delimiter(b"VM,Powerstate,\"a;b\"\n"), b',');
    }
}
