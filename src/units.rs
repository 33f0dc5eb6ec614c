//! Units every other module speaks: simulation time in whole seconds, sizes in GiB and bandwidth
//! in Mbps. Parsing is strict: a unit is always required in strings, so "30" never silently
//! means seconds or days.
//!
//! Money is plain `f64`, not a type of its own: every amount is in the scenario's reporting
//! currency, with the currency kept beside it (the scenario, the summary and every report name
//! it). Price books may be in other currencies, but loading a scenario converts each book with
//! the scenario's `exchange_rates` and refuses a book whose currency has no rate, so amounts
//! of different currencies never meet. A currency-tagged amount would check the same thing on
//! every addition of a simulation's millions of resource-seconds, to no gain.

use crate::error::ValueError;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// Simulation time and durations, in whole seconds since the start of the horizon.
pub type SimTime = u64;

pub const MINUTE: SimTime = 60;
pub const HOUR: SimTime = 3_600;
pub const DAY: SimTime = 86_400;
/// A year is 365 days: pricing horizons are calendar-free.
pub const YEAR: SimTime = 365 * DAY;
/// Hours in a billing month, the convention AWS, Azure and GCP calculators use (8,760 h / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Parses a duration such as "90s", "15m", "1h", "30d", "2w" or "1y" (365 days) into seconds.
pub fn parse_duration(text: &str) -> Result<SimTime, ValueError> {
    let bad = |problem: String| ValueError::new("duration", text, problem);
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| bad("has no unit; expected e.g. 90s, 15m, 1h, 30d, 2w, 1y".into()))?;
    let (digits, unit) = t.split_at(split);
    if digits.is_empty() {
        return Err(bad("must start with a whole number, e.g. 30d".into()));
    }
    // Only digits: the parse fails only past u64 (over 580 billion years of seconds).
    let n: u64 = digits.parse().map_err(|_| bad("is too long".into()))?;
    let scale = match unit.trim() {
        "s" => 1,
        "m" | "min" => MINUTE,
        "h" => HOUR,
        "d" => DAY,
        "w" => 7 * DAY,
        "y" => YEAR,
        other => {
            return Err(bad(format!(
                "has unknown unit \"{other}\"; expected s, m, h, d, w or y"
            )));
        }
    };
    n.checked_mul(scale)
        .ok_or_else(|| bad("is too long".into()))
}

/// Formats seconds as the largest exact unit: 2592000 -> "30d", 5400 -> "90m".
pub fn format_duration(s: SimTime) -> String {
    for (unit, scale) in [("y", YEAR), ("d", DAY), ("h", HOUR), ("m", MINUTE)] {
        if s != 0 && s.is_multiple_of(scale) {
            return format!("{}{unit}", s / scale);
        }
    }
    format!("{s}s")
}

/// The active codes of ISO 4217 (list one, "Current currency & funds code list", published by
/// SIX Financial Information for ISO, https://www.six-group.com/en/products-services/financial-information/data-standards.html,
/// as amended to 2025, including ANG and XCG while both circulate), sorted for a binary search.
/// XTS (testing) and XXX (no currency) are left out: neither is money a price can be in.
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS",
    "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW",
    "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD",
    "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN",
    "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR",
    "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL",
    "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
    "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES",
    "VND", "VUV", "WST", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR",
    "XOF", "XPD", "XPF", "XPT", "XSU", "XUA", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
];

/// An ISO 4217 currency code: three upper-case ASCII letters that are an active code.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// A well-formed code that is also an active ISO 4217 code (a typo such as "USS" or an
    /// invented "XYZ" would otherwise be a currency of its own that no rate converts).
    pub fn parse(text: &str) -> Result<Currency, ValueError> {
        let b = text.as_bytes();
        if !(b.len() == 3 && b.iter().all(u8::is_ascii_uppercase)) {
            return Err(ValueError::new(
                "currency",
                text,
                "is not a three-letter upper-case code such as USD or EUR",
            ));
        }
        if ISO_4217.binary_search(&text).is_err() {
            return Err(ValueError::new(
                "currency",
                text,
                "is not an active ISO 4217 currency code such as USD or EUR",
            ));
        }
        Ok(Currency([b[0], b[1], b[2]]))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Money as outputs give it: rounded to cents. Adding 0.0 turns the -0.0 of an empty sum into
/// 0.0.
pub fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0 + 0.0
}

/// Ratios, hours and sizes as outputs give them: four decimals.
pub fn four(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0 + 0.0
}

/// Renders an amount with two decimals and thousands separators: 1234567.891 -> "1,234,567.89".
pub fn format_amount(amount: f64) -> String {
    let cents = (amount * 100.0).round() as i128;
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", cents % 100)
}

/// A size in GiB (2^30 bytes). Cloud providers' "GB" for memory and block storage is GiB.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize)]
pub struct Gib(pub f64);

impl Gib {
    /// Parses "512GiB", "2 TiB" or "4096MiB". A bare number in TOML is taken as GiB (see
    /// `Deserialize`), but a string must carry its unit.
    pub fn parse(text: &str) -> Result<Gib, ValueError> {
        let (n, unit) = split_number(text, "size", "512GiB or 2TiB")?;
        let scale = match unit {
            "MiB" => 1.0 / 1024.0,
            "GiB" => 1.0,
            "TiB" => 1024.0,
            other => {
                let problem = format!("has unknown unit \"{other}\"; expected MiB, GiB or TiB");
                return Err(ValueError::new("size", text, problem));
            }
        };
        Ok(Gib(n * scale))
    }
}

/// Bandwidth in megabits per second (10^6 bit/s, as links are sold).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize)]
pub struct Mbps(pub f64);

impl Mbps {
    /// Parses "100Mbps", "1 Gbps" or "10Gbps".
    pub fn parse(text: &str) -> Result<Mbps, ValueError> {
        let (n, unit) = split_number(text, "bandwidth", "100Mbps or 1Gbps")?;
        let scale = match unit {
            "Kbps" => 1e-3,
            "Mbps" => 1.0,
            "Gbps" => 1e3,
            other => {
                let problem = format!("has unknown unit \"{other}\"; expected Kbps, Mbps or Gbps");
                return Err(ValueError::new("bandwidth", text, problem));
            }
        };
        Ok(Mbps(n * scale))
    }

    /// Seconds needed to move `gib` GiB at this rate.
    pub fn seconds_for(&self, gib: Gib) -> f64 {
        gib.0 * (1u64 << 30) as f64 * 8.0 / (self.0 * 1e6)
    }
}

/// Splits "2.5 TiB" into (2.5, "TiB"), refusing negatives, NaN and missing units.
fn split_number<'a>(
    text: &'a str,
    what: &'static str,
    example: &str,
) -> Result<(f64, &'a str), ValueError> {
    let bad = |problem: String| ValueError::new(what, text, problem);
    let t = text.trim();
    let split = t
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| bad(format!("has no unit; expected e.g. {example}")))?;
    let n: f64 = t[..split]
        .trim()
        .parse()
        .map_err(|_| bad(format!("must start with a number, e.g. {example}")))?;
    if !n.is_finite() || n < 0.0 {
        return Err(bad("must be a finite number >= 0".into()));
    }
    Ok((n, &t[split..]))
}

/// Deserializes a duration string ("30d") into seconds.
pub fn de_duration<'de, D: Deserializer<'de>>(d: D) -> Result<SimTime, D::Error> {
    let s = String::deserialize(d)?;
    parse_duration(&s).map_err(serde::de::Error::custom)
}

/// Deserializes an optional duration string.
pub fn de_opt_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SimTime>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    s.map(|s| parse_duration(&s).map_err(serde::de::Error::custom))
        .transpose()
}

/// Deserializes a currency code.
pub fn de_currency<'de, D: Deserializer<'de>>(d: D) -> Result<Currency, D::Error> {
    let s = String::deserialize(d)?;
    Currency::parse(&s).map_err(serde::de::Error::custom)
}

impl<'de> Deserialize<'de> for Gib {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Gib, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(f64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Number(n) if n.is_finite() && n >= 0.0 => Ok(Gib(n)),
            Raw::Number(n) => Err(serde::de::Error::custom(format!(
                "size {n} must be a finite number of GiB >= 0"
            ))),
            Raw::Text(s) => Gib::parse(&s).map_err(serde::de::Error::custom),
        }
    }
}

/// `x.round() as u64` (half away from zero, saturating; NaN and negatives to 0), bit for bit,
/// without the libm call `f64::round` compiles to on baseline x86-64 (no SSE4.1): the
/// simulator rounds capacities and power draws a few times per placement. For x below 2^53
/// the cast truncates exactly and `x - t` is exact, so comparing it with 0.5 rounds as `round`
/// does; from 2^53 on x is a whole number and the fraction is 0.
pub fn round_u64(x: f64) -> u64 {
    let t = x as u64;
    t.saturating_add(u64::from(x - t as f64 >= 0.5))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The same integer as `round() as u64` for every f64: any bit pattern, and values near
        /// halves and whole numbers in the ranges capacities take.
        #[test]
        fn round_u64_is_round_as_u64(bits in any::<u64>(), n in 0u64..1 << 54, k in 0u32..8) {
            let near = [n as f64 + 0.5, n as f64 - 0.5, n as f64 * 1.000_000_1, n as f64 / 1024.0];
            for x in [f64::from_bits(bits), near[k as usize % 4], -near[k as usize % 4]] {
                prop_assert_eq!(round_u64(x), x.round() as u64, "{}", x);
            }
        }
    }

    #[test]
    fn round_u64_edges() {
        let edges = [
            0.0,
            -0.0,
            0.5,
            0.499_999_999_999_999_94,
            1.5,
            2.5,
            -0.5,
            -0.7,
            9_007_199_254_740_991.5,
            4_503_599_627_370_495.5,
            1.844_674_407_370_955e19,
            2e19,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MAX,
            f64::MIN_POSITIVE,
            1e-300,
        ];
        for x in edges {
            assert_eq!(round_u64(x), x.round() as u64, "{x}");
        }
    }

    #[test]
    fn durations_parse_to_seconds() {
        assert_eq!(parse_duration("90s"), Ok(90));
        assert_eq!(parse_duration("15m"), Ok(900)); // 15 x 60
        assert_eq!(parse_duration("1h"), Ok(3_600));
        assert_eq!(parse_duration("30d"), Ok(2_592_000)); // 30 x 86,400
        assert_eq!(parse_duration("2w"), Ok(1_209_600)); // 14 x 86,400
        assert_eq!(parse_duration("1y"), Ok(31_536_000)); // 365 x 86,400
        assert_eq!(parse_duration(" 5m "), Ok(300));
    }

    #[test]
    fn bad_durations_say_what_was_expected() {
        let msg = |t: &str| parse_duration(t).unwrap_err().to_string();
        assert_eq!(
            msg("30"),
            "duration \"30\" has no unit; expected e.g. 90s, 15m, 1h, 30d, 2w, 1y"
        );
        assert_eq!(
            msg("3x"),
            "duration \"3x\" has unknown unit \"x\"; expected s, m, h, d, w or y"
        );
        assert_eq!(
            msg("h"),
            "duration \"h\" must start with a whole number, e.g. 30d"
        );
        assert_eq!(
            msg("-1h"),
            "duration \"-1h\" must start with a whole number, e.g. 30d"
        );
        // 99,999,999,999,999 x 31,536,000 s overflows u64 (1.8e19).
        assert_eq!(
            msg("99999999999999y"),
            "duration \"99999999999999y\" is too long"
        );
        let e = parse_duration(" 3x").unwrap_err();
        assert_eq!((e.what, e.text.as_str()), ("duration", " 3x"));
    }

    #[test]
    fn durations_format_back() {
        assert_eq!(format_duration(2_592_000), "30d");
        assert_eq!(format_duration(5_400), "90m");
        assert_eq!(format_duration(31_536_000), "1y");
        assert_eq!(format_duration(61), "61s");
    }

    #[test]
    fn currency_codes_are_checked() {
        assert_eq!(Currency::parse("USD").unwrap().as_str(), "USD");
        assert_eq!(
            Currency::parse("usd").unwrap_err().to_string(),
            "currency \"usd\" is not a three-letter upper-case code such as USD or EUR"
        );
        assert!(Currency::parse("US").is_err());
        assert_eq!(Currency::parse("EUR").unwrap().as_str(), "EUR");
        assert_eq!(
            Currency::parse("XYZ").unwrap_err().to_string(),
            "currency \"XYZ\" is not an active ISO 4217 currency code such as USD or EUR"
        );
        // The binary search needs the table sorted and free of repeats.
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn amounts_render_with_cents_and_separators() {
        assert_eq!(format_amount(-0.5), "-0.50");
        assert_eq!(format_amount(999.999), "1,000.00");
        assert_eq!(format_amount(1234567.891), "1,234,567.89");
        assert_eq!(format_amount(-999.5), "-999.50");
        assert_eq!(format_amount(-0.001), "0.00");
        assert_eq!(format_amount(100.0), "100.00");
    }

    #[test]
    fn sizes_and_bandwidth_parse() {
        assert_eq!(Gib::parse("512GiB"), Ok(Gib(512.0)));
        assert_eq!(Gib::parse("2 TiB"), Ok(Gib(2048.0)));
        assert_eq!(Gib::parse("512MiB"), Ok(Gib(0.5)));
        assert_eq!(
            Gib::parse("5GB").unwrap_err().to_string(),
            "size \"5GB\" has unknown unit \"GB\"; expected MiB, GiB or TiB"
        );
        assert_eq!(
            Gib::parse("-1GiB").unwrap_err().to_string(),
            "size \"-1GiB\" must be a finite number >= 0"
        );
        assert_eq!(Mbps::parse("1Gbps"), Ok(Mbps(1000.0)));
        assert_eq!(Mbps::parse("100 Mbps"), Ok(Mbps(100.0)));
        assert_eq!(
            Mbps::parse("fast").unwrap_err().to_string(),
            "bandwidth \"fast\" must start with a number, e.g. 100Mbps or 1Gbps"
        );
        assert_eq!(
            Mbps::parse("100").unwrap_err().to_string(),
            "bandwidth \"100\" has no unit; expected e.g. 100Mbps or 1Gbps"
        );
        // 1 GiB = 8,589,934,592 bit; at 100 Mbps that is 85.899 s.
        assert!((Mbps(100.0).seconds_for(Gib(1.0)) - 85.899_345_92).abs() < 1e-6);
    }
}
