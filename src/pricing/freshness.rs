//! How old a book's prices are: every book names the date its prices were read (`as_of`);
//! `pricing check --max-age` warns about books older than the age given, and reports list each
//! book's provenance (`Book::provenance`).

use super::Book;
use crate::scenario::timeline::Date;
use crate::units::SimTime;

/// Where a book's prices come from and when they were read, for reports' assumptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub book: String,
    pub source: String,
    /// YYYY-MM-DD.
    pub as_of: String,
}

impl Book {
    pub fn provenance(&self) -> Provenance {
        Provenance {
            book: self.name.clone(),
            source: self.source.clone(),
            as_of: self.as_of.clone(),
        }
    }

    /// Days from the book's `as_of` to `today` (YYYY-MM-DD); `None` if either is no date.
    pub fn age_days(&self, today: &str) -> Option<i64> {
        Some(day_number(today)? - day_number(&self.as_of)?)
    }

    /// A warning when the book is older than `max_age` seconds on `today`, else `None`.
    pub fn staleness(&self, today: &str, max_age: SimTime) -> Option<String> {
        let age = self.age_days(today)?;
        let max_days = (max_age / crate::units::DAY) as i64;
        (age > max_days).then(|| {
            format!(
                "prices as of {} are {age} days old on {today}, older than {max_days} days; refresh the book (hybridplan pricing import)",
                self.as_of
            )
        })
    }
}

/// Days since 1970-01-01 of a YYYY-MM-DD date (a real Gregorian date in the years the
/// scenario's `start` takes).
pub fn day_number(date: &str) -> Option<i64> {
    Date::parse(date).map(|d| d.0)
}

/// Today's date in UTC, YYYY-MM-DD, from the system clock (for book ages only).
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    date_of_day((secs / 86_400) as i64)
}

/// The YYYY-MM-DD date of day `n` since 1970-01-01 (the inverse of `day_number`).
pub fn date_of_day(n: i64) -> String {
    Date(n).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn dates_count_days_across_months_and_leap_years() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        // 2024 is a leap year: 2024-02-28 to 2024-03-01 is 2 days.
        assert_eq!(
            day_number("2024-03-01").unwrap() - day_number("2024-02-28").unwrap(),
            2
        );
        assert_eq!(date_of_day(day_number("2026-10-01").unwrap()), "2026-10-01");
        assert_eq!(day_number("2026-13-01"), None);
    }

    #[test]
    fn an_old_book_is_named_with_its_age() {
        let b = Book::parse(
            "name = \"t\"\ncurrency = \"USD\"\nsource = \"s\"\nas_of = \"2026-10-01\"\n[public]\nregion = \"r\"\nbilling = \"per-hour\"\nstorage_gb_month = 0.1\negress_gb = 0.1\n[[public.instances]]\nname = \"a\"\nvcpus = 1\nmem_gib = 1\nhourly = 0.1\n",
            Path::new("b.toml"),
        )
        .unwrap();
        // 2026-10-01 to 2027-04-01: 31 + 30 + 31 + 31 + 28 + 31 = 182 days.
        assert_eq!(b.age_days("2027-04-01"), Some(182));
        let half_year = 180 * crate::units::DAY;
        let w = b.staleness("2027-04-01", half_year).unwrap();
        assert!(
            w.contains("182 days old") && w.contains("older than 180 days"),
            "{w}"
        );
        assert_eq!(b.staleness("2027-03-30", half_year), None); // 180 days: not older
        assert_eq!(b.provenance().as_of, "2026-10-01");
    }
}
