//! Public-cloud region prices: on-demand instance types (Linux, with a Windows uplift per vCPU),
//! billing granularity, reserved instances, savings plans, spot, block storage, internet egress
//! in monthly tiers and transfer between regions.

mod discounts;
mod storage;
mod validate;

pub use discounts::{SustainedUse, evictions_per_hour};
pub use storage::{Capacity, DiskError, DiskMonth, DiskSize, StorageClass};
pub(super) use validate::RawPublic;

use super::tiers::Tiers;
use super::{SqlEdition, SqlRate};
use crate::units::{HOUR, SimTime};
use serde::Deserialize;
use std::collections::BTreeMap;

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
    /// Spot evictions per instance-hour from the family's published interruption bucket
    /// (`None`: the book's average).
    pub spot_evictions_per_hour: Option<f64>,
    /// The Windows price per hour when the book lists it (else Linux + the per-vCPU uplift).
    pub windows_hourly: Option<f64>,
    /// GPUs and their model (0 and "" for none).
    pub gpus: u32,
    pub gpu: String,
    /// Whether right-sizing may pick the type; burstable, previous-generation and GPU types
    /// are in the book to be quoted, reserved or named, not to hold any VM that fits.
    pub right_size: bool,
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
    /// AWS's spelling in its price list is accepted too ("No Upfront", ...).
    #[serde(alias = "no", alias = "No Upfront", alias = "no-upfront")]
    None,
    #[serde(alias = "Partial Upfront", alias = "partial-upfront")]
    Partial,
    #[serde(alias = "All Upfront", alias = "all-upfront")]
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
            "none" | "no" | "No Upfront" | "no-upfront" => Some(Upfront::None),
            "partial" | "Partial Upfront" | "partial-upfront" => Some(Upfront::Partial),
            "all" | "All Upfront" | "all-upfront" => Some(Upfront::All),
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
    /// Storage classes (gp3, io2, premium-ssd, pd-balanced, s3-standard ...).
    pub storage: Vec<StorageClass>,
    /// Sustained-use schedules by family (GCP).
    pub sustained_use: BTreeMap<String, SustainedUse>,
    /// Whether the provider lets customers bring their own Windows Server and SQL Server
    /// licences and pay neither (Azure Hybrid Benefit).
    pub hybrid_benefit: bool,
    /// SQL Server licence rates by edition (`[public.sql]`); an edition without one cannot be
    /// billed here.
    pub sql: BTreeMap<SqlEdition, SqlRate>,
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
            .find(|(_, t)| t.right_size && fits(t, vcpus, mem_gib))
    }

    /// The cheapest type with a spot price that fits, by spot price.
    pub fn cheapest_spot_fit(&self, vcpus: f64, mem_gib: f64) -> Option<(usize, &InstanceType)> {
        self.instances
            .iter()
            .enumerate()
            .filter(|(_, t)| t.right_size && t.spot_hourly.is_some() && fits(t, vcpus, mem_gib))
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

    /// The book's first savings plan of a term and upfront option.
    pub fn savings_plan(&self, term: Term, upfront: Upfront) -> Option<&SavingsPlanOffer> {
        self.savings_plan_named(None, term, upfront)
    }

    /// The savings plan of a term and upfront option with that name (`None`: the first).
    pub fn savings_plan_named(
        &self,
        name: Option<&str>,
        term: Term,
        upfront: Upfront,
    ) -> Option<&SavingsPlanOffer> {
        self.savings_plans
            .iter()
            .find(|s| s.term == term && s.upfront == upfront && name.is_none_or(|n| n == s.name))
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::error::InputError;
    use crate::pricing::{Book, BookKind, Licences, PriceModel, VmUsage};
    use std::path::Path;

    pub(in crate::pricing::public) fn book(body: &str) -> Result<PublicBook, InputError> {
        let text = format!(
            "name = \"t\"\ncurrency = \"USD\"\nsource = \"hand\"\nas_of = \"2026-11-01\"\n{body}"
        );
        Book::parse(&text, Path::new("t.toml")).map(|b| match b.kind {
            BookKind::Public(p) => p,
            _ => panic!("expected a public book"),
        })
    }

    pub(in crate::pricing::public) const HEAD: &str = "[public]\nregion = \"r\"\nbilling = \"per-second\"\nminimum = \"60s\"\nstorage_gb_month = 0.08\negress_gb = 0.09\nwindows_per_vcpu_hour = 0.046\nspot_evictions_per_hour = 0.0005\n";

    pub(in crate::pricing::public) const TYPES: &str = r#"
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
        let win = Licences {
            windows: true,
            sql: None,
        };
        let windows = p.vm_hour_cost(small, PriceModel::OnDemand, win, &none);
        assert!((windows.total() - 0.188).abs() < 1e-12);
        assert_eq!(p.instance_hourly(small, PriceModel::Spot), 0.035);
    }
}
