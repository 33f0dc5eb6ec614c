//! Reading a plain decimal such as `0.5`, `8` or `3600` into an f64, and a whole number into a
//! u64, without the general parsers: the cells of a VM table are almost all of this form, and the
//! general parsers' checks for signs, exponents, infinities and long mantissas cost more than the
//! digits themselves.
//!
//! The result is exactly `str::parse::<f64>`'s (Clinger's fast path): a mantissa m < 2^53 and a
//! power 10^k with k <= 22 are both exact in an f64, and IEEE division rounds m / 10^k correctly,
//! as the general parser does. Anything else (a sign, an exponent, more digits) goes to it.

/// 10^0 ..= 10^22, each exact in an f64.
const POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// 2^53: every whole number below it is exact in an f64.
const EXACT: u64 = 1 << 53;

/// `text` as an f64, as `str::parse` reads it.
pub fn parse(text: &str) -> Result<f64, std::num::ParseFloatError> {
    fast(text.as_bytes()).map_or_else(|| text.parse(), Ok)
}

/// `bytes` as an f64 when they are a plain decimal (see `fast`), exactly as `parse` reads
/// them; None sends the caller to `parse` for everything else.
#[inline]
pub fn plain(bytes: &[u8]) -> Option<f64> {
    fast(bytes)
}

/// `bytes` as a u64 when they are 1 to 19 digits (which cannot overflow), as `parse_whole`
/// reads them; None for anything else.
#[inline]
pub fn digits(bytes: &[u8]) -> Option<u64> {
    if (1..=19).contains(&bytes.len()) && bytes.iter().all(u8::is_ascii_digit) {
        return Some(bytes.iter().fold(0, |n, &b| n * 10 + u64::from(b - b'0')));
    }
    None
}

/// `text` as a u64, as `str::parse` reads it: up to 19 digits directly (they cannot overflow),
/// anything else (a sign, a 20th digit, not a digit) by the general parser.
pub fn parse_whole(text: &str) -> Result<u64, std::num::ParseIntError> {
    digits(text.as_bytes()).map_or_else(|| text.parse(), Ok)
}

/// Digits, optionally a point and more digits (at least one digit in all), with fewer than 2^53
/// as the mantissa and at most 22 digits after the point; None for anything else.
#[inline]
fn fast(bytes: &[u8]) -> Option<f64> {
    let mut mantissa: u64 = 0;
    let mut digits = 0usize;
    let mut after_point: Option<usize> = None;
    for &b in bytes {
        match b {
            b'0'..=b'9' => {
                // 19 digits cannot overflow a u64; the bound on the mantissa is checked below.
                if digits == 19 {
                    return None;
                }
                mantissa = mantissa * 10 + u64::from(b - b'0');
                digits += 1;
                if let Some(k) = after_point.as_mut() {
                    *k += 1;
                }
            }
            b'.' if after_point.is_none() => after_point = Some(0),
            _ => return None,
        }
    }
    let k = after_point.unwrap_or(0);
    if digits == 0 || mantissa >= EXACT || k >= POWERS.len() {
        return None;
    }
    Some(mantissa as f64 / POWERS[k])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_decimals_take_the_fast_path_and_the_rest_the_general_parser() {
        assert_eq!(fast(b"0.5"), Some(0.5));
        assert_eq!(fast(b"8"), Some(8.0));
        assert_eq!(fast(b"1."), Some(1.0)); // str::parse reads "1." as 1 too
        assert_eq!(fast(b".25"), Some(0.25));
        assert_eq!(fast(b"0.1"), Some(0.1)); // 1 / 10, correctly rounded
        for general in [
            "-1",
            "+1",
            "1e3",
            "inf",
            "NaN",
            ".",
            "",
            "1.2.3",
            "12345678901234567890",
        ] {
            assert_eq!(fast(general.as_bytes()), None, "{general}");
        }
        // 2^53 itself is exact, but the fast path stops below it; the general parser agrees.
        assert_eq!(parse("9007199254740993").unwrap(), 9007199254740992.0);
        assert!(parse("abc").is_err() && parse("").is_err() && parse(".").is_err());
    }

    proptest! {
        /// Whole numbers: the direct path and `str::parse` agree on digits of any length, signs
        /// and junk alike (errors compared by kind of failure).
        #[test]
        fn whole_agrees_with_str_parse(text in "[0-9]{0,22}|[-+]?[0-9a]{0,4}") {
            prop_assert_eq!(parse_whole(&text), text.parse::<u64>());
        }

        /// Whatever the digits and the point's place, the fast path and `str::parse` agree bit
        /// for bit; so do the general parser's forms that the fast path hands on.
        #[test]
        fn agrees_with_str_parse(text in "[0-9]{0,20}(\\.[0-9]{0,25})?|[-+]?[0-9.e]{0,8}") {
            let ours = parse(&text).ok().map(f64::to_bits);
            let std = text.parse::<f64>().ok().map(f64::to_bits);
            prop_assert_eq!(ours, std);
        }
    }
}
