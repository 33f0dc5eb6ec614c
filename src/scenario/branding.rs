//! The scenario's `[report]` table: how its report is branded (a company name, a logo file and
//! an accent colour). Kept as written here, the logo's path resolved; the report checks the
//! values (colour format, logo type and size) and the command line's flags override them.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReport {
    company: Option<String>,
    logo: Option<PathBuf>,
    accent: Option<String>,
}

/// Branding from the scenario file; every part optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Branding {
    pub company: Option<String>,
    /// Resolved against the scenario's folder.
    pub logo: Option<PathBuf>,
    pub accent: Option<String>,
}

impl RawReport {
    pub(super) fn resolve(self, base: &Path) -> Branding {
        Branding {
            company: self.company,
            logo: self.logo.map(|l| base.join(l)),
            accent: self.accent,
        }
    }
}
