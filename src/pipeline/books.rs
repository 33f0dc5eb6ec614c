//! `pricing check`: the books named (a folder standing for the .toml files directly in it, so
//! `pricing/` leaves out `pricing/base/`'s partial books), each loaded and its age checked.

use crate::error::Error;
use crate::pricing::Book;
use crate::units::SimTime;
use std::path::PathBuf;

/// What `pricing check` found: a line for each book (and a warning line for an old one), and
/// the first book that failed, which decides the exit code once every book was read.
pub struct CheckedBooks {
    pub lines: Vec<String>,
    pub first_error: Option<Error>,
}

/// Checks every book of `books` as of `today`, warning about books older than `max_age`.
pub fn check_books(
    books: Vec<PathBuf>,
    today: &str,
    max_age: SimTime,
) -> Result<CheckedBooks, Error> {
    let mut paths = Vec::new();
    for path in books {
        if path.is_dir() {
            let inside = crate::trace::files::list(&path)?.into_iter();
            paths.extend(inside.filter(|p| p.is_file() && p.extension() == Some("toml".as_ref())));
        } else {
            paths.push(path);
        }
    }
    let mut checked = CheckedBooks {
        lines: Vec::new(),
        first_error: None,
    };
    for path in &paths {
        match Book::load(path) {
            Ok(b) => {
                checked.lines.push(format!(
                    "ok     {} ({}, {}, as of {})",
                    path.display(),
                    b.kind.name(),
                    b.currency,
                    b.as_of
                ));
                if let Some(w) = b.staleness(today, max_age) {
                    checked
                        .lines
                        .push(format!("warn   {}: {w}", path.display()));
                }
            }
            Err(e) => {
                checked.lines.push(format!("FAILED {e}"));
                checked.first_error.get_or_insert(e);
            }
        }
    }
    Ok(checked)
}
