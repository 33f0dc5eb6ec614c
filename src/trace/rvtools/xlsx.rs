//! RVTools' native export: one `.xlsx` workbook whose sheets vInfo, vCPU, vMemory, vDisk and
//! vHost hold the same tables as the CSV files, read with calamine.
//!
//! An xlsx file is a zip of XML parts, so a small file can claim any size once decompressed.
//! Before calamine sees it, the zip's directory is checked here: the file's size, the number of
//! parts, each part's declared size, their total and the shared-strings part (which calamine
//! holds whole in memory) are bounded (README, "Limits"). The zip reader then fails any part that
//! decompresses to more than it declared, so the checked sizes bound the work. Rows and columns
//! past Excel's own grid are refused as the sheet streams.

use super::sheet::MAX_CELL;
use crate::error::{Error, InputError};
use calamine::{DataRef, Reader, Xlsx};
use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The largest workbook file read: RVTools writes a few MB for a few thousand VMs, so a
/// million-VM estate stays far below it.
pub const MAX_FILE_BYTES: u64 = 1 << 30;
/// The most parts (files inside the zip): an RVTools workbook has about 60.
pub const MAX_PARTS: usize = 10_000;
/// The largest part once decompressed: a worksheet streams, but one cell may be as long as
/// its part and is held whole.
pub const MAX_PART_BYTES: u64 = 4 << 30;
/// All parts together once decompressed: bounds the time a zip bomb can take.
pub const MAX_UNPACKED_BYTES: u64 = 16 << 30;
/// The shared-strings part, which calamine reads whole into memory when it opens the book.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 1 << 30;
/// Excel's grid: 1,048,576 rows of 16,384 columns. A cell beyond it is not from Excel or
/// RVTools.
const EXCEL_ROWS: u32 = 1_048_576;
const EXCEL_COLUMNS: u32 = 16_384;

/// Whether `path` names a workbook (`.xlsx`, any case) rather than a CSV sheet.
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// An open workbook whose zip directory passed the bounds.
pub struct Book {
    path: PathBuf,
    xlsx: Xlsx<BufReader<File>>,
}

/// The file is not a workbook we can read: bad input naming it (exit 2).
fn corrupt(path: &Path, what: impl std::fmt::Display) -> Error {
    InputError::file(path, format!("is not a readable xlsx workbook: {what}")).into()
}

fn over(path: &Path, what: String) -> Error {
    InputError::file(path, format!("{what} (README, \"Limits\")")).into()
}

/// Checks the zip directory of `file` against the bounds above.
fn check_parts(path: &Path, file: &File) -> Result<(), Error> {
    let mut zip = zip::ZipArchive::new(file).map_err(|e| corrupt(path, e))?;
    if zip.len() > MAX_PARTS {
        return Err(over(
            path,
            format!("holds {} parts, over the limit of {MAX_PARTS}", zip.len()),
        ));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| corrupt(path, e))?;
        let name = part.name().map_err(|e| corrupt(path, e))?.to_string();
        let size = part.size();
        let limit = match name.eq_ignore_ascii_case("xl/sharedStrings.xml") {
            true => MAX_SHARED_STRINGS_BYTES,
            false => MAX_PART_BYTES,
        };
        if size > limit {
            return Err(over(
                path,
                format!(
                    "part \"{name}\" is {size} bytes once decompressed, over the limit of {limit}"
                ),
            ));
        }
        total = total.saturating_add(size);
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(over(
            path,
            format!(
                "holds {total} bytes once decompressed, over the limit of {MAX_UNPACKED_BYTES}"
            ),
        ));
    }
    Ok(())
}

impl Book {
    /// Opens `path` after checking its size and its zip directory.
    pub fn open(path: &Path) -> Result<Book, Error> {
        crate::error::check_regular(path)?;
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        if len > MAX_FILE_BYTES {
            return Err(over(
                path,
                format!("is {len} bytes, over the limit of {MAX_FILE_BYTES} for a workbook"),
            ));
        }
        // The same open file is checked and then read: nothing can swap it in between.
        check_parts(path, &file)?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| Error::io(path, e))?;
        let xlsx = Xlsx::new(BufReader::new(file)).map_err(|e| corrupt(path, e))?;
        Ok(Book {
            path: path.to_path_buf(),
            xlsx,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The workbook's sheet names, in tab order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.xlsx.sheet_names()
    }

    /// Calls `f` with each row of `sheet` that has a cell: its 1-based row number (as Excel
    /// shows it) and its cells as (0-based column, text), in column order.
    pub fn rows(
        &mut self,
        sheet: &str,
        mut f: impl FnMut(u64, &[(u32, String)]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let path = self.path.clone();
        let bad = |e: calamine::XlsxError| corrupt(&path, format!("sheet \"{sheet}\": {e}"));
        let mut reader = self.xlsx.worksheet_cells_reader(sheet).map_err(bad)?;
        let mut row: Option<u32> = None;
        let mut cells: Vec<(u32, String)> = Vec::new();
        while let Some(cell) = reader.next_cell().map_err(bad)? {
            let (r, c) = cell.get_position();
            let at = |msg: String| -> Error {
                let msg = format!("sheet \"{sheet}\": {msg}");
                InputError::line(&path, u64::from(r) + 1, msg).into()
            };
            if r >= EXCEL_ROWS || c >= EXCEL_COLUMNS {
                return Err(at(format!(
                    "a cell at row {}, column {} is outside Excel's grid of {EXCEL_ROWS} rows and {EXCEL_COLUMNS} columns",
                    u64::from(r) + 1,
                    u64::from(c) + 1
                )));
            }
            match row {
                Some(prev) if r < prev => {
                    return Err(at(format!(
                        "row {} comes after row {}: rows must be in order",
                        u64::from(r) + 1,
                        u64::from(prev) + 1
                    )));
                }
                Some(prev) if r > prev => {
                    f(u64::from(prev) + 1, &cells)?;
                    cells.clear();
                }
                _ => {}
            }
            row = Some(r);
            let text = text(cell.get_value()).map_err(&at)?;
            if text.len() > MAX_CELL {
                return Err(at(format!(
                    "column {} has a cell over {MAX_CELL} bytes",
                    u64::from(c) + 1
                )));
            }
            if !text.is_empty() {
                cells.push((c, text));
            }
        }
        if let Some(r) = row {
            f(u64::from(r) + 1, &cells)?;
        }
        Ok(())
    }
}

/// A cell as the CSV sheet would hold it: numbers in their shortest exact form (4096, not
/// 4096.0), booleans as RVTools writes them (True, False).
fn text(value: &DataRef) -> Result<String, String> {
    Ok(match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(true) => "True".to_string(),
        DataRef::Bool(false) => "False".to_string(),
        // A date-formatted number: its serial value (no column read here is a date).
        DataRef::DateTime(d) => d.as_f64().to_string(),
        DataRef::Error(e) => return Err(format!("a cell holds the Excel error {e}")),
    })
}
