//! The Cloud Billing Catalog API's SKU list for Compute Engine
//! (https://cloud.google.com/billing/docs/reference/rest/v1/services.skus/list), saved as
//! JSON: `{"skus": [..], "nextPageToken"}`. Each SKU has a `description` ("N2 Instance Core
//! running in Americas"), a `category` (`resourceFamily`, `resourceGroup`, `usageType`:
//! OnDemand, Preemptible, Commit1Yr, Commit3Yr), `serviceRegions`, and `pricingInfo[]` whose
//! `pricingExpression` has a `usageUnit` (h for cores, GiBy.h for memory) and `tieredRates[]`
//! with `unitPrice {currencyCode, units, nanos}`.
//!
//! GCP prices predefined machine types per vCPU-hour and GiB-hour, so the types are built
//! from each series' published shapes (https://cloud.google.com/compute/docs/machine-resource):
//! n1-standard has 3.75 GiB a vCPU, n1-highmem 6.5, n1-highcpu 0.9; N2, N2D and E2 standard 4,
//! highmem 8, highcpu 1; C2 4. Each type's hourly price is vCPUs x the core rate + GiB x the
//! memory rate, rounded to 6 decimals as GCP's calculator shows it; spot and resource-based
//! commitments (1y, 3y: `[[public.reserved]]` with no upfront) the same way.

use super::{Imported, ImportedInstance, ImportedReserved, currency, newest, round6};
use crate::error::{Error, InputError};
use crate::pricing::{Term, Upfront};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Deserialize)]
struct Catalog {
    skus: Vec<Sku>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sku {
    description: String,
    category: Category,
    #[serde(default)]
    service_regions: Vec<String>,
    pricing_info: Vec<PricingInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Category {
    resource_family: String,
    usage_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PricingInfo {
    pricing_expression: Expression,
    #[serde(default)]
    effective_time: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Expression {
    usage_unit: String,
    tiered_rates: Vec<Rate>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rate {
    #[serde(default)]
    start_usage_amount: f64,
    unit_price: Money,
}

/// Google's Money: whole `units` (a string in JSON) and `nanos` (10^-9).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Money {
    currency_code: String,
    #[serde(default)]
    units: String,
    #[serde(default)]
    nanos: i64,
}

/// Machine shapes per series: (class, GiB per vCPU, vCPU counts).
type Shapes = &'static [(&'static str, f64, &'static [u32])];

const N1: Shapes = &[
    // n1-standard-1 is left out: its 1 vCPU would undercut E2 for the smallest VMs, and the
    // shipped books' right-sizing stays on E2 there.
    ("standard", 3.75, &[2, 4, 8, 16, 32, 64, 96]),
    ("highmem", 6.5, &[2, 4, 8, 16, 32, 64, 96]),
    ("highcpu", 0.9, &[2, 4, 8, 16, 32, 64, 96]),
];
const N2: Shapes = &[
    ("standard", 4.0, &[2, 4, 8, 16, 32, 48, 64, 80, 96, 128]),
    ("highmem", 8.0, &[2, 4, 8, 16, 32, 48, 64, 80]),
    ("highcpu", 1.0, &[2, 4, 8, 16, 32, 48, 64, 80, 96]),
];
const N2D: Shapes = &[
    (
        "standard",
        4.0,
        &[2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224],
    ),
    ("highmem", 8.0, &[2, 4, 8, 16, 32, 48, 64, 80, 96]),
    ("highcpu", 1.0, &[2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224]),
];
const E2: Shapes = &[
    ("standard", 4.0, &[2, 4, 8, 16, 32]),
    ("highmem", 8.0, &[2, 4, 8, 16]),
    ("highcpu", 1.0, &[2, 4, 8, 16, 32]),
];
const C2: Shapes = &[("standard", 4.0, &[4, 8, 16, 30, 60])];

const SERIES: [(&str, Shapes); 5] = [("n1", N1), ("n2", N2), ("n2d", N2D), ("e2", E2), ("c2", C2)];

/// The series a SKU's description names, or `None` for SKUs that are not plain predefined
/// vCPU or memory (custom, sole-tenant, GPUs, licences, other series).
fn series_of(description: &str) -> Option<&'static str> {
    const OTHER: [&str; 8] = [
        "Custom",
        "Sole Tenancy",
        "Extended",
        "Premium",
        "GPU",
        "Licensing",
        "Local SSD",
        "Memory-optimized",
    ];
    if OTHER.iter().any(|o| description.contains(o)) {
        return None;
    }
    if description.contains("Compute optimized") {
        return Some("c2");
    }
    for token in description.split_whitespace() {
        match token {
            "N1" => return Some("n1"),
            "N2" => return Some("n2"),
            "N2D" => return Some("n2d"),
            "E2" => return Some("e2"),
            "C2" => return Some("c2"),
            _ => {}
        }
    }
    // "Commitment v1: Cpu in Americas for 1 Year" is N1's commitment.
    description.starts_with("Commitment v1:").then_some("n1")
}

/// (core, memory) rates per series and usage type, as read.
type Rates = BTreeMap<(&'static str, String), (Option<f64>, Option<f64>)>;

pub(super) fn read(bytes: Vec<u8>, path: &Path, out: &mut Imported) -> Result<(), Error> {
    out.source = "GCP Cloud Billing Catalog API, Compute Engine SKUs".into();
    let catalog: Catalog = serde_json::from_slice(&bytes).map_err(|e| {
        InputError::line(
            path,
            e.line() as u64,
            format!("{e} (expected a Cloud Billing Catalog SKU list)"),
        )
    })?;
    let mut rates = Rates::new();
    for (i, sku) in catalog.skus.iter().enumerate() {
        let at = format!("skus[{i}]");
        if sku.category.resource_family != "Compute" || !sku.service_regions.contains(&out.region) {
            continue;
        }
        let Some(series) = series_of(&sku.description) else {
            out.skip(
                "GCP SKU that is not a predefined vCPU or memory rate of N1, N2, N2D, E2 or C2",
            );
            continue;
        };
        let is_core = sku.description.contains("Core") || sku.description.contains("Cpu");
        let is_ram = sku.description.contains("Ram");
        if is_core == is_ram {
            out.skip("GCP SKU that is neither a core nor a memory rate");
            continue;
        }
        let Some(info) = sku.pricing_info.first() else {
            return Err(InputError::key(
                path,
                format!("{at}.pricingInfo"),
                "is empty; expected the SKU's price",
            )
            .into());
        };
        let unit = &info.pricing_expression.usage_unit;
        let expected = if is_core { "h" } else { "GiBy.h" };
        if unit != expected {
            let msg = format!(
                "\"{unit}\" for a {} rate; expected \"{expected}\"",
                if is_core { "core" } else { "memory" }
            );
            return Err(InputError::key(
                path,
                format!("{at}.pricingInfo[0].pricingExpression.usageUnit"),
                msg,
            )
            .into());
        }
        // The last tier: the price beyond any free allowance.
        let Some(rate) = info
            .pricing_expression
            .tiered_rates
            .iter()
            .max_by(|a, b| a.start_usage_amount.total_cmp(&b.start_usage_amount))
        else {
            let key = format!("{at}.pricingInfo[0].pricingExpression.tieredRates");
            return Err(InputError::key(path, key, "is empty; expected at least one rate").into());
        };
        let price = money(&rate.unit_price).ok_or_else(|| {
            let key = format!("{at}.pricingInfo[0].pricingExpression.tieredRates.unitPrice.units");
            InputError::key(
                path,
                key,
                format!("\"{}\" is not a whole number", rate.unit_price.units),
            )
        })?;
        currency(
            out,
            &rate.unit_price.currency_code,
            path,
            &format!("{at}.unitPrice.currencyCode"),
        )?;
        newest(&mut out.as_of, &info.effective_time);
        let e = rates
            .entry((series, sku.category.usage_type.clone()))
            .or_default();
        if is_core {
            e.0 = Some(price);
        } else {
            e.1 = Some(price);
        }
    }
    build(&rates, out);
    Ok(())
}

fn money(m: &Money) -> Option<f64> {
    let units: i64 = if m.units.is_empty() {
        0
    } else {
        m.units.parse().ok()?
    };
    let v = units as f64 + m.nanos as f64 / 1e9;
    (v.is_finite() && v >= 0.0).then_some(v)
}

/// The machine types of each series whose on-demand core and memory rates were both read.
fn build(rates: &Rates, out: &mut Imported) {
    let price = |series: &'static str, usage: &str, v: u32, mem: f64| match rates
        .get(&(series, usage.to_string()))
    {
        Some((Some(core), Some(ram))) => Some(round6(f64::from(v) * core + mem * ram)),
        _ => None,
    };
    for (series, shapes) in SERIES {
        for (class, per_vcpu, sizes) in shapes {
            for v in *sizes {
                let mem = per_vcpu * f64::from(*v);
                let Some(hourly) = price(series, "OnDemand", *v, mem) else {
                    continue;
                };
                let name = format!("{series}-{class}-{v}");
                for (usage, term) in [
                    ("Commit1Yr", Term::OneYear),
                    ("Commit3Yr", Term::ThreeYears),
                ] {
                    if let Some(h) = price(series, usage, *v, mem) {
                        out.reserved.push(ImportedReserved {
                            instance: name.clone(),
                            term,
                            upfront: Upfront::None,
                            upfront_cost: 0.0,
                            hourly: h,
                        });
                    }
                }
                out.instances.push(ImportedInstance {
                    name,
                    family: series.to_string(),
                    vcpus: *v,
                    mem_gib: mem,
                    hourly,
                    windows_hourly: None,
                    spot_hourly: price(series, "Preemptible", *v, mem),
                    gpus: 0,
                    gpu: String::new(),
                    right_size: true,
                });
            }
        }
    }
}
