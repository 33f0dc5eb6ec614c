//! A public book as written (serde structs) and its validation into a `PublicBook`: every rule
//! is checked in a small function of its own, with a message naming the key.

use super::discounts::{interruption_rates, sustained_use};
use super::storage::{RawStorageClass, classes};
use super::{
    Billing, InstanceType, PublicBook, ReservedOffer, SavingsPlanOffer, Term, Upfront,
    default_family,
};
use crate::error::InputError;
use crate::pricing::check::Check;
use crate::pricing::tiers::{RawTier, Tiers};
use crate::pricing::{SqlEdition, SqlRate};
use crate::units::{SimTime, de_opt_duration};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::pricing) struct RawPublic {
    region: String,
    billing: String,
    #[serde(default, deserialize_with = "de_opt_duration")]
    minimum: Option<SimTime>,
    storage_gb_month: f64,
    egress_gb: Option<f64>,
    egress_tiers: Option<Vec<RawTier>>,
    #[serde(default)]
    inter_region_gb: f64,
    windows_per_vcpu_hour: Option<f64>,
    /// Required when a type has a spot price and its family no interruption bucket.
    spot_evictions_per_hour: Option<f64>,
    instances: Vec<RawInstance>,
    #[serde(default)]
    reserved: Vec<RawReserved>,
    #[serde(default)]
    savings_plans: Vec<RawSavingsPlan>,
    #[serde(default)]
    storage: Vec<RawStorageClass>,
    /// Family -> published monthly interruption bucket ("<5%", "5-10%", ...).
    #[serde(default)]
    spot_interruption: BTreeMap<String, String>,
    /// Family -> shares of the base rate in each slice of the month (GCP sustained use).
    #[serde(default)]
    sustained_use: BTreeMap<String, Vec<f64>>,
    #[serde(default)]
    hybrid_benefit: bool,
    /// SQL Server licence rates by edition ("standard", "enterprise").
    #[serde(default)]
    sql: BTreeMap<String, RawSqlRate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSqlRate {
    vcpu_hour: f64,
    min_vcpus: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstance {
    name: String,
    family: Option<String>,
    vcpus: u32,
    mem_gib: f64,
    hourly: f64,
    spot_hourly: Option<f64>,
    windows_hourly: Option<f64>,
    #[serde(default)]
    gpus: u32,
    #[serde(default)]
    gpu: String,
    #[serde(default = "yes")]
    right_size: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReserved {
    instance: String,
    term: Term,
    upfront: Upfront,
    #[serde(default)]
    upfront_cost: f64,
    #[serde(default)]
    hourly: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSavingsPlan {
    name: String,
    term: Term,
    upfront: Upfront,
    discounts: BTreeMap<String, f64>,
}

impl RawPublic {
    pub(in crate::pricing) fn validate(self, path: &Path) -> Result<PublicBook, InputError> {
        let c = Check::new(path, "public");
        let billing = billing(c, &self.billing, self.minimum)?;
        let mut instances = instances(c, self.instances)?;
        let interruptions = interruption_rates(c, self.spot_interruption)?;
        for (family, rate) in &interruptions {
            let mut found = false;
            for t in instances.iter_mut().filter(|t| &t.family == family) {
                t.spot_evictions_per_hour = Some(*rate);
                found = true;
            }
            if !found {
                let msg = format!("no instance type of family \"{family}\" in this book");
                return Err(c.err(&format!("spot_interruption.{family}"), msg));
            }
        }
        // A spot price without an eviction rate would plan spot as never evicted.
        if self.spot_evictions_per_hour.is_none()
            && let Some(t) = instances
                .iter()
                .find(|t| t.spot_hourly.is_some() && t.spot_evictions_per_hour.is_none())
        {
            let msg = format!(
                "instance type \"{}\" has a spot price but no eviction rate: give family \"{}\" its published monthly interruption bucket in [public.spot_interruption] (\"<5%\", \"5-10%\", \"10-15%\", \"15-20%\" or \">20%\"), or the book a spot_evictions_per_hour",
                t.name, t.family
            );
            return Err(c.err("spot_evictions_per_hour", msg));
        }
        let sustained_use = sustained_use(c, self.sustained_use)?;
        if let Some(f) = sustained_use
            .keys()
            .find(|f| !instances.iter().any(|t| &t.family == *f))
        {
            let msg = format!("no instance type of family \"{f}\" in this book");
            return Err(c.err(&format!("sustained_use.{f}"), msg));
        }
        let reserved = reserved(c, self.reserved, &instances)?;
        let savings_plans = savings_plans(c, self.savings_plans, &instances)?;
        let egress = egress(c, self.egress_gb, self.egress_tiers)?;
        if let Some(w) = self.windows_per_vcpu_hour {
            c.price("windows_per_vcpu_hour", w)?;
        }
        Ok(PublicBook {
            region: self.region,
            billing,
            instances,
            windows_per_vcpu_hour: self.windows_per_vcpu_hour,
            reserved,
            savings_plans,
            // Up to one an instance-second: far beyond real markets, but useful for stress tests.
            spot_evictions_per_hour: c.range(
                "spot_evictions_per_hour",
                self.spot_evictions_per_hour.unwrap_or(0.0),
                0.0,
                3600.0,
            )?,
            storage_gb_month: c.price("storage_gb_month", self.storage_gb_month)?,
            egress,
            inter_region_gb: c.price("inter_region_gb", self.inter_region_gb)?,
            storage: classes(c, self.storage)?,
            sustained_use,
            hybrid_benefit: self.hybrid_benefit,
            sql: sql_rates(c, self.sql)?,
        })
    }
}

/// `[public.sql]`: a rate per vCPU-hour and a minimum vCPU count for each edition, the edition
/// one of `SqlEdition::NAMES`.
fn sql_rates(
    c: Check,
    raw: BTreeMap<String, RawSqlRate>,
) -> Result<BTreeMap<SqlEdition, SqlRate>, InputError> {
    let mut out = BTreeMap::new();
    for (name, r) in raw {
        let at = format!("sql.{name}");
        let edition = SqlEdition::find(&at, &name).map_err(|e| c.err(&e.key, e.message))?;
        let vcpu_hour = c.price(&format!("{at}.vcpu_hour"), r.vcpu_hour)?;
        let min_vcpus = c.at_least(&format!("{at}.min_vcpus"), r.min_vcpus, 1)?;
        out.insert(
            edition,
            SqlRate {
                vcpu_hour,
                min_vcpus,
            },
        );
    }
    Ok(out)
}

fn billing(c: Check, billing: &str, minimum: Option<SimTime>) -> Result<Billing, InputError> {
    match (billing, minimum) {
        ("per-second", minimum) => Ok(Billing::PerSecond {
            minimum: minimum.unwrap_or(0),
        }),
        ("per-hour", None) => Ok(Billing::PerHour),
        ("per-hour", Some(_)) => Err(c.err(
            "minimum",
            "a minimum applies only to per-second billing (per-hour already rounds up)",
        )),
        (other, _) => Err(c.err(
            "billing",
            format!(
                "\"{other}\" is not a billing granularity; expected \"per-second\" or \"per-hour\""
            ),
        )),
    }
}

/// The instance types, sorted by on-demand price (book order among equals).
fn instances(c: Check, raw: Vec<RawInstance>) -> Result<Vec<InstanceType>, InputError> {
    if raw.is_empty() {
        return Err(c.err("instances", "needs at least one instance type"));
    }
    let mut instances: Vec<InstanceType> = Vec::with_capacity(raw.len());
    for (i, raw) in raw.into_iter().enumerate() {
        let key = |field: &str| format!("instances[{i}].{field}");
        c.name(&key("name"), &raw.name)?;
        if instances.iter().any(|t| t.name == raw.name) {
            return Err(c.err(
                &key("name"),
                format!("instance type \"{}\" is listed twice", raw.name),
            ));
        }
        c.at_least(&key("vcpus"), raw.vcpus, 1)?;
        // The Linux rate first: the Windows check below compares against it.
        let hourly = c.price(&key("hourly"), raw.hourly)?;
        if let Some(spot) = raw.spot_hourly {
            c.price(&key("spot_hourly"), spot)?;
        }
        if let Some(w) = raw.windows_hourly
            && !(w.is_finite() && w >= raw.hourly)
        {
            let msg = format!(
                "{w} must be a finite price >= the Linux hourly {}",
                raw.hourly
            );
            return Err(c.err(&key("windows_hourly"), msg));
        }
        if raw.gpus > 0 && raw.gpu.trim().is_empty() {
            return Err(c.err(&key("gpu"), "name the GPU model of a type with gpus > 0"));
        }
        instances.push(InstanceType {
            family: raw.family.unwrap_or_else(|| default_family(&raw.name)),
            mem_gib: c.positive(&key("mem_gib"), raw.mem_gib)?,
            hourly,
            spot_hourly: raw.spot_hourly,
            spot_evictions_per_hour: None,
            windows_hourly: raw.windows_hourly,
            gpus: raw.gpus,
            gpu: raw.gpu,
            right_size: raw.right_size,
            name: raw.name,
            vcpus: raw.vcpus,
        });
    }
    // Stable sort: equal prices keep book order, so results never depend on sort internals.
    instances.sort_by(|a, b| a.hourly.total_cmp(&b.hourly));
    Ok(instances)
}

fn reserved(
    c: Check,
    raw: Vec<RawReserved>,
    instances: &[InstanceType],
) -> Result<Vec<ReservedOffer>, InputError> {
    let mut reserved: Vec<ReservedOffer> = Vec::with_capacity(raw.len());
    for (i, r) in raw.into_iter().enumerate() {
        let offer = reserved_offer(c, &format!("reserved[{i}]"), &r, instances, &reserved)?;
        reserved.push(offer);
    }
    Ok(reserved)
}

/// One reserved offer: a known instance type, prices in the shape the upfront option has, not
/// a second offer for the same type, term and upfront option (`earlier`), and an effective
/// price below on-demand.
fn reserved_offer(
    c: Check,
    at: &str,
    r: &RawReserved,
    instances: &[InstanceType],
    earlier: &[ReservedOffer],
) -> Result<ReservedOffer, InputError> {
    let key = |field: &str| format!("{at}.{field}");
    let names: Vec<&str> = instances.iter().map(|t| t.name.as_str()).collect();
    let instance = crate::known::find(
        &key("instance"),
        &r.instance,
        "an instance type of this book",
        &names,
    )
    .map_err(|e| c.err(&e.key, e.message))?;
    c.price(&key("upfront_cost"), r.upfront_cost)?;
    c.price(&key("hourly"), r.hourly)?;
    let (shape_ok, needs) = match r.upfront {
        Upfront::None => (
            r.upfront_cost == 0.0 && r.hourly > 0.0,
            "hourly > 0 and no upfront_cost",
        ),
        Upfront::Partial => (
            r.upfront_cost > 0.0 && r.hourly > 0.0,
            "both upfront_cost > 0 and hourly > 0",
        ),
        Upfront::All => (
            r.upfront_cost > 0.0 && r.hourly == 0.0,
            "upfront_cost > 0 and no hourly",
        ),
    };
    if !shape_ok {
        return Err(c.err(
            &key("upfront"),
            format!("\"{}\" upfront needs {needs}", r.upfront.name()),
        ));
    }
    let offer = ReservedOffer {
        instance,
        term: r.term,
        upfront: r.upfront,
        upfront_cost: r.upfront_cost,
        hourly: r.hourly,
    };
    if earlier
        .iter()
        .any(|o| (o.instance, o.term, o.upfront) == (instance, r.term, r.upfront))
    {
        return Err(c.err(
            &key("instance"),
            format!(
                "a second {} {} offer for \"{}\"",
                r.term.name(),
                r.upfront.name(),
                r.instance
            ),
        ));
    }
    let on_demand = instances[instance].hourly;
    if offer.effective_hourly() >= on_demand {
        return Err(c.err(
            &key("hourly"),
            format!(
                "effective {:.6}/h is not below the on-demand {on_demand}/h: a reservation must save money",
                offer.effective_hourly(),
            ),
        ));
    }
    Ok(offer)
}

fn savings_plans(
    c: Check,
    raw: Vec<RawSavingsPlan>,
    instances: &[InstanceType],
) -> Result<Vec<SavingsPlanOffer>, InputError> {
    let mut plans: Vec<SavingsPlanOffer> = Vec::with_capacity(raw.len());
    for (i, s) in raw.into_iter().enumerate() {
        let key = |field: &str| format!("savings_plans[{i}].{field}");
        c.name(&key("name"), &s.name)?;
        for (family, d) in &s.discounts {
            c.range(&key(&format!("discounts.{family}")), *d, 0.0, 0.99)?;
            if !instances.iter().any(|t| &t.family == family) {
                return Err(c.err(
                    &key(&format!("discounts.{family}")),
                    format!("no instance type of family \"{family}\" in this book"),
                ));
            }
        }
        // AWS sells Compute and EC2 Instance Savings Plans of the same term side by side:
        // plans differ by name, term or upfront option.
        if plans
            .iter()
            .any(|o| (&o.name, o.term, o.upfront) == (&s.name, s.term, s.upfront))
        {
            return Err(c.err(
                &key("term"),
                format!(
                    "a second {} {} {} savings plan",
                    s.name,
                    s.term.name(),
                    s.upfront.name()
                ),
            ));
        }
        plans.push(SavingsPlanOffer {
            name: s.name,
            term: s.term,
            upfront: s.upfront,
            discounts: s.discounts,
        });
    }
    Ok(plans)
}

/// Egress: one flat price per GiB or monthly tiers, exactly one of them.
fn egress(c: Check, flat: Option<f64>, tiers: Option<Vec<RawTier>>) -> Result<Tiers, InputError> {
    match (flat, tiers) {
        (Some(flat), None) => Ok(Tiers::flat(c.price("egress_gb", flat)?)),
        (None, Some(tiers)) => Tiers::validate(tiers, c, "egress_tiers"),
        (Some(_), Some(_)) => Err(c.err(
            "egress_gb",
            "give egress_gb (flat) or egress_tiers, not both",
        )),
        (None, None) => Err(c.err(
            "egress_gb",
            "missing: give egress_gb (flat) or [[public.egress_tiers]]",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{HEAD, TYPES, book};

    #[test]
    fn reserved_offers_amortise_the_upfront() {
        let body = format!(
            "{HEAD}{TYPES}\n[[public.reserved]]\ninstance = \"small.l\"\nterm = \"1y\"\nupfront = \"partial\"\nupfront_cost = 262.8\nhourly = 0.03\n"
        );
        let p = book(&body).unwrap();
        let r = &p.reserved[0];
        // 262.80 / 8,760 h = 0.03 + 0.03 hourly = 0.06 effective.
        assert!((r.effective_hourly() - 0.06).abs() < 1e-12);
        let bad = body.replace("upfront = \"partial\"", "upfront = \"all\"");
        let err = book(&bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.toml: key `public.reserved[0].upfront`: \"all\" upfront needs upfront_cost > 0 and no hourly"
        );
        let dear = body.replace("hourly = 0.03\n", "hourly = 0.09\n");
        assert!(
            book(&dear)
                .unwrap_err()
                .message
                .contains("is not below the on-demand")
        );
    }

    #[test]
    fn bad_public_books_name_the_key() {
        let base = "[public]\nregion = \"r\"\nstorage_gb_month = 0.08\negress_gb = 0.09\n";
        let err = book(&format!("{base}billing = \"per-minute\"\n{TYPES}")).unwrap_err();
        assert_eq!(err.at, crate::error::At::Key("public.billing".into()));
        let err = book(&format!(
            "{base}billing = \"per-hour\"\n{}",
            TYPES.replace("0.096", "-0.096")
        ))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.toml: key `public.instances[1].hourly`: price -0.096 must be a finite number >= 0"
        );
        let err = book(&format!(
            "{base}billing = \"per-hour\"\n{}",
            TYPES.replace("\"mem.l\"", "\"small.l\"")
        ))
        .unwrap_err();
        assert!(err.message.contains("listed twice"), "{err}");
        let sp = format!(
            "{HEAD}{TYPES}\n[[public.savings_plans]]\nname = \"SP\"\nterm = \"1y\"\nupfront = \"none\"\ndiscounts = {{ m9 = 0.2 }}\n"
        );
        assert!(
            book(&sp)
                .unwrap_err()
                .message
                .contains("no instance type of family \"m9\"")
        );
    }
}
