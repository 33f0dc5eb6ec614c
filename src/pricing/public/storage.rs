//! Storage classes of a public region: block volumes (gp3, io2, pd-balanced), size-tiered
//! managed disks (Azure Premium SSD: a price per disk of the smallest size that holds it) and
//! object storage in volume tiers (S3 Standard). `PublicBook::disk_month_cost` prices one
//! volume for a month; the default class (`storage_gb_month`) prices VM disks in the run.

use super::PublicBook;
use crate::error::InputError;
use crate::pricing::check::Check;
use crate::pricing::tiers::{RawTier, Tiers};
use serde::Deserialize;

/// How a class charges for capacity.
#[derive(Debug, Clone, PartialEq)]
pub enum Capacity {
    /// Per GiB-month, in volume tiers (one tier for a flat price).
    PerGb(Tiers),
    /// A price per disk-month for the smallest size that holds the volume (Azure managed
    /// disks bill a 200 GiB disk as a P15, 256 GiB).
    Sizes(Vec<DiskSize>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiskSize {
    pub name: String,
    pub gib: f64,
    pub monthly: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StorageClass {
    pub name: String,
    pub capacity: Capacity,
    /// Provisioned IOPS per IOPS-month in tiers (a free first tier holds the IOPS included,
    /// e.g. gp3's 3,000); `None`: IOPS are not priced.
    pub iops: Option<Tiers>,
    /// The most IOPS one volume may have (`None`: no limit in the book).
    pub max_iops: Option<f64>,
}

/// A storage quote that cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DiskError {
    #[error("no storage class \"{class}\" in this book (it has: {known})")]
    UnknownClass { class: String, known: String },
    #[error("{what} {value} must be a finite number >= 0")]
    Negative { what: &'static str, value: f64 },
    #[error("{gb} GiB is larger than the largest {class} disk ({largest} GiB)")]
    TooLarge {
        class: String,
        gb: f64,
        largest: f64,
    },
    #[error("{iops} IOPS is above {class}'s limit of {max} per volume")]
    TooManyIops { class: String, iops: f64, max: f64 },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStorageClass {
    class: String,
    gb_month: Option<f64>,
    gb_tiers: Option<Vec<RawTier>>,
    sizes: Option<Vec<RawDiskSize>>,
    iops_tiers: Option<Vec<RawIopsTier>>,
    max_iops: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDiskSize {
    name: String,
    gib: f64,
    monthly: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIopsTier {
    up_to: Option<f64>,
    price: f64,
}

pub(super) fn classes(
    c: Check,
    raw: Vec<RawStorageClass>,
) -> Result<Vec<StorageClass>, InputError> {
    let mut out: Vec<StorageClass> = Vec::with_capacity(raw.len());
    for (i, r) in raw.into_iter().enumerate() {
        let at = format!("storage[{i}]");
        c.name(&format!("{at}.class"), &r.class)?;
        if out.iter().any(|s| s.name == r.class) {
            let msg = format!("storage class \"{}\" is listed twice", r.class);
            return Err(c.err(&format!("{at}.class"), msg));
        }
        let capacity = capacity(c, &at, r.gb_month, r.gb_tiers, r.sizes)?;
        let iops = match r.iops_tiers {
            Some(t) => {
                let pairs = t.into_iter().map(|t| (t.up_to, t.price)).collect();
                let field = format!("{at}.iops_tiers");
                Some(Tiers::from_pairs(pairs, c, &field, ("up_to", "price"))?)
            }
            None => None,
        };
        let max_iops = match r.max_iops {
            Some(m) => Some(c.positive(&format!("{at}.max_iops"), m)?),
            None => None,
        };
        out.push(StorageClass {
            name: r.class,
            capacity,
            iops,
            max_iops,
        });
    }
    Ok(out)
}

/// Exactly one of a flat price, volume tiers or disk sizes.
fn capacity(
    c: Check,
    at: &str,
    flat: Option<f64>,
    tiers: Option<Vec<RawTier>>,
    sizes: Option<Vec<RawDiskSize>>,
) -> Result<Capacity, InputError> {
    match (flat, tiers, sizes) {
        (Some(p), None, None) => Ok(Capacity::PerGb(Tiers::flat(
            c.price(&format!("{at}.gb_month"), p)?,
        ))),
        (None, Some(t), None) => Ok(Capacity::PerGb(Tiers::validate(
            t,
            c,
            &format!("{at}.gb_tiers"),
        )?)),
        (None, None, Some(s)) => {
            let mut sizes: Vec<DiskSize> = Vec::with_capacity(s.len());
            for (j, d) in s.into_iter().enumerate() {
                let key = |f: &str| format!("{at}.sizes[{j}].{f}");
                let gib = c.positive(&key("gib"), d.gib)?;
                if sizes.last().is_some_and(|p| p.gib >= gib) {
                    let msg = format!("{gib} GiB must be above the previous size: sizes go in rising order");
                    return Err(c.err(&key("gib"), msg));
                }
                sizes.push(DiskSize {
                    monthly: c.price(&key("monthly"), d.monthly)?,
                    name: d.name,
                    gib,
                });
            }
            if sizes.is_empty() {
                return Err(c.err(&format!("{at}.sizes"), "needs at least one size"));
            }
            Ok(Capacity::Sizes(sizes))
        }
        _ => Err(c.err(
            &format!("{at}.gb_month"),
            "give exactly one of gb_month (flat), gb_tiers (volume tiers) or sizes (a price per disk size)",
        )),
    }
}

/// One month of a volume, by part.
#[derive(Debug, Clone, PartialEq)]
pub struct DiskMonth {
    /// Capacity: GiB x price through the tiers, or the disk size's monthly price.
    pub capacity: f64,
    /// The disk size billed, for size-tiered classes.
    pub size: Option<DiskSize>,
    /// Provisioned IOPS beyond what is included.
    pub iops: f64,
}

impl DiskMonth {
    pub fn total(&self) -> f64 {
        self.capacity + self.iops
    }
}

impl PublicBook {
    pub fn storage_class(&self, class: &str) -> Option<&StorageClass> {
        self.storage.iter().find(|s| s.name == class)
    }

    /// What one volume of `gb` GiB with `iops` provisioned IOPS costs a month in `class`.
    pub fn disk_month(&self, class: &str, gb: f64, iops: f64) -> Result<DiskMonth, DiskError> {
        let s = self
            .storage_class(class)
            .ok_or_else(|| DiskError::UnknownClass {
                class: class.to_string(),
                known: self
                    .storage
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        for (what, value) in [("GiB", gb), ("IOPS", iops)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(DiskError::Negative { what, value });
            }
        }
        if let Some(max) = s.max_iops.filter(|m| iops > *m) {
            return Err(DiskError::TooManyIops {
                class: s.name.clone(),
                iops,
                max,
            });
        }
        let (capacity, size) = match &s.capacity {
            Capacity::PerGb(t) => (t.cost(gb), None),
            Capacity::Sizes(sizes) => {
                let d = sizes
                    .iter()
                    .find(|d| d.gib >= gb)
                    .ok_or_else(|| DiskError::TooLarge {
                        class: s.name.clone(),
                        gb,
                        largest: sizes.last().map_or(0.0, |d| d.gib),
                    })?;
                (d.monthly, Some(d.clone()))
            }
        };
        let iops = s.iops.as_ref().map_or(0.0, |t| t.cost(iops));
        Ok(DiskMonth {
            capacity,
            size,
            iops,
        })
    }

    /// `disk_month(..).total()`: one volume's month in the book's currency.
    pub fn disk_month_cost(&self, class: &str, gb: f64, iops: f64) -> Result<f64, DiskError> {
        self.disk_month(class, gb, iops).map(|d| d.total())
    }
}

#[cfg(test)]
mod tests {
    use crate::pricing::{Book, BookKind, PublicBook};
    use std::path::Path;

    fn shipped(rel: &str) -> PublicBook {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
        match Book::load(&path).unwrap().kind {
            BookKind::Public(p) => p,
            _ => unreachable!(),
        }
    }

    #[test]
    fn aws_volumes_and_s3_tiers() {
        let aws = shipped("pricing/aws-us-east-1.toml");
        // gp3 (https://aws.amazon.com/ebs/pricing/): 0.08/GB-month, 3,000 IOPS included, then
        // 0.005 per IOPS-month. 500 GiB at 6,000 IOPS: 40.00 + 3,000 x 0.005 = 15.00 -> 55.00.
        let gp3 = aws.disk_month_cost("gp3", 500.0, 6_000.0).unwrap();
        assert!((gp3 - 55.0).abs() < 1e-9);
        // io2: 0.125/GB-month, 0.065 per IOPS-month to 32,000, 0.0455 to 64,000. 1,000 GiB at
        // 40,000 IOPS: 125 + 32,000 x 0.065 (2,080) + 8,000 x 0.0455 (364) = 2,569.
        let io2 = aws.disk_month_cost("io2", 1_000.0, 40_000.0).unwrap();
        assert!((io2 - 2_569.0).abs() < 1e-9);
        // S3 Standard: 0.023 for the first 50 TB, 0.022 for the next 450 TB. 100 TiB = 102,400
        // GB: 51,200 x 0.023 (1,177.60) + 51,200 x 0.022 (1,126.40) = 2,304.00.
        let s3 = aws.disk_month_cost("s3-standard", 102_400.0, 0.0).unwrap();
        assert!((s3 - 2_304.0).abs() < 1e-9);
        assert!(aws.disk_month_cost("gp9", 1.0, 0.0).is_err());
        assert!(aws.disk_month_cost("gp3", -1.0, 0.0).is_err());
    }

    #[test]
    fn azure_premium_ssd_bills_the_size_that_holds_the_disk() {
        let azure = shipped("pricing/azure-eastus.toml");
        // 200 GiB does not fit a P10 (128 GiB): billed as a P15 (256 GiB), 38.02 a month.
        let d = azure.disk_month("premium-ssd", 200.0, 0.0).unwrap();
        assert_eq!(d.size.as_ref().unwrap().name, "P15");
        assert!((d.total() - 38.02).abs() < 1e-9);
        assert!(azure.disk_month("premium-ssd", 100_000.0, 0.0).is_err());
        // GCP pd-balanced (https://cloud.google.com/compute/disks-image-pricing): 0.10/GB-month.
        let gcp = shipped("pricing/gcp-us-central1.toml");
        assert!((gcp.disk_month_cost("pd-balanced", 250.0, 0.0).unwrap() - 25.0).abs() < 1e-9);
    }
}
