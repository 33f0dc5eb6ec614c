//! Tiered prices, such as internet egress: each tier's price applies to the quantity that falls
//! within it, from the previous tier's upper bound to its own (per month, for egress).

use super::check::Check;
use crate::error::InputError;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    /// Cumulative upper bound of the tier; `None` for the last, unbounded tier.
    pub up_to: Option<f64>,
    pub price: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tiers(Vec<Tier>);

/// What one tier contributes to a bill.
#[derive(Debug, Clone, PartialEq)]
pub struct TierLine {
    pub from: f64,
    pub to: Option<f64>,
    pub quantity: f64,
    pub price: f64,
    pub cost: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTier {
    up_to_gb: Option<f64>,
    price_gb: f64,
}

impl Tiers {
    /// One price for every unit.
    pub fn flat(price: f64) -> Tiers {
        Tiers(vec![Tier { up_to: None, price }])
    }

    /// Validates tiers: bounds strictly rising, only the last unbounded, prices >= 0.
    pub fn validate(raw: Vec<RawTier>, check: Check, field: &str) -> Result<Tiers, InputError> {
        let pairs = raw.into_iter().map(|t| (t.up_to_gb, t.price_gb)).collect();
        Tiers::from_pairs(pairs, check, field, ("up_to_gb", "price_gb"))
    }

    /// Validates (upper bound, price) pairs; `names` are the keys of the bound and the price,
    /// for messages (`up_to_gb`/`price_gb` for GiB, `up_to`/`price` for IOPS).
    pub fn from_pairs(
        raw: Vec<(Option<f64>, f64)>,
        check: Check,
        field: &str,
        names: (&str, &str),
    ) -> Result<Tiers, InputError> {
        let (bound_key, price_key) = names;
        if raw.is_empty() {
            return Err(check.err(field, "needs at least one tier"));
        }
        let n = raw.len();
        let mut tiers = Vec::with_capacity(n);
        let mut previous = 0.0;
        for (i, (up_to, price)) in raw.into_iter().enumerate() {
            let key = format!("{field}[{i}]");
            check.price(&format!("{key}.{price_key}"), price)?;
            match (up_to, i + 1 == n) {
                (Some(b), _) if !(b.is_finite() && b > previous) => {
                    return Err(check.err(
                        &format!("{key}.{bound_key}"),
                        format!("{b} must be above the previous tier's bound ({previous}): tiers go in rising order"),
                    ));
                }
                (None, false) => {
                    return Err(check.err(
                        &format!("{key}.{bound_key}"),
                        "only the last tier may be unbounded",
                    ));
                }
                (Some(b), _) => previous = b,
                (None, true) => {}
            }
            tiers.push(Tier { up_to, price });
        }
        Ok(Tiers(tiers))
    }

    /// The bill for `quantity`, tier by tier (tiers the quantity does not reach are left out).
    pub fn lines(&self, quantity: f64) -> Vec<TierLine> {
        let mut lines = Vec::new();
        let mut from = 0.0;
        for t in &self.0 {
            if quantity <= from {
                break;
            }
            let top = t.up_to.map_or(quantity, |b| b.min(quantity));
            let q = top - from;
            lines.push(TierLine {
                from,
                to: t.up_to,
                quantity: q,
                price: t.price,
                cost: q * t.price,
            });
            from = t.up_to.unwrap_or(f64::INFINITY);
        }
        lines
    }

    pub fn cost(&self, quantity: f64) -> f64 {
        self.lines(quantity).iter().map(|l| l.cost).sum()
    }

    /// The price of the first unit (what one more GB costs before any volume).
    pub fn first_price(&self) -> f64 {
        self.0.first().map_or(0.0, |t| t.price)
    }

    pub fn tiers(&self) -> &[Tier] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn aws_like() -> Tiers {
        // The first 100 GB free, then 0.09 to 10 TB, 0.085 to 50 TB, 0.05 beyond.
        let raw = vec![
            RawTier {
                up_to_gb: Some(100.0),
                price_gb: 0.0,
            },
            RawTier {
                up_to_gb: Some(10_240.0),
                price_gb: 0.09,
            },
            RawTier {
                up_to_gb: Some(51_200.0),
                price_gb: 0.085,
            },
            RawTier {
                up_to_gb: None,
                price_gb: 0.05,
            },
        ];
        Tiers::validate(
            raw,
            Check::new(Path::new("b.toml"), "public"),
            "egress_tiers",
        )
        .unwrap()
    }

    #[test]
    fn each_tier_prices_its_own_slice() {
        let t = aws_like();
        assert_eq!(t.cost(50.0), 0.0); // inside the free tier
        // 1,000 GB: 100 free + 900 x 0.09 = 81.00
        assert!((t.cost(1_000.0) - 81.0).abs() < 1e-9);
        // 20,480 GB: 100 free + 10,140 x 0.09 (912.60) + 10,240 x 0.085 (870.40) = 1,783.00
        assert!((t.cost(20_480.0) - 1_783.0).abs() < 1e-9);
        // 60,000 GB: 912.60 + 40,960 x 0.085 (3,481.60) + 8,800 x 0.05 (440.00) = 4,834.20
        assert!((t.cost(60_000.0) - 4_834.2).abs() < 1e-9);
        assert_eq!(t.lines(1_000.0).len(), 2);
    }

    #[test]
    fn unordered_or_open_middle_tiers_are_refused() {
        let c = Check::new(Path::new("b.toml"), "public");
        let err = Tiers::validate(
            vec![
                RawTier {
                    up_to_gb: Some(100.0),
                    price_gb: 0.1,
                },
                RawTier {
                    up_to_gb: Some(50.0),
                    price_gb: 0.05,
                },
            ],
            c,
            "egress_tiers",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "b.toml: key `public.egress_tiers[1].up_to_gb`: 50 must be above the previous tier's bound (100): tiers go in rising order"
        );
        let err = Tiers::validate(
            vec![
                RawTier {
                    up_to_gb: None,
                    price_gb: 0.1,
                },
                RawTier {
                    up_to_gb: Some(50.0),
                    price_gb: 0.05,
                },
            ],
            c,
            "egress_tiers",
        )
        .unwrap_err();
        assert!(err.message.contains("only the last tier may be unbounded"));
    }
}
