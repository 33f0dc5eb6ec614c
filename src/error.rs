//! Errors the library reports. Bad user input is an `InputError` that names the file and the line
//! or key, the bad value and what was expected; the CLI maps each kind to its own exit code.

use crate::text;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input file something is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    /// A 1-based line number (CSV rows, TOML syntax and type errors).
    Line(u64),
    /// A key path in a TOML document, e.g. `venues[1].book`.
    Key(String),
    /// The file as a whole (missing, empty, unreadable).
    File,
}

/// Bad input: a file the user gave us says something we cannot accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    pub file: PathBuf,
    pub at: At,
    pub message: String,
}

impl InputError {
    pub fn line(file: &Path, line: u64, message: impl Into<String>) -> Self {
        InputError {
            file: file.to_path_buf(),
            at: At::Line(line),
            message: message.into(),
        }
    }

    pub fn key(file: &Path, key: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            file: file.to_path_buf(),
            at: At::Key(key.into()),
            message: message.into(),
        }
    }

    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        InputError {
            file: file.to_path_buf(),
            at: At::File,
            message: message.into(),
        }
    }

    /// Turns a TOML syntax or type error into `file:line: message`.
    pub fn from_toml(file: &Path, text: &str, err: &toml::de::Error) -> Self {
        let message = err.message().trim().to_string();
        match err.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() as u64 + 1;
                InputError::line(file, line, message)
            }
            None => InputError::file(file, message),
        }
    }
}

/// The message is bounded as it is shown (see [`text::bound_message`]): whatever a reader put in
/// it, an error shows at most the offending token of the file, quoted and escaped.
impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = shown_path(&self.file);
        let message = text::bound_message(&self.message);
        match &self.at {
            At::Line(line) => write!(f, "{file}:{line}: {message}"),
            At::Key(key) => write!(f, "{file}: key `{}`: {message}", text::bound_message(key)),
            At::File => write!(f, "{file}: {message}"),
        }
    }
}

/// A path for a message, its control characters escaped.
fn shown_path(path: &Path) -> String {
    text::terminal(&path.display().to_string()).into_owned()
}

/// Something wrong at a key of a TOML document, found before the file is known: validators of
/// the raw serde structs return it and the loader turns it into an `InputError` naming the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("key `{key}`: {message}")]
pub struct KeyError {
    /// The key path, e.g. `autoscale[0].max`.
    pub key: String,
    /// What is wrong: the bad value and what was expected.
    pub message: String,
}

impl KeyError {
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        KeyError {
            key: key.into(),
            message: message.into(),
        }
    }

    /// The same error under a parent table: `groups[0].name` within `trace.synthetic`.
    pub fn within(self, parent: &str) -> Self {
        KeyError {
            key: format!("{parent}.{}", self.key),
            message: self.message,
        }
    }

    /// The error as bad input in `file`.
    pub fn in_file(self, file: &Path) -> InputError {
        InputError::key(file, self.key, self.message)
    }
}

/// A value given as text that cannot be taken: what kind of value, the text as given, and what
/// is wrong with it (which says what was expected). The unit parsers (durations, sizes,
/// bandwidths, currencies) and the command line's value parsers return it; clap prints it after
/// the flag's name, serde after the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} \"{text}\" {problem}")]
pub struct ValueError {
    /// The kind of value: "duration", "size", "currency", ...
    pub what: &'static str,
    /// The text as given.
    pub text: String,
    /// What is wrong and what was expected: "has no unit; expected e.g. 90s, 15m, 1h".
    pub problem: String,
}

impl ValueError {
    pub fn new(what: &'static str, text: &str, problem: impl Into<String>) -> Self {
        ValueError {
            what,
            text: text.to_string(),
            problem: problem.into(),
        }
    }

    /// The error at a key of a document.
    pub fn at(self, key: impl Into<String>) -> KeyError {
        KeyError::new(key, self.to_string())
    }
}

/// Everything the library can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Input(#[from] InputError),
    #[error("{}: {}", shown_path(path), text::bound_message(&source.to_string()))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The optimizer found no plan that meets every requirement; the reasons in words.
    #[error("{}: no plan meets every requirement:\n  - {}", file.display(), reasons.join("\n  - "))]
    NoPlan { file: PathBuf, reasons: Vec<String> },
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Reads a whole (small) input file, turning "not found", a folder, a device or FIFO, and
/// text that is not UTF-8 into input errors naming the file.
pub fn read_input(path: &Path) -> Result<String, Error> {
    check_regular(path)?;
    std::fs::read_to_string(path).map_err(|e| open_error(path, e))
}

/// Refuses anything but a regular file (following links): a folder given for a file is a
/// mistake in the command line, and a device or FIFO (/dev/zero, a pipe) could be read forever.
pub fn check_regular(path: &Path) -> Result<(), Error> {
    let meta = std::fs::metadata(path).map_err(|e| open_error(path, e))?;
    if meta.is_dir() {
        return Err(InputError::file(path, "is a folder; expected a file").into());
    }
    if !meta.is_file() {
        let msg = "is not a regular file (a device, FIFO or socket); expected a file";
        return Err(InputError::file(path, msg).into());
    }
    Ok(())
}

/// An error opening or reading an input file: the user's mistakes are bad input (exit 2), the
/// rest (permissions, disk) stays an I/O error.
pub fn open_error(path: &Path, e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::NotFound => InputError::file(path, "file not found").into(),
        std::io::ErrorKind::IsADirectory => {
            InputError::file(path, "is a folder; expected a file").into()
        }
        std::io::ErrorKind::InvalidData => InputError::file(path, "file is not UTF-8 text").into(),
        _ => Error::io(path, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_error_names_the_file_and_the_full_key() {
        let e = KeyError::new("groups[0].cpu_mean", "2 must be a finite number in 0..=1");
        assert_eq!(
            e.to_string(),
            "key `groups[0].cpu_mean`: 2 must be a finite number in 0..=1"
        );
        let e = e.within("trace.synthetic").in_file(Path::new("s.toml"));
        assert_eq!(e.at, At::Key("trace.synthetic.groups[0].cpu_mean".into()));
        assert_eq!(
            e.to_string(),
            "s.toml: key `trace.synthetic.groups[0].cpu_mean`: 2 must be a finite number in 0..=1"
        );
    }

    #[test]
    fn a_value_error_quotes_the_text_and_says_what_was_expected() {
        let e = ValueError::new(
            "tolerance",
            "5 pct",
            "is not a share >= 0, e.g. 0.5% or 0.005",
        );
        assert_eq!(
            e.to_string(),
            "tolerance \"5 pct\" is not a share >= 0, e.g. 0.5% or 0.005"
        );
        let e = e.at("check.tolerance").in_file(Path::new("ci.toml"));
        assert_eq!(
            e.to_string(),
            "ci.toml: key `check.tolerance`: tolerance \"5 pct\" is not a share >= 0, e.g. 0.5% or 0.005"
        );
    }
}
