//! Software licences billed by the hour on public VMs: the Windows Server licence (the type's
//! listed Windows price less Linux, or the book's uplift per vCPU) and SQL Server (a rate per
//! vCPU-hour with a minimum vCPU count, per edition), and Azure Hybrid Benefit, which removes
//! the licences a customer brings along.

use crate::error::KeyError;
use std::fmt;

/// A SQL Server edition sold licence-included on public VMs. SQL Server Web is not here: the
/// providers' price lists the books are imported from publish no per-core rate for it that
/// the books hold (README, "Scenario files").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SqlEdition {
    Standard,
    Enterprise,
}

impl SqlEdition {
    pub const ALL: [SqlEdition; 2] = [SqlEdition::Standard, SqlEdition::Enterprise];

    /// The names a scenario and a book write: "standard", "enterprise".
    pub const NAMES: [&'static str; 2] = ["standard", "enterprise"];

    pub fn name(self) -> &'static str {
        match self {
            SqlEdition::Standard => "standard",
            SqlEdition::Enterprise => "enterprise",
        }
    }

    /// The product as Microsoft names it ("SQL Server Standard").
    pub fn product(self) -> &'static str {
        match self {
            SqlEdition::Standard => "SQL Server Standard",
            SqlEdition::Enterprise => "SQL Server Enterprise",
        }
    }

    pub fn parse(text: &str) -> Option<SqlEdition> {
        SqlEdition::ALL.into_iter().find(|e| e.name() == text)
    }

    /// The edition `text` names, else an error at `key` naming the value and the accepted
    /// ones (suggesting the nearest for a typo); "web" is refused for want of a rate.
    pub fn find(key: &str, text: &str) -> Result<SqlEdition, KeyError> {
        if let Some(e) = SqlEdition::parse(text) {
            return Ok(e);
        }
        let accepted = "accepted: \"standard\", \"enterprise\"";
        let msg = if text == "web" {
            format!(
                "\"web\": SQL Server Web has no published per-core licence rate in the price lists the books are imported from; {accepted}"
            )
        } else {
            let m = crate::known::unknown(text, "a SQL Server edition", &SqlEdition::NAMES);
            if m.contains("did you mean") {
                format!("{m} ({accepted})")
            } else {
                m
            }
        };
        Err(KeyError::new(key, msg))
    }

    /// The edition of a product name as the Azure Retail Prices API spells it.
    pub fn of_product(product: &str) -> Option<SqlEdition> {
        SqlEdition::ALL.into_iter().find(|e| e.product() == product)
    }
}

impl fmt::Display for SqlEdition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What one SQL Server edition's licence costs on a VM: a rate per vCPU-hour, billed for at
/// least `min_vcpus` (Microsoft licenses SQL Server per core with a 4-core minimum per VM, so
/// a 2-vCPU VM pays for 4).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SqlRate {
    pub vcpu_hour: f64,
    pub min_vcpus: u32,
}

impl SqlRate {
    /// The licence of a VM of `vcpus` for one hour.
    pub fn hourly(&self, vcpus: u32) -> f64 {
        self.vcpu_hour * f64::from(vcpus.max(self.min_vcpus))
    }
}

/// The licences a VM carries, or (from [`Licences::less`]) the ones it pays for on a venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Licences {
    /// A Windows Server guest.
    pub windows: bool,
    /// SQL Server licence-included, of this edition.
    pub sql: Option<SqlEdition>,
}

/// The licences a customer brings along (Azure Hybrid Benefit): its own Windows Server and SQL
/// Server licences with Software Assurance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Brought {
    pub windows: bool,
    pub sql: bool,
}

impl Brought {
    /// Every licence (a group's `hybrid_benefit = true`).
    pub const ALL: Brought = Brought {
        windows: true,
        sql: true,
    };

    pub fn any(self) -> bool {
        self.windows || self.sql
    }
}

impl Licences {
    /// The licences left to pay once `brought` are taken away.
    pub fn less(self, brought: Brought) -> Licences {
        Licences {
            windows: self.windows && !brought.windows,
            sql: self.sql.filter(|_| !brought.sql),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_is_billed_per_vcpu_with_a_minimum() {
        let standard = SqlRate {
            vcpu_hour: 0.10,
            min_vcpus: 4,
        };
        // 2 vCPUs pay the 4-core minimum, 4 x 0.10 = 0.40; 16 vCPUs 16 x 0.10 = 1.60.
        assert!((standard.hourly(2) - 0.40).abs() < 1e-12);
        assert!((standard.hourly(4) - 0.40).abs() < 1e-12);
        assert!((standard.hourly(16) - 1.60).abs() < 1e-12);
        assert_eq!(
            SqlEdition::parse("enterprise"),
            Some(SqlEdition::Enterprise)
        );
        assert_eq!(SqlEdition::parse("web"), None);
        let e = SqlEdition::find("groups.db.sql", "expres").unwrap_err();
        assert_eq!(e.key, "groups.db.sql");
        assert_eq!(
            e.message,
            "\"expres\" is not a SQL Server edition (known: \"standard\", \"enterprise\")"
        );
        let e = SqlEdition::find("k", "standrd").unwrap_err();
        assert_eq!(
            e.message,
            "\"standrd\" is not a SQL Server edition; did you mean \"standard\"? (accepted: \"standard\", \"enterprise\")"
        );
        let e = SqlEdition::find("k", "web").unwrap_err();
        assert!(
            e.message.contains("no published per-core licence rate"),
            "{e:?}"
        );
        assert_eq!(
            SqlEdition::of_product("SQL Server Standard"),
            Some(SqlEdition::Standard)
        );
    }

    #[test]
    fn hybrid_benefit_takes_away_the_licences_brought() {
        let both = Licences {
            windows: true,
            sql: Some(SqlEdition::Standard),
        };
        assert_eq!(both.less(Brought::ALL), Licences::default());
        let sql_only = Brought {
            windows: false,
            sql: true,
        };
        assert_eq!(
            both.less(sql_only),
            Licences {
                windows: true,
                sql: None
            }
        );
        assert_eq!(both.less(Brought::default()), both);
    }
}
