//! A private site's host class (an OpenStack/KVM cloud): identical hosts with cores, sockets,
//! RAM and a CPU overcommit ratio; RAM is never overcommitted. A host costs either an all-in
//! monthly price or an itemised TCO (capex, support, power, rack, staff, software).

use super::Category;
use super::check::Check;
use super::failures::{Failures, RawFailures};
use super::tco::{Power, RawTco, Tco, TcoItem};
use crate::error::InputError;
use crate::units::Gib;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone)]
pub struct PrivateBook {
    /// Physical cores per host.
    pub cores: u32,
    pub sockets: u32,
    pub mem_gib: f64,
    /// vCPUs that may be placed per physical core (1.0 = none).
    pub cpu_overcommit: f64,
    pub cost: HostCost,
    /// When hosts fail and how long repairs take (used when the scenario turns failures on).
    pub failures: Option<Failures>,
    /// `[private.storage]`: the shared storage VM disks must fit in (`None`: not a limit).
    pub storage: Option<super::site_storage::SiteStorage>,
}

#[derive(Debug, Clone)]
pub enum HostCost {
    /// All-in cost of one host per month (730 h).
    AllIn(f64),
    Tco(Box<Tco>),
}

impl PrivateBook {
    /// vCPUs one host can hold after overcommit.
    pub fn vcpu_capacity(&self) -> f64 {
        f64::from(self.cores) * self.cpu_overcommit
    }

    /// Every monthly cost of one host except power.
    pub fn fixed_items(&self) -> Vec<TcoItem> {
        match &self.cost {
            HostCost::AllIn(monthly) => vec![TcoItem {
                category: Category::Hosts,
                rule: format!("all-in {monthly} per host-month"),
                monthly: *monthly,
            }],
            HostCost::Tco(tco) => tco.fixed_items(self.cores, self.sockets),
        }
    }

    /// The power model, when the book has one.
    pub fn power(&self) -> Option<&Power> {
        match &self.cost {
            HostCost::AllIn(_) => None,
            HostCost::Tco(tco) => tco.power.as_ref(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPrivate {
    cores: u32,
    #[serde(default = "two")]
    sockets: u32,
    mem_gib: Gib,
    #[serde(default = "one")]
    cpu_overcommit: f64,
    host_monthly: Option<f64>,
    tco: Option<RawTco>,
    failures: Option<RawFailures>,
    storage: Option<super::site_storage::RawSiteStorage>,
}

fn one() -> f64 {
    1.0
}

fn two() -> u32 {
    2
}

impl RawPrivate {
    pub(super) fn validate(self, path: &Path) -> Result<PrivateBook, InputError> {
        let c = Check::new(path, "private");
        c.at_least("cores", self.cores, 1)?;
        c.at_least("sockets", self.sockets, 1)?;
        let cpu_overcommit = c.positive("cpu_overcommit", self.cpu_overcommit)?;
        if cpu_overcommit < 1.0 {
            return Err(c.err(
                "cpu_overcommit",
                format!("{cpu_overcommit} must be >= 1.0 (1.0 means no overcommit)"),
            ));
        }
        let cost =
            match (self.host_monthly, self.tco) {
                (Some(m), None) => HostCost::AllIn(c.price("host_monthly", m)?),
                (None, Some(t)) => {
                    HostCost::Tco(Box::new(t.validate(Check::new(path, "private.tco"))?))
                }
                (Some(_), Some(_)) => {
                    return Err(c.err(
                        "host_monthly",
                        "give host_monthly (all-in) or a [private.tco] table, not both",
                    ));
                }
                (None, None) => return Err(c.err(
                    "host_monthly",
                    "missing: give host_monthly (all-in per host-month) or a [private.tco] table",
                )),
            };
        Ok(PrivateBook {
            cores: self.cores,
            sockets: self.sockets,
            mem_gib: c.positive("mem_gib", self.mem_gib.0)?,
            cpu_overcommit,
            cost,
            failures: self
                .failures
                .map(|f| f.validate(Check::new(path, "private.failures")))
                .transpose()?,
            storage: self
                .storage
                .map(|s| s.validate(Check::new(path, "private.storage")))
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{Book, BookKind};

    fn book(body: &str) -> Result<PrivateBook, InputError> {
        let text = format!(
            "name = \"t\"\ncurrency = \"USD\"\nsource = \"hand\"\nas_of = \"2026-11-01\"\n[private]\n{body}"
        );
        Book::parse(&text, Path::new("t.toml")).map(|b| match b.kind {
            BookKind::Private(p) => p,
            _ => panic!("expected a private book"),
        })
    }

    #[test]
    fn host_cost_is_prorated_from_730_hour_months() {
        let p =
            book("cores = 32\nmem_gib = \"1TiB\"\ncpu_overcommit = 4.0\nhost_monthly = 730.0\n")
                .unwrap();
        assert_eq!(p.mem_gib, 1024.0);
        assert_eq!(p.vcpu_capacity(), 128.0); // 32 cores x 4
        // 730 per month is 1 per hour: a host for 30 days (720 h) = 720; an all-in price has
        // no power model, so the load does not matter.
        assert!((p.host_cost(720.0, 0.5) - 720.0).abs() < 1e-9);
        assert_eq!(p.host_cost(720.0, 0.5), p.host_cost(720.0, 1.0));
    }

    #[test]
    fn overcommit_defaults_to_none_and_is_checked() {
        let p = book("cores = 16\nmem_gib = 128\nhost_monthly = 100.0\n").unwrap();
        assert_eq!(p.cpu_overcommit, 1.0);
        let err = book("cores = 16\nmem_gib = 128\ncpu_overcommit = 0.5\nhost_monthly = 1.0\n")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.toml: key `private.cpu_overcommit`: 0.5 must be >= 1.0 (1.0 means no overcommit)"
        );
        let err = book("cores = 16\nmem_gib = \"12GB\"\nhost_monthly = 1.0\n").unwrap_err();
        assert!(err.message.contains("unknown unit \"GB\""), "{err}");
        let err = book("cores = 16\nmem_gib = 128\n").unwrap_err();
        assert!(err.message.contains("give host_monthly"), "{err}");
    }

    #[test]
    fn usable_storage_follows_the_protection_scheme() {
        use crate::pricing::site_storage::GIB_PER_TB;
        let head = "cores = 16\nmem_gib = 128\nhost_monthly = 1.0\n[private.storage]\n";
        let p = book(&format!(
            "{head}raw_tb_per_host = 12\nprotection = \"replicas-3\"\nmax_fill = 0.85\n"
        ))
        .unwrap();
        // 4 hosts x 12 TB / 3 copies x 0.85 = 13.6 TB.
        let s = p.storage.unwrap();
        assert!((s.usable_gib(4) - 13.6 * GIB_PER_TB).abs() < 1e-6);
        let p = book(&format!(
            "{head}raw_tb_per_host = 8\nprotection = \"raid6\"\ndrives_per_host = 8\n"
        ))
        .unwrap();
        // 8 TB x 6/8 = 6 TB a host.
        assert!((p.storage.unwrap().usable_gib(1) - 6.0 * GIB_PER_TB).abs() < 1e-6);
        let err = book(&format!(
            "{head}raw_tb_per_host = 8\nprotection = \"raid6\"\n"
        ))
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("key `private.storage.drives_per_host`: missing"),
            "{err}"
        );
        let err = book(&format!(
            "{head}raw_tb_per_host = 8\nprotection = \"erasure\"\n"
        ))
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("\"erasure\" is not a protection scheme"),
            "{err}"
        );
    }

    #[test]
    fn an_itemised_tco_replaces_the_all_in_price() {
        let p = book("cores = 32\nsockets = 2\nmem_gib = 256\n[private.tco]\ncapex = 12000.0\nlife_years = 5\nsupport_pct_per_year = 10\n").unwrap();
        // 12,000 / 60 = 200 capex + 100 support = 300 a month; 2 months (1,460 h) = 600.
        assert!((p.host_cost(1_460.0, 0.5) - 600.0).abs() < 1e-9);
        assert!(p.power().is_none());
    }
}
