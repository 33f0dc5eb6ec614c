//! AWS Price List bulk offer files for AmazonEC2
//! (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-an-offer.html).
//! CSV: five metadata rows ("FormatVersion", "Disclaimer", "Publication Date", "Version",
//! "OfferCode"), a header row, then one row per price dimension: the product's attributes
//! (columns "Instance Type", "vCPU", "Memory", "Operating System", ...) beside the term's
//! ("TermType" OnDemand or Reserved, "Unit" Hrs or Quantity, "PricePerUnit",
//! "LeaseContractLength", "PurchaseOption", "OfferingClass"). JSON (`aws_json.rs`): `products`
//! by SKU, then `terms.OnDemand` and `terms.Reserved` by SKU and offer term.
//!
//! Kept: compute instances of the region on shared tenancy, Linux or Windows without
//! pre-installed software or a licence brought along, capacity status "Used"; standard
//! reservations of the Linux ones. A partial-upfront reservation is two rows (the "Quantity"
//! upfront fee and the "Hrs" rate) that make one offer.

use super::{Imported, ImportedInstance, ImportedReserved, currency, newest};
use crate::error::{Error, InputError};
use crate::pricing::{Term, Upfront};
use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::Path;

/// A product (SKU) worth keeping: an instance type of the region in one OS.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Product {
    pub instance: String,
    pub vcpus: u32,
    pub mem_gib: f64,
    pub windows: bool,
    pub gpus: u32,
    /// "Current Generation": Yes.
    pub current: bool,
}

/// A product's attributes by their JSON names (the CSV's columns are mapped onto them).
pub(super) type Attributes = BTreeMap<String, String>;

/// Whether a product's attributes describe a kept instance, and which. `Err`: an attribute
/// of a kept product that does not parse (named, with its value).
pub(super) fn product(
    family: &str,
    a: &Attributes,
    region: &str,
) -> Result<Option<Product>, String> {
    let get = |k: &str| a.get(k).map(String::as_str).unwrap_or("");
    let os = get("operatingSystem");
    let kept = family == "Compute Instance"
        && get("regionCode") == region
        && get("tenancy") == "Shared"
        && (os == "Linux" || os == "Windows")
        && get("preInstalledSw") == "NA"
        && get("licenseModel") == "No License required"
        && get("capacitystatus") == "Used";
    if !kept {
        return Ok(None);
    }
    let vcpus = get("vcpu")
        .parse::<u32>()
        .map_err(|_| format!("vcpu \"{}\" is not a whole number", get("vcpu")))?;
    let memory = get("memory");
    let mem_gib = memory
        .trim_end_matches("GiB")
        .trim()
        .replace(',', "")
        .parse::<f64>()
        .map_err(|_| format!("memory \"{memory}\" is not \"<number> GiB\""))?;
    let gpus = match get("gpu") {
        "" | "NA" | "0" => 0,
        g => g
            .parse::<u32>()
            .map_err(|_| format!("gpu \"{g}\" is not a whole number"))?,
    };
    Ok(Some(Product {
        instance: get("instanceType").to_string(),
        vcpus,
        mem_gib,
        windows: os == "Windows",
        gpus,
        current: get("currentGeneration") != "No",
    }))
}

/// One price dimension of a term.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Dimension {
    pub reserved: bool,
    /// "Hrs" or "Quantity" (an upfront fee).
    pub unit: String,
    pub price: f64,
    pub currency: String,
    pub lease: String,
    pub purchase: String,
    pub class: String,
}

/// Prices gathered per SKU and offer term, turned into instance types at the end.
#[derive(Default)]
pub(super) struct Gather {
    pub products: BTreeMap<String, Product>,
    on_demand: BTreeMap<String, f64>,
    /// (SKU, offer term) -> (term, upfront option, upfront fee, hourly).
    reserved: BTreeMap<(String, String), (Term, Upfront, f64, f64)>,
}

impl Gather {
    /// Adds a price dimension of SKU `sku`, offer term `term_code`, if its product is kept.
    pub fn add(
        &mut self,
        sku: &str,
        term_code: &str,
        d: &Dimension,
        out: &mut Imported,
        path: &Path,
        at: &str,
    ) -> Result<(), InputError> {
        if !self.products.contains_key(sku) {
            return Ok(());
        }
        currency(out, &d.currency, path, at)?;
        if !d.reserved {
            if d.unit == "Hrs" {
                self.on_demand.insert(sku.to_string(), d.price);
            }
            return Ok(());
        }
        if d.class != "standard" {
            return Ok(());
        }
        let term = match d.lease.as_str() {
            "1yr" => Term::OneYear,
            "3yr" => Term::ThreeYears,
            other => {
                let msg = format!("LeaseContractLength \"{other}\" is not 1yr or 3yr");
                return Err(InputError::key(path, at, msg));
            }
        };
        let Some(upfront) = Upfront::parse(&d.purchase) else {
            let msg = format!(
                "PurchaseOption \"{}\" is not No Upfront, Partial Upfront or All Upfront",
                d.purchase
            );
            return Err(InputError::key(path, at, msg));
        };
        let e = self
            .reserved
            .entry((sku.to_string(), term_code.to_string()))
            .or_insert((term, upfront, 0.0, 0.0));
        match d.unit.as_str() {
            "Quantity" => e.2 = d.price,
            "Hrs" => e.3 = d.price,
            _ => {}
        }
        Ok(())
    }

    /// The instance types and reservations gathered.
    pub fn finish(self, out: &mut Imported) {
        let mut types: BTreeMap<String, ImportedInstance> = BTreeMap::new();
        // Linux first, so a Windows price lands on its type.
        for windows in [false, true] {
            for (sku, p) in self.products.iter().filter(|(_, p)| p.windows == windows) {
                let Some(price) = self.on_demand.get(sku).copied() else {
                    out.skip("AWS product without an on-demand hourly price");
                    continue;
                };
                if windows {
                    match types.get_mut(&p.instance) {
                        Some(t) if price >= t.hourly => t.windows_hourly = Some(price),
                        _ => out.skip("AWS Windows price without its Linux type"),
                    }
                    continue;
                }
                let family = p.instance.split('.').next().unwrap_or("").to_string();
                let right_size = p.current && !family.starts_with('t') && p.gpus == 0;
                types.insert(
                    p.instance.clone(),
                    ImportedInstance {
                        name: p.instance.clone(),
                        gpu: if p.gpus > 0 {
                            format!("{family} GPU")
                        } else {
                            String::new()
                        },
                        family,
                        vcpus: p.vcpus,
                        mem_gib: p.mem_gib,
                        hourly: price,
                        windows_hourly: None,
                        spot_hourly: None,
                        gpus: p.gpus,
                        // Burstable (t*), previous-generation and GPU types are for quotes
                        // and named reservations, not for right-sizing.
                        right_size,
                    },
                );
            }
        }
        for ((sku, _), (term, upfront, fee, hourly)) in self.reserved {
            match self.products.get(&sku) {
                Some(p) if !p.windows => out.reserved.push(ImportedReserved {
                    instance: p.instance.clone(),
                    term,
                    upfront,
                    upfront_cost: fee,
                    hourly,
                }),
                _ => {}
            }
        }
        out.instances.extend(types.into_values());
    }
}

/// Reads an offer file, CSV or JSON by its first byte.
pub(super) fn read(mut reader: impl BufRead, path: &Path, out: &mut Imported) -> Result<(), Error> {
    out.source = "AWS Price List bulk offer file (AmazonEC2)".into();
    let first = reader
        .fill_buf()
        .map_err(|e| Error::io(path, e))?
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .copied();
    match first {
        Some(b'{') => super::aws_json::read(reader, path, out),
        Some(_) => read_csv(reader, path, out),
        None => Err(InputError::file(path, "is empty; expected an AWS offer file").into()),
    }
}

/// The CSV columns read, and the JSON attribute each stands for.
const COLUMNS: [(&str, &str); 13] = [
    ("Current Generation", "currentGeneration"),
    ("Location Type", ""),
    ("Region Code", "regionCode"),
    ("Instance Type", "instanceType"),
    ("vCPU", "vcpu"),
    ("Memory", "memory"),
    ("Tenancy", "tenancy"),
    ("Operating System", "operatingSystem"),
    ("License Model", "licenseModel"),
    ("Pre Installed S/W", "preInstalledSw"),
    ("CapacityStatus", "capacitystatus"),
    ("GPU", "gpu"),
    ("Product Family", ""),
];

const TERM_COLUMNS: [&str; 10] = [
    "SKU",
    "OfferTermCode",
    "TermType",
    "Unit",
    "PricePerUnit",
    "Currency",
    "LeaseContractLength",
    "PurchaseOption",
    "OfferingClass",
    "Product Family",
];

fn read_csv(reader: impl Read, path: &Path, out: &mut Imported) -> Result<(), Error> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::StringRecord::new();
    let line_err = |line: u64, msg: String| InputError::line(path, line, msg);
    // The five metadata rows.
    for _ in 0..5 {
        let more = csv
            .read_record(&mut record)
            .map_err(|e| line_err(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        if !more {
            return Err(line_err(
                1,
                "ends inside the metadata rows; expected an AWS offer file".into(),
            )
            .into());
        }
        match (record.get(0), record.get(1)) {
            (Some("Publication Date"), Some(d)) => newest(&mut out.as_of, d),
            (Some("OfferCode"), Some(code)) if code != "AmazonEC2" => {
                let msg =
                    format!("OfferCode \"{code}\": only the AmazonEC2 offer holds instance types");
                return Err(line_err(5, msg).into());
            }
            _ => {}
        }
    }
    if !csv
        .read_record(&mut record)
        .map_err(|e| line_err(6, e.to_string()))?
    {
        return Err(line_err(6, "has no header row after the metadata".into()).into());
    }
    let col = |name: &str| -> Result<usize, InputError> {
        record.iter().position(|h| h == name).ok_or_else(|| {
            line_err(
                6,
                format!("the header has no column \"{name}\" (is this an AWS offer file?)"),
            )
        })
    };
    let attrs: Vec<(usize, &str)> = COLUMNS
        .iter()
        .filter(|(_, json)| !json.is_empty())
        .map(|(c, json)| col(c).map(|i| (i, *json)))
        .collect::<Result<_, _>>()?;
    let t: Vec<usize> = TERM_COLUMNS
        .iter()
        .map(|c| col(c))
        .collect::<Result<_, _>>()?;
    let mut gather = Gather::default();
    let mut a = Attributes::new();
    while csv
        .read_record(&mut record)
        .map_err(|e| line_err(e.position().map_or(0, |p| p.line()), e.to_string()))?
    {
        let line = record.position().map_or(0, |p| p.line());
        let get = |i: usize| record.get(i).unwrap_or("");
        let sku = get(t[0]);
        if !gather.products.contains_key(sku) {
            a.clear();
            for (i, json) in &attrs {
                a.insert((*json).to_string(), get(*i).to_string());
            }
            match product(get(t[9]), &a, &out.region) {
                Ok(Some(p)) => {
                    gather.products.insert(sku.to_string(), p);
                }
                Ok(None) => continue,
                Err(msg) => return Err(line_err(line, msg).into()),
            }
        }
        let price = get(t[4]);
        let d = Dimension {
            reserved: get(t[2]) == "Reserved",
            unit: get(t[3]).to_string(),
            price: price
                .parse::<f64>()
                .ok()
                .filter(|p| p.is_finite() && *p >= 0.0)
                .ok_or_else(|| {
                    line_err(
                        line,
                        format!("PricePerUnit \"{price}\" is not a price >= 0"),
                    )
                })?,
            currency: get(t[5]).to_string(),
            lease: get(t[6]).to_string(),
            purchase: get(t[7]).to_string(),
            class: get(t[8]).to_string(),
        };
        let at = format!("line {line}");
        gather
            .add(sku, get(t[1]), &d, out, path, &at)
            .map_err(|e| line_err(line, e.message))?;
        if gather.products.len() > 4 * super::MAX_INSTANCES {
            return Err(line_err(line, "too many instance products for one region".into()).into());
        }
    }
    gather.finish(out);
    Ok(())
}
