//! Month boundaries and FOCUS timestamps from day numbers (days since 1970-01-01, as
//! `scenario::timeline` counts them; its Hinnant conversions to and from year, month, day).

use crate::scenario::timeline::{Date, civil_from_days, days_from_civil};

/// `YYYY-MM-DD` as a day number, `None` when it is not one.
pub fn parse_date(s: &str) -> Option<i64> {
    Date::parse(s).map(|d| d.0)
}

/// The first day of the month holding `day`.
pub fn month_start(day: i64) -> i64 {
    let (y, m, _) = civil_from_days(day);
    days_from_civil(y, m, 1)
}

/// The first day of the month after the one holding `day`.
pub fn next_month(day: i64) -> i64 {
    let (y, m, _) = civil_from_days(day);
    if m == 12 {
        days_from_civil(y + 1, 1, 1)
    } else {
        days_from_civil(y, m + 1, 1)
    }
}

/// Microseconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso(us: i64) -> String {
    let secs = us.div_euclid(1_000_000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_months_roll_over() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        // 2026-11-01: 56 years of days since 1970 (14 leap years) + 304 days into 2026.
        assert_eq!(days_from_civil(2026, 11, 1), 56 * 365 + 14 + 304);
        let d = parse_date("2024-02-29").unwrap();
        assert_eq!(civil_from_days(d), (2024, 2, 29));
        assert_eq!(civil_from_days(month_start(d)), (2024, 2, 1));
        assert_eq!(
            civil_from_days(next_month(parse_date("2026-12-15").unwrap())),
            (2027, 1, 1)
        );
        assert_eq!(
            iso((d * 86_400 + 3_661) * 1_000_000),
            "2024-02-29T01:01:01Z"
        );
        assert_eq!(parse_date("2026-13-01"), None);
    }
}
