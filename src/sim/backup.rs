//! The backup service's bill over the horizon: deduplicated storage and stores, each site's WAN
//! link, seeding by drive, and licences per protected server invoiced at the end of each period
//! (quarterly, in arrears). Nightly transfers and their windows are reported, not simulated.

use super::ledger::{Category, Ledger};
use crate::pricing::transfer_hours;
use crate::scenario::{BackupPlan, Seeding};
use crate::units::{HOUR, HOURS_PER_MONTH, SimTime};

#[derive(Debug, Clone, PartialEq)]
pub struct BackupOutcome {
    pub protected_tb: f64,
    pub stored_tb: f64,
    pub stores: u32,
    pub sites: Vec<SiteBackup>,
    /// Seeding, nightly windows and RPO per site, from the transfer simulation.
    pub transfers: Vec<super::SiteTransfers>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SiteBackup {
    pub name: String,
    pub link_mbps: f64,
    pub nightly_tb: f64,
    /// Hours a night's transfer takes at the full link rate.
    pub nightly_hours: f64,
    pub seed_tb: f64,
    /// Days until the first full copy is at the target (drive shipping or WAN transfer).
    pub seed_days: f64,
    /// Drives shipped (0 when seeding over the WAN).
    pub drives: u32,
}

/// Bills the backup plan into `ledger` as venue `v`.
pub fn bill(plan: &BackupPlan, v: usize, ledger: &mut Ledger, horizon: SimTime) -> BackupOutcome {
    let book = &plan.service;
    let month_seconds = HOURS_PER_MONTH * HOUR as f64;
    let per_second = |monthly: f64| monthly * plan.rate / month_seconds;
    let s = plan.sizing;
    let stored_tb: f64 = plan
        .sites
        .iter()
        .map(|site| s.stored_tb(site.protected_tb))
        .sum();
    let stores = book.stores(stored_tb);

    let rule = format!(
        "deduplicated storage {:.3} TB x {}/TB-month",
        stored_tb, book.stored_tb_month
    );
    let line = ledger.line(v, Category::BackupStorage, rule);
    ledger.spread(
        line,
        0,
        horizon,
        per_second(stored_tb * book.stored_tb_month),
    );
    if book.store_monthly > 0.0 {
        let rule = format!(
            "{stores} stores of at most {} TB x {}/month",
            book.store_cap_tb, book.store_monthly
        );
        let line = ledger.line(v, Category::BackupStorage, rule);
        ledger.spread(
            line,
            0,
            horizon,
            per_second(f64::from(stores) * book.store_monthly),
        );
    }

    let mut sites = Vec::with_capacity(plan.sites.len());
    for site in &plan.sites {
        let rule = format!(
            "WAN link {}: {} Mbps x {}/Mbps-month",
            site.name, site.link_mbps, book.wan_mbps_month
        );
        let line = ledger.line(v, Category::Wan, rule);
        ledger.spread(
            line,
            0,
            horizon,
            per_second(site.link_mbps * book.wan_mbps_month),
        );
        let seed_tb = s.seed_tb(site.protected_tb);
        let (seed_days, drives) = match plan.seeding {
            Seeding::Drive => {
                let (drives, cost) = book.seed_drives(seed_tb);
                let rule = format!(
                    "seeding {} by {drives} shipped drives of {} TB at {} each",
                    site.name, book.drive_tb, book.drive_cost
                );
                let line = ledger.line(v, Category::Seeding, rule);
                ledger.add(line, 0, cost * plan.rate);
                (book.drive_days, drives)
            }
            Seeding::Wan => (transfer_hours(seed_tb, site.link_mbps) / 24.0, 0),
        };
        let nightly_tb = s.nightly_tb(site.protected_tb);
        sites.push(SiteBackup {
            name: site.name.clone(),
            link_mbps: site.link_mbps,
            nightly_tb,
            nightly_hours: transfer_hours(nightly_tb, site.link_mbps),
            seed_tb,
            seed_days,
            drives,
        });
    }

    // Licences: invoiced at the end of every full period; a period cut by the horizon is
    // invoiced pro rata on its last day (the invoice itself would come after the horizon).
    let servers: u32 = plan.sites.iter().map(|s| s.servers).sum();
    let period = (f64::from(book.licence_period_months) * HOURS_PER_MONTH * HOUR as f64) as SimTime;
    let per_period = f64::from(servers)
        * book.licence_server_month
        * f64::from(book.licence_period_months)
        * plan.rate;
    let rule = format!(
        "licence {} servers x {}/server-month, invoiced every {} months in arrears",
        servers, book.licence_server_month, book.licence_period_months
    );
    let line = ledger.line(v, Category::Licence, rule);
    let mut start = 0;
    while start < horizon {
        let end = start + period;
        if end <= horizon {
            ledger.add(line, end - 1, per_period);
        } else {
            ledger.add(
                line,
                horizon - 1,
                per_period * (horizon - start) as f64 / period as f64,
            );
        }
        start = end;
    }
    BackupOutcome {
        transfers: Vec::new(),
        protected_tb: plan.protected_tb(),
        stored_tb,
        stores,
        sites,
    }
}
