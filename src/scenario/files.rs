//! The files a scenario names (price books, a plan file), each read once. A study parses its
//! scenario again for a run that sets a key the loaded scenario cannot take directly (see
//! `uncertainty::overrides`); those parses find the books and plans here instead of on disk, so
//! no run reads a file. A book is kept as read, before the scenario's factors touch it.

use crate::error::{Error, read_input};
use crate::pricing::Book;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// Books and file texts by path, shared by the threads of a study.
#[derive(Debug, Default)]
pub struct Files {
    books: Mutex<BTreeMap<PathBuf, Arc<Book>>>,
    texts: Mutex<BTreeMap<PathBuf, Arc<str>>>,
}

/// A lock whose holder panicked still guards a consistent map (entries are only inserted
/// whole), so it is used as is.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Files {
    /// The book at `path`, read and checked the first time it is asked for.
    pub fn book(&self, path: &Path) -> Result<Book, Error> {
        if let Some(book) = lock(&self.books).get(path).cloned() {
            return Ok((*book).clone());
        }
        let book = Arc::new(Book::load(path)?);
        lock(&self.books).insert(path.to_path_buf(), Arc::clone(&book));
        Ok((*book).clone())
    }

    /// The text of the file at `path`, read the first time it is asked for.
    pub fn text(&self, path: &Path) -> Result<Arc<str>, Error> {
        if let Some(text) = lock(&self.texts).get(path).cloned() {
            return Ok(text);
        }
        let text: Arc<str> = read_input(path)?.into();
        lock(&self.texts).insert(path.to_path_buf(), Arc::clone(&text));
        Ok(text)
    }

    /// How many files have been read.
    pub fn read(&self) -> usize {
        lock(&self.books).len() + lock(&self.texts).len()
    }
}
