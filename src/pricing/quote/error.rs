//! What can be wrong with a quote request. Each error names the option or item and the value;
//! the CLI reports it against the book's file as bad input.

use crate::pricing::{DiskError, UnitError};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QuoteError {
    /// `--term` text that is not a term.
    #[error("\"{0}\" is not a term; expected 1y or 3y")]
    NotATerm(String),
    /// `--upfront` text that is not an upfront option.
    #[error("\"{0}\" is not an upfront option; expected none, partial or all")]
    NotAnUpfront(String),
    /// `--sql` text that is not a SQL Server edition (the message names it and the accepted).
    #[error("{}", .0.message)]
    NotAnEdition(crate::error::KeyError),
    /// A number option outside its range, e.g. `--hours 0 must be > 0`.
    #[error("{option} {} must be {expected}", crate::scenario::limits::compact(*value))]
    OutOfRange {
        option: &'static str,
        value: f64,
        expected: &'static str,
    },
    /// An item (or an option) that needs another option, e.g. `egress needs --gb N`.
    #[error("{item} needs {option}")]
    Missing {
        item: &'static str,
        option: &'static str,
    },
    /// An item the book does not have, with the nearest name it has (a likely typo) and the
    /// items it has.
    #[error("\"{item}\" is not an item of this book{hint}; items: {items}", hint = near_hint(near))]
    UnknownItem {
        item: String,
        near: Option<String>,
        items: String,
    },
    /// No reservation or savings plan for the term and upfront option asked for.
    #[error("no {term} {upfront}-upfront {offer} in this book")]
    NoOffer {
        offer: String,
        term: &'static str,
        upfront: &'static str,
    },
    /// `--spot` for an instance type without a spot price.
    #[error("{instance} has no spot price in this book")]
    NoSpot { instance: String },
    /// A total that is not a finite number (bounded prices and options should make it rare).
    #[error("the total {0} is not a finite amount; lower the amounts asked for")]
    Overflow(f64),
    /// A volume the storage class cannot price.
    #[error(transparent)]
    Disk(#[from] DiskError),
    /// `--ahb` on a book whose provider has no such licence benefit.
    #[error(
        "this book's provider offers no hybrid benefit (Windows and SQL Server licences brought along)"
    )]
    NoHybridBenefit,
    /// `--sql` or `--ahb` on an item that bills no licence (storage, egress, a private host,
    /// an HCI unit, a backup item): they apply to an instance type of a public book only.
    #[error(
        "{option} applies only to an instance type of a public book (a VM's licences), not to \"{item}\" of {book}"
    )]
    NoLicenceHere {
        option: &'static str,
        item: String,
        book: &'static str,
    },
    /// `--sql` on a book without a rate for the edition.
    #[error("this book has no {product} licence rate ([public.sql.{edition}])")]
    NoSqlRate {
        product: &'static str,
        edition: &'static str,
    },
    /// An HCI scale unit the platform does not allow.
    #[error(transparent)]
    Unit(#[from] UnitError),
}

/// ` (did you mean "m5.large"?)` for a suggested name, else nothing.
fn near_hint(near: &Option<String>) -> String {
    near.as_ref()
        .map(|n| format!(" (did you mean \"{n}\"?)"))
        .unwrap_or_default()
}

impl QuoteError {
    pub(super) fn missing(item: &'static str, option: &'static str) -> Self {
        QuoteError::Missing { item, option }
    }

    pub(super) fn unknown(item: &str, items: impl Into<String>) -> Self {
        QuoteError::UnknownItem {
            item: item.to_string(),
            near: None,
            items: items.into(),
        }
    }

    /// [`QuoteError::unknown`], suggesting the name of `known` nearest to `item`.
    pub(super) fn unknown_near(item: &str, known: &[&str], items: impl Into<String>) -> Self {
        QuoteError::UnknownItem {
            item: item.to_string(),
            near: crate::known::nearest(item, known).map(str::to_string),
            items: items.into(),
        }
    }
}
