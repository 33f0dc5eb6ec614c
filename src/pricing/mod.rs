//! Price books: one TOML file per public region, private host class, HCI platform or backup
//! service, each with its currency, source and as-of date. `Book::load` reads a file;
//! `Book::parse` reads text, so tests run on strings. Raw serde structs are validated into the
//! types the simulator bills with; every rule is checked with a message naming the key.

mod backup;
mod category;
mod check;
mod cost;
mod failures;
mod freshness;
mod hci;
pub mod import;
mod licence;
mod private;
mod public;
pub mod quote;
pub mod site_storage;
mod tco;
mod tiers;

pub use backup::{BackupBook, LinkError, LinkQuality, Sizing, transfer_hours};
pub use category::Category;
pub use cost::{PriceModel, VmHourCost, VmUsage};
pub use failures::Failures;
pub use freshness::{Provenance, date_of_day, day_number, today_utc};
pub use hci::{HciBook, NodeRoom, Reserve, UnitError};
pub use licence::{Brought, Licences, SqlEdition, SqlRate};
pub use private::{HostCost, PrivateBook};
pub use public::{
    Billing, Capacity, DiskError, DiskMonth, DiskSize, InstanceType, PublicBook, Purchase,
    ReservedOffer, SavingsPlanOffer, StorageClass, SustainedUse, Term, Upfront, evictions_per_hour,
};
pub use tco::{Power, PowerCurve, Tco, TcoItem};
pub use tiers::{TierLine, Tiers};

use crate::error::{Error, InputError, read_input};
use crate::units::{Currency, de_currency};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A validated price book.
#[derive(Debug, Clone)]
pub struct Book {
    pub path: PathBuf,
    pub name: String,
    pub currency: Currency,
    /// Where the prices come from (a URL or a written derivation).
    pub source: String,
    /// The date the prices were read, YYYY-MM-DD.
    pub as_of: String,
    pub kind: BookKind,
}

#[derive(Debug, Clone)]
pub enum BookKind {
    Public(PublicBook),
    Private(PrivateBook),
    Hci(Box<HciBook>),
    Backup(BackupBook),
}

impl BookKind {
    pub fn name(&self) -> &'static str {
        match self {
            BookKind::Public(_) => "public",
            BookKind::Private(_) => "private",
            BookKind::Hci(_) => "hci",
            BookKind::Backup(_) => "backup",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBook {
    name: String,
    #[serde(deserialize_with = "de_currency")]
    currency: Currency,
    source: String,
    as_of: String,
    public: Option<public::RawPublic>,
    private: Option<private::RawPrivate>,
    hci: Option<hci::RawHci>,
    backup: Option<backup::RawBackup>,
}

impl Book {
    pub fn load(path: &Path) -> Result<Book, Error> {
        let text = read_input(path)?;
        Ok(Book::parse(&text, path)?)
    }

    /// Parses and validates a book; `path` is only used to name the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Book, InputError> {
        let raw: RawBook =
            toml::from_str(text).map_err(|e| InputError::from_toml(path, text, &e))?;
        let doc: toml::Table =
            toml::from_str(text).map_err(|e| InputError::from_toml(path, text, &e))?;
        crate::scenario::limits::check(&doc, crate::scenario::limits::BOOK)
            .map_err(|e| e.in_file(path))?;
        crate::scenario::limits::check_durations(&doc, crate::scenario::limits::BOOK_DURATIONS)
            .map_err(|e| e.in_file(path))?;
        let bad = |key: &str, msg: String| InputError::key(path, key, msg);
        if raw.name.trim().is_empty() {
            return Err(bad("name", "must not be empty".into()));
        }
        if raw.source.trim().is_empty() {
            return Err(bad("source", "must name where the prices come from".into()));
        }
        check_date(&raw.as_of).map_err(|e| bad("as_of", e.to_string()))?;
        let kind = match (raw.public, raw.private, raw.hci, raw.backup) {
            (Some(p), None, None, None) => BookKind::Public(p.validate(path)?),
            (None, Some(p), None, None) => BookKind::Private(p.validate(path)?),
            (None, None, Some(h), None) => BookKind::Hci(Box::new(h.validate(path)?)),
            (None, None, None, Some(b)) => BookKind::Backup(b.validate(path)?),
            _ => {
                return Err(InputError::file(
                    path,
                    "a book has exactly one of the tables [public] (instance types), [private] (a host class), [hci] (a scale-unit platform) or [backup] (a backup service)",
                ));
            }
        };
        Ok(Book {
            path: path.to_path_buf(),
            name: raw.name,
            currency: raw.currency,
            source: raw.source,
            as_of: raw.as_of,
            kind,
        })
    }
}

/// An as-of date that is not YYYY-MM-DD.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{text}\" is not a date of the form YYYY-MM-DD")]
struct DateError {
    text: String,
}

/// Accepts YYYY-MM-DD with a plausible month and day.
fn check_date(text: &str) -> Result<(), DateError> {
    let parts: Vec<&str> = text.split('-').collect();
    let ok = parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
        && (1..=12).contains(&parts[1].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&parts[2].parse::<u32>().unwrap_or(0));
    if ok {
        Ok(())
    } else {
        Err(DateError {
            text: text.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str =
        "name = \"t\"\ncurrency = \"USD\"\nsource = \"hand\"\nas_of = \"2026-11-01\"\n";

    fn parse(body: &str) -> Result<Book, InputError> {
        Book::parse(&format!("{HEAD}{body}"), Path::new("t.toml"))
    }

    #[test]
    fn a_book_is_public_or_private() {
        let err = parse("").unwrap_err();
        assert!(
            err.to_string().contains("exactly one of the tables"),
            "{err}"
        );
    }

    #[test]
    fn dates_are_checked() {
        let err = Book::parse(
            "name = \"t\"\ncurrency = \"USD\"\nsource = \"x\"\nas_of = \"2026-13-01\"\n",
            Path::new("t.toml"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.toml: key `as_of`: \"2026-13-01\" is not a date of the form YYYY-MM-DD"
        );
    }

    #[test]
    fn unknown_keys_are_errors_with_their_line() {
        let err = parse("[private]\ncores = 32\nmem_gib = 256\ncpu_overcommit = 4.0\nhost_monthly = 400.0\nhost_montly = 1.0\n").unwrap_err();
        // HEAD has 4 lines, "[private]" is line 5, the typo is line 10.
        assert_eq!(err.at, crate::error::At::Line(10));
        assert!(err.message.contains("unknown field `host_montly`"), "{err}");
    }
}
