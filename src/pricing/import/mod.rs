//! `hybridplan pricing import`: the providers' own published price files turned into a price
//! book, so books are generated rather than typed:
//!
//! - AWS: Price List bulk offer files for AmazonEC2, CSV or JSON (`aws.rs`, streamed: the real
//!   files are gigabytes), and for spot the CLI's `describe-spot-price-history` output and the
//!   Spot Instance Advisor's data file (`aws_spot.rs`, told apart by their first key);
//! - Azure: pages of the Retail Prices API (`Items`, `NextPageLink`) saved as JSON (`azure.rs`);
//! - GCP: the Cloud Billing Catalog API's SKU list for Compute Engine (`skus[]`, `gcp.rs`).
//!
//! Each reader returns `Imported`: instance types (Linux, with the Windows price when the file
//! has it, spot), reservations and commitments, SQL Server licence rates (Azure), with the
//! file's date and currency. `write`
//! turns it into book text, on top of an optional base book holding what price files of
//! instances do not carry (billing granularity, storage, egress, discount schedules); the text
//! is validated as a book before it is returned.

mod aws;
mod aws_json;
mod aws_spot;
mod azure;
mod gcp;
mod write;

pub use write::write;

use crate::error::{Error, InputError, check_regular, open_error};
use crate::pricing::{SqlEdition, SqlRate, Term, Upfront};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// The largest whole-file JSON read (an Azure page, a GCP SKU list, an AWS spot file); AWS offer files are
/// streamed and have no such limit.
pub const MAX_JSON_BYTES: u64 = 512 * 1024 * 1024;
/// The most instance types one import may produce (every provider has a few thousand).
pub const MAX_INSTANCES: usize = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Provider {
    Aws,
    Azure,
    Gcp,
}

impl Provider {
    pub fn name(self) -> &'static str {
        match self {
            Provider::Aws => "AWS",
            Provider::Azure => "Azure",
            Provider::Gcp => "GCP",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportedInstance {
    pub name: String,
    pub family: String,
    pub vcpus: u32,
    pub mem_gib: f64,
    pub hourly: f64,
    pub windows_hourly: Option<f64>,
    pub spot_hourly: Option<f64>,
    pub gpus: u32,
    pub gpu: String,
    /// False for burstable, previous-generation and GPU types (see `InstanceType`).
    pub right_size: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportedReserved {
    pub instance: String,
    pub term: Term,
    pub upfront: Upfront,
    pub upfront_cost: f64,
    pub hourly: f64,
}

/// A savings plan as the book models it: a discount off on-demand per family.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedPlan {
    pub name: String,
    pub term: Term,
    pub discounts: BTreeMap<String, f64>,
}

/// What a price file holds for one region.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Imported {
    pub region: String,
    pub currency: String,
    /// YYYY-MM-DD: the file's publication date (AWS) or its newest effective date.
    pub as_of: String,
    pub source: String,
    /// Sorted by name.
    pub instances: Vec<ImportedInstance>,
    pub reserved: Vec<ImportedReserved>,
    pub savings_plans: Vec<ImportedPlan>,
    /// SQL Server licence rates by edition (Azure's licence meters).
    pub sql: BTreeMap<SqlEdition, SqlRate>,
    /// Published spot interruption bucket by family ("5-10%"), from the AWS Spot Advisor.
    pub spot_interruption: BTreeMap<String, String>,
    /// Further sources read beside the main price file (spot data), for the book's source.
    pub notes: Vec<String>,
    /// Lines for the book's header comment: where derived or typed figures come from (the
    /// spot rule applied; `pricing import --note`).
    pub header: Vec<String>,
    /// Entries of the region left out, by reason (e.g. "Azure size without a memory rule").
    pub skipped: BTreeMap<String, u64>,
}

impl Imported {
    pub(crate) fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    pub(crate) fn skip(&mut self, reason: &str) {
        *self.skipped.entry(reason.to_string()).or_insert(0) += 1;
    }

    /// Sorts what was read and drops offers that name no imported type or would not save
    /// money (a book refuses them).
    fn finish(mut self, files: &[PathBuf]) -> Result<Imported, InputError> {
        let first = files.first().map_or(Path::new("-"), |p| p.as_path());
        if self.instances.is_empty() {
            let msg = format!(
                "no instance type of region \"{}\" found (is the region spelt as the provider does, e.g. us-east-1, eastus, us-central1?)",
                self.region
            );
            return Err(InputError::file(first, msg));
        }
        if self.instances.len() > MAX_INSTANCES {
            let msg = format!(
                "{} instance types, more than the {MAX_INSTANCES} an import may hold",
                self.instances.len()
            );
            return Err(InputError::file(first, msg));
        }
        self.instances.sort_by(|a, b| a.name.cmp(&b.name));
        let od: BTreeMap<&str, f64> = self
            .instances
            .iter()
            .map(|t| (t.name.as_str(), t.hourly))
            .collect();
        let mut kept = Vec::with_capacity(self.reserved.len());
        let mut dropped = 0;
        for r in std::mem::take(&mut self.reserved) {
            let effective = r.upfront_cost / r.term.hours() + r.hourly;
            match od.get(r.instance.as_str()) {
                Some(p) if effective < *p => kept.push(r),
                _ => dropped += 1,
            }
        }
        kept.sort_by(|a, b| {
            (&a.instance, a.term, a.upfront).cmp(&(&b.instance, b.term, b.upfront))
        });
        kept.dedup_by(|a, b| (&a.instance, a.term, a.upfront) == (&b.instance, b.term, b.upfront));
        self.reserved = kept;
        if dropped > 0 {
            *self
                .skipped
                .entry("reservation of a type not imported, or not below on-demand".into())
                .or_insert(0) += dropped;
        }
        let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        let mut parts = vec![self.source.clone()];
        parts.extend(self.notes.iter().cloned());
        self.source = format!("{} ({})", parts.join("; "), names.join(", "));
        Ok(self)
    }
}

/// Reads `files` (pages or parts of one provider's price list) for `region`.
pub fn import(provider: Provider, files: &[PathBuf], region: &str) -> Result<Imported, Error> {
    let mut out = Imported {
        region: region.to_string(),
        ..Imported::default()
    };
    let mut azure = azure::State::default();
    let mut spot = aws_spot::Spot::default();
    for path in files {
        check_regular(path)?;
        let file = File::open(path).map_err(|e| open_error(path, e))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        match provider {
            Provider::Aws => {
                let head = reader.fill_buf().map_err(|e| Error::io(path, e))?;
                match aws_spot::shape(head) {
                    aws_spot::Shape::OfferFile => aws::read(reader, path, &mut out)?,
                    s => spot.read(s, &bounded(reader, path)?, path, &mut out)?,
                }
            }
            Provider::Azure => azure::read(bounded(reader, path)?, path, &mut out, &mut azure)?,
            Provider::Gcp => gcp::read(bounded(reader, path)?, path, &mut out)?,
        }
    }
    azure::collect(azure, &mut out)?;
    spot.apply(&mut out);
    Ok(out.finish(files)?)
}

/// Reads a whole JSON file of at most `MAX_JSON_BYTES`.
fn bounded(reader: impl Read, path: &Path) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_JSON_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_JSON_BYTES {
        let msg = format!("is larger than {MAX_JSON_BYTES} bytes; split it into pages");
        return Err(InputError::file(path, msg).into());
    }
    Ok(bytes)
}

/// "2026-10-01T00:00:00Z" -> "2026-10-01" (the first 10 characters when they are a date).
fn date_of(text: &str) -> Option<String> {
    let d = text.get(..10)?;
    crate::pricing::day_number(d).map(|_| d.to_string())
}

/// Keeps the newest of two dates (YYYY-MM-DD compares as text).
fn newest(current: &mut String, candidate: &str) {
    if let Some(d) = date_of(candidate)
        && d > *current
    {
        *current = d;
    }
}

/// Rounds a price computed from rates to 6 decimals, as the providers' calculators show them.
fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Sets the file's currency, refusing a second one.
fn currency(out: &mut Imported, code: &str, path: &Path, at: &str) -> Result<(), InputError> {
    if out.currency.is_empty() {
        out.currency = code.to_string();
        Ok(())
    } else if out.currency == code {
        Ok(())
    } else {
        let msg = format!(
            "currency {code}, but earlier prices were in {}; import one currency at a time",
            out.currency
        );
        Err(InputError::key(path, at, msg))
    }
}

#[cfg(test)]
mod tests;
