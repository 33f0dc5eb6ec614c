//! `hybridplan pricing quote`: a bill for one item of a price book, line by line, so that any
//! figure the simulator uses can be checked by hand. The amounts come from the same formulas
//! the simulator and the optimizer use (`vm_hour_cost`, `TcoItem::cost`, `Power::cost`); one
//! file per kind of book.

mod backup;
mod error;
mod hci;
mod private;
mod public;

pub use error::QuoteError;

use super::{Book, BookKind, SqlEdition, Term, Upfront};
use crate::units::{HOURS_PER_MONTH, format_amount};
use std::fmt::Write;

/// What to quote: the arguments of the `pricing quote` command.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct QuoteRequest {
    /// Public: an instance type, egress, storage, inter-region or savings-plan. Private: host.
    /// HCI: unit. Backup: storage, link, licence or seed.
    pub item: String,
    /// Hours to price [default: 730, one month].
    #[arg(long, allow_negative_numbers = true)]
    pub hours: Option<f64>,
    /// Reserved or savings-plan term: 1y or 3y.
    #[arg(long, value_parser = parse_term)]
    pub term: Option<Term>,
    /// Upfront option with --term: none, partial or all.
    #[arg(long, value_parser = parse_upfront)]
    pub upfront: Option<Upfront>,
    /// GiB (egress in one month, storage, transfer; HCI: the largest VM's memory).
    #[arg(long, allow_negative_numbers = true)]
    pub gb: Option<f64>,
    /// Add the Windows licence (public) or use the Windows rate (HCI consumption).
    #[arg(long)]
    pub windows: bool,
    /// Price at the spot rate.
    #[arg(long)]
    pub spot: bool,
    /// Add the SQL Server licence of an edition: standard or enterprise (public).
    #[arg(long, value_parser = parse_sql)]
    pub sql: Option<SqlEdition>,
    /// With --windows or --sql: Azure Hybrid Benefit (own Windows Server and SQL Server
    /// licences), neither licence billed.
    #[arg(long)]
    pub ahb: bool,
    /// Public storage: the storage class (gp3, io2, premium-ssd, pd-balanced, ...).
    #[arg(long)]
    pub class: Option<String>,
    /// Public storage with --class: provisioned IOPS of the volume [default: 0].
    #[arg(long, allow_negative_numbers = true)]
    pub iops: Option<f64>,
    /// Instances or hosts to price (HCI: vCPUs for consumption).
    #[arg(long)]
    pub count: Option<u32>,
    /// HCI: nodes in the scale unit.
    #[arg(long)]
    pub nodes: Option<u32>,
    /// Load for power, 0..=1 [default: 0.5].
    #[arg(long, allow_negative_numbers = true)]
    pub util: Option<f64>,
    /// Backup: TB (stored, or to seed, or to transfer over a link).
    #[arg(long, allow_negative_numbers = true)]
    pub tb: Option<f64>,
    /// Backup: link size in Mbps.
    #[arg(long, allow_negative_numbers = true)]
    pub mbps: Option<f64>,
    /// Backup: protected servers.
    #[arg(long)]
    pub servers: Option<u32>,
}

fn parse_term(s: &str) -> Result<Term, QuoteError> {
    Term::parse(s).ok_or_else(|| QuoteError::NotATerm(s.to_string()))
}

fn parse_sql(s: &str) -> Result<SqlEdition, QuoteError> {
    SqlEdition::find("--sql", s).map_err(QuoteError::NotAnEdition)
}

fn parse_upfront(s: &str) -> Result<Upfront, QuoteError> {
    Upfront::parse(s).ok_or_else(|| QuoteError::NotAnUpfront(s.to_string()))
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuoteLine {
    pub label: String,
    pub detail: String,
    /// Money lines count towards the total; facts (capacities) have none.
    pub amount: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub title: String,
    pub lines: Vec<QuoteLine>,
}

impl Quote {
    pub fn total(&self) -> f64 {
        self.lines.iter().filter_map(|l| l.amount).sum()
    }

    pub fn render(&self, currency: &str) -> String {
        let label_w = self
            .lines
            .iter()
            .map(|l| l.label.len())
            .max()
            .unwrap_or(0)
            .max("total".len());
        let detail_w = self.lines.iter().map(|l| l.detail.len()).max().unwrap_or(0);
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.title);
        for l in &self.lines {
            let amount = l.amount.map(format_amount).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<label_w$}  {:<detail_w$}  {:>12}",
                l.label, l.detail, amount
            );
        }
        if self.lines.iter().any(|l| l.amount.is_some()) {
            let _ = writeln!(
                out,
                "  {:<label_w$}  {:<detail_w$}  {:>12}  {currency}",
                "total",
                "",
                format_amount(self.total())
            );
        }
        out
    }
}

pub(super) fn money(label: &str, detail: String, amount: f64) -> QuoteLine {
    QuoteLine {
        label: label.to_string(),
        detail,
        amount: Some(amount),
    }
}

pub(super) fn fact(label: &str, detail: String) -> QuoteLine {
    QuoteLine {
        label: label.to_string(),
        detail,
        amount: None,
    }
}

/// Quotes an item of a book, or says what items and options it takes.
pub fn quote(book: &Book, r: &QuoteRequest) -> Result<Quote, QuoteError> {
    let hours = r.hours.unwrap_or(HOURS_PER_MONTH);
    check_amounts(r, hours)?;
    check_licence_options(book, r)?;
    let lines = match &book.kind {
        BookKind::Public(p) => public::lines(p, r, hours)?,
        BookKind::Private(p) => private::lines(p, r, hours)?,
        BookKind::Hci(h) => hci::lines(h, r, hours)?,
        BookKind::Backup(b) => backup::lines(b, r, hours)?,
    };
    let quote = Quote {
        title: format!(
            "{} - {} for {hours} h (prices as of {})",
            book.name, r.item, book.as_of
        ),
        lines,
    };
    // Bounded prices times bounded amounts stay finite; checked all the same, as every total is.
    if !quote.total().is_finite() {
        return Err(QuoteError::Overflow(quote.total()));
    }
    Ok(quote)
}

/// `--sql` and `--ahb` price a public VM's licences: on any other item they would be silently
/// ignored, so they are refused naming the option, the item and the kind of book.
fn check_licence_options(book: &Book, r: &QuoteRequest) -> Result<(), QuoteError> {
    let option = match (r.sql.is_some(), r.ahb) {
        (true, _) => "--sql",
        (false, true) => "--ahb",
        (false, false) => return Ok(()),
    };
    let kind = match &book.kind {
        BookKind::Public(p) if p.instance(&r.item).is_some() => return Ok(()),
        BookKind::Public(_) => match r.item.as_str() {
            "egress" | "storage" | "inter-region" | "savings-plan" => "a public book",
            // An unknown item: the item's own error names it and the nearest known name.
            _ => return Ok(()),
        },
        BookKind::Private(_) => "a private book",
        BookKind::Hci(_) => "an HCI book",
        BookKind::Backup(_) => "a backup book",
    };
    Err(QuoteError::NoLicenceHere {
        option,
        item: r.item.clone(),
        book: kind,
    })
}

/// The largest amount each option takes (README, "Limits"): far above any real bill, and low
/// enough that a bounded price times it stays a finite, printable figure.
const OPTION_LIMITS: [(&str, f64, &str); 7] = [
    ("--hours", 876_000.0, "> 0 and at most 876000 (100 years)"),
    (
        "--gb",
        1e9,
        "a finite number >= 0 and at most 1e9 (an exabyte)",
    ),
    (
        "--tb",
        1e6,
        "a finite number >= 0 and at most 1e6 (an exabyte)",
    ),
    (
        "--mbps",
        1e7,
        "a finite number >= 0 and at most 1e7 (10 Tbps)",
    ),
    (
        "--iops",
        1e7,
        "a finite number >= 0 and at most 1e7 (the fastest volumes offer a few hundred thousand)",
    ),
    ("--count", 1e6, "at most 1000000"),
    ("--servers", 1e6, "at most 1000000"),
];

/// Sizes must be finite, not negative and within `OPTION_LIMITS`, and a load a share: a NaN or
/// a negative amount would otherwise be priced as if it were real, a huge one printed as an
/// astronomic total.
fn check_amounts(r: &QuoteRequest, hours: f64) -> Result<(), QuoteError> {
    let values = [
        Some(hours),
        r.gb,
        r.tb,
        r.mbps,
        r.iops,
        r.count.map(f64::from),
        r.servers.map(f64::from),
    ];
    for ((option, max, expected), value) in OPTION_LIMITS.into_iter().zip(values) {
        let positive = option != "--hours" || value.is_some_and(|v| v > 0.0);
        if let Some(v) = value.filter(|v| !(positive && (0.0..=max).contains(v))) {
            return Err(QuoteError::OutOfRange {
                option,
                value: v,
                expected,
            });
        }
    }
    match r.util {
        Some(u) if !(0.0..=1.0).contains(&u) => Err(QuoteError::OutOfRange {
            option: "--util",
            value: u,
            expected: "in 0..=1",
        }),
        _ => Ok(()),
    }
}

/// Books and requests for the tests of each kind.
#[cfg(test)]
mod testing {
    use super::QuoteRequest;
    use crate::pricing::Book;
    use std::path::Path;

    /// A shipped book, by its path from the repository root.
    pub(super) fn load(rel: &str) -> Book {
        Book::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
    }

    /// A request for `item` with every option at its default.
    pub(super) fn req(item: &str) -> QuoteRequest {
        QuoteRequest {
            item: item.into(),
            ..QuoteRequest::default()
        }
    }
}
