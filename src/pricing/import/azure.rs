//! Azure Retail Prices API pages
//! (https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices),
//! saved as JSON: `{"BillingCurrency", "CustomerEntityId", "CustomerEntityType", "Items": [..],
//! "NextPageLink", "Count"}`. Each item has `currencyCode`, `retailPrice`, `unitPrice`,
//! `armRegionName`, `effectiveStartDate`, `productName`, `skuName`, `serviceName`,
//! `unitOfMeasure`, `type` (Consumption, Reservation, DevTestConsumption), `armSkuName`,
//! `reservationTerm` (reservations: "1 Year" or "3 Years", `unitPrice` the whole term) and
//! `savingsPlan` ([{unitPrice, retailPrice, term}], hourly rates under the plan).
//!
//! The API gives no vCPU or memory, so sizes come from the name: Standard_D4s_v5 has 4 vCPUs,
//! and its series' memory per vCPU (D v3 and later 4 GiB, E v3 and later 8 GiB, F v2 2 GiB, as
//! Microsoft's size pages list them). Other series are left out and counted.
//!
//! Pages of `serviceName eq 'Virtual Machines Licenses'` carry the SQL Server licences billed
//! beside a VM: `productName` "SQL Server Standard" or "SQL Server Enterprise", one meter per
//! band of VM sizes (`meterName` "1-4 vCPU VM License", "8 vCPU VM License", ...), global
//! (`armRegionName` ""). Microsoft licenses SQL Server per core with a 4-core minimum, so the
//! bands follow one rate per vCPU-hour with a minimum count: the lowest band (from 1 vCPU)
//! gives the minimum (its top) and the rate (its price over the minimum), and every other
//! band must be priced at that rate, or the import fails naming the meter.

use super::{Imported, ImportedInstance, ImportedPlan, ImportedReserved, currency, newest};
use crate::error::{Error, InputError};
use crate::pricing::{SqlEdition, SqlRate, Term, Upfront};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Page {
    #[serde(default)]
    billing_currency: String,
    items: Vec<Item>,
    #[serde(default, rename = "NextPageLink")]
    _next_page_link: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    currency_code: String,
    unit_price: f64,
    arm_region_name: String,
    #[serde(default)]
    effective_start_date: String,
    product_name: String,
    sku_name: String,
    service_name: String,
    unit_of_measure: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    arm_sku_name: String,
    #[serde(default)]
    meter_name: String,
    reservation_term: Option<String>,
    #[serde(default)]
    savings_plan: Vec<PlanRate>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlanRate {
    unit_price: f64,
    term: String,
}

/// A size read from its name: family ("Dsv5"), vCPUs and memory.
fn size(arm_sku: &str) -> Option<(String, u32, f64)> {
    let rest = arm_sku.strip_prefix("Standard_")?;
    let (base, version) = rest.split_once('_')?;
    if base.contains('-') {
        return None; // constrained-vCPU sizes (E4-2s_v5) bill as their parent
    }
    let series: String = base
        .chars()
        .take_while(|c| c.is_ascii_uppercase())
        .collect();
    let digits: String = base[series.len()..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let features = &base[series.len() + digits.len()..];
    let vcpus: u32 = digits.parse().ok()?;
    let v: u32 = version.strip_prefix('v')?.parse().ok()?;
    let per_vcpu = match (series.as_str(), v) {
        ("D", 3..) => 4.0,
        ("E", 3..) => 8.0,
        ("F", 2) => 2.0,
        _ => return None,
    };
    // The largest E sizes stop at 672 GiB (E96, E104), below 8 GiB a vCPU.
    let mem = if series == "E" && vcpus >= 96 {
        672.0
    } else {
        per_vcpu * f64::from(vcpus)
    };
    Some((format!("{series}{features}{version}"), vcpus, mem))
}

fn term_of(text: &str) -> Option<Term> {
    match text {
        "1 Year" => Some(Term::OneYear),
        "3 Years" => Some(Term::ThreeYears),
        _ => None,
    }
}

#[derive(Default)]
pub(super) struct Prices {
    linux: Option<f64>,
    windows: Option<f64>,
    spot: Option<f64>,
    /// Savings-plan discount off the Linux price, by term.
    plan: BTreeMap<Term, f64>,
}

/// One SQL Server licence meter: the band of VM sizes it prices, and where it was read.
struct Band {
    lo: u32,
    hi: u32,
    price: f64,
    /// The page and item, for errors.
    path: std::path::PathBuf,
    at: String,
}

impl Band {
    fn err(&self, msg: String) -> InputError {
        InputError::key(&self.path, format!("{}.unitPrice", self.at), msg)
    }

    fn name(&self) -> String {
        if self.lo == self.hi {
            format!("{} vCPU", self.lo)
        } else {
            format!("{}-{} vCPU", self.lo, self.hi)
        }
    }
}

/// What was read across all pages: prices by size (a size's Linux, Windows and spot prices
/// may sit on different pages) and SQL Server licence bands by edition.
#[derive(Default)]
pub(super) struct State {
    sizes: BTreeMap<String, (String, u32, f64, Prices)>,
    sql: BTreeMap<SqlEdition, Vec<Band>>,
}

/// "1-4 vCPU VM License" -> (1, 4); "8 vCPU VM License" -> (8, 8).
fn band_of(meter: &str) -> Option<(u32, u32)> {
    let count = meter.strip_suffix(" vCPU VM License")?;
    let (lo, hi) = match count.split_once('-') {
        Some((lo, hi)) => (lo.parse().ok()?, hi.parse().ok()?),
        None => {
            let n = count.parse().ok()?;
            (n, n)
        }
    };
    (1 <= lo && lo <= hi).then_some((lo, hi))
}

/// A licence meter of a `Virtual Machines Licenses` page: a SQL Server band kept in `state`,
/// anything else left out and counted.
fn licence(
    item: &Item,
    at: &str,
    path: &Path,
    out: &mut Imported,
    state: &mut State,
) -> Result<(), InputError> {
    let global = item.arm_region_name.is_empty() || item.arm_region_name == out.region;
    if !global || item.kind == "DevTestConsumption" {
        return Ok(());
    }
    let Some(edition) = SqlEdition::of_product(&item.product_name) else {
        out.skip("Azure licence other than SQL Server Standard or Enterprise");
        return Ok(());
    };
    if item.kind != "Consumption" || item.unit_of_measure != "1 Hour" {
        out.skip("Azure licence meter that is not an hourly consumption price");
        return Ok(());
    }
    let Some((lo, hi)) = band_of(&item.meter_name) else {
        let msg = format!(
            "\"{}\" is not a band of VM sizes; expected e.g. \"1-4 vCPU VM License\" or \"8 vCPU VM License\"",
            item.meter_name
        );
        return Err(InputError::key(path, format!("{at}.meterName"), msg));
    };
    if !(item.unit_price.is_finite() && item.unit_price >= 0.0) {
        let msg = format!("unitPrice {} is not a price >= 0", item.unit_price);
        return Err(InputError::key(path, format!("{at}.unitPrice"), msg));
    }
    currency(
        out,
        &item.currency_code,
        path,
        &format!("{at}.currencyCode"),
    )?;
    newest(&mut out.as_of, &item.effective_start_date);
    state.sql.entry(edition).or_default().push(Band {
        lo,
        hi,
        price: item.unit_price,
        path: path.to_path_buf(),
        at: at.to_string(),
    });
    Ok(())
}

/// An edition's rate per vCPU-hour and minimum vCPU count from its band meters: the band
/// from 1 vCPU sets the minimum (its top) and the rate (its price / the minimum, to 6
/// decimals); every band must then cost rate x max(its vCPUs, minimum), within 0.01 %.
fn sql_rate(edition: SqlEdition, mut bands: Vec<Band>) -> Result<SqlRate, InputError> {
    bands.sort_by_key(|b| (b.lo, b.hi));
    let product = edition.product();
    let first = &bands[0];
    if first.lo != 1 {
        let msg = format!(
            "the lowest {product} band is {}: without a band from 1 vCPU the minimum vCPU count is unknown",
            first.name()
        );
        return Err(first.err(msg));
    }
    let min_vcpus = first.hi;
    let vcpu_hour = super::round6(first.price / f64::from(min_vcpus));
    for pair in bands.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if (a.lo, a.hi) == (b.lo, b.hi) && a.price != b.price {
            let msg = format!(
                "{product} {} at {}/h, but {} in {} at {}",
                b.name(),
                b.price,
                a.price,
                a.path.display(),
                a.at
            );
            return Err(b.err(msg));
        }
    }
    for b in &bands {
        if b.lo != b.hi && b.hi > min_vcpus {
            let msg = format!(
                "{product} {} at one price {}/h: above the {min_vcpus}-vCPU minimum a per-vCPU rate prices each size apart",
                b.name(),
                b.price
            );
            return Err(b.err(msg));
        }
        let cores = b.hi.max(min_vcpus);
        let expected = vcpu_hour * f64::from(cores);
        if (b.price - expected).abs() > 1e-4 * expected.max(1.0) {
            let msg = format!(
                "{product} {} at {}/h is not {cores} x {vcpu_hour} = {}: the meters contradict a rate per vCPU-hour ({vcpu_hour}, from the {} band at {}/h) with a {min_vcpus}-vCPU minimum",
                b.name(),
                b.price,
                super::round6(expected),
                first.name(),
                first.price
            );
            return Err(b.err(msg));
        }
    }
    Ok(SqlRate {
        vcpu_hour,
        min_vcpus,
    })
}

pub(super) fn read(
    bytes: Vec<u8>,
    path: &Path,
    out: &mut Imported,
    state: &mut State,
) -> Result<(), Error> {
    out.source = "Azure Retail Prices API (Virtual Machines)".into();
    let page: Page = serde_json::from_slice(&bytes).map_err(|e| {
        InputError::line(
            path,
            e.line() as u64,
            format!("{e} (expected a Retail Prices API page)"),
        )
    })?;
    for (i, item) in page.items.iter().enumerate() {
        let at = format!("Items[{i}]");
        if item.service_name == "Virtual Machines Licenses" {
            licence(item, &at, path, out, state)?;
            continue;
        }
        let ours = item.service_name == "Virtual Machines" && item.arm_region_name == out.region;
        if !ours || item.kind == "DevTestConsumption" {
            continue;
        }
        if !(item.unit_price.is_finite() && item.unit_price >= 0.0) {
            let msg = format!("unitPrice {} is not a price >= 0", item.unit_price);
            return Err(InputError::key(path, format!("{at}.unitPrice"), msg).into());
        }
        let Some((family, vcpus, mem)) = size(&item.arm_sku_name) else {
            out.skip(
                "Azure size without a vCPU/memory rule (series other than D v3+, E v3+, F v2)",
            );
            continue;
        };
        let code = if page.billing_currency.is_empty() {
            &item.currency_code
        } else {
            &page.billing_currency
        };
        currency(out, code, path, &format!("{at}.currencyCode"))?;
        newest(&mut out.as_of, &item.effective_start_date);
        let e = state
            .sizes
            .entry(item.arm_sku_name.clone())
            .or_insert_with(|| (family, vcpus, mem, Prices::default()));
        let p = &mut e.3;
        match (item.kind.as_str(), &item.reservation_term) {
            ("Reservation", Some(term)) => {
                let Some(term) = term_of(term) else {
                    let msg =
                        format!("reservationTerm \"{term}\" is not \"1 Year\" or \"3 Years\"");
                    return Err(InputError::key(path, format!("{at}.reservationTerm"), msg).into());
                };
                // The whole term's price, paid upfront or monthly at the same total.
                for (upfront, fee, hourly) in [
                    (Upfront::All, item.unit_price, 0.0),
                    (Upfront::None, 0.0, item.unit_price / term.hours()),
                ] {
                    out.reserved.push(ImportedReserved {
                        instance: item.arm_sku_name.clone(),
                        term,
                        upfront,
                        upfront_cost: fee,
                        hourly,
                    });
                }
            }
            ("Consumption", _) if item.unit_of_measure == "1 Hour" => {
                let low =
                    |v: Option<f64>| Some(v.map_or(item.unit_price, |x| x.min(item.unit_price)));
                if item.sku_name.ends_with(" Low Priority") {
                    continue;
                } else if item.sku_name.ends_with(" Spot") {
                    if !item.product_name.ends_with(" Windows") {
                        p.spot = low(p.spot);
                    }
                } else if item.product_name.ends_with(" Windows") {
                    p.windows = low(p.windows);
                } else {
                    p.linux = low(p.linux);
                    for r in &item.savings_plan {
                        if let (Some(term), true) = (term_of(&r.term), item.unit_price > 0.0) {
                            p.plan.insert(term, 1.0 - r.unit_price / item.unit_price);
                        }
                    }
                }
            }
            _ => {
                out.skip("Azure item that is neither an hourly consumption price nor a reservation")
            }
        }
    }
    Ok(())
}

/// Instance types with a Linux price, per term the smallest savings-plan discount of each
/// family (what the plan surely saves on any of its sizes), and the SQL Server licence rates.
pub(super) fn collect(state: State, out: &mut Imported) -> Result<(), InputError> {
    if !state.sql.is_empty() {
        out.source = "Azure Retail Prices API (Virtual Machines; Virtual Machines Licenses)".into();
    }
    for (edition, bands) in state.sql {
        out.sql.insert(edition, sql_rate(edition, bands)?);
    }
    let mut plans: BTreeMap<Term, BTreeMap<String, f64>> = BTreeMap::new();
    for (name, (family, vcpus, mem, p)) in state.sizes {
        let Some(hourly) = p.linux else {
            out.skip("Azure size without a Linux pay-as-you-go price");
            continue;
        };
        for (term, d) in &p.plan {
            let d = (d * 10_000.0).round() / 10_000.0;
            let e = plans
                .entry(*term)
                .or_default()
                .entry(family.clone())
                .or_insert(d);
            *e = e.min(d);
        }
        out.instances.push(ImportedInstance {
            name,
            family: family.clone(),
            vcpus,
            mem_gib: mem,
            hourly,
            windows_hourly: p.windows.filter(|w| *w >= hourly),
            spot_hourly: p.spot,
            gpus: 0,
            gpu: String::new(),
            // The v3 series are the older generation: quoted and reservable, not right-sized.
            right_size: !family.ends_with("v3"),
        });
    }
    for (term, discounts) in plans {
        let discounts: BTreeMap<String, f64> = discounts
            .into_iter()
            .filter(|(_, d)| *d > 0.0 && *d < 0.99)
            .collect();
        if discounts.is_empty() {
            continue;
        }
        match out.savings_plans.iter_mut().find(|p| p.term == term) {
            Some(p) => p.discounts.extend(discounts),
            None => out.savings_plans.push(ImportedPlan {
                name: "Azure savings plan for compute".into(),
                term,
                discounts,
            }),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{band_of, size};

    #[test]
    fn licence_bands_come_from_the_meter_name() {
        assert_eq!(band_of("1-4 vCPU VM License"), Some((1, 4)));
        assert_eq!(band_of("8 vCPU VM License"), Some((8, 8)));
        assert_eq!(band_of("4-1 vCPU VM License"), None);
        assert_eq!(band_of("0 vCPU VM License"), None);
        assert_eq!(band_of("8 vCPU License"), None);
    }

    #[test]
    fn sizes_come_from_the_name_and_the_series_memory_rule() {
        assert_eq!(size("Standard_D4s_v5"), Some(("Dsv5".into(), 4, 16.0)));
        assert_eq!(size("Standard_E8as_v5"), Some(("Easv5".into(), 8, 64.0)));
        assert_eq!(size("Standard_F16s_v2"), Some(("Fsv2".into(), 16, 32.0)));
        assert_eq!(size("Standard_E96s_v5"), Some(("Esv5".into(), 96, 672.0)));
        assert_eq!(size("Standard_E4-2s_v5"), None); // constrained vCPUs
        assert_eq!(size("Standard_D2_v2"), None); // 7 GiB: an older rule
        assert_eq!(size("Standard_NC6s_v3"), None); // GPU series: no rule
    }
}
