//! Discounts a provider applies on its own, and spot interruption rates:
//!
//! - GCP sustained-use discounts (https://cloud.google.com/compute/docs/sustained-use-discounts):
//!   each incremental hour of a family's usage in a month is charged at a share of the base
//!   rate by how far into the month that usage level has run: for N1, 100 % in the first
//!   quarter of the month, 80 % in the second, 60 % in the third and 40 % in the last (30 % off
//!   a full month); for N2, N2D and C2 100 / 86.78 / 73.3 / 60 % (20 % off a full month); none
//!   for E2. Usage of one family in one region is combined across instances (GCP's "inferred
//!   instances"): the layer of usage that runs all month gets the full discount, a burst layer
//!   on top only the first tiers.
//! - AWS spot interruption frequency (the Spot Instance Advisor,
//!   https://aws.amazon.com/ec2/spot/instance-advisor/): the share of a family's spot instances
//!   interrupted in a month, published in buckets (<5 %, 5-10 %, 10-15 %, 15-20 %, >20 %).

use super::PublicBook;
use crate::error::InputError;
use crate::pricing::check::Check;
use crate::units::HOURS_PER_MONTH;
use std::collections::BTreeMap;

/// A family's sustained-use schedule: the share of the base rate charged in each equal slice
/// of the month (GCP N1: [1.0, 0.8, 0.6, 0.4]).
#[derive(Debug, Clone, PartialEq)]
pub struct SustainedUse(pub Vec<f64>);

impl SustainedUse {
    /// What `hours` of one unit of usage cost at a base rate of 1, running from the start of
    /// the month's tiers: the sum over the slices it reaches of multiplier x hours in slice.
    pub fn billed_hours(&self, hours: f64) -> f64 {
        let slice = HOURS_PER_MONTH / self.0.len() as f64;
        self.0
            .iter()
            .enumerate()
            .map(|(i, m)| m * (hours - i as f64 * slice).clamp(0.0, slice))
            .sum()
    }

    /// One month of a family's usage, given its on-demand spend in each hour of the month
    /// (`levels`, in money per hour): the spend is cut into layers, each layer charged by how
    /// many hours of the month it ran (GCP's inferred instances). A flat level L over all
    /// `n` hours costs L x billed_hours(n).
    pub fn month_cost(&self, levels: &[f64]) -> f64 {
        let mut sorted: Vec<f64> = levels.iter().copied().filter(|l| *l > 0.0).collect();
        // Highest first: the layer between sorted[k] and sorted[k+1] runs k+1 hours.
        sorted.sort_by(|a, b| b.total_cmp(a));
        let mut cost = 0.0;
        for (k, level) in sorted.iter().enumerate() {
            let below = sorted.get(k + 1).copied().unwrap_or(0.0);
            cost += (level - below) * self.billed_hours((k + 1) as f64);
        }
        cost
    }
}

/// The published spot interruption buckets and the share of instances each stands for (its
/// middle; 22.5 % for ">20%").
const BUCKETS: [(&str, f64); 5] = [
    ("<5%", 0.025),
    ("5-10%", 0.075),
    ("10-15%", 0.125),
    ("15-20%", 0.175),
    (">20%", 0.225),
];

/// Evictions per instance-hour for a monthly interruption share `p`: a constant rate r with
/// 1 - exp(-r x 730) = p, so r = -ln(1 - p) / 730.
pub fn evictions_per_hour(monthly_share: f64) -> f64 {
    -(1.0 - monthly_share).ln() / HOURS_PER_MONTH
}

pub(super) fn interruption_rates(
    c: Check,
    raw: BTreeMap<String, String>,
) -> Result<BTreeMap<String, f64>, InputError> {
    let mut out = BTreeMap::new();
    for (family, bucket) in raw {
        let Some((_, share)) = BUCKETS.iter().find(|(b, _)| *b == bucket.trim()) else {
            let known: Vec<&str> = BUCKETS.iter().map(|(b, _)| *b).collect();
            return Err(c.err(
                &format!("spot_interruption.{family}"),
                format!(
                    "\"{bucket}\" is not an interruption bucket; expected one of {}",
                    known.join(", ")
                ),
            ));
        };
        out.insert(family, evictions_per_hour(*share));
    }
    Ok(out)
}

pub(super) fn sustained_use(
    c: Check,
    raw: BTreeMap<String, Vec<f64>>,
) -> Result<BTreeMap<String, SustainedUse>, InputError> {
    let mut out = BTreeMap::new();
    for (family, shares) in raw {
        let key = format!("sustained_use.{family}");
        if shares.is_empty() || shares.len() > 31 {
            return Err(c.err(&key, "needs 1 to 31 shares of the base rate (GCP: 4)"));
        }
        let mut previous = 1.0;
        for (i, s) in shares.iter().enumerate() {
            c.range(&format!("{key}[{i}]"), *s, 0.0, 1.0)?;
            if *s > previous {
                return Err(c.err(
                    &format!("{key}[{i}]"),
                    format!("{s} is above the share before it ({previous}): a later slice of the month never costs more"),
                ));
            }
            previous = *s;
        }
        out.insert(family, SustainedUse(shares));
    }
    Ok(out)
}

impl PublicBook {
    /// The sustained-use schedule of instance type `ix`'s family, if it has one.
    pub fn sustained_use(&self, ix: usize) -> Option<&SustainedUse> {
        self.sustained_use.get(&self.instances[ix].family)
    }

    /// Spot evictions per instance-hour of type `ix`: its family's published interruption
    /// bucket, else the book's average.
    pub fn spot_evictions(&self, ix: usize) -> f64 {
        self.instances[ix]
            .spot_evictions_per_hour
            .unwrap_or(self.spot_evictions_per_hour)
    }

    /// Multiplies every spot eviction rate (a venue's `eviction_factor`).
    pub fn scale_evictions(&mut self, factor: f64) {
        self.spot_evictions_per_hour *= factor;
        for t in &mut self.instances {
            if let Some(r) = t.spot_evictions_per_hour.as_mut() {
                *r *= factor;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const N1: [f64; 4] = [1.0, 0.8, 0.6, 0.4];

    #[test]
    fn an_n1_standard_16_month_as_gcp_bills_it() {
        // n1-standard-16 in us-central1: 16 vCPU x 0.031611 + 60 GB x 0.004237 = 0.759996/h;
        // GCP's list month is 730 h x 0.76 = 554.80.
        let sud = SustainedUse(N1.to_vec());
        let hourly = 0.76;
        // A full month: each quarter (182.5 h) at 100, 80, 60 and 40 % of the base rate:
        // 554.80 x (0.25 + 0.2 + 0.15 + 0.1) = 554.80 x 0.7 = 388.36.
        let full = sud.month_cost(&[hourly; 730]);
        assert!((full - 388.36).abs() < 1e-9, "{full}");
        // Half a month (365 h): the first quarter at 100 %, the second at 80 %:
        // 0.76 x (182.5 + 146) = 0.76 x 328.5 = 249.66 (list 277.40, 10 % off).
        let half = sud.month_cost(&[hourly; 365]);
        assert!((half - 249.66).abs() < 1e-9, "{half}");
        // Under a quarter of the month there is no discount: 100 h x 0.76 = 76.
        assert!((sud.month_cost(&[hourly; 100]) - 76.0).abs() < 1e-9);
    }

    #[test]
    fn instances_of_a_family_combine_into_inferred_instances() {
        let sud = SustainedUse(N1.to_vec());
        // Two n1 instances at 0.76/h, one all month, the other for 365 h: the all-month layer
        // gets 388.36, the half-month layer 249.66, as if each ran alone. Which hours the
        // second instance ran does not matter.
        let mut levels = vec![0.76; 730];
        for l in levels.iter_mut().skip(200).take(365) {
            *l += 0.76;
        }
        assert!((sud.month_cost(&levels) - (388.36 + 249.66)).abs() < 1e-9);
        // Two instances one after the other, each half a month, are one inferred instance
        // running all month: 388.36, not 2 x 249.66.
        assert!((sud.month_cost(&[0.76; 730]) - 388.36).abs() < 1e-9);
    }

    #[test]
    fn n2_sustained_use_is_at_most_about_20_percent() {
        // N2: (1 + 0.8678 + 0.733 + 0.6) / 4 = 0.8002 of list for a full month.
        let sud = SustainedUse(vec![1.0, 0.8678, 0.733, 0.6]);
        assert!((sud.billed_hours(730.0) / 730.0 - 0.8002).abs() < 1e-12);
    }

    #[test]
    fn interruption_buckets_become_hourly_rates() {
        // 5-10 % interrupted a month -> 7.5 %: -ln(0.925) / 730 = 0.0779615 / 730.
        assert!((evictions_per_hour(0.075) - 0.077_961_541 / 730.0).abs() < 1e-12);
        let c = Check::new(std::path::Path::new("b.toml"), "public");
        let raw = BTreeMap::from([("m5".to_string(), "5 to 10".to_string())]);
        let err = interruption_rates(c, raw).unwrap_err();
        assert!(
            err.to_string().contains("not an interruption bucket"),
            "{err}"
        );
    }
}
