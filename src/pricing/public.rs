//! Public-cloud region prices: on-demand instance types, billing granularity, block storage and
//! internet egress.

use super::{check_positive, check_price};
use crate::error::InputError;
use crate::units::{HOUR, SimTime, de_opt_duration};
use serde::Deserialize;
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
    pub vcpus: u32,
    pub mem_gib: f64,
    /// On-demand price per hour (Linux).
    pub hourly: f64,
}

#[derive(Debug, Clone)]
pub struct PublicBook {
    pub region: String,
    pub billing: Billing,
    /// Instance types sorted by hourly price (cheapest first, book order among equals), so the
    /// first that fits a VM is the cheapest that fits.
    pub instances: Vec<InstanceType>,
    /// Block storage per GiB-month (provider "GB-month").
    pub storage_gb_month: f64,
    /// Internet egress per GiB.
    pub egress_gb: f64,
}

impl PublicBook {
    /// The cheapest instance type with at least `vcpus` vCPUs and `mem_gib` GiB.
    /// Returns its position in `instances` too.
    pub fn cheapest_fit(&self, vcpus: f64, mem_gib: f64) -> Option<(usize, &InstanceType)> {
        self.instances
            .iter()
            .enumerate()
            .find(|(_, t)| f64::from(t.vcpus) >= vcpus && t.mem_gib >= mem_gib)
    }

    /// The largest vCPU count and memory any single type offers, for shortfall messages.
    pub fn largest(&self) -> (u32, f64) {
        self.instances
            .iter()
            .fold((0, 0.0), |(c, m), t| (c.max(t.vcpus), m.max(t.mem_gib)))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPublic {
    region: String,
    billing: String,
    #[serde(default, deserialize_with = "de_opt_duration")]
    minimum: Option<SimTime>,
    storage_gb_month: f64,
    egress_gb: f64,
    instances: Vec<RawInstance>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstance {
    name: String,
    vcpus: u32,
    mem_gib: f64,
    hourly: f64,
}

impl RawPublic {
    pub(super) fn validate(self, path: &Path) -> Result<PublicBook, InputError> {
        let billing = match (self.billing.as_str(), self.minimum) {
            ("per-second", minimum) => Billing::PerSecond {
                minimum: minimum.unwrap_or(0),
            },
            ("per-hour", None) => Billing::PerHour,
            ("per-hour", Some(_)) => {
                return Err(InputError::key(
                    path,
                    "public.minimum",
                    "a minimum applies only to per-second billing (per-hour already rounds up)",
                ));
            }
            (other, _) => {
                return Err(InputError::key(
                    path,
                    "public.billing",
                    format!(
                        "\"{other}\" is not a billing granularity; expected \"per-second\" or \"per-hour\""
                    ),
                ));
            }
        };
        if self.instances.is_empty() {
            return Err(InputError::key(
                path,
                "public.instances",
                "needs at least one instance type",
            ));
        }
        let mut instances = Vec::with_capacity(self.instances.len());
        for (i, raw) in self.instances.into_iter().enumerate() {
            let key = |field: &str| format!("public.instances[{i}].{field}");
            if raw.name.trim().is_empty() {
                return Err(InputError::key(path, key("name"), "must not be empty"));
            }
            if instances.iter().any(|t: &InstanceType| t.name == raw.name) {
                return Err(InputError::key(
                    path,
                    key("name"),
                    format!("instance type \"{}\" is listed twice", raw.name),
                ));
            }
            if raw.vcpus == 0 {
                return Err(InputError::key(path, key("vcpus"), "must be at least 1"));
            }
            instances.push(InstanceType {
                mem_gib: check_positive(path, &key("mem_gib"), raw.mem_gib)?,
                hourly: check_price(path, &key("hourly"), raw.hourly)?,
                name: raw.name,
                vcpus: raw.vcpus,
            });
        }
        // Stable sort: equal prices keep book order, so results never depend on sort internals.
        instances.sort_by(|a, b| a.hourly.total_cmp(&b.hourly));
        Ok(PublicBook {
            region: self.region,
            billing,
            instances,
            storage_gb_month: check_price(path, "public.storage_gb_month", self.storage_gb_month)?,
            egress_gb: check_price(path, "public.egress_gb", self.egress_gb)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{Book, BookKind};

    fn book(body: &str) -> Result<PublicBook, InputError> {
        let text = format!(
            "name = \"t\"\ncurrency = \"USD\"\nsource = \"hand\"\nas_of = \"2026-11-01\"\n{body}"
        );
        Book::parse(&text, Path::new("t.toml")).map(|b| match b.kind {
            BookKind::Public(p) => p,
            BookKind::Private(_) => panic!("expected a public book"),
        })
    }

    const TYPES: &str = r#"
[[public.instances]]
name = "big"
vcpus = 8
mem_gib = 32
hourly = 0.384
[[public.instances]]
name = "small"
vcpus = 2
mem_gib = 8
hourly = 0.096
[[public.instances]]
name = "mem"
vcpus = 2
mem_gib = 16
hourly = 0.126
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
        let p = book(&format!(
            "[public]\nregion = \"r\"\nbilling = \"per-second\"\nminimum = \"60s\"\nstorage_gb_month = 0.08\negress_gb = 0.09\n{TYPES}"
        ))
        .unwrap();
        // 1 vCPU / 4 GiB: small (0.096) fits and is cheapest.
        assert_eq!(p.cheapest_fit(1.0, 4.0).unwrap().1.name, "small");
        // 2 vCPU / 12 GiB: small lacks memory; mem (0.126) beats big (0.384).
        assert_eq!(p.cheapest_fit(2.0, 12.0).unwrap().1.name, "mem");
        // 3 vCPU: only big has more than 2 vCPUs.
        assert_eq!(p.cheapest_fit(3.0, 1.0).unwrap().1.name, "big");
        assert!(p.cheapest_fit(9.0, 1.0).is_none());
        assert_eq!(p.largest(), (8, 32.0));
        assert_eq!(p.billing, Billing::PerSecond { minimum: 60 });
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
            TYPES.replace("\"mem\"", "\"small\"")
        ))
        .unwrap_err();
        assert!(err.message.contains("listed twice"), "{err}");
    }
}
