//! The JSON form of an AWS offer file, read as a stream: `products` (by SKU: `productFamily`,
//! `attributes`) is filtered as it is read, then `terms.OnDemand` and `terms.Reserved` (by
//! SKU, then offer term code: `priceDimensions` by rate code with `unit` and
//! `pricePerUnit.{currency}`, and `termAttributes` with `LeaseContractLength`,
//! `PurchaseOption` and `OfferingClass`) keep only the SKUs kept. Nothing but the kept
//! products is held in memory, so a multi-gigabyte file reads in bounded memory.

use super::aws::{Attributes, Dimension, Gather, product};
use super::{Imported, newest};
use crate::error::{Error, InputError};
use serde::Deserialize;
use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

pub(super) fn read(reader: impl Read, path: &Path, out: &mut Imported) -> Result<(), Error> {
    let mut gather = Gather::default();
    let mut de = serde_json::Deserializer::from_reader(reader);
    let seed = OfferSeed {
        gather: &mut gather,
        out,
        path,
    };
    seed.deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| InputError::line(path, e.line() as u64, e.to_string()))?;
    gather.finish(out);
    Ok(())
}

struct OfferSeed<'a> {
    gather: &'a mut Gather,
    out: &'a mut Imported,
    path: &'a Path,
}

impl<'de> DeserializeSeed<'de> for OfferSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for OfferSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an AWS offer file (an object with products and terms)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen_products = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "publicationDate" => newest(&mut self.out.as_of, &map.next_value::<String>()?),
                "offerCode" => {
                    let code = map.next_value::<String>()?;
                    if code != "AmazonEC2" {
                        return Err(A::Error::custom(format!(
                            "offerCode \"{code}\": only the AmazonEC2 offer holds instance types"
                        )));
                    }
                }
                "products" => {
                    seen_products = true;
                    map.next_value_seed(Products {
                        gather: self.gather,
                        region: &self.out.region,
                    })?;
                }
                "terms" if !seen_products => {
                    return Err(A::Error::custom(
                        "terms come before products; AWS writes products first (a file in another order cannot be streamed)",
                    ));
                }
                "terms" => map.next_value_seed(Terms {
                    gather: self.gather,
                    out: self.out,
                    path: self.path,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProduct {
    #[serde(default)]
    product_family: String,
    #[serde(default)]
    attributes: Attributes,
}

struct Products<'a> {
    gather: &'a mut Gather,
    region: &'a str,
}

impl<'de> DeserializeSeed<'de> for Products<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Products<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("products by SKU")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(sku) = map.next_key::<String>()? {
            let p: RawProduct = map.next_value()?;
            match product(&p.product_family, &p.attributes, self.region) {
                Ok(Some(kept)) => {
                    self.gather.products.insert(sku, kept);
                }
                Ok(None) => {}
                Err(msg) => return Err(A::Error::custom(format!("products.{sku}: {msg}"))),
            }
            if self.gather.products.len() > 4 * super::MAX_INSTANCES {
                return Err(A::Error::custom(
                    "too many instance products for one region",
                ));
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTerm {
    price_dimensions: BTreeMap<String, RawDimension>,
    #[serde(default)]
    term_attributes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDimension {
    unit: String,
    price_per_unit: BTreeMap<String, String>,
}

/// `terms`: term type -> SKU -> offer term code -> term.
struct Terms<'a> {
    gather: &'a mut Gather,
    out: &'a mut Imported,
    path: &'a Path,
}

impl<'de> DeserializeSeed<'de> for Terms<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Terms<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("terms by type (OnDemand, Reserved)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(kind) = map.next_key::<String>()? {
            let reserved = match kind.as_str() {
                "OnDemand" => false,
                "Reserved" => true,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            map.next_value_seed(TermsOfKind {
                reserved,
                kind: &kind,
                gather: &mut *self.gather,
                out: &mut *self.out,
                path: self.path,
            })?;
        }
        Ok(())
    }
}

struct TermsOfKind<'a> {
    reserved: bool,
    kind: &'a str,
    gather: &'a mut Gather,
    out: &'a mut Imported,
    path: &'a Path,
}

impl<'de> DeserializeSeed<'de> for TermsOfKind<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TermsOfKind<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("terms by SKU")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(sku) = map.next_key::<String>()? {
            if !self.gather.products.contains_key(&sku) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let terms: BTreeMap<String, RawTerm> = map.next_value()?;
            for (code, term) in terms {
                let get = |k: &str| term.term_attributes.get(k).cloned().unwrap_or_default();
                for (rate, dim) in &term.price_dimensions {
                    let at = format!("terms.{}.{sku}.{code}.priceDimensions.{rate}", self.kind);
                    let Some((currency, text)) = dim.price_per_unit.iter().next() else {
                        return Err(A::Error::custom(format!("{at}: no pricePerUnit")));
                    };
                    let price = text
                        .parse::<f64>()
                        .ok()
                        .filter(|p| p.is_finite() && *p >= 0.0)
                        .ok_or_else(|| {
                            A::Error::custom(format!(
                                "{at}.pricePerUnit.{currency}: \"{text}\" is not a price >= 0"
                            ))
                        })?;
                    let d = Dimension {
                        reserved: self.reserved,
                        unit: dim.unit.clone(),
                        price,
                        currency: currency.clone(),
                        lease: get("LeaseContractLength"),
                        purchase: get("PurchaseOption"),
                        class: get("OfferingClass"),
                    };
                    self.gather
                        .add(&sku, &code, &d, self.out, self.path, &at)
                        .map_err(|e| A::Error::custom(format!("{at}: {}", e.message)))?;
                }
            }
        }
        Ok(())
    }
}
