//! Quotes from a backup service's book: deduplicated storage, a WAN link, licences and seeding
//! by shipped drives.

use super::{QuoteError, QuoteLine, QuoteRequest, fact, money};
use crate::pricing::{BackupBook, transfer_hours};
use crate::units::{HOURS_PER_MONTH, format_amount};

pub(super) fn lines(
    b: &BackupBook,
    r: &QuoteRequest,
    hours: f64,
) -> Result<Vec<QuoteLine>, QuoteError> {
    let months = hours / HOURS_PER_MONTH;
    match r.item.as_str() {
        "storage" => {
            let tb =
                r.tb.ok_or(QuoteError::missing("storage", "--tb T (deduplicated TB)"))?;
            Ok(storage(b, tb, hours, months))
        }
        "link" => {
            let mbps = r.mbps.ok_or(QuoteError::missing("link", "--mbps M"))?;
            Ok(link(b, mbps, r.tb, hours, months))
        }
        "licence" => {
            let servers = r
                .servers
                .ok_or(QuoteError::missing("licence", "--servers S"))?;
            Ok(licence(b, servers, hours, months))
        }
        "seed" => {
            let tb =
                r.tb.ok_or(QuoteError::missing("seed", "--tb T (reduced TB to ship)"))?;
            Ok(seed(b, tb))
        }
        other => Err(QuoteError::unknown(
            other,
            "storage (--tb), link (--mbps), licence (--servers), seed (--tb)",
        )),
    }
}

/// `tb` of deduplicated data: the stores it takes and their cost.
fn storage(b: &BackupBook, tb: f64, hours: f64, months: f64) -> Vec<QuoteLine> {
    let stores = b.stores(tb);
    let mut lines = vec![
        fact(
            "stores",
            format!("ceil({tb} TB / {} TB) = {stores}", b.store_cap_tb),
        ),
        money(
            "deduplicated storage",
            format!(
                "{tb} TB x {}/TB-month x {hours} h / 730 h",
                b.stored_tb_month
            ),
            tb * b.stored_tb_month * months,
        ),
    ];
    if b.store_monthly > 0.0 {
        lines.push(money(
            "stores",
            format!("{stores} x {}/month x {hours} h / 730 h", b.store_monthly),
            f64::from(stores) * b.store_monthly * months,
        ));
    }
    lines
}

/// A WAN link of `mbps`, and how long `tb` takes over it when given.
fn link(b: &BackupBook, mbps: f64, tb: Option<f64>, hours: f64, months: f64) -> Vec<QuoteLine> {
    let mut lines = vec![money(
        "WAN link",
        format!(
            "{mbps} Mbps x {}/Mbps-month x {hours} h / 730 h",
            b.wan_mbps_month
        ),
        mbps * b.wan_mbps_month * months,
    )];
    if let Some(tb) = tb {
        lines.push(fact(
            "transfer",
            format!(
                "{tb} TB at {mbps} Mbps takes {:.2} h",
                transfer_hours(tb, mbps)
            ),
        ));
    }
    lines
}

/// Licences for `servers` protected servers, and what each invoice comes to.
fn licence(b: &BackupBook, servers: u32, hours: f64, months: f64) -> Vec<QuoteLine> {
    let period = f64::from(b.licence_period_months);
    vec![
        money(
            "licence",
            format!(
                "{servers} servers x {}/server-month x {hours} h / 730 h",
                b.licence_server_month
            ),
            f64::from(servers) * b.licence_server_month * months,
        ),
        fact(
            "invoiced",
            format!(
                "every {period} months in arrears: {} per invoice",
                format_amount(f64::from(servers) * b.licence_server_month * period)
            ),
        ),
    ]
}

/// Shipping `tb` of seed data on drives.
fn seed(b: &BackupBook, tb: f64) -> Vec<QuoteLine> {
    let (drives, cost) = b.seed_drives(tb);
    vec![
        money(
            "seeding",
            format!(
                "ceil({tb} TB / {} TB) = {drives} drives x {}",
                b.drive_tb, b.drive_cost
            ),
            cost,
        ),
        fact("arrives in", format!("{} days", b.drive_days)),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{load, req};
    use super::super::{QuoteRequest, quote};

    #[test]
    fn unknown_items_list_what_the_book_has() {
        let err = quote(&load("pricing/backup-msp.toml"), &req("tape")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"tape\" is not an item of this book; items: storage (--tb), link (--mbps), licence (--servers), seed (--tb)"
        );
        let q = quote(
            &load("pricing/backup-msp.toml"),
            &QuoteRequest {
                tb: Some(70.0),
                ..req("storage")
            },
        )
        .unwrap();
        // 70 TB x 20/TB-month = 1,400 a month in ceil(70 / 64) = 2 stores.
        assert!((q.total() - 1_400.0).abs() < 1e-9);
        assert!(q.render("USD").contains("= 2"));
    }
}
