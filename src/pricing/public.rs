//! Public-cloud region prices: on-demand instance types (Linux, with a Windows uplift per vCPU),
//! billing granularity, reserved instances, savings plans, spot, block storage, internet egress
//! in monthly tiers and transfer between regions.

use super::check::Check;
use super::tiers::{RawTier, Tiers};
use crate::error::InputError;
use crate::units::{HOUR, SimTime, de_opt_duration};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// How a provider rounds the running time of one instance before multiplying by the hourly rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    /// Per second, with a minimum charge per start (AWS Linux and GCP: 60 s).
    PerSecond { minimum: SimTime },
    /// Every started hour is paid in full.
    PerHour,
}

impl Billing {
    /// The seconds billed for an instance that ran `runtime` seconds.
    pub fn billed_seconds(self, runtime: SimTime) -> SimTime {
        match self {
            Billing::PerSecond { minimum } => runtime.max(minimum),
            Billing::PerHour => runtime.div_ceil(HOUR) * HOUR,
        }
    }
}

#[derive(Debug, Clone)]
pub struct InstanceType {
    pub name: String,
    /// The family that savings-plan discounts are given for (e.g. "m5").
    pub family: String,
    pub vcpus: u32,
    pub mem_gib: f64,
    /// On-demand price per hour (Linux).
    pub hourly: f64,
    /// Spot price per hour, when the book has one.
    pub spot_hourly: Option<f64>,
}

/// A commitment term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, PartialOrd, Ord)]
pub enum Term {
    #[serde(rename = "1y")]
    OneYear,
    #[serde(rename = "3y")]
    ThreeYears,
}

impl Term {
    pub fn hours(self) -> f64 {
        match self {
            Term::OneYear => 8_760.0,
            Term::ThreeYears => 26_280.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Term::OneYear => "1y",
            Term::ThreeYears => "3y",
        }
    }

    pub fn parse(text: &str) -> Option<Term> {
        match text {
            "1y" => Some(Term::OneYear),
            "3y" => Some(Term::ThreeYears),
            _ => None,
        }
    }
}

/// How much of a commitment is paid at the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Upfront {
    None,
    Partial,
    All,
}

impl Upfront {
    pub fn name(self) -> &'static str {
        match self {
            Upfront::None => "none",
            Upfront::Partial => "partial",
            Upfront::All => "all",
        }
    }

    pub fn parse(text: &str) -> Option<Upfront> {
        match text {
            "none" | "no" => Some(Upfront::None),
            "partial" => Some(Upfront::Partial),
            "all" => Some(Upfront::All),
            _ => None,
        }
    }
}

/// A reserved-instance offer for one instance type.
#[derive(Debug, Clone, PartialEq)]
pub struct ReservedOffer {
    /// Position of the instance type in `PublicBook::instances`.
    pub instance: usize,
    pub term: Term,
    pub upfront: Upfront,
    pub upfront_cost: f64,
    /// The recurring part, paid every hour of the term whether used or not.
    pub hourly: f64,
}

impl ReservedOffer {
    /// Upfront amortised over the term plus the hourly part.
    pub fn effective_hourly(&self) -> f64 {
        self.upfront_cost / self.term.hours() + self.hourly
    }
}

/// A savings-plan offer: an hourly spend commitment buying usage at a discount per family.
#[derive(Debug, Clone, PartialEq)]
pub struct SavingsPlanOffer {
    pub name: String,
    pub term: Term,
    pub upfront: Upfront,
    /// Discount off on-demand by family (0.28 = 28 % off). Families not listed get none.
    pub discounts: BTreeMap<String, f64>,
}

#[derive(Debug, Clone)]
pub struct PublicBook {
    pub region: String,
    pub billing: Billing,
    /// Instance types sorted by hourly price (cheapest first, book order among equals), so the
    /// first that fits a VM is the cheapest that fits.
    pub instances: Vec<InstanceType>,
    /// Windows licence uplift per vCPU-hour, added to the Linux price.
    pub windows_per_vcpu_hour: Option<f64>,
    pub reserved: Vec<ReservedOffer>,
    pub savings_plans: Vec<SavingsPlanOffer>,
    /// Spot evictions per instance-hour (an average; the provider gives buckets per month).
    pub spot_evictions_per_hour: f64,
    /// Block storage per GiB-month (provider "GB-month").
    pub storage_gb_month: f64,
    /// Internet egress per GiB, in monthly tiers.
    pub egress: Tiers,
    /// Transfer to another region of the same provider, per GiB.
    pub inter_region_gb: f64,
}

/// How a VM is bought on a public venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Purchase {
    #[default]
    OnDemand,
    Spot,
}

impl PublicBook {
    /// The cheapest instance type with at least `vcpus` vCPUs and `mem_gib` GiB, with its
    /// position in `instances`.
    pub fn cheapest_fit(&self, vcpus: f64, mem_gib: f64) -> Option<(usize, &InstanceType)> {
        self.instances
            .iter()
            .enumerate()
            .find(|(_, t)| fits(t, vcpus, mem_gib))
    }

    /// The cheapest type with a spot price that fits, by spot price.
    pub fn cheapest_spot_fit(&self, vcpus: f64, mem_gib: f64) -> Option<(usize, &InstanceType)> {
        self.instances
            .iter()
            .enumerate()
            .filter(|(_, t)| t.spot_hourly.is_some() && fits(t, vcpus, mem_gib))
            .min_by(|a, b| {
                a.1.spot_hourly
                    .unwrap_or(f64::MAX)
                    .total_cmp(&b.1.spot_hourly.unwrap_or(f64::MAX))
            })
    }

    /// The largest vCPU count and memory any single type offers, for shortfall messages.
    pub fn largest(&self) -> (u32, f64) {
        self.instances
            .iter()
            .fold((0, 0.0), |(c, m), t| (c.max(t.vcpus), m.max(t.mem_gib)))
    }

    pub fn instance(&self, name: &str) -> Option<usize> {
        self.instances.iter().position(|t| t.name == name)
    }

    /// The reserved offer for an instance type, term and upfront option.
    pub fn reserved_offer(
        &self,
        instance: usize,
        term: Term,
        upfront: Upfront,
    ) -> Option<&ReservedOffer> {
        self.reserved
            .iter()
            .find(|r| r.instance == instance && r.term == term && r.upfront == upfront)
    }

    pub fn savings_plan(&self, term: Term, upfront: Upfront) -> Option<&SavingsPlanOffer> {
        self.savings_plans
            .iter()
            .find(|s| s.term == term && s.upfront == upfront)
    }
}

fn fits(t: &InstanceType, vcpus: f64, mem_gib: f64) -> bool {
    f64::from(t.vcpus) >= vcpus && t.mem_gib >= mem_gib
}

/// The family of an instance type when the book does not name it: the part of the name before
/// the first '.', '-' or '_' ("m5.large" -> "m5", "n2-standard-2" -> "n2").
fn default_family(name: &str) -> String {
    name.split(['.', '-', '_'])
        .next()
        .unwrap_or(name)
        .to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPublic {
    region: String,
    billing: String,
    #[serde(default, deserialize_with = "de_opt_duration")]
    minimum: Option<SimTime>,
    storage_gb_month: f64,
    egress_gb: Option<f64>,
    egress_tiers: Option<Vec<RawTier>>,
    #[serde(default)]
    inter_region_gb: f64,
    windows_per_vcpu_hour: Option<f64>,
    #[serde(default)]
    spot_evictions_per_hour: f64,
    instances: Vec<RawInstance>,
    #[serde(default)]
    reserved: Vec<RawReserved>,
    #[serde(default)]
    savings_plans: Vec<RawSavingsPlan>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstance {
    name: String,
    family: Option<String>,
    vcpus: u32,
    mem_gib: f64,
    hourly: f64,
    spot_hourly: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReserved {
    instance: String,
    term: Term,
    upfront: Upfront,
    #[serde(default)]
    upfront_cost: f64,
    #[serde(default)]
    hourly: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSavingsPlan {
    name: String,
    term: Term,
    upfront: Upfront,
    discounts: BTreeMap<String, f64>,
}

impl RawPublic {
    pub(super) fn validate(self, path: &Path) -> Result<PublicBook, InputError> {
        let c = Check::new(path, "public");
        let billing = match (self.billing.as_str(), self.minimum) {
            ("per-second", minimum) => Billing::PerSecond {
                minimum: minimum.unwrap_or(0),
            },
            ("per-hour", None) => Billing::PerHour,
            ("per-hour", Some(_)) => {
                return Err(c.err(
                    "minimum",
                    "a minimum applies only to per-second billing (per-hour already rounds up)",
                ));
            }
            (other, _) => {
                return Err(c.err(
                    "billing",
                    format!("\"{other}\" is not a billing granularity; expected \"per-second\" or \"per-hour\""),
                ));
            }
        };
        if self.instances.is_empty() {
            return Err(c.err("instances", "needs at least one instance type"));
        }
        let mut instances: Vec<InstanceType> = Vec::with_capacity(self.instances.len());
        for (i, raw) in self.instances.into_iter().enumerate() {
            let key = |field: &str| format!("instances[{i}].{field}");
            c.name(&key("name"), &raw.name)?;
            if instances.iter().any(|t| t.name == raw.name) {
                return Err(c.err(
                    &key("name"),
                    format!("instance type \"{}\" is listed twice", raw.name),
                ));
            }
            c.at_least(&key("vcpus"), raw.vcpus, 1)?;
            if let Some(spot) = raw.spot_hourly {
                c.price(&key("spot_hourly"), spot)?;
            }
            instances.push(InstanceType {
                family: raw.family.unwrap_or_else(|| default_family(&raw.name)),
                mem_gib: c.positive(&key("mem_gib"), raw.mem_gib)?,
                hourly: c.price(&key("hourly"), raw.hourly)?,
                spot_hourly: raw.spot_hourly,
                name: raw.name,
                vcpus: raw.vcpus,
            });
        }
        // Stable sort: equal prices keep book order, so results never depend on sort internals.
        instances.sort_by(|a, b| a.hourly.total_cmp(&b.hourly));

        let mut reserved: Vec<ReservedOffer> = Vec::with_capacity(self.reserved.len());
        for (i, r) in self.reserved.into_iter().enumerate() {
            let key = |field: &str| format!("reserved[{i}].{field}");
            let instance = instances
                .iter()
                .position(|t| t.name == r.instance)
                .ok_or_else(|| {
                    c.err(
                        &key("instance"),
                        format!("\"{}\" is not an instance type of this book", r.instance),
                    )
                })?;
            c.price(&key("upfront_cost"), r.upfront_cost)?;
            c.price(&key("hourly"), r.hourly)?;
            let shape_ok = match r.upfront {
                Upfront::None => r.upfront_cost == 0.0 && r.hourly > 0.0,
                Upfront::Partial => r.upfront_cost > 0.0 && r.hourly > 0.0,
                Upfront::All => r.upfront_cost > 0.0 && r.hourly == 0.0,
            };
            if !shape_ok {
                return Err(c.err(
                    &key("upfront"),
                    format!(
                        "\"{}\" upfront needs {}",
                        r.upfront.name(),
                        match r.upfront {
                            Upfront::None => "hourly > 0 and no upfront_cost",
                            Upfront::Partial => "both upfront_cost > 0 and hourly > 0",
                            Upfront::All => "upfront_cost > 0 and no hourly",
                        }
                    ),
                ));
            }
            let offer = ReservedOffer {
                instance,
                term: r.term,
                upfront: r.upfront,
                upfront_cost: r.upfront_cost,
                hourly: r.hourly,
            };
            if reserved
                .iter()
                .any(|o| (o.instance, o.term, o.upfront) == (instance, r.term, r.upfront))
            {
                return Err(c.err(
                    &key("instance"),
                    format!(
                        "a second {} {} offer for \"{}\"",
                        r.term.name(),
                        r.upfront.name(),
                        r.instance
                    ),
                ));
            }
            if offer.effective_hourly() >= instances[instance].hourly {
                return Err(c.err(
                    &key("hourly"),
                    format!(
                        "effective {:.6}/h is not below the on-demand {}/h: a reservation must save money",
                        offer.effective_hourly(),
                        instances[instance].hourly
                    ),
                ));
            }
            reserved.push(offer);
        }

        let mut savings_plans: Vec<SavingsPlanOffer> = Vec::with_capacity(self.savings_plans.len());
        for (i, s) in self.savings_plans.into_iter().enumerate() {
            let key = |field: &str| format!("savings_plans[{i}].{field}");
            c.name(&key("name"), &s.name)?;
            for (family, d) in &s.discounts {
                c.range(&key(&format!("discounts.{family}")), *d, 0.0, 0.99)?;
                if !instances.iter().any(|t| &t.family == family) {
                    return Err(c.err(
                        &key(&format!("discounts.{family}")),
                        format!("no instance type of family \"{family}\" in this book"),
                    ));
                }
            }
            if savings_plans
                .iter()
                .any(|o| (o.term, o.upfront) == (s.term, s.upfront))
            {
                return Err(c.err(
                    &key("term"),
                    format!(
                        "a second {} {} savings plan",
                        s.term.name(),
                        s.upfront.name()
                    ),
                ));
            }
            savings_plans.push(SavingsPlanOffer {
                name: s.name,
                term: s.term,
                upfront: s.upfront,
                discounts: s.discounts,
            });
        }

        let egress = match (self.egress_gb, self.egress_tiers) {
            (Some(flat), None) => Tiers::flat(c.price("egress_gb", flat)?),
            (None, Some(tiers)) => Tiers::validate(tiers, c, "egress_tiers")?,
            (Some(_), Some(_)) => {
                return Err(c.err(
                    "egress_gb",
                    "give egress_gb (flat) or egress_tiers, not both",
                ));
            }
            (None, None) => {
                return Err(c.err(
                    "egress_gb",
                    "missing: give egress_gb (flat) or [[public.egress_tiers]]",
                ));
            }
        };
        if let Some(w) = self.windows_per_vcpu_hour {
            c.price("windows_per_vcpu_hour", w)?;
        }
        Ok(PublicBook {
            region: self.region,
            billing,
            instances,
            windows_per_vcpu_hour: self.windows_per_vcpu_hour,
            reserved,
            savings_plans,
            // Up to one an instance-second: far beyond real markets, but useful for stress tests.
            spot_evictions_per_hour: c.range(
                "spot_evictions_per_hour",
                self.spot_evictions_per_hour,
                0.0,
                3600.0,
            )?,
            storage_gb_month: c.price("storage_gb_month", self.storage_gb_month)?,
            egress,
            inter_region_gb: c.price("inter_region_gb", self.inter_region_gb)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{Book, BookKind, PriceModel, VmUsage};

    fn book(body: &str) -> Result<PublicBook, InputError> {
        let text = format!(
            "name = \"t\"\ncurrency = \"USD\"\nsource = \"hand\"\nas_of = \"2026-11-01\"\n{body}"
        );
        Book::parse(&text, Path::new("t.toml")).map(|b| match b.kind {
            BookKind::Public(p) => p,
            _ => panic!("expected a public book"),
        })
    }

    const HEAD: &str = "[public]\nregion = \"r\"\nbilling = \"per-second\"\nminimum = \"60s\"\nstorage_gb_month = 0.08\negress_gb = 0.09\nwindows_per_vcpu_hour = 0.046\n";

    const TYPES: &str = r#"
[[public.instances]]
name = "big.2xl"
vcpus = 8
mem_gib = 32
hourly = 0.384
[[public.instances]]
name = "small.l"
vcpus = 2
mem_gib = 8
hourly = 0.096
spot_hourly = 0.035
[[public.instances]]
name = "mem.l"
vcpus = 2
mem_gib = 16
hourly = 0.126
spot_hourly = 0.03
"#;

    #[test]
    fn per_second_billing_has_a_minimum() {
        let b = Billing::PerSecond { minimum: 60 };
        assert_eq!(b.billed_seconds(30), 60); // under the minimum: pay 60 s
        assert_eq!(b.billed_seconds(61), 61); // over it: pay what ran
    }

    #[test]
    fn per_hour_billing_rounds_up_every_started_hour() {
        assert_eq!(Billing::PerHour.billed_seconds(1), 3_600);
        assert_eq!(Billing::PerHour.billed_seconds(3_600), 3_600);
        assert_eq!(Billing::PerHour.billed_seconds(3_601), 7_200); // 2 started hours
        assert_eq!(Billing::PerHour.billed_seconds(0), 0);
    }

    #[test]
    fn right_sizing_picks_the_cheapest_type_that_fits() {
        let p = book(&format!("{HEAD}{TYPES}")).unwrap();
        // 1 vCPU / 4 GiB: small (0.096) fits and is cheapest.
        assert_eq!(p.cheapest_fit(1.0, 4.0).unwrap().1.name, "small.l");
        // 2 vCPU / 12 GiB: small lacks memory; mem (0.126) beats big (0.384).
        assert_eq!(p.cheapest_fit(2.0, 12.0).unwrap().1.name, "mem.l");
        // 3 vCPU: only big has more than 2 vCPUs.
        assert_eq!(p.cheapest_fit(3.0, 1.0).unwrap().1.name, "big.2xl");
        assert!(p.cheapest_fit(9.0, 1.0).is_none());
        assert_eq!(p.largest(), (8, 32.0));
        // By spot price, mem.l (0.03) beats small.l (0.035) even for a small VM.
        assert_eq!(p.cheapest_spot_fit(1.0, 4.0).unwrap().1.name, "mem.l");
        assert!(p.cheapest_spot_fit(3.0, 1.0).is_none()); // big has no spot price
        assert_eq!(p.instances[0].family, "small");
    }

    #[test]
    fn windows_adds_its_uplift_per_vcpu() {
        let p = book(&format!("{HEAD}{TYPES}")).unwrap();
        let small = p.instance("small.l").unwrap();
        // 0.096 + 2 vCPU x 0.046 = 0.188, the published m5.large Windows price in us-east-1.
        let none = VmUsage::default();
        let windows = p.vm_hour_cost(small, PriceModel::OnDemand, true, &none);
        assert!((windows.total() - 0.188).abs() < 1e-12);
        assert_eq!(p.instance_hourly(small, PriceModel::Spot), 0.035);
    }

    #[test]
    fn reserved_offers_amortise_the_upfront() {
        let body = format!(
            "{HEAD}{TYPES}\n[[public.reserved]]\ninstance = \"small.l\"\nterm = \"1y\"\nupfront = \"partial\"\nupfront_cost = 262.8\nhourly = 0.03\n"
        );
        let p = book(&body).unwrap();
        let r = &p.reserved[0];
        // 262.80 / 8,760 h = 0.03 + 0.03 hourly = 0.06 effective.
        assert!((r.effective_hourly() - 0.06).abs() < 1e-12);
        let bad = body.replace("upfront = \"partial\"", "upfront = \"all\"");
        let err = book(&bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.toml: key `public.reserved[0].upfront`: \"all\" upfront needs upfront_cost > 0 and no hourly"
        );
        let dear = body.replace("hourly = 0.03\n", "hourly = 0.09\n");
        assert!(
            book(&dear)
                .unwrap_err()
                .message
                .contains("is not below the on-demand")
        );
    }

    #[test]
    fn bad_public_books_name_the_key() {
        let base = "[public]\nregion = \"r\"\nstorage_gb_month = 0.08\negress_gb = 0.09\n";
        let err = book(&format!("{base}billing = \"per-minute\"\n{TYPES}")).unwrap_err();
        assert_eq!(err.at, crate::error::At::Key("public.billing".into()));
        let err = book(&format!(
            "{base}billing = \"per-hour\"\n{}",
            TYPES.replace("0.096", "-0.096")
        ))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.toml: key `public.instances[1].hourly`: price -0.096 must be a finite number >= 0"
        );
        let err = book(&format!(
            "{base}billing = \"per-hour\"\n{}",
            TYPES.replace("\"mem.l\"", "\"small.l\"")
        ))
        .unwrap_err();
        assert!(err.message.contains("listed twice"), "{err}");
        let sp = format!(
            "{HEAD}{TYPES}\n[[public.savings_plans]]\nname = \"SP\"\nterm = \"1y\"\nupfront = \"none\"\ndiscounts = {{ m9 = 0.2 }}\n"
        );
        assert!(
            book(&sp)
                .unwrap_err()
                .message
                .contains("no instance type of family \"m9\"")
        );
    }
}
