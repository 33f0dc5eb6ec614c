//! How sure a study's figures are: the standard error and 95 % interval of a mean (Student's t),
//! and a distribution-free 95 % interval of a percentile from order statistics.
//!
//! Percentile interval: of n independent draws, the number B below the true p-quantile is
//! Binomial(n, p), so the order statistics x(l) <= x(u) (1-based) hold the quantile with
//! probability P(l <= B <= u - 1) = F(u - 1) - F(l - 1), F the binomial CDF. We take equal
//! tails: l the largest rank with F(l - 1) <= 2.5 %, u the smallest with F(u - 1) >= 97.5 %
//! (Hahn and Meeker, "Statistical Intervals", 2nd ed., section 5.2). With too few runs for
//! 95 % the ranks stop at the sample's extremes.

use serde::{Deserialize, Serialize};
use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, StudentsT};

/// Both tails together.
const ALPHA: f64 = 0.05;

/// A value with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    /// Half the interval's width relative to the value (0 for a zero value).
    pub fn relative_half_width(&self) -> f64 {
        if self.value == 0.0 {
            0.0
        } else {
            (self.high - self.low) / 2.0 / self.value.abs()
        }
    }

    /// Whether the interval leaves out zero.
    pub fn excludes_zero(&self) -> bool {
        self.low > 0.0 || self.high < 0.0
    }
}

/// Mean, sample standard deviation and standard error of `values` (non-empty).
pub fn moments(values: &[f64]) -> (f64, f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = if values.len() > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    (mean, sd, sd / n.sqrt())
}

/// The mean with its 95 % interval (Student's t with n - 1 degrees of freedom); one value gives
/// a zero-width interval.
pub fn mean(values: &[f64]) -> Estimate {
    let (mean, _, se) = moments(values);
    let n = values.len() as f64;
    let half = match StudentsT::new(0.0, 1.0, n - 1.0) {
        Ok(t) if values.len() > 1 => t.inverse_cdf(1.0 - ALPHA / 2.0) * se,
        _ => 0.0,
    };
    Estimate {
        value: mean,
        low: mean - half,
        high: mean + half,
    }
}

/// The 1-based ranks (l, u) of the order statistics bounding the p-quantile of n draws.
pub fn quantile_ranks(n: usize, p: f64) -> (usize, usize) {
    let Ok(b) = Binomial::new(p, n as u64) else {
        return (1, n.max(1));
    };
    // F(k) for k = -1 is 0.
    let cdf = |k: usize| if k == 0 { 0.0 } else { b.cdf(k as u64 - 1) };
    // l: the largest rank in 1..=n with F(l - 1) <= alpha / 2 (cdf rises with the rank).
    let l = prefix(n, |k| cdf(k) <= ALPHA / 2.0).max(1);
    // u: the smallest rank in 1..=n with F(u - 1) >= 1 - alpha / 2, else n.
    let u = prefix(n, |k| cdf(k) < 1.0 - ALPHA / 2.0) + 1;
    (l, u.min(n))
}

/// How many ranks of 1..=n satisfy `holds`, which holds for a prefix of them (binary search).
fn prefix(n: usize, holds: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if holds(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

/// The p-quantile's 95 % interval from `sorted` (ascending, non-empty).
pub fn quantile(sorted: &[f64], p: f64, value: f64) -> Estimate {
    let (l, u) = quantile_ranks(sorted.len(), p);
    Estimate {
        value,
        low: sorted[l - 1],
        high: sorted[u - 1],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_twenty_is_bounded_by_the_6th_and_15th_values() {
        // B ~ Binomial(20, 0.5): F(5) = (1 + 20 + 190 + 1,140 + 4,845 + 15,504) / 2^20
        // = 21,700 / 1,048,576 = 0.0207 <= 0.025 and F(6) = 60,460 / 2^20 = 0.0577 > 0.025, so
        // l = 6; by symmetry F(14) = 1 - F(5) = 0.9793 >= 0.975 and F(13) = 0.9423, so u = 15.
        // Coverage F(14) - F(5) = 0.9586 (the classic table value for n = 20).
        assert_eq!(quantile_ranks(20, 0.5), (6, 15));
        let sorted: Vec<f64> = (1..=20).map(f64::from).collect();
        let e = quantile(&sorted, 0.5, 10.5);
        assert_eq!((e.low, e.high), (6.0, 15.0));
    }

    #[test]
    fn tail_percentiles_of_small_samples_reach_the_extremes() {
        // n = 10, p = 0.9: F(k - 1) >= 0.975 needs k - 1 = 10 (F(9) = 1 - 0.9^10 = 0.651), so
        // u is capped at n = 10; l: F(6) = P(B <= 6) = 0.0128 <= 0.025, F(7) = 0.0702: l = 7.
        assert_eq!(quantile_ranks(10, 0.9), (7, 10));
        assert_eq!(quantile_ranks(1, 0.5), (1, 1));
    }

    #[test]
    fn mean_and_standard_error_are_hand_checked() {
        // 1..=5: mean 3, sd sqrt(10 / 4) = 1.5811, se sqrt(2.5 / 5) = sqrt(0.5) = 0.7071;
        // t(0.975, 4) = 2.7764, half-width 2.7764 x 0.7071 = 1.9632.
        let v = [3.0, 1.0, 5.0, 2.0, 4.0];
        let (m, sd, se) = moments(&v);
        assert_eq!(m, 3.0);
        assert!((sd - 1.5811).abs() < 1e-4 && (se - 0.5f64.sqrt()).abs() < 1e-12);
        let e = mean(&v);
        assert!((e.high - 3.0 - 1.9632).abs() < 1e-3, "{e:?}");
        assert!((e.relative_half_width() - 1.9632 / 3.0).abs() < 1e-3);
    }
}
