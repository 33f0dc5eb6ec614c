//! Quotes from a public region's book: an instance type (on-demand, spot or reserved, Linux or
//! Windows), egress, block storage, inter-region transfer and savings plans.

use super::{QuoteError, QuoteLine, QuoteRequest, fact, money};
use crate::pricing::{
    Brought, Licences, PriceModel, PublicBook, SqlEdition, Term, Upfront, VmUsage,
};
use crate::units::{HOURS_PER_MONTH, format_amount};

pub(super) fn lines(
    p: &PublicBook,
    r: &QuoteRequest,
    hours: f64,
) -> Result<Vec<QuoteLine>, QuoteError> {
    match r.item.as_str() {
        "egress" => {
            let gb =
                r.gb.ok_or(QuoteError::missing("egress", "--gb N (GiB in one month)"))?;
            Ok(egress(p, gb))
        }
        "storage" if r.class.is_some() => {
            let gb = r.gb.ok_or(QuoteError::missing("storage", "--gb N"))?;
            storage_class(p, r.class.as_deref().unwrap_or_default(), gb, r, hours)
        }
        "storage" => {
            let gb = r.gb.ok_or(QuoteError::missing("storage", "--gb N"))?;
            let amount = gb * p.storage_gb_month * hours / HOURS_PER_MONTH;
            Ok(vec![money(
                "block storage",
                format!(
                    "{gb} GiB x {}/GiB-month x {hours} h / 730 h",
                    p.storage_gb_month
                ),
                amount,
            )])
        }
        "inter-region" => {
            let gb = r.gb.ok_or(QuoteError::missing("inter-region", "--gb N"))?;
            Ok(vec![money(
                "inter-region transfer",
                format!("{gb} GiB x {}/GiB", p.inter_region_gb),
                gb * p.inter_region_gb,
            )])
        }
        "savings-plan" => savings_plan(p, r),
        name => {
            let Some(ix) = p.instance(name) else {
                let names: Vec<&str> = p.instances.iter().map(|t| t.name.as_str()).collect();
                let items = ["egress", "storage", "inter-region", "savings-plan"];
                return Err(QuoteError::unknown_near(
                    name,
                    &[&items[..], &names].concat(),
                    format!(
                        "egress, storage, inter-region, savings-plan, or an instance type ({})",
                        names.join(", ")
                    ),
                ));
            };
            instance(p, r, hours, ix)
        }
    }
}

/// One volume of `class` for `hours`: its capacity (tiers or disk size) and provisioned IOPS
/// a month, prorated over 730 h.
fn storage_class(
    p: &PublicBook,
    class: &str,
    gb: f64,
    r: &QuoteRequest,
    hours: f64,
) -> Result<Vec<QuoteLine>, QuoteError> {
    let iops = r.iops.unwrap_or(0.0);
    let d = p.disk_month(class, gb, iops)?;
    let share = hours / HOURS_PER_MONTH;
    let capacity = match &d.size {
        Some(s) => format!("a {} disk ({} GiB) at {}/month", s.name, s.gib, s.monthly),
        None => format!("{gb} GiB through the {class} tiers"),
    };
    let mut lines = vec![money(
        &format!("{class} capacity"),
        format!("{capacity} x {hours} h / 730 h"),
        d.capacity * share,
    )];
    if iops > 0.0 {
        lines.push(money(
            &format!("{class} IOPS"),
            format!("{iops} IOPS provisioned, through the {class} IOPS tiers x {hours} h / 730 h"),
            d.iops * share,
        ));
    }
    Ok(lines)
}

/// A month's egress of `gb` GiB through the tiers.
fn egress(p: &PublicBook, gb: f64) -> Vec<QuoteLine> {
    p.egress
        .lines(gb)
        .into_iter()
        .map(|t| {
            let to =
                t.to.map_or("and above".to_string(), |b| format!("to {b} GiB"));
            money(
                "egress",
                format!("{} GiB from {} {to} x {}/GiB", t.quantity, t.from, t.price),
                t.cost,
            )
        })
        .collect()
}

/// The discounts of the savings plans for `--term` and `--upfront` (none by default).
fn savings_plan(p: &PublicBook, r: &QuoteRequest) -> Result<Vec<QuoteLine>, QuoteError> {
    let term = r
        .term
        .ok_or(QuoteError::missing("savings-plan", "--term"))?;
    let upfront = r.upfront.unwrap_or(Upfront::None);
    let plans: Vec<_> = p
        .savings_plans
        .iter()
        .filter(|s| s.term == term && s.upfront == upfront)
        .collect();
    if plans.is_empty() {
        return Err(QuoteError::NoOffer {
            offer: "savings plan".into(),
            term: term.name(),
            upfront: upfront.name(),
        });
    }
    Ok(plans
        .iter()
        .flat_map(|sp| {
            sp.discounts.iter().map(|(family, d)| {
                fact(
                    &format!("{} {family}", sp.name),
                    format!("{:.2} % off on-demand", d * 100.0),
                )
            })
        })
        .collect())
}

/// `--count` instances of type `ix` for `hours`: reserved with `--term`, else spot with
/// `--spot`, else on-demand; plus the Windows licence with `--windows` and the SQL Server
/// licence with `--sql`, neither with `--ahb` (Azure Hybrid Benefit: both brought along).
fn instance(
    p: &PublicBook,
    r: &QuoteRequest,
    hours: f64,
    ix: usize,
) -> Result<Vec<QuoteLine>, QuoteError> {
    let t = &p.instances[ix];
    let count = f64::from(r.count.unwrap_or(1));
    let model = match (r.term, r.spot) {
        (Some(_), _) => PriceModel::Reserved,
        (None, true) => PriceModel::Spot,
        (None, false) => PriceModel::OnDemand,
    };
    if r.ahb && !(r.windows || r.sql.is_some()) {
        return Err(QuoteError::missing(
            "--ahb",
            "--windows or --sql (a licence to bring along)",
        ));
    }
    if r.ahb && !p.hybrid_benefit {
        return Err(QuoteError::NoHybridBenefit);
    }
    let carried = Licences {
        windows: r.windows,
        sql: r.sql,
    };
    let brought = if r.ahb {
        Brought::ALL
    } else {
        Brought::default()
    };
    let paid = p.licences_paid(carried, brought);
    if let Some(e) = paid.sql.filter(|e| !p.sql.contains_key(e)) {
        return Err(QuoteError::NoSqlRate {
            product: e.product(),
            edition: e.name(),
        });
    }
    // What the simulator charges per hour for such a VM (storage and traffic are items of
    // their own here).
    let hour = p.vm_hour_cost(ix, model, paid, &VmUsage::default());
    let mut lines = match (r.term, model) {
        (Some(term), _) => reserved(p, r, ix, term, hours, count)?,
        (None, PriceModel::Spot) => {
            let spot = t.spot_hourly.ok_or_else(|| QuoteError::NoSpot {
                instance: t.name.clone(),
            })?;
            let rate = p.spot_evictions(ix);
            vec![
                money(
                    "spot",
                    format!("{hours} h x {spot}/h x {count}"),
                    hour.instance * hours * count,
                ),
                fact(
                    "evictions",
                    format!(
                        "{rate:.6} per instance-hour (about {:.1} in these hours)",
                        rate * hours * count
                    ),
                ),
            ]
        }
        (None, _) => {
            let mut lines = vec![money(
                "on-demand",
                format!("{hours} h x {}/h x {count}", t.hourly),
                hour.instance * hours * count,
            )];
            lines.extend(sustained_use(p, ix, hours, count));
            lines
        }
    };
    if r.windows && !paid.windows {
        lines.push(fact(
            "Windows licence",
            "brought along (Azure Hybrid Benefit): billed at the Linux rate".into(),
        ));
    } else if paid.windows {
        let detail = match t.windows_hourly {
            Some(w) => format!("{hours} h x ({w} - {})/h x {count}", t.hourly),
            None => format!(
                "{hours} h x {} vCPU x {}/vCPU-hour x {count}",
                t.vcpus,
                p.windows_per_vcpu_hour.unwrap_or(0.0)
            ),
        };
        lines.push(money(
            "Windows licence",
            detail,
            hour.windows * hours * count,
        ));
    }
    lines.extend(sql_licence(p, r.sql, paid, ix, hours, count, hour.sql));
    Ok(lines)
}

/// The SQL Server licence line of an instance quote: what it costs (the type's vCPUs, at least
/// the edition's minimum, at its rate), or that it is brought along.
fn sql_licence(
    p: &PublicBook,
    carried: Option<SqlEdition>,
    paid: Licences,
    ix: usize,
    hours: f64,
    count: f64,
    hourly: f64,
) -> Option<QuoteLine> {
    let edition = carried?;
    let label = format!("{} licence", edition.product());
    let Some(rate) = paid.sql.and_then(|e| p.sql.get(&e)) else {
        return Some(fact(
            &label,
            "brought along (Azure Hybrid Benefit): not billed".into(),
        ));
    };
    let vcpus = p.instances[ix].vcpus;
    let cores = if vcpus < rate.min_vcpus {
        format!(
            "{} vCPU (the minimum; the type has {vcpus})",
            rate.min_vcpus
        )
    } else {
        format!("{vcpus} vCPU")
    };
    Some(money(
        &label,
        format!(
            "{hours} h x {cores} x {}/vCPU-hour x {count}",
            rate.vcpu_hour
        ),
        hourly * hours * count,
    ))
}

/// The sustained-use discount of `count` instances running `hours` from the start of a month
/// (whole months of 730 h, then the rest), when the type's family has a schedule.
fn sustained_use(p: &PublicBook, ix: usize, hours: f64, count: f64) -> Option<QuoteLine> {
    let s = p.sustained_use(ix)?;
    let t = &p.instances[ix];
    let months = (hours / HOURS_PER_MONTH).floor();
    let rest = hours - months * HOURS_PER_MONTH;
    let billed = months * s.billed_hours(HOURS_PER_MONTH) + s.billed_hours(rest);
    let shares: Vec<String> = s.0.iter().map(|m| format!("{}", m * 100.0)).collect();
    Some(money(
        "sustained-use discount",
        format!(
            "{} family: {} % of list by slice of the month; {billed:.2} of {hours} h billed",
            t.family,
            shares.join("/")
        ),
        (billed - hours) * t.hourly * count,
    ))
}

/// A reservation of `count` instances for `hours`: the upfront amortised over the term, the
/// hourly part, and how it compares with on-demand.
fn reserved(
    p: &PublicBook,
    r: &QuoteRequest,
    ix: usize,
    term: Term,
    hours: f64,
    count: f64,
) -> Result<Vec<QuoteLine>, QuoteError> {
    let t = &p.instances[ix];
    let upfront = r.upfront.ok_or(QuoteError::missing(
        "--term",
        "--upfront none, partial or all",
    ))?;
    let o = p
        .reserved_offer(ix, term, upfront)
        .ok_or_else(|| QuoteError::NoOffer {
            offer: format!("reservation for {}", t.name),
            term: term.name(),
            upfront: upfront.name(),
        })?;
    let mut lines = Vec::new();
    if o.upfront_cost > 0.0 {
        lines.push(fact(
            "upfront",
            format!(
                "{} x {count} paid at the start of the {} term",
                o.upfront_cost,
                term.name()
            ),
        ));
        lines.push(money(
            "upfront, amortised",
            format!(
                "{} x {count} x {hours} h / {} h",
                o.upfront_cost,
                term.hours()
            ),
            o.upfront_cost * count * (hours / term.hours()),
        ));
    }
    if o.hourly > 0.0 {
        lines.push(money(
            "reserved hourly",
            format!("{hours} h x {}/h x {count}", o.hourly),
            o.hourly * hours * count,
        ));
    }
    let on_demand = p.instance_hourly(ix, PriceModel::OnDemand);
    lines.push(fact(
        "effective hourly",
        format!(
            "{:.6}/h against {on_demand}/h on-demand",
            o.effective_hourly()
        ),
    ));
    lines.push(fact(
        "break-even utilisation",
        format!(
            "{:.1} % of the term (effective / on-demand)",
            o.effective_hourly() / on_demand * 100.0
        ),
    ));
    lines.push(fact(
        "on-demand for comparison",
        format!(
            "{hours} h x {on_demand}/h x {count} = {}",
            format_amount(on_demand * hours * count)
        ),
    ));
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{load, req};
    use super::super::{QuoteRequest, quote};
    use super::*;

    #[test]
    fn published_monthly_prices_at_730_hours() {
        // AWS lists m5.large at 0.096/h: 730 h = 70.08 a month, the figure its calculator shows.
        let q = quote(&load("pricing/aws-us-east-1.toml"), &req("m5.large")).unwrap();
        assert!((q.total() - 70.08).abs() < 1e-9);
        // GCP's calculator shows n2-standard-2 in us-central1 at 70.90 a month:
        // (2 x 0.031611 + 8 x 0.004237) x 730 = 0.097118 x 730 = 70.896.
        // The whole month also earns N2's sustained-use discount: 182.5 h at each of 100,
        // 86.78, 73.3 and 60 % = 584.146 h billed, x 0.097118 = 56.7311.
        let q = quote(&load("pricing/gcp-us-central1.toml"), &req("n2-standard-2")).unwrap();
        assert!((q.lines[0].amount.unwrap() - 70.896_14).abs() < 1e-6);
        assert!((q.total() - 0.097_118 * 584.146).abs() < 1e-6);
        // Azure's pricing page: D2s v5 Linux in East US, 0.096/h = 70.08 a month; Windows
        // 0.188/h = 137.24 a month (0.096 + 2 vCPU x 0.046).
        let azure = load("pricing/azure-eastus.toml");
        assert!((quote(&azure, &req("Standard_D2s_v5")).unwrap().total() - 70.08).abs() < 1e-9);
        let win = QuoteRequest {
            windows: true,
            ..req("Standard_D2s_v5")
        };
        assert!((quote(&azure, &win).unwrap().total() - 137.24).abs() < 1e-9);
    }

    #[test]
    fn an_instance_quote_is_the_simulators_vm_hour_times_hours() {
        let book = load("pricing/aws-us-east-1.toml");
        let crate::pricing::BookKind::Public(p) = &book.kind else {
            unreachable!()
        };
        let ix = p.instance("m6a.2xlarge").unwrap();
        let r = QuoteRequest {
            windows: true,
            count: Some(3),
            hours: Some(10.0),
            ..req("m6a.2xlarge")
        };
        // 3 Windows m6a.2xlarge for 10 h: (0.3456 + 8 x 0.046) x 10 x 3 = 0.7136 x 30 = 21.408.
        let total = quote(&book, &r).unwrap().total();
        assert!((total - 21.408).abs() < 1e-9);
        let windows = Licences {
            windows: true,
            sql: None,
        };
        let hour = p.vm_hour_cost(ix, PriceModel::OnDemand, windows, &VmUsage::default());
        assert!((total - hour.total() * 10.0 * 3.0).abs() < 1e-12);
    }

    #[test]
    fn licence_options_on_an_item_without_licences_are_refused() {
        // --sql and --ahb price a public VM's licences; elsewhere they were silently ignored.
        let azure = load("pricing/azure-eastus.toml");
        let egress = QuoteRequest {
            sql: Some(SqlEdition::Standard),
            gb: Some(10.0),
            ..req("egress")
        };
        assert_eq!(
            quote(&azure, &egress).unwrap_err().to_string(),
            "--sql applies only to an instance type of a public book (a VM's licences), not to \"egress\" of a public book"
        );
        let host = QuoteRequest {
            sql: Some(SqlEdition::Enterprise),
            ..req("host")
        };
        assert_eq!(
            quote(&load("pricing/private-kvm-2s32c.toml"), &host)
                .unwrap_err()
                .to_string(),
            "--sql applies only to an instance type of a public book (a VM's licences), not to \"host\" of a private book"
        );
        let unit = QuoteRequest {
            ahb: true,
            nodes: Some(4),
            ..req("unit")
        };
        let e = quote(&load("pricing/azure-stack-hub.toml"), &unit).unwrap_err();
        assert!(e.to_string().starts_with("--ahb applies only"), "{e}");
        // An unknown item keeps its own error (the nearest name).
        let typo = QuoteRequest {
            sql: Some(SqlEdition::Standard),
            ..req("Standard_D4s_v4")
        };
        let e = quote(&azure, &typo).unwrap_err().to_string();
        assert!(e.contains("is not an item of this book"), "{e}");
    }

    #[test]
    fn sql_server_quotes_per_vcpu_and_ahb_removes_both_licences() {
        let azure = load("pricing/azure-eastus.toml");
        let sql = QuoteRequest {
            windows: true,
            sql: Some(SqlEdition::Standard),
            ..req("Standard_D4s_v5")
        };
        // 730 h x (0.192 + 0.184 Windows + 4 x 0.10 SQL Server Standard) = 140.16 + 134.32 +
        // 292.00 = 566.48.
        let q = quote(&azure, &sql).unwrap();
        assert!((q.total() - 566.48).abs() < 1e-9);
        let text = q.render("USD");
        assert!(
            text.contains("SQL Server Standard licence  730 h x 4 vCPU x 0.1/vCPU-hour x 1"),
            "{text}"
        );
        // --ahb: both licences brought along, 140.16.
        let ahb = QuoteRequest {
            ahb: true,
            ..sql.clone()
        };
        let q = quote(&azure, &ahb).unwrap();
        assert!((q.total() - 140.16).abs() < 1e-9);
        assert!(q.render("USD").contains("not billed"));
        // Enterprise on a 2 vCPU D2s v5 pays the 4-core minimum: 730 x 4 x 0.375 = 1,095.00.
        let ent = QuoteRequest {
            sql: Some(SqlEdition::Enterprise),
            ..req("Standard_D2s_v5")
        };
        let q = quote(&azure, &ent).unwrap();
        assert!((q.total() - (70.08 + 1_095.0)).abs() < 1e-9);
        assert!(
            q.render("USD")
                .contains("4 vCPU (the minimum; the type has 2)")
        );
        // --ahb with no licence to bring, and SQL Server on a book without its rate.
        let none = QuoteRequest {
            ahb: true,
            ..req("Standard_D2s_v5")
        };
        assert_eq!(
            quote(&azure, &none).unwrap_err().to_string(),
            "--ahb needs --windows or --sql (a licence to bring along)"
        );
        let aws = QuoteRequest {
            sql: Some(SqlEdition::Standard),
            ..req("m5.large")
        };
        assert_eq!(
            quote(&load("pricing/aws-us-east-1.toml"), &aws)
                .unwrap_err()
                .to_string(),
            "this book has no SQL Server Standard licence rate ([public.sql.standard])"
        );
    }

    #[test]
    fn reserved_quotes_amortise_and_show_break_even() {
        // OpenCost's reservation rate for m5.large (3-year, all upfront) is 0.0361111/h: the
        // 949 upfront over 26,280 h. A 730 h month carries 949 x 730 / 26,280 = 26.3613.
        let r = QuoteRequest {
            term: Some(Term::ThreeYears),
            upfront: Some(Upfront::All),
            ..req("m5.large")
        };
        let q = quote(&load("pricing/aws-us-east-1.toml"), &r).unwrap();
        assert!((q.total() - 949.0 * 730.0 / 26_280.0).abs() < 1e-9);
        let text = q.render("USD");
        // Break-even: 0.036111 / 0.096 = 37.6 % of the term.
        assert!(text.contains("37.6 % of the term"), "{text}");
    }

    #[test]
    fn bad_requests_name_the_option_and_value() {
        let aws = load("pricing/aws-us-east-1.toml");
        let no_upfront = QuoteRequest {
            term: Some(Term::OneYear),
            ..req("m5.large")
        };
        assert_eq!(
            quote(&aws, &no_upfront).unwrap_err(),
            QuoteError::Missing {
                item: "--term",
                option: "--upfront none, partial or all"
            }
        );
        let no_offer = QuoteRequest {
            upfront: Some(Upfront::Partial),
            ..no_upfront
        };
        assert_eq!(
            quote(&aws, &no_offer).unwrap_err().to_string(),
            "no 1y partial-upfront reservation for m5.large in this book"
        );
        // us-east-2 offers no m3 on spot (the Spot Advisor lists none there).
        let spot = QuoteRequest {
            spot: true,
            ..req("m3.medium")
        };
        assert_eq!(
            quote(&load("pricing/aws-us-east-2.toml"), &spot)
                .unwrap_err()
                .to_string(),
            "m3.medium has no spot price in this book"
        );
        let hours = QuoteRequest {
            hours: Some(0.0),
            ..req("m5.large")
        };
        assert_eq!(
            quote(&aws, &hours).unwrap_err().to_string(),
            "--hours 0 must be > 0 and at most 876000 (100 years)"
        );
        assert_eq!(
            quote(&aws, &req("egress")).unwrap_err().to_string(),
            "egress needs --gb N (GiB in one month)"
        );
    }
}
