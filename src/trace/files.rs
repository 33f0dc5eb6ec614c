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

/// A readable trace file, decompressed if it was gzip, that fails past `MAX_LINE_BYTES` in one
/// line or `MAX_FILE_BYTES` in all.
pub struct Input {
    inner: Box<dyn Read>,
    /// Bytes since the last newline, and in all.
    line: u64,
    total: u64,
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
        self.line = match buf[..n].iter().rposition(|&b| b == b'\n') {
            Some(i) => (n - 1 - i) as u64,
            None => self.line + n as u64,
        };
        self.total += n as u64;
        let over =
            |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, OverLimit(what));
        if self.line > MAX_LINE_BYTES {
            return Err(over(format!(
                "a line is longer than the limit of {MAX_LINE_BYTES} bytes (README, \"Limits\")"
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
        total: 0,
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
