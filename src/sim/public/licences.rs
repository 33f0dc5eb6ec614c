//! The licences a public venue bills beside the instance, each on a ledger rule of its own in
//! the compute category: the Windows Server licence and the SQL Server licence of each edition
//! the book has a rate for, for every second a VM that pays them runs.

use crate::pricing::{InstanceType, Licences, PublicBook, SqlEdition};
use crate::sim::ledger::{Category, Ledger, LineId};
use crate::units::{HOUR, SimTime};

pub(super) struct LicenceLines {
    windows: LineId,
    /// The SQL Server licence of each edition the book has a rate for.
    sql: Vec<(LineId, SqlEdition)>,
}

impl LicenceLines {
    pub(super) fn new(v: usize, book: &PublicBook, ledger: &mut Ledger) -> Self {
        let windows = ledger.line(
            v,
            Category::Compute,
            format!(
                "Windows licence {}/vCPU-hour",
                book.windows_per_vcpu_hour.unwrap_or(0.0)
            ),
        );
        let sql = book
            .sql
            .iter()
            .map(|(e, r)| {
                let rule = format!(
                    "{} licence {}/vCPU-hour, {} vCPU minimum",
                    e.product(),
                    r.vcpu_hour,
                    r.min_vcpus
                );
                (ledger.line(v, Category::Compute, rule), *e)
            })
            .collect();
        LicenceLines { windows, sql }
    }

    /// Bills the licences `paid` of a VM on type `t` from `from` to `at`, at `rate` (the
    /// venue's currency and price factor).
    pub(super) fn bill(
        &self,
        ledger: &mut Ledger,
        book: &PublicBook,
        t: &InstanceType,
        paid: Licences,
        (from, at): (SimTime, SimTime),
        rate: f64,
    ) {
        let per_second = |hourly: f64| hourly * rate / HOUR as f64;
        if paid.windows {
            ledger.spread(self.windows, from, at, per_second(book.windows_uplift(t)));
        }
        // A group's edition has a rate in every book it may be billed on (checked when the
        // scenario loads).
        if let Some((line, e)) = paid
            .sql
            .and_then(|e| self.sql.iter().find(|(_, x)| *x == e))
        {
            ledger.spread(*line, from, at, per_second(book.sql_hourly(t, *e)));
        }
    }
}
