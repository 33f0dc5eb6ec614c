//! Opening trace files: transparent gzip (by the file's magic bytes, so `x.csv` and `x.csv.gz`
//! both work), folder listings in a stable order, and "not found" as an input error.

use crate::error::{Error, InputError};
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The longest line a trace file may hold (README, "Limits"): a real row is under 200 bytes,
/// and a CSV reader keeps a whole row in memory, so one endless field (a 2 GB gzip bomb, a
/// device) must stop here, not when memory runs out.
pub const MAX_LINE_BYTES: u64 = 1 << 20;
/// The most a trace file may hold once decompressed (README, "Limits"): far above the largest
/// file of the public traces (about 2 GB), and a bound on the time a gzip bomb can take.
pub const MAX_FILE_BYTES: u64 = 64 << 30;

/// The longest CSV record (a row, with the line breaks of its quoted fields): as a line, since
/// the CSV reader keeps a whole record in memory and a quoted field may hold newlines, so a
/// field of many MB split over short lines must stop here too.
pub const MAX_RECORD_BYTES: u64 = MAX_LINE_BYTES;

/// A readable trace file, decompressed if it was gzip, that fails past `MAX_LINE_BYTES` in one
/// line, `MAX_RECORD_BYTES` in one CSV record or `MAX_FILE_BYTES` in all.
pub struct Input {
    inner: Box<dyn Read>,
    /// Bytes since the last newline, since the last newline outside quotes, and in all.
    line: u64,
    record: u64,
    total: u64,
    /// Where the CSV scanner is, to tell a record's end from a newline in a quoted field.
    csv: Csv,
}

/// Where a CSV scan is, as the csv crate reads: a quote opens a quoted field only at a field's
/// start, `""` inside one is a quote, and a quote inside an unquoted field is plain text. Any
/// of `,`, `;` and tab count as the delimiter (RVTools exports use either): a wrong guess only
/// moves where a record is thought to end, and only a record of over a MiB is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Csv {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the field's end, or the first of `""`.
    QuoteInQuoted,
}

impl Csv {
    /// The state after byte `b`, and whether `b` ended a record.
    fn next(self, b: u8) -> (Csv, bool) {
        let delimiter = matches!(b, b',' | b';' | b'\t');
        match (self, b) {
            (Csv::Quoted, b'"') => (Csv::QuoteInQuoted, false),
            (Csv::Quoted, _) => (Csv::Quoted, false),
            (Csv::QuoteInQuoted, b'"') => (Csv::Quoted, false),
            (Csv::FieldStart, b'"') => (Csv::Quoted, false),
            (_, b'\n') => (Csv::FieldStart, true),
            _ if delimiter => (Csv::FieldStart, false),
            _ => (Csv::Unquoted, false),
        }
    }
}

/// Bytes of `chunk` since the last record end (or `before` plus all of it), and the state
/// after it. A chunk without quotes, read outside a quoted field (every real trace), takes the
/// line's fast path: its last newline ends a record.
fn scan_records(chunk: &[u8], before: u64, state: Csv) -> (u64, Csv) {
    let quoted = matches!(state, Csv::Quoted | Csv::QuoteInQuoted);
    // memchr's vector search: `contains` goes a word at a time, about ten times the cost.
    if !quoted && memchr::memchr(b'"', chunk).is_none() {
        let Some(&last) = chunk.last() else {
            return (before, state);
        };
        let after = match last {
            b'\n' | b',' | b';' | b'\t' => Csv::FieldStart,
            _ => Csv::Unquoted,
        };
        let since = match memchr::memrchr(b'\n', chunk) {
            Some(i) => (chunk.len() - 1 - i) as u64,
            None => before + chunk.len() as u64,
        };
        return (since, after);
    }
    let (mut since, mut state) = (before, state);
    for &b in chunk {
        let (next, ended) = state.next(b);
        state = next;
        since = if ended { 0 } else { since + 1 };
    }
    (since, state)
}

/// A trace file past one of its limits; the CSV readers print it without "read failed".
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct OverLimit(pub String);

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        // The last newline of a chunk is near its end on any real trace: a short scan back,
        // not a pass over the bytes.
        self.line = match memchr::memrchr(b'\n', &buf[..n]) {
            Some(i) => (n - 1 - i) as u64,
            None => self.line + n as u64,
        };
        (self.record, self.csv) = scan_records(&buf[..n], self.record, self.csv);
        self.total += n as u64;
        let over =
            |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, OverLimit(what));
        if self.line > MAX_LINE_BYTES {
            return Err(over(format!(
                "a line is longer than the limit of {MAX_LINE_BYTES} bytes (README, \"Limits\")"
            )));
        }
        if self.record > MAX_RECORD_BYTES {
            return Err(over(format!(
                "a record (a row with the line breaks of its quoted fields) is longer than the limit of {MAX_RECORD_BYTES} bytes (README, \"Limits\")"
            )));
        }
        if self.total > MAX_FILE_BYTES {
            return Err(over(format!(
                "the file holds more than the limit of {MAX_FILE_BYTES} bytes once decompressed (README, \"Limits\")"
            )));
        }
        Ok(n)
    }
}

fn not_found(path: &Path, e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::NotFound => InputError::file(path, "file not found").into(),
        _ => Error::io(path, e),
    }
}

/// Fails with "file not found" unless `path` exists.
pub fn check_exists(path: &Path) -> Result<(), Error> {
    std::fs::metadata(path)
        .map(|_| ())
        .map_err(|e| not_found(path, e))
}

/// Opens a file for reading, through a gzip decoder when it starts with gzip's magic bytes.
pub fn open(path: &Path) -> Result<Input, Error> {
    crate::error::check_regular(path)?;
    let mut file = File::open(path).map_err(|e| not_found(path, e))?;
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic).map_err(|e| Error::io(path, e))?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| Error::io(path, e))?;
    let reader = BufReader::with_capacity(256 * 1024, file);
    let inner: Box<dyn Read> = if n == 2 && magic == [0x1f, 0x8b] {
        Box::new(MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    };
    Ok(Input {
        inner,
        line: 0,
        record: 0,
        total: 0,
        csv: Csv::FieldStart,
    })
}

/// The entries of a folder, sorted by name (hidden entries left out).
pub fn list(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => InputError::file(dir, "folder not found").into(),
        std::io::ErrorKind::NotADirectory => {
            InputError::file(dir, "is a file; expected a folder").into()
        }
        _ => Error::io(dir, e),
    })?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if !entry.file_name().to_string_lossy().starts_with('.') {
            paths.push(entry.path());
        }
    }
    paths.sort();
    Ok(paths)
}

/// Files below `dir` (in it or one folder down) whose path contains any of `names`, sorted.
pub fn find(dir: &Path, names: &[&str]) -> Result<Vec<PathBuf>, Error> {
    let mut found = Vec::new();
    for path in list(dir)? {
        let candidates = if path.is_dir() {
            list(&path)?
        } else {
            vec![path]
        };
        for file in candidates.into_iter().filter(|p| p.is_file()) {
            let rel = file
                .strip_prefix(dir)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('-', "_");
            if names.iter().any(|n| rel.contains(&n.replace('-', "_"))) {
                found.push(file);
            }
        }
    }
    Ok(found)
}

/// Like `find`, but at least one file must match.
pub fn find_some(dir: &Path, names: &[&str], what: &str) -> Result<Vec<PathBuf>, Error> {
    let found = find(dir, names)?;
    if found.is_empty() {
        return Err(InputError::file(
            dir,
            format!(
                "no {what} file here (looked for names containing {})",
                names.join(" or ")
            ),
        )
        .into());
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Record lengths of `text` read in chunks of `size` bytes: the count after each chunk.
    fn scan(text: &str, size: usize) -> Vec<u64> {
        let (mut since, mut state) = (0, Csv::FieldStart);
        text.as_bytes()
            .chunks(size)
            .map(|c| {
                (since, state) = scan_records(c, since, state);
                since
            })
            .collect()
    }

    #[test]
    fn a_newline_inside_quotes_does_not_end_a_record() {
        // "a,\"x\ny\"\nb": the record `a,"x<nl>y"` ends at byte 8; then "b" is 1 byte since.
        assert_eq!(scan("a,\"x\ny\"\nb", 64), vec![1]);
        // Read a byte at a time: 1 2 3 4 5 6 7 0 1 ("a" "," quote "x" nl "y" quote nl "b").
        assert_eq!(scan("a,\"x\ny\"\nb", 1), vec![1, 2, 3, 4, 5, 6, 7, 0, 1]);
        // `""` inside a quoted field is a quote; the newline after `"x""y"` ends the record.
        assert_eq!(scan("\"x\"\"y\"\nz", 64), vec![1]);
        // A quote inside an unquoted field is text: the newline ends the record.
        assert_eq!(scan("ab\"c\nd", 64), vec![1]);
        // Without quotes the line's fast path: 3 bytes after the last newline.
        assert_eq!(scan("a,b\nc,d", 64), vec![3]);
    }

    #[test]
    fn a_quoted_field_of_many_short_lines_is_refused_past_the_record_limit() {
        // 2 MiB of "x\n" inside one quoted field: every line is 2 bytes, the record 2 MiB.
        let mut text = b"id,group\n\"".to_vec();
        text.extend(b"x\n".repeat(1 << 20));
        let mut input = Input {
            inner: Box::new(std::io::Cursor::new(text)),
            line: 0,
            record: 0,
            total: 0,
            csv: Csv::FieldStart,
        };
        let mut sink = Vec::new();
        let e = input.read_to_end(&mut sink).unwrap_err();
        assert!(e.to_string().contains("a record"), "{e}");
        assert!(e.to_string().contains("limit of 1048576 bytes"), "{e}");
        // It stops within a chunk of the limit, not at the end of the field.
        assert!(sink.len() <= (1 << 20) + 64 * 1024, "{}", sink.len());
    }
}
