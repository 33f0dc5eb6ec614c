//! Rows of a canonical trace CSV without the `csv` crate where it can: a file as `trace convert`
//! writes it holds no quote, so a row is one line, and its cells are the text between commas.
//! Lines are found with `memchr` in a large reused buffer and split at their commas; nothing is
//! copied or allocated per row. At the first line that holds a quote or a carriage return that
//! does not end the line, the rest of the file goes to the `csv` crate, which reads quoted cells
//! (they may hold commas and line breaks); a header that is not plain ASCII sends the whole file.
//!
//! Both paths give the same rows, the same line numbers and the same errors as the `csv` crate
//! (a proptest in `canonical` reads random files both ways). That includes how `csv` numbers
//! lines: a row's line is the one after the previous row's end, so blank lines before a row are
//! counted as if the row started at the first of them, and after a `\r\n` the `\n` belongs to the
//! next row (a row of a CRLF file is reported one line early).

use super::files::MAX_LINE_BYTES;
use super::rows::{Row, csv_error, csv_error_from};
use crate::error::InputError;
use std::io::{Chain, Cursor, Read};
use std::path::{Path, PathBuf};

/// The buffer lines are found in: reads fill it up to this size, each at most `MAX_LINE_BYTES`
/// so that `files::Input` fails on an over-long line only after every line before it was
/// handed out, as with `csv`'s smaller reads.
const BUFFER_BYTES: usize = 1 << 20;

/// A CSV file's header and rows, by either path.
pub struct CsvRows<R: Read> {
    path: PathBuf,
    header: csv::StringRecord,
    source: Source<R>,
}

enum Source<R: Read> {
    Plain(Plain<R>),
    /// The `csv` crate from line `first` on (1: the whole file).
    Csv {
        csv: csv::Reader<Chain<Cursor<Vec<u8>>, R>>,
        record: csv::StringRecord,
        first: u64,
    },
    /// Taken while the plain path hands over to `csv`.
    Moved,
}

/// The plain path's state: `buf[pos..end]` is read but not yet handed out.
struct Plain<R: Read> {
    input: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    /// The line that starts at `pos`, counting every `\n` before it.
    line: u64,
    /// The line `csv` would give the next row: the line after the last row's end (see above).
    row_line: u64,
    /// The first quote or `\r` at or after `pos` (`usize::MAX`: none in `buf[pos..end]`).
    special: usize,
    /// Where the cells of the row handed out last end, from the start of its line.
    ends: Vec<u32>,
}

/// What `CsvRows::next_row_or` found: a row its fast lane took whole, or a row for the caller's
/// general reader.
pub enum Taken<'r> {
    Fast,
    Row(Row<'r>),
}

/// What the plain path found next.
enum Next {
    /// A row: the text of its line is `buf[start..end]`, its cells end at `ends`.
    Row {
        start: usize,
        end: usize,
        line: u64,
    },
    /// A line the plain path does not read: hand the rest of the file to `csv`.
    Quoted,
    End,
}

impl<R: Read> CsvRows<R> {
    /// Reads the header (the first line that is not blank). `plain: false` reads the whole file
    /// with the `csv` crate, as every file was read before the plain path.
    pub fn open(input: R, path: &Path, plain: bool) -> Result<Self, InputError> {
        let mut reader = Plain {
            input,
            buf: vec![0; BUFFER_BYTES],
            pos: 0,
            end: 0,
            eof: false,
            line: 1,
            row_line: 1,
            special: usize::MAX,
            ends: Vec::new(),
        };
        let path = path.to_path_buf();
        if plain && let Some(header) = reader.plain_header(&path)? {
            return Ok(CsvRows {
                path,
                header,
                source: Source::Plain(reader),
            });
        }
        // Whatever the plain path read goes to `csv` first.
        let Plain {
            input, buf, end, ..
        } = reader;
        let mut head = buf;
        head.truncate(end);
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(Cursor::new(head).chain(input));
        let header = csv.headers().map_err(|e| csv_error(&path, e))?.clone();
        Ok(CsvRows {
            path,
            header,
            source: Source::Csv {
                csv,
                record: csv::StringRecord::new(),
                first: 1,
            },
        })
    }

    pub fn header(&self) -> &csv::StringRecord {
        &self.header
    }

    /// The next row, or `None` at the end of the file. The row is offered first to `fast` as
    /// the bytes of its unquoted line (not split, not checked as UTF-8) with its line number: a
    /// reader's lane for the rows it reads whole, `true` when it took the row. A row it leaves
    /// (or any row of the `csv` path) comes back split and checked, so the reader's general
    /// code finds any error and words it.
    pub fn next_row_or(
        &mut self,
        fast: impl FnOnce(&[u8], u64) -> bool,
    ) -> Result<Option<Taken<'_>>, InputError> {
        if let Source::Plain(plain) = &mut self.source {
            match plain.next(&self.path)? {
                Next::Row { start, end, line } => {
                    if fast(&plain.buf[start..end], line) {
                        return Ok(Some(Taken::Fast));
                    }
                    let header_len = self.header.len();
                    let Source::Plain(plain) = &mut self.source else {
                        unreachable!("matched above")
                    };
                    split_at_commas(&plain.buf[start..end], &mut plain.ends);
                    if plain.ends.len() != header_len {
                        return Err(InputError::line(
                            &self.path,
                            line,
                            format!(
                                "row has {} fields but the header has {header_len}",
                                plain.ends.len()
                            ),
                        ));
                    }
                    // Checked after the row's length, as `csv` does.
                    let text = std::str::from_utf8(&plain.buf[start..end]).map_err(|_| {
                        InputError::line(&self.path, line, "row is not valid UTF-8")
                    })?;
                    let row = Row::plain(&self.path, line, text, &plain.ends);
                    return Ok(Some(Taken::Row(row)));
                }
                Next::End => return Ok(None),
                Next::Quoted => self.hand_to_csv(),
            }
        }
        let path = &self.path;
        match &mut self.source {
            Source::Csv { csv, record, first } => {
                if !csv
                    .read_record(record)
                    .map_err(|e| csv_error_from(path, e, *first))?
                {
                    return Ok(None);
                }
                let line = record.position().map_or(0, |p| p.line() + *first - 1);
                Ok(Some(Taken::Row(Row::at(path, line, record))))
            }
            Source::Plain(_) | Source::Moved => unreachable!("the plain path hands over to csv"),
        }
    }

    /// Hands the rest of the file, from the line at `pos` on, to `csv`. The `csv` reader starts
    /// with a header of as many empty cells as the real one (it checks each row's length against
    /// it, and it has then read something, so it takes no byte-order mark off the line), then a
    /// blank line for each line `csv` would have counted before this row (its blank lines, and
    /// the `\n` of a `\r\n` before it): its line 2 is then `row_line`, and its line numbers
    /// continue the file's.
    fn hand_to_csv(&mut self) {
        let Source::Plain(plain) = std::mem::replace(&mut self.source, Source::Moved) else {
            unreachable!("called on the plain path")
        };
        let mut head = vec![b','; self.header.len() - 1];
        head.push(b'\n');
        head.resize(head.len() + (plain.line - plain.row_line) as usize, b'\n');
        head.extend_from_slice(&plain.buf[plain.pos..plain.end]);
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(Cursor::new(head).chain(plain.input));
        // The header line is ours and holds no quote: reading it cannot fail.
        let _ = csv.headers();
        self.source = Source::Csv {
            csv,
            record: csv::StringRecord::new(),
            first: plain.row_line - 1,
        };
    }
}

impl<R: Read> Plain<R> {
    /// Moves what is left to the front of the buffer and reads more after it (growing the buffer
    /// only for a line longer than it, which `files::Input` allows up to its limit).
    fn fill(&mut self, path: &Path) -> Result<(), InputError> {
        self.buf.copy_within(self.pos..self.end, 0);
        self.end -= self.pos;
        self.pos = 0;
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        let room = (self.buf.len() - self.end).min(MAX_LINE_BYTES as usize);
        let n = loop {
            match self.input.read(&mut self.buf[self.end..self.end + room]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(csv_error(path, csv::Error::from(e))),
            }
        };
        self.end += n;
        self.eof = n == 0;
        self.special = find_special(&self.buf[..self.end], 0);
        Ok(())
    }

    /// The header, if the first line that is not blank is plain ASCII (no quote, no `\r` but at
    /// its end, so no byte-order mark either); `None` leaves the buffer as read, from its start.
    fn plain_header(&mut self, path: &Path) -> Result<Option<csv::StringRecord>, InputError> {
        let (mut pos, mut line) = (0, 1);
        loop {
            let nl = memchr::memchr(b'\n', &self.buf[pos..self.end]).map(|i| pos + i);
            if nl.is_none() && !self.eof {
                // `self.pos` is still 0: the buffer keeps what it holds and reads more after it.
                self.fill(path)?;
                continue;
            }
            let next = nl.map_or(self.end, |i| i + 1);
            let full = &self.buf[pos..nl.unwrap_or(self.end)];
            let text = strip_cr(full);
            if text.is_empty() {
                if nl.is_none() {
                    return Ok(None);
                }
                (pos, line) = (next, line + 1);
                continue;
            }
            if !text.is_ascii() || find_special(text, 0) != usize::MAX {
                return Ok(None);
            }
            let Ok(names) = std::str::from_utf8(text) else {
                return Ok(None);
            };
            let header = csv::StringRecord::from(names.split(',').collect::<Vec<_>>());
            self.row_line = if text.len() < full.len() {
                line
            } else {
                line + 1
            };
            self.pos = next;
            self.line = line + 1;
            return Ok(Some(header));
        }
    }

    /// Finds the next row, skipping blank lines (`next_row_or` splits it into cells, unless a
    /// lane takes it whole).
    fn next(&mut self, path: &Path) -> Result<Next, InputError> {
        loop {
            let nl = memchr::memchr(b'\n', &self.buf[self.pos..self.end]).map(|i| self.pos + i);
            if nl.is_none() && !self.eof {
                self.fill(path)?;
                continue;
            }
            if nl.is_none() && self.pos == self.end {
                return Ok(Next::End);
            }
            let (start, next) = (self.pos, nl.map_or(self.end, |i| i + 1));
            let full = &self.buf[start..nl.unwrap_or(self.end)];
            let text = strip_cr(full);
            let end = start + text.len();
            if self.special < end {
                if find_special(&self.buf[..end], start) < end {
                    return Ok(Next::Quoted);
                }
                self.special = find_special(&self.buf[..self.end], next);
            }
            let line = self.line;
            self.pos = next;
            self.line += 1;
            if text.is_empty() {
                continue;
            }
            let row_line = self.row_line;
            // `csv` stops at the `\r` of a `\r\n`: the `\n` is read with the next row.
            self.row_line = if text.len() < full.len() {
                line
            } else {
                line + 1
            };
            return Ok(Next::Row {
                start,
                end,
                line: row_line,
            });
        }
    }
}

/// Puts where each cell of `line` ends into `ends`: at each comma, and the last at its end. Eight
/// bytes at a time, the commas found with a word's arithmetic: rows are short and hold a comma
/// every few bytes, where a `memchr` call per cell costs more than the bytes (about twice the
/// time on a 27-byte row).
fn split_at_commas(line: &[u8], ends: &mut Vec<u32>) {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const LOW7: u64 = u64::from_ne_bytes([0x7f; 8]);
    ends.clear();
    let mut words = line.chunks_exact(8);
    let mut at = 0u32;
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().expect("8 bytes")) ^ (ONES * u64::from(b','));
        // The top bit of each byte that was a comma (is now 0): exact, no carry between bytes,
        // as the low seven bits are added apart from the top one.
        let mut commas = !(((w & LOW7) + LOW7) | w) & !LOW7;
        while commas != 0 {
            ends.push(at + commas.trailing_zeros() / 8);
            commas &= commas - 1;
        }
        at += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == b',' {
            ends.push(at + i as u32);
        }
    }
    ends.push(line.len() as u32);
}

/// `line` without one `\r` at its end (the end of a `\r\n`).
fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The first quote or `\r` in `bytes[from..]`, or `usize::MAX`.
fn find_special(bytes: &[u8], from: usize) -> usize {
    memchr::memchr2(b'"', b'\r', &bytes[from..]).map_or(usize::MAX, |i| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::Just;

    proptest::proptest! {
        /// Word by word, the commas are where a byte-by-byte scan finds them, whatever the
        /// bytes around them (0x2c with a high bit set, 0xac, must not count).
        #[test]
        fn commas_are_found_as_a_byte_scan_finds_them(
            line in proptest::collection::vec(
                proptest::prop_oneof![Just(b','), Just(0xacu8), Just(0x2du8), Just(0x2bu8), proptest::prelude::any::<u8>()],
                0..70,
            )
        ) {
            let mut ends = Vec::new();
            split_at_commas(&line, &mut ends);
            let mut want: Vec<u32> = (0..line.len() as u32).filter(|&i| line[i as usize] == b',').collect();
            want.push(line.len() as u32);
            proptest::prop_assert_eq!(ends, want);
        }
    }
}
