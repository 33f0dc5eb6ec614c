//! AWS spot prices and interruption buckets, which the bulk offer files do not carry:
//!
//! - the EC2 `describe-spot-price-history` output as the AWS CLI prints it
//!   (https://docs.aws.amazon.com/cli/latest/reference/ec2/describe-spot-price-history.html):
//!   `{"SpotPriceHistory": [{"AvailabilityZone", "InstanceType", "ProductDescription",
//!   "SpotPrice", "Timestamp"}], "NextToken"}`;
//! - the Spot Instance Advisor's data file
//!   (https://spot-bid-advisor.s3.amazonaws.com/spot-advisor-data.json): `instance_types`,
//!   `ranges` (`index`, `label` "<5%" ... ">20%", `dots`, `max`), `spot_advisor` by region and
//!   OS ("Linux", "Windows") and type: `s` (savings over on-demand in %, averaged over the last
//!   30 days and the region's AZs) and `r` (the index of its interruption range), `global_rate`.
//!
//! The rules (README, "Importing price books"):
//! - a type's spot price is, from the price history, the latest Linux/UNIX price of each of the
//!   region's AZs, averaged over those AZs (the Advisor averages over AZs too), rounded to 6
//!   decimals; a type with no history but an Advisor entry gets on-demand x (1 - s / 100);
//! - a family's interruption bucket is the worst (highest) range of its types in the Advisor
//!   (the book holds one bucket a family; the worst is the one a plan must survive).

use super::{Imported, round6};
use crate::error::{Error, InputError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Which of the AWS files a JSON document is, by its first key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    OfferFile,
    PriceHistory,
    Advisor,
}

/// The shape of a JSON file that starts with `head`: `SpotPriceHistory` (or the CLI's
/// `NextToken`) first is a price history, the Advisor's keys an Advisor file, anything else an
/// offer file (which begins with `formatVersion`).
pub(super) fn shape(head: &[u8]) -> Shape {
    let text = String::from_utf8_lossy(head);
    let rest = text
        .trim_start()
        .strip_prefix('{')
        .unwrap_or("")
        .trim_start();
    let key = rest
        .strip_prefix('"')
        .and_then(|r| r.split('"').next())
        .unwrap_or("");
    match key {
        "SpotPriceHistory" | "NextToken" => Shape::PriceHistory,
        "spot_advisor" | "instance_types" | "ranges" | "global_rate" => Shape::Advisor,
        _ => Shape::OfferFile,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct History {
    spot_price_history: Vec<Reading>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Reading {
    availability_zone: String,
    instance_type: String,
    product_description: String,
    spot_price: String,
    timestamp: String,
}

#[derive(Deserialize)]
struct Advisor {
    ranges: Vec<Range>,
    spot_advisor: BTreeMap<String, BTreeMap<String, BTreeMap<String, Entry>>>,
}

#[derive(Deserialize)]
struct Range {
    index: u32,
    label: String,
}

#[derive(Deserialize)]
struct Entry {
    s: f64,
    r: u32,
}

/// What the spot files said, applied to the instance types once every file is read.
#[derive(Default)]
pub(super) struct Spot {
    /// (type, AZ) -> (timestamp, price): the latest reading of each AZ.
    latest: BTreeMap<(String, String), (String, f64)>,
    /// type -> (savings %, range index, range label) from the Advisor.
    advisor: BTreeMap<String, (f64, u32, String)>,
    /// The newest reading's date, for the book's source.
    newest: String,
}

impl Spot {
    pub fn read(
        &mut self,
        shape: Shape,
        bytes: &[u8],
        path: &Path,
        out: &mut Imported,
    ) -> Result<(), Error> {
        match shape {
            Shape::PriceHistory => self.read_history(bytes, path, out),
            Shape::Advisor => self.read_advisor(bytes, path, out),
            Shape::OfferFile => unreachable!("offer files are read by aws::read"),
        }
    }

    fn read_history(&mut self, bytes: &[u8], path: &Path, out: &mut Imported) -> Result<(), Error> {
        let h: History = serde_json::from_slice(bytes).map_err(|e| {
            let msg = format!("{e} (expected `aws ec2 describe-spot-price-history` output)");
            InputError::line(path, e.line() as u64, msg)
        })?;
        for (i, r) in h.spot_price_history.into_iter().enumerate() {
            let at = format!("SpotPriceHistory[{i}]");
            // The region's AZs are its code and a letter (us-east-1a); Linux/UNIX prices only
            // ("Linux/UNIX (Amazon VPC)" is the same price in a VPC).
            let in_region = r
                .availability_zone
                .strip_prefix(out.region.as_str())
                .is_some_and(|z| !z.is_empty() && z.chars().all(|c| c.is_ascii_lowercase()));
            if !in_region || !r.product_description.starts_with("Linux/UNIX") {
                out.skip("AWS spot reading of another region or OS");
                continue;
            }
            let price = r
                .spot_price
                .parse::<f64>()
                .ok()
                .filter(|p| p.is_finite() && *p >= 0.0);
            let Some(price) = price else {
                let msg = format!("\"{}\" is not a price >= 0", r.spot_price);
                return Err(InputError::key(path, format!("{at}.SpotPrice"), msg).into());
            };
            let Some(day) = super::date_of(&r.timestamp) else {
                let msg = format!(
                    "\"{}\" is not a date-time (YYYY-MM-DDThh:mm:ssZ)",
                    r.timestamp
                );
                return Err(InputError::key(path, format!("{at}.Timestamp"), msg).into());
            };
            if day > self.newest {
                self.newest = day;
            }
            let key = (r.instance_type, r.availability_zone);
            match self.latest.get(&key) {
                // ISO 8601 timestamps of one format compare as text.
                Some((t, _)) if *t >= r.timestamp => {}
                _ => {
                    self.latest.insert(key, (r.timestamp, price));
                }
            }
        }
        out.note(format!(
            "EC2 spot price history ({})",
            path.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into())
        ));
        Ok(())
    }

    fn read_advisor(&mut self, bytes: &[u8], path: &Path, out: &mut Imported) -> Result<(), Error> {
        let a: Advisor = serde_json::from_slice(bytes).map_err(|e| {
            let msg = format!("{e} (expected the Spot Instance Advisor's spot-advisor-data.json)");
            InputError::line(path, e.line() as u64, msg)
        })?;
        let labels: BTreeMap<u32, String> =
            a.ranges.into_iter().map(|r| (r.index, r.label)).collect();
        let linux = a
            .spot_advisor
            .get(&out.region)
            .and_then(|os| os.get("Linux"));
        for (name, e) in linux.into_iter().flatten() {
            let at = format!("spot_advisor.{}.Linux.{name}", out.region);
            if !(0.0..100.0).contains(&e.s) {
                let msg = format!("s = {} is not a saving in % (0 to below 100)", e.s);
                return Err(InputError::key(path, format!("{at}.s"), msg).into());
            }
            let Some(label) = labels.get(&e.r) else {
                let msg = format!("r = {} names no entry of `ranges`", e.r);
                return Err(InputError::key(path, format!("{at}.r"), msg).into());
            };
            self.advisor.insert(name.clone(), (e.s, e.r, label.clone()));
        }
        out.note(format!(
            "EC2 Spot Instance Advisor ({})",
            path.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into())
        ));
        Ok(())
    }

    /// Sets each imported type's spot price and each family's interruption bucket.
    pub fn apply(self, out: &mut Imported) {
        let mut by_type: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for ((name, _), (_, price)) in &self.latest {
            by_type.entry(name).or_default().push(*price);
        }
        let mut worst: BTreeMap<String, (u32, String)> = BTreeMap::new();
        let (mut from_history, mut from_savings) = (0, 0);
        for t in &mut out.instances {
            if let Some(prices) = by_type.get(t.name.as_str()) {
                t.spot_hourly = Some(round6(prices.iter().sum::<f64>() / prices.len() as f64));
                from_history += 1;
            } else if let Some((s, _, _)) = self.advisor.get(&t.name) {
                t.spot_hourly = Some(round6(t.hourly * (1.0 - s / 100.0)));
                from_savings += 1;
            }
            if let Some((_, r, label)) = self.advisor.get(&t.name) {
                let w = worst.entry(t.family.clone()).or_insert((*r, label.clone()));
                if *r > w.0 {
                    *w = (*r, label.clone());
                }
            }
        }
        out.spot_interruption
            .extend(worst.into_iter().map(|(f, (_, label))| (f, label)));
        if from_history > 0 {
            out.header.push(format!(
                "Spot: {from_history} types at the mean over AZs of each AZ's latest Linux/UNIX price (readings up to {}).",
                self.newest
            ));
        }
        if from_savings > 0 {
            out.header.push(format!(
                "Spot: {from_savings} types at on-demand x (1 - the Spot Instance Advisor's 30-day savings); interruption buckets: each family's worst in the Advisor."
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::import::ImportedInstance;

    fn instance(name: &str, hourly: f64) -> ImportedInstance {
        ImportedInstance {
            name: name.into(),
            family: name.split('.').next().unwrap().into(),
            vcpus: 2,
            mem_gib: 8.0,
            hourly,
            windows_hourly: None,
            spot_hourly: None,
            gpus: 0,
            gpu: String::new(),
            right_size: true,
        }
    }

    #[test]
    fn the_first_key_tells_the_files_apart() {
        assert_eq!(
            shape(b"  {\n \"SpotPriceHistory\": []}"),
            Shape::PriceHistory
        );
        assert_eq!(shape(b"{\"instance_types\": {}}"), Shape::Advisor);
        assert_eq!(shape(b"{\"formatVersion\": \"v1.0\"}"), Shape::OfferFile);
    }

    #[test]
    fn latest_price_per_az_averaged_then_the_advisor_saving() {
        let history = br#"{"SpotPriceHistory": [
 {"AvailabilityZone": "us-east-1a", "InstanceType": "m5.large", "ProductDescription": "Linux/UNIX", "SpotPrice": "0.040000", "Timestamp": "2026-09-30T10:00:00+00:00"},
 {"AvailabilityZone": "us-east-1a", "InstanceType": "m5.large", "ProductDescription": "Linux/UNIX", "SpotPrice": "0.036000", "Timestamp": "2026-09-30T18:00:00+00:00"},
 {"AvailabilityZone": "us-east-1b", "InstanceType": "m5.large", "ProductDescription": "Linux/UNIX", "SpotPrice": "0.030000", "Timestamp": "2026-09-29T12:00:00+00:00"},
 {"AvailabilityZone": "us-east-1b", "InstanceType": "m5.large", "ProductDescription": "Windows", "SpotPrice": "0.120000", "Timestamp": "2026-09-30T12:00:00+00:00"},
 {"AvailabilityZone": "us-west-2a", "InstanceType": "m5.large", "ProductDescription": "Linux/UNIX", "SpotPrice": "0.010000", "Timestamp": "2026-09-30T12:00:00+00:00"}
]}"#;
        let advisor = br#"{"global_rate": "<10%", "instance_types": {},
 "ranges": [{"index": 0, "label": "<5%", "dots": 0, "max": 5}, {"index": 3, "label": "15-20%", "dots": 3, "max": 22}],
 "spot_advisor": {"us-east-1": {"Linux": {"m5.large": {"s": 66, "r": 3}, "m5.xlarge": {"s": 60, "r": 0}}}}}"#;
        let mut out = Imported {
            region: "us-east-1".into(),
            instances: vec![instance("m5.large", 0.096), instance("m5.xlarge", 0.192)],
            ..Imported::default()
        };
        let mut spot = Spot::default();
        let p = Path::new("f.json");
        spot.read(shape(history), history, p, &mut out).unwrap();
        spot.read(shape(advisor), advisor, p, &mut out).unwrap();
        spot.apply(&mut out);
        // m5.large: the latest of us-east-1a is 0.036 (18:00 beats 10:00), us-east-1b's
        // Linux reading 0.030; (0.036 + 0.030) / 2 = 0.033. The Windows and us-west-2a
        // readings are not counted, and the history wins over the Advisor's 66 %.
        assert_eq!(out.instances[0].spot_hourly, Some(0.033));
        // m5.xlarge has no history: 0.192 x (1 - 0.60) = 0.0768.
        assert_eq!(out.instances[1].spot_hourly, Some(0.0768));
        // The family's worst bucket: m5.large's 15-20 % over m5.xlarge's <5 %.
        assert_eq!(out.spot_interruption["m5"], "15-20%");
        assert_eq!(out.skipped.values().sum::<u64>(), 2);
    }

    #[test]
    fn a_bad_reading_names_its_field() {
        let bad = br#"{"SpotPriceHistory": [{"AvailabilityZone": "us-east-1a", "InstanceType": "m5.large", "ProductDescription": "Linux/UNIX", "SpotPrice": "cheap", "Timestamp": "2026-09-30T10:00:00Z"}]}"#;
        let mut out = Imported {
            region: "us-east-1".into(),
            ..Imported::default()
        };
        let e = Spot::default()
            .read(Shape::PriceHistory, bad, Path::new("h.json"), &mut out)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("h.json")
                && e.contains("SpotPriceHistory[0].SpotPrice")
                && e.contains("cheap"),
            "{e}"
        );
        let bad = br#"{"ranges": [{"index": 0, "label": "<5%", "dots": 0, "max": 5}], "spot_advisor": {"us-east-1": {"Linux": {"m5.large": {"s": 66, "r": 7}}}}}"#;
        let e = Spot::default()
            .read(Shape::Advisor, bad, Path::new("a.json"), &mut out)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("spot_advisor.us-east-1.Linux.m5.large.r") && e.contains("r = 7"),
            "{e}"
        );
    }
}
