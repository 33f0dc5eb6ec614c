//! A private site's host class: identical hosts with cores, RAM, a CPU overcommit ratio and an
//! all-in monthly cost per host. RAM is never overcommitted.

use super::{check_positive, check_price};
use crate::error::InputError;
use crate::units::{Gib, HOURS_PER_MONTH, SimTime};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone)]
pub struct PrivateBook {
    /// Physical cores per host.
    pub cores: u32,
    pub mem_gib: f64,
    /// vCPUs that may be placed per physical core (1.0 = none).
    pub cpu_overcommit: f64,
    /// All-in cost of one host per month (730 h).
    pub host_monthly: f64,
}

impl PrivateBook {
    /// vCPUs one host can hold after overcommit.
    pub fn vcpu_capacity(&self) -> f64 {
        f64::from(self.cores) * self.cpu_overcommit
    }

    /// The cost of `hosts` hosts over `seconds`, prorated from the monthly price.
    pub fn hosts_cost(&self, hosts: u32, seconds: SimTime) -> f64 {
        f64::from(hosts) * self.host_monthly * seconds as f64 / 3_600.0 / HOURS_PER_MONTH
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPrivate {
    cores: u32,
    mem_gib: Gib,
    #[serde(default = "one")]
    cpu_overcommit: f64,
    host_monthly: f64,
}

fn one() -> f64 {
    1.0
}

impl RawPrivate {
    pub(super) fn validate(self, path: &Path) -> Result<PrivateBook, InputError> {
        if self.cores == 0 {
            return Err(InputError::key(path, "private.cores", "must be at least 1"));
        }
        let cpu_overcommit = check_positive(path, "private.cpu_overcommit", self.cpu_overcommit)?;
        if cpu_overcommit < 1.0 {
            return Err(InputError::key(
                path,
                "private.cpu_overcommit",
                format!("{cpu_overcommit} must be >= 1.0 (1.0 means no overcommit)"),
            ));
        }
        Ok(PrivateBook {
            cores: self.cores,
            mem_gib: check_positive(path, "private.mem_gib", self.mem_gib.0)?,
            cpu_overcommit,
            host_monthly: check_price(path, "private.host_monthly", self.host_monthly)?,
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
            BookKind::Public(_) => panic!("expected a private book"),
        })
    }

    #[test]
    fn host_cost_is_prorated_from_730_hour_months() {
        let p =
            book("cores = 32\nmem_gib = \"1TiB\"\ncpu_overcommit = 4.0\nhost_monthly = 730.0\n")
                .unwrap();
        assert_eq!(p.mem_gib, 1024.0);
        assert_eq!(p.vcpu_capacity(), 128.0); // 32 cores x 4
        // 730 per month is 1 per hour: 10 hosts for 30 days (720 h) = 10 x 720 = 7,200.
        assert!((p.hosts_cost(10, 30 * 86_400) - 7_200.0).abs() < 1e-9);
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
    }
}
