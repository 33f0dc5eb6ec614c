//! Validation helpers for price books: each check names the key and says what was expected.

use crate::error::InputError;
use crate::scenario::limits::ANY_NUMBER;
use std::path::Path;

/// Checks values under one table of a book, e.g. `private.tco`.
#[derive(Clone, Copy)]
pub struct Check<'a> {
    pub path: &'a Path,
    pub table: &'a str,
}

impl<'a> Check<'a> {
    pub fn new(path: &'a Path, table: &'a str) -> Self {
        Check { path, table }
    }

    pub fn key(&self, field: &str) -> String {
        if self.table.is_empty() {
            field.to_string()
        } else {
            format!("{}.{field}", self.table)
        }
    }

    pub fn err(&self, field: &str, message: impl Into<String>) -> InputError {
        InputError::key(self.path, self.key(field), message)
    }

    /// A price or amount of money: finite and >= 0.
    pub fn price(&self, field: &str, v: f64) -> Result<f64, InputError> {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(self.err(field, format!("price {v} must be a finite number >= 0")))
        }
    }

    /// A capacity or ratio: finite, > 0 and within `ANY_NUMBER` (a size written with a unit,
    /// such as "256GiB", is not a TOML number, so the bounds walk does not see it).
    pub fn positive(&self, field: &str, v: f64) -> Result<f64, InputError> {
        if v.is_finite() && v > 0.0 && v <= ANY_NUMBER {
            Ok(v)
        } else {
            let msg = format!("{v} must be a finite number > 0 and at most {ANY_NUMBER:e}");
            Err(self.err(field, msg))
        }
    }

    /// A value within [lo, hi].
    pub fn range(&self, field: &str, v: f64, lo: f64, hi: f64) -> Result<f64, InputError> {
        if v.is_finite() && (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(self.err(field, format!("{v} must be a finite number in {lo}..={hi}")))
        }
    }

    /// A whole count >= `min`.
    pub fn at_least(&self, field: &str, v: u32, min: u32) -> Result<u32, InputError> {
        if v >= min {
            Ok(v)
        } else {
            Err(self.err(field, format!("{v} must be at least {min}")))
        }
    }

    /// A non-empty name.
    pub fn name(&self, field: &str, v: &str) -> Result<(), InputError> {
        if v.trim().is_empty() {
            Err(self.err(field, "must not be empty"))
        } else {
            Ok(())
        }
    }
}
