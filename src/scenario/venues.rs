//! Venues (`[[venues]]`) and commitments bought on them (`[[commitments]]`).

use super::{NoExchangeRate, limits};
use crate::error::{Error, InputError, KeyError};
use crate::pricing::{
    Book, BookKind, HciBook, PrivateBook, PublicBook, ReservedOffer, SavingsPlanOffer, Term,
    Upfront,
};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Venue {
    pub name: String,
    pub book: Book,
    /// Multiplier from the book's currency to the scenario's (1.0 when they are the same).
    pub rate: f64,
    pub size: VenueSize,
    /// Grid emissions at a private or HCI site, kgCO2e per kWh.
    pub carbon_kg_per_kwh: Option<f64>,
    /// The most hosts the optimizer may give a private site (floor space, power, racks).
    pub max_hosts: Option<u32>,
}

/// How big a venue is: public regions have no size, private sites have hosts, HCI venues have
/// scale units of identical nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VenueSize {
    Public,
    Hosts(u32),
    Hci { nodes: u32, units: u32 },
}

impl Venue {
    pub fn public(&self) -> Option<&PublicBook> {
        match &self.book.kind {
            BookKind::Public(p) => Some(p),
            _ => None,
        }
    }

    pub fn private(&self) -> Option<&PrivateBook> {
        match &self.book.kind {
            BookKind::Private(p) => Some(p),
            _ => None,
        }
    }

    pub fn hci(&self) -> Option<&HciBook> {
        match &self.book.kind {
            BookKind::Hci(h) => Some(h),
            _ => None,
        }
    }
}

/// A commitment bought on a public venue for the whole of its term (from time 0).
#[derive(Debug, Clone, PartialEq)]
pub enum Commitment {
    Reserved {
        venue: usize,
        count: u32,
        offer: ReservedOffer,
    },
    SavingsPlan {
        venue: usize,
        hourly: f64,
        offer: SavingsPlanOffer,
    },
}

impl Commitment {
    pub fn venue(&self) -> usize {
        match self {
            Commitment::Reserved { venue, .. } | Commitment::SavingsPlan { venue, .. } => *venue,
        }
    }

    pub fn term(&self) -> Term {
        match self {
            Commitment::Reserved { offer, .. } => offer.term,
            Commitment::SavingsPlan { offer, .. } => offer.term,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVenue {
    name: String,
    book: PathBuf,
    hosts: Option<u32>,
    nodes: Option<u32>,
    units: Option<u32>,
    carbon_kg_per_kwh: Option<f64>,
    /// Multiplies every price of the venue's book (what-if and uncertainty studies).
    price_factor: Option<f64>,
    /// Multiplies the book's annual failure rate (private and HCI venues with a failure model).
    failure_factor: Option<f64>,
    /// Multiplies the book's spot eviction rate (public venues).
    eviction_factor: Option<f64>,
    max_hosts: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCommitment {
    venue: String,
    reserved: Option<String>,
    count: Option<u32>,
    savings_plan_hourly: Option<f64>,
    /// Which of the book's savings plans of the term (default: the first), e.g. "EC2
    /// Instance Savings Plan".
    plan: Option<String>,
    term: String,
    upfront: String,
}

/// Loads each venue's book and checks its size keys. `rate_of` gives a book's exchange rate.
pub(super) fn validate(
    raw: Vec<RawVenue>,
    (path, files): (&Path, &super::Files),
    rate_of: &dyn Fn(&Book) -> Result<f64, NoExchangeRate>,
) -> Result<Vec<Venue>, Error> {
    let base = path.parent().unwrap_or(Path::new("."));
    if raw.is_empty() {
        let m = "needs at least one [[venues]] entry";
        return Err(InputError::key(path, "venues", m).into());
    }
    let mut venues: Vec<Venue> = Vec::with_capacity(raw.len());
    for (i, v) in raw.into_iter().enumerate() {
        let key = |field: &str| format!("venues[{i}].{field}");
        let in_file = |e: KeyError| -> Error { e.in_file(path).into() };
        if v.name.trim().is_empty() {
            return Err(InputError::key(path, key("name"), "must not be empty").into());
        }
        if venues.iter().any(|u| u.name == v.name) {
            let m = format!("venue \"{}\" is named twice", v.name);
            return Err(InputError::key(path, key("name"), m).into());
        }
        let mut book = files.book(&base.join(&v.book))?;
        apply_factors(&v, &mut book, &key).map_err(in_file)?;
        let rate = rate_of(&book)
            .map_err(|e| in_file(KeyError::new(key("book"), e.to_string())))?
            * v.price_factor.unwrap_or(1.0);
        let size = venue_size(&v, &book, &key).map_err(in_file)?;
        check_site_keys(&v, size, &key).map_err(in_file)?;
        venues.push(Venue {
            name: v.name,
            book,
            rate,
            size,
            carbon_kg_per_kwh: v.carbon_kg_per_kwh,
            max_hosts: v.max_hosts,
        });
    }
    Ok(venues)
}

/// Checks `price_factor`, `failure_factor` and `eviction_factor`, and applies the last two to
/// the book (the price factor goes into the venue's rate).
fn apply_factors(
    v: &RawVenue,
    book: &mut Book,
    key: &dyn Fn(&str) -> String,
) -> Result<(), KeyError> {
    for (k, f) in [
        ("price_factor", v.price_factor),
        ("failure_factor", v.failure_factor),
        ("eviction_factor", v.eviction_factor),
    ] {
        if let Some(f) = f
            && !(f.is_finite() && f >= 0.0 && (f > 0.0 || k != "price_factor"))
        {
            let least = if k == "price_factor" { "> 0" } else { ">= 0" };
            return Err(KeyError::new(
                key(k),
                format!("{f} must be a finite number {least}"),
            ));
        }
    }
    if let Some(f) = v.failure_factor {
        let afr = match &mut book.kind {
            BookKind::Private(p) => p.failures.as_mut().map(|x| &mut x.afr),
            BookKind::Hci(h) => h.afr.as_mut(),
            _ => None,
        };
        let msg = "applies only to a private or HCI venue whose book has a failure model";
        *afr.ok_or_else(|| KeyError::new(key("failure_factor"), msg))? *= f;
    }
    if let Some(f) = v.eviction_factor {
        let BookKind::Public(p) = &mut book.kind else {
            let msg = "applies only to a public venue";
            return Err(KeyError::new(key("eviction_factor"), msg));
        };
        p.scale_evictions(f);
    }
    Ok(())
}

/// The venue's size from `hosts`, `nodes` and `units`, which must suit its book's kind.
fn venue_size(
    v: &RawVenue,
    book: &Book,
    key: &dyn Fn(&str) -> String,
) -> Result<VenueSize, KeyError> {
    let err = |k: &str, m: String| Err(KeyError::new(key(k), m));
    match (&book.kind, v.hosts, v.nodes, v.units) {
        (BookKind::Public(_), None, None, None) => Ok(VenueSize::Public),
        (BookKind::Public(_), ..) => err(
            "hosts",
            "a public venue has no hosts, nodes or units; remove them".into(),
        ),
        (BookKind::Private(_), Some(h), None, None) if h >= 1 => {
            limits::at_most(key("hosts"), h, limits::MAX_HOSTS)?;
            Ok(VenueSize::Hosts(h))
        }
        (BookKind::Private(_), Some(_), None, None) => err("hosts", "must be at least 1".into()),
        (BookKind::Private(_), None, _, _) => err(
            "hosts",
            "a private venue needs a host count, e.g. hosts = 8".into(),
        ),
        (BookKind::Private(_), ..) => err(
            "nodes",
            "nodes and units are for HCI venues; a private venue has hosts".into(),
        ),
        (BookKind::Hci(h), None, Some(nodes), units) => {
            h.check_unit(nodes)
                .map_err(|m| KeyError::new(key("nodes"), m.to_string()))?;
            let units = units.unwrap_or(1);
            if units == 0 {
                return err("units", "must be at least 1".into());
            }
            limits::at_most(key("units"), units, limits::MAX_HCI_UNITS)?;
            Ok(VenueSize::Hci { nodes, units })
        }
        (BookKind::Hci(h), _, _, _) => err(
            "nodes",
            format!(
                "an HCI venue needs nodes per scale unit ({} to {}) and optionally units; no hosts",
                h.nodes_min, h.nodes_max
            ),
        ),
        (BookKind::Backup(_), ..) => err(
            "book",
            "a backup book goes in the [backup] section, not in venues".into(),
        ),
    }
}

/// `carbon_kg_per_kwh` and `max_hosts`, which only sites have.
fn check_site_keys(
    v: &RawVenue,
    size: VenueSize,
    key: &dyn Fn(&str) -> String,
) -> Result<(), KeyError> {
    let err = |k: &str, m: String| Err(KeyError::new(key(k), m));
    if let Some(c) = v.carbon_kg_per_kwh {
        if size == VenueSize::Public {
            let m = "applies to private and HCI sites; public clouds report their own";
            return err("carbon_kg_per_kwh", m.into());
        }
        if !(c.is_finite() && c >= 0.0) {
            return err(
                "carbon_kg_per_kwh",
                format!("{c} must be a finite number >= 0"),
            );
        }
    }
    if let Some(m) = v.max_hosts {
        if !matches!(size, VenueSize::Hosts(_)) {
            let msg = "applies only to a private venue (the optimizer's limit on its hosts)";
            return err("max_hosts", msg.into());
        }
        if m == 0 {
            return err("max_hosts", "must be at least 1".into());
        }
    }
    Ok(())
}

pub(super) fn validate_commitments(
    raw: Vec<RawCommitment>,
    venues: &[Venue],
) -> Result<Vec<Commitment>, KeyError> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, c) in raw.into_iter().enumerate() {
        let key = |f: &str| format!("commitments[{i}].{f}");
        let err = |f: &str, m: String| Err(KeyError::new(key(f), m));
        let names: Vec<&str> = venues.iter().map(|v| v.name.as_str()).collect();
        let venue =
            crate::known::find(&key("venue"), &c.venue, "a venue of this scenario", &names)?;
        let Some(book) = venues[venue].public() else {
            return err(
                "venue",
                format!(
                    "\"{}\" is not a public venue; commitments are bought from public clouds",
                    c.venue
                ),
            );
        };
        let Some(term) = Term::parse(&c.term) else {
            return err(
                "term",
                format!("\"{}\" is not a term; expected 1y or 3y", c.term),
            );
        };
        let Some(upfront) = Upfront::parse(&c.upfront) else {
            return err(
                "upfront",
                format!(
                    "\"{}\" is not an upfront option; expected none, partial or all",
                    c.upfront
                ),
            );
        };
        match (c.reserved, c.count, c.savings_plan_hourly) {
            (Some(name), count, None) => {
                let Some(instance) = book.instance(&name) else {
                    let types: Vec<&str> = book.instances.iter().map(|t| t.name.as_str()).collect();
                    let what = format!("an instance type of {}", venues[venue].book.path.display());
                    return err("reserved", crate::known::unknown(&name, &what, &types));
                };
                let Some(offer) = book.reserved_offer(instance, term, upfront) else {
                    return err(
                        "reserved",
                        format!("{} has no {} {}-upfront reservation for {name}", venues[venue].book.path.display(), term.name(), upfront.name()),
                    );
                };
                let count = count.unwrap_or(1);
                if count == 0 {
                    return err("count", "must be at least 1".into());
                }
                out.push(Commitment::Reserved { venue, count, offer: offer.clone() });
            }
            (None, None, Some(hourly)) => {
                if !(hourly.is_finite() && hourly > 0.0) {
                    return err("savings_plan_hourly", format!("{hourly} must be a finite amount per hour > 0"));
                }
                let Some(offer) = book.savings_plan_named(c.plan.as_deref(), term, upfront) else {
                    let named = c.plan.as_deref().map_or(String::new(), |n| format!("\"{n}\" "));
                    return err(
                        "savings_plan_hourly",
                        format!("{} has no {named}{} {}-upfront savings plan", venues[venue].book.path.display(), term.name(), upfront.name()),
                    );
                };
                if out.iter().any(|o| matches!(o, Commitment::SavingsPlan { venue: v, .. } if *v == venue)) {
                    return err("savings_plan_hourly", format!("venue \"{}\" already has a savings plan; add up the commitments", c.venue));
                }
                out.push(Commitment::SavingsPlan { venue, hourly, offer: offer.clone() });
            }
            _ => return err("reserved", "give reserved = \"<instance type>\" (and count) or savings_plan_hourly = <amount per hour>".into()),
        }
    }
    Ok(out)
}
