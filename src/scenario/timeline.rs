//! Dates on a multi-year plan. The simulation counts seconds from 0; a scenario may name the
//! calendar date of that 0 (`start = "2027-01-01"`) so that dated keys (`at = "2027-03-01"`) can
//! be written as dates. Without `start`, a date is refused and `at` must be a duration from the
//! start ("90d", "1y"). The bounds of every count, date and rate of the multi-year keys
//! (`[money]`, `[[venues.capacity]]`, `[[migrations]]`) are here, beside the README's "Limits".

use crate::error::KeyError;
use crate::units::{DAY, SimTime, parse_duration};

/// `[[money.capital]]` items of one scenario.
pub const MAX_CAPITAL_ITEMS: usize = 1_000;
/// `[[money.one_off]]` items of one scenario.
pub const MAX_ONE_OFFS: usize = 10_000;
/// `[[money.escalation]]` rules of one scenario (at most one per category and venue).
pub const MAX_ESCALATIONS: usize = 1_000;
/// Any single amount of money in a scenario key (cost of a capital item, a one-off).
pub const MAX_AMOUNT: f64 = 1e12;
/// `[[money.contract]]` items of one scenario.
pub const MAX_CONTRACTS: usize = 1_000;
/// A yearly escalation, in percent either way; beyond it a price doubles in a year.
pub const MAX_ESCALATION_PCT: f64 = 100.0;
/// A yearly discount rate, in percent.
pub const MAX_DISCOUNT_PCT: f64 = 100.0;
/// The longest life of a capital item: 50 years.
pub const MAX_LIFE: SimTime = 50 * 365 * DAY;
/// Dated capacity changes of one venue.
pub const MAX_CAPACITY_CHANGES: usize = 1_000;
/// The first and last calendar years a `start` may be in.
pub const YEARS: (i64, i64) = (1970, 2200);

/// A calendar date as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub i64);

impl Date {
    /// Parses "YYYY-MM-DD" (a real date of the Gregorian calendar, year in `YEARS`).
    pub fn parse(text: &str) -> Option<Date> {
        let parts: Vec<&str> = text.trim().split('-').collect();
        let [y, m, d] = parts[..] else { return None };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let (y, m, d): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days_in = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        let ok = (YEARS.0..=YEARS.1).contains(&y)
            && (1..=12).contains(&m)
            && d >= 1
            && d <= days_in[m as usize - 1];
        ok.then(|| Date(days_from_civil(y, m, d)))
    }
}

/// Days from 1970-01-01 to a Gregorian date (H. Hinnant's `days_from_civil`,
/// https://howardhinnant.github.io/date_algorithms.html).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The Gregorian date (year, month, day) of a day number since 1970-01-01 (the inverse of
/// [`days_from_civil`], H. Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m as u32, d as u32)
}

impl std::fmt::Display for Date {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = civil_from_days(self.0);
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// The scenario's `start` key, checked.
pub fn parse_start(text: Option<&str>) -> Result<Option<Date>, KeyError> {
    let Some(t) = text else { return Ok(None) };
    Date::parse(t).map(Some).ok_or_else(|| {
        KeyError::new(
            "start",
            format!(
                "\"{t}\" is not a date YYYY-MM-DD in the years {} to {}",
                YEARS.0, YEARS.1
            ),
        )
    })
}

/// When a dated key happens, in seconds from the start: a duration ("90d") or, with the
/// scenario's `start`, a date on or after it ("2027-03-01"). It must fall before `horizon`.
pub fn parse_at(
    key: &str,
    text: &str,
    start: Option<Date>,
    horizon: SimTime,
) -> Result<SimTime, KeyError> {
    let err = |m: String| KeyError::new(key, m);
    let t = match (Date::parse(text), start) {
        (Some(date), Some(start)) if date >= start => (date.0 - start.0) as u64 * DAY,
        (Some(_), Some(_)) => {
            return Err(err(format!("\"{text}\" is before the scenario's start")));
        }
        (Some(_), None) => {
            return Err(err(format!(
                "\"{text}\" is a date, but the scenario has no start = \"YYYY-MM-DD\"; add one or give a duration from the start such as \"90d\""
            )));
        }
        (None, _) => parse_duration(text).map_err(|e| {
            err(format!(
                "\"{text}\" is neither a date YYYY-MM-DD nor a duration from the start ({})",
                e.problem
            ))
        })?,
    };
    if t >= horizon {
        return Err(err(format!(
            "\"{text}\" is at or after the end of the horizon ({}s from the start)",
            horizon
        )));
    }
    Ok(t)
}

/// A number within `lo..=hi`, or an error naming the key, the value and the range.
pub fn within(key: &str, value: f64, lo: f64, hi: f64) -> Result<f64, KeyError> {
    if value.is_finite() && (lo..=hi).contains(&value) {
        return Ok(value);
    }
    Err(KeyError::new(
        key,
        format!("{value} must be a number from {lo} to {hi} (README, \"Limits\")"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days_from_the_start() {
        // 1970-01-01 is day 0; 2000-03-01 is 30 years (7 leap days: 72..96) + Jan + Feb 2000:
        // 30 x 365 + 7 + 31 + 29 = 11,017.
        assert_eq!(Date::parse("1970-01-01"), Some(Date(0)));
        assert_eq!(Date::parse("2000-03-01"), Some(Date(11_017)));
        assert_eq!(Date::parse("2027-02-29"), None);
        assert_eq!(Date::parse("2028-02-29").map(|d| d.0 > 0), Some(true));
        assert_eq!(Date::parse("27-03-01"), None);
        let start = Date::parse("2027-01-01");
        // 2027-03-01 is 31 + 28 = 59 days after 2027-01-01.
        assert_eq!(parse_at("at", "2027-03-01", start, 400 * DAY), Ok(59 * DAY));
        assert_eq!(parse_at("at", "90d", None, 400 * DAY), Ok(90 * DAY));
        let e = parse_at("capacity[0].at", "2027-03-01", None, 400 * DAY).unwrap_err();
        assert!(e.message.contains("no start"), "{e:?}");
        let e = parse_at("x", "2026-12-31", start, 400 * DAY).unwrap_err();
        assert!(e.message.contains("before the scenario's start"), "{e:?}");
        let e = parse_at("x", "400d", None, 400 * DAY).unwrap_err();
        assert!(e.message.contains("end of the horizon"), "{e:?}");
    }
}
