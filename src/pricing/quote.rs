//! `hybridplan pricing quote`: a bill for one item of a price book, line by line, so that any
//! figure the simulator uses can be checked by hand.

use super::{
    BackupBook, Book, BookKind, HciBook, Power, PrivateBook, PublicBook, Term, Upfront,
    transfer_hours,
};
use crate::units::{HOURS_PER_MONTH, format_amount};
use std::fmt::Write;

/// What to quote: the arguments of the `pricing quote` command.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct QuoteRequest {
    /// Public: an instance type, egress, storage, inter-region or savings-plan. Private: host.
    /// HCI: unit. Backup: storage, link, licence or seed.
    pub item: String,
    /// Hours to price [default: 730, one month].
    #[arg(long)]
    pub hours: Option<f64>,
    /// Reserved or savings-plan term: 1y or 3y.
    #[arg(long, value_parser = parse_term)]
    pub term: Option<Term>,
    /// Upfront option with --term: none, partial or all.
    #[arg(long, value_parser = parse_upfront)]
    pub upfront: Option<Upfront>,
    /// GiB (egress in one month, storage, transfer; HCI: the largest VM's memory).
    #[arg(long)]
    pub gb: Option<f64>,
    /// Add the Windows licence (public) or use the Windows rate (HCI consumption).
    #[arg(long)]
    pub windows: bool,
    /// Price at the spot rate.
    #[arg(long)]
    pub spot: bool,
    /// Instances or hosts to price (HCI: vCPUs for consumption).
    #[arg(long)]
    pub count: Option<u32>,
    /// HCI: nodes in the scale unit.
    #[arg(long)]
    pub nodes: Option<u32>,
    /// Load for power, 0..=1 [default: 0.5].
    #[arg(long)]
    pub util: Option<f64>,
    /// Backup: TB (stored, or to seed, or to transfer over a link).
    #[arg(long)]
    pub tb: Option<f64>,
    /// Backup: link size in Mbps.
    #[arg(long)]
    pub mbps: Option<f64>,
    /// Backup: protected servers.
    #[arg(long)]
    pub servers: Option<u32>,
}

fn parse_term(s: &str) -> Result<Term, String> {
    Term::parse(s).ok_or_else(|| format!("\"{s}\" is not a term; expected 1y or 3y"))
}

fn parse_upfront(s: &str) -> Result<Upfront, String> {
    Upfront::parse(s)
        .ok_or_else(|| format!("\"{s}\" is not an upfront option; expected none, partial or all"))
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuoteLine {
    pub label: String,
    pub detail: String,
    /// Money lines count towards the total; facts (capacities) have none.
    pub amount: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub title: String,
    pub lines: Vec<QuoteLine>,
}

impl Quote {
    pub fn total(&self) -> f64 {
        self.lines.iter().filter_map(|l| l.amount).sum()
    }

    pub fn render(&self, currency: &str) -> String {
        let label_w = self
            .lines
            .iter()
            .map(|l| l.label.len())
            .max()
            .unwrap_or(0)
            .max("total".len());
        let detail_w = self.lines.iter().map(|l| l.detail.len()).max().unwrap_or(0);
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.title);
        for l in &self.lines {
            let amount = l.amount.map(format_amount).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<label_w$}  {:<detail_w$}  {:>12}",
                l.label, l.detail, amount
            );
        }
        if self.lines.iter().any(|l| l.amount.is_some()) {
            let _ = writeln!(
                out,
                "  {:<label_w$}  {:<detail_w$}  {:>12}  {currency}",
                "total",
                "",
                format_amount(self.total())
            );
        }
        out
    }
}

fn money(label: &str, detail: String, amount: f64) -> QuoteLine {
    QuoteLine {
        label: label.to_string(),
        detail,
        amount: Some(amount),
    }
}

fn fact(label: &str, detail: String) -> QuoteLine {
    QuoteLine {
        label: label.to_string(),
        detail,
        amount: None,
    }
}

/// Quotes an item of a book, or says what items and options it takes.
pub fn quote(book: &Book, r: &QuoteRequest) -> Result<Quote, String> {
    let hours = r.hours.unwrap_or(HOURS_PER_MONTH);
    if !(hours.is_finite() && hours > 0.0) {
        return Err(format!("--hours {hours} must be > 0"));
    }
    let lines = match &book.kind {
        BookKind::Public(p) => public(p, r, hours)?,
        BookKind::Private(p) => private(p, r, hours)?,
        BookKind::Hci(h) => hci(h, r, hours)?,
        BookKind::Backup(b) => backup(b, r, hours)?,
    };
    Ok(Quote {
        title: format!(
            "{} - {} for {hours} h (prices as of {})",
            book.name, r.item, book.as_of
        ),
        lines,
    })
}

fn public(p: &PublicBook, r: &QuoteRequest, hours: f64) -> Result<Vec<QuoteLine>, String> {
    let mut lines = Vec::new();
    match r.item.as_str() {
        "egress" => {
            let gb = r.gb.ok_or("egress needs --gb N (GiB in one month)")?;
            for t in p.egress.lines(gb) {
                let to =
                    t.to.map_or("and above".to_string(), |b| format!("to {b} GiB"));
                lines.push(money(
                    "egress",
                    format!("{} GiB from {} {to} x {}/GiB", t.quantity, t.from, t.price),
                    t.cost,
                ));
            }
        }
        "storage" => {
            let gb = r.gb.ok_or("storage needs --gb N")?;
            let amount = gb * p.storage_gb_month * hours / HOURS_PER_MONTH;
            lines.push(money(
                "block storage",
                format!(
                    "{gb} GiB x {}/GiB-month x {hours} h / 730 h",
                    p.storage_gb_month
                ),
                amount,
            ));
        }
        "inter-region" => {
            let gb = r.gb.ok_or("inter-region needs --gb N")?;
            lines.push(money(
                "inter-region transfer",
                format!("{gb} GiB x {}/GiB", p.inter_region_gb),
                gb * p.inter_region_gb,
            ));
        }
        "savings-plan" => {
            let (term, upfront) = (
                r.term.ok_or("savings-plan needs --term")?,
                r.upfront.unwrap_or(Upfront::None),
            );
            let sp = p.savings_plan(term, upfront).ok_or_else(|| {
                format!(
                    "no {} {}-upfront savings plan in this book",
                    term.name(),
                    upfront.name()
                )
            })?;
            for (family, d) in &sp.discounts {
                lines.push(fact(
                    &format!("{} {family}", sp.name),
                    format!("{:.2} % off on-demand", d * 100.0),
                ));
            }
        }
        name => {
            let Some(ix) = p.instance(name) else {
                let names: Vec<&str> = p.instances.iter().map(|t| t.name.as_str()).collect();
                return Err(format!(
                    "\"{name}\" is not an item of this book; items: egress, storage, inter-region, savings-plan, or an instance type ({})",
                    names.join(", ")
                ));
            };
            let t = &p.instances[ix];
            let count = f64::from(r.count.unwrap_or(1));
            let od = t.hourly * hours * count;
            match (r.term, r.spot) {
                (Some(term), _) => {
                    let upfront = r
                        .upfront
                        .ok_or("--term needs --upfront none, partial or all")?;
                    let o = p.reserved_offer(ix, term, upfront).ok_or_else(|| {
                        format!(
                            "no {} {}-upfront reservation for {name} in this book",
                            term.name(),
                            upfront.name()
                        )
                    })?;
                    let share = hours / term.hours();
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
                            o.upfront_cost * count * share,
                        ));
                    }
                    if o.hourly > 0.0 {
                        lines.push(money(
                            "reserved hourly",
                            format!("{hours} h x {}/h x {count}", o.hourly),
                            o.hourly * hours * count,
                        ));
                    }
                    lines.push(fact(
                        "effective hourly",
                        format!(
                            "{:.6}/h against {}/h on-demand",
                            o.effective_hourly(),
                            t.hourly
                        ),
                    ));
                    lines.push(fact(
                        "break-even utilisation",
                        format!(
                            "{:.1} % of the term (effective / on-demand)",
                            o.effective_hourly() / t.hourly * 100.0
                        ),
                    ));
                    lines.push(fact(
                        "on-demand for comparison",
                        format!(
                            "{hours} h x {}/h x {count} = {}",
                            t.hourly,
                            format_amount(od)
                        ),
                    ));
                }
                (None, true) => {
                    let spot = t
                        .spot_hourly
                        .ok_or_else(|| format!("{name} has no spot price in this book"))?;
                    lines.push(money(
                        "spot",
                        format!("{hours} h x {spot}/h x {count}"),
                        spot * hours * count,
                    ));
                    lines.push(fact(
                        "evictions",
                        format!(
                            "{} per instance-hour (about {:.1} in these hours)",
                            p.spot_evictions_per_hour,
                            p.spot_evictions_per_hour * hours * count
                        ),
                    ));
                }
                (None, false) => lines.push(money(
                    "on-demand",
                    format!("{hours} h x {}/h x {count}", t.hourly),
                    od,
                )),
            }
            if r.windows {
                let uplift = p.windows_uplift(t);
                lines.push(money(
                    "Windows licence",
                    format!(
                        "{hours} h x {} vCPU x {}/vCPU-hour x {count}",
                        t.vcpus,
                        p.windows_per_vcpu_hour.unwrap_or(0.0)
                    ),
                    uplift * hours * count,
                ));
            }
        }
    }
    Ok(lines)
}

fn private(p: &PrivateBook, r: &QuoteRequest, hours: f64) -> Result<Vec<QuoteLine>, String> {
    if r.item != "host" {
        return Err(format!(
            "\"{}\" is not an item of this book; items: host",
            r.item
        ));
    }
    let count = f64::from(r.count.unwrap_or(1));
    let months = hours / HOURS_PER_MONTH;
    let mut lines = vec![fact(
        "host",
        format!(
            "{} cores, {} sockets, {} GiB, {} vCPU with overcommit {}",
            p.cores,
            p.sockets,
            p.mem_gib,
            p.vcpu_capacity(),
            p.cpu_overcommit
        ),
    )];
    for item in p.fixed_items() {
        lines.push(money(
            item.category.name(),
            format!("{} x {count} hosts x {hours} h / 730 h", item.rule),
            item.monthly * count * months,
        ));
    }
    if let Some(power) = p.power() {
        lines.push(power_line(power, r.util, hours, count)?);
    }
    Ok(lines)
}

/// The energy of `count` servers at a steady load (`--util`, 50 % by default).
fn power_line(
    power: &Power,
    util: Option<f64>,
    hours: f64,
    count: f64,
) -> Result<QuoteLine, String> {
    let u = util.unwrap_or(0.5);
    if !(0.0..=1.0).contains(&u) {
        return Err(format!("--util {u} must be in 0..=1"));
    }
    let watts = power.curve.watts(u);
    Ok(money(
        "power",
        format!(
            "{watts} W at {:.0} % load x {hours} h x PUE {} x {}/kWh x {count}",
            u * 100.0,
            power.pue,
            power.per_kwh
        ),
        power.cost(u, hours) * count,
    ))
}

fn hci(h: &HciBook, r: &QuoteRequest, hours: f64) -> Result<Vec<QuoteLine>, String> {
    if r.item != "unit" {
        return Err(format!(
            "\"{}\" is not an item of this book; items: unit (with --nodes N)",
            r.item
        ));
    }
    let nodes = r.nodes.ok_or("unit needs --nodes N")?;
    h.check_unit(nodes)?;
    let n = f64::from(nodes);
    let largest = r.gb.unwrap_or(0.0);
    let room = h.node_room(nodes);
    let mut lines = vec![
        fact(
            "node",
            format!(
                "{}: {} cores, {} GiB",
                h.node.name, h.node.cores, h.node.mem_gib
            ),
        ),
        fact(
            "total memory",
            format!("{nodes} x {} = {} GiB", h.node.mem_gib, n * h.node.mem_gib),
        ),
        fact(
            "resiliency reserve",
            format!(
                "{:.2} GiB (largest VM {largest} GiB, --gb)",
                h.resiliency_reserve_gib(nodes, largest)
            ),
        ),
        fact(
            "infrastructure",
            format!(
                "{} + {} x {nodes} = {} GiB",
                h.infra_mem_gib_per_unit,
                h.infra_mem_gib_per_node,
                h.infra_gib(nodes)
            ),
        ),
        fact(
            "tenant memory",
            format!("{:.2} GiB", h.tenant_mem_gib(nodes, largest)),
        ),
        fact(
            "per node",
            format!(
                "{:.2} vCPU, {:.2} GiB, {} VMs",
                room.vcpus,
                room.mem_gib,
                room.vms
                    .map_or("any number of".to_string(), |v| v.to_string())
            ),
        ),
        fact(
            "VMs per unit",
            h.max_vms(nodes)
                .map_or("no cap".to_string(), |v| v.to_string()),
        ),
        fact(
            "tenant storage",
            format!(
                "{:.3} TB ({:.3} TB per core)",
                h.tenant_storage_tb(nodes),
                h.tenant_storage_tb(nodes) / (n * f64::from(h.node.cores))
            ),
        ),
        fact(
            "repair time",
            format!(
                "{} s ({})",
                h.repair_time(),
                if h.node.custom_build {
                    "custom build"
                } else {
                    "stocked standard node"
                }
            ),
        ),
    ];
    for item in h.tco.fixed_items(h.node.cores, h.node.sockets) {
        lines.push(money(
            item.category.name(),
            format!("{} x {nodes} nodes x {hours} h / 730 h", item.rule),
            item.monthly * n * hours / HOURS_PER_MONTH,
        ));
    }
    if let Some(power) = &h.tco.power {
        lines.push(power_line(power, r.util, hours, n)?);
    }
    if let Some(vcpus) = r.count {
        let rate = if r.windows {
            h.windows_vcpu_hour
        } else {
            h.base_vcpu_hour
        };
        lines.push(money(
            "consumption",
            format!("{vcpus} vCPU x {hours} h x {rate}/vCPU-hour"),
            f64::from(vcpus) * hours * rate,
        ));
    }
    Ok(lines)
}

fn backup(b: &BackupBook, r: &QuoteRequest, hours: f64) -> Result<Vec<QuoteLine>, String> {
    let months = hours / HOURS_PER_MONTH;
    let lines = match r.item.as_str() {
        "storage" => {
            let tb = r.tb.ok_or("storage needs --tb T (deduplicated TB)")?;
            let stores = b.stores(tb);
            let mut lines = vec![
                fact(
                    "stores",
                    format!("ceil({tb} TB / {} TB) = {stores}", b.store_cap_tb),
                ),
                money(
                    "deduplicated storage",
                    format!(
                        "{tb} TB x {}/TB-month x {hours} h / 730 h",
                        b.stored_tb_month
                    ),
                    tb * b.stored_tb_month * months,
                ),
            ];
            if b.store_monthly > 0.0 {
                lines.push(money(
                    "stores",
                    format!("{stores} x {}/month x {hours} h / 730 h", b.store_monthly),
                    f64::from(stores) * b.store_monthly * months,
                ));
            }
            lines
        }
        "link" => {
            let mbps = r.mbps.ok_or("link needs --mbps M")?;
            let mut lines = vec![money(
                "WAN link",
                format!(
                    "{mbps} Mbps x {}/Mbps-month x {hours} h / 730 h",
                    b.wan_mbps_month
                ),
                mbps * b.wan_mbps_month * months,
            )];
            if let Some(tb) = r.tb {
                lines.push(fact(
                    "transfer",
                    format!(
                        "{tb} TB at {mbps} Mbps takes {:.2} h",
                        transfer_hours(tb, mbps)
                    ),
                ));
            }
            lines
        }
        "licence" => {
            let servers = r.servers.ok_or("licence needs --servers S")?;
            let period = f64::from(b.licence_period_months);
            vec![
                money(
                    "licence",
                    format!(
                        "{servers} servers x {}/server-month x {hours} h / 730 h",
                        b.licence_server_month
                    ),
                    f64::from(servers) * b.licence_server_month * months,
                ),
                fact(
                    "invoiced",
                    format!(
                        "every {period} months in arrears: {} per invoice",
                        format_amount(f64::from(servers) * b.licence_server_month * period)
                    ),
                ),
            ]
        }
        "seed" => {
            let tb = r.tb.ok_or("seed needs --tb T (reduced TB to ship)")?;
            let (drives, cost) = b.seed_drives(tb);
            vec![
                money(
                    "seeding",
                    format!(
                        "ceil({tb} TB / {} TB) = {drives} drives x {}",
                        b.drive_tb, b.drive_cost
                    ),
                    cost,
                ),
                fact("arrives in", format!("{} days", b.drive_days)),
            ]
        }
        other => {
            return Err(format!(
                "\"{other}\" is not an item of this book; items: storage (--tb), link (--mbps), licence (--servers), seed (--tb)"
            ));
        }
    };
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn load(rel: &str) -> Book {
        Book::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
    }

    fn req(item: &str) -> QuoteRequest {
        QuoteRequest {
            item: item.into(),
            ..QuoteRequest::default()
        }
    }

    #[test]
    fn published_monthly_prices_at_730_hours() {
        // AWS lists m5.large at 0.096/h: 730 h = 70.08 a month, the figure its calculator shows.
        let q = quote(&load("pricing/aws-us-east-1.toml"), &req("m5.large")).unwrap();
        assert!((q.total() - 70.08).abs() < 1e-9);
        // GCP's calculator shows n2-standard-2 in us-central1 at 70.90 a month:
        // (2 x 0.031611 + 8 x 0.004237) x 730 = 0.097118 x 730 = 70.896.
        let q = quote(&load("pricing/gcp-us-central1.toml"), &req("n2-standard-2")).unwrap();
        assert!((q.total() - 70.896_14).abs() < 1e-6);
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
    fn private_host_and_hci_unit_quotes() {
        // The itemised host: 233.33 capex + 116.67 support + 50 rack + 100 staff + 80 + 30
        // software = 610.00 a month, plus power at 50 % load: 140 W x 730 h x 1.5 x 0.12 = 18.396.
        let q = quote(&load("pricing/private-kvm-2s32c.toml"), &req("host")).unwrap();
        assert!(
            (q.total() - (610.0 + 18.396)).abs() < 1e-6,
            "{}",
            q.render("USD")
        );
        let unit = QuoteRequest {
            nodes: Some(4),
            ..req("unit")
        };
        let q = quote(&load("pricing/azure-stack-hub.toml"), &unit).unwrap();
        // 4 nodes x (52,000 / 60 + 5,200 / 12 + 1,000 / 16) = 4 x 1,362.5 = 5,450.00 a month,
        // plus power at 50 % load: 4 x 18.396 = 73.584.
        assert!((q.total() - 5_523.584).abs() < 1e-6, "{}", q.render("USD"));
    }

    #[test]
    fn unknown_items_list_what_the_book_has() {
        let err = quote(&load("pricing/backup-msp.toml"), &req("tape")).unwrap_err();
        assert!(
            err.contains("items: storage (--tb), link (--mbps)"),
            "{err}"
        );
        let q = quote(
            &load("pricing/backup-msp.toml"),
            &QuoteRequest {
                tb: Some(70.0),
                ..req("storage")
            },
        )
        .unwrap();
        // 70 TB x 20/TB-month = 1,400 a month in ceil(70 / 64) = 2 stores.
        assert!((q.total() - 1_400.0).abs() < 1e-9);
        assert!(q.render("USD").contains("= 2"));
    }
}
