//! The report for people: one self-contained HTML page (inline CSS and SVG, no scripts, nothing
//! fetched) built with maud's typed templates, and each chart as its own SVG. `Report` gathers
//! what a page can show; every section is drawn only when its figures exist.

pub mod brand;
mod cashflow;
pub mod charts;
mod compare;
mod method;
mod proposal;
mod rightsize;
mod sections;

pub use brand::{Brand, BrandError, MAX_LOGO_BYTES};
pub use compare::render_compare;

use crate::optimize::Recommendation;
use crate::optimize::alone::Comparison;
use crate::pricing::Category;
use crate::scenario::Scenario;
use crate::sim::Outcome;
use crate::summary::proposal::{CostSplit, UnitCosts};
use crate::summary::{MonthSummary, Summary, ledger_venue_names};
use crate::trace::VmTable;
use crate::uncertainty::stats;
use crate::units::{DAY, HOUR};
use charts::Chart;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// Cost per period, by venue and by category.
pub struct Periods {
    /// "day" or "month".
    pub unit: &'static str,
    pub labels: Vec<String>,
    pub by_venue: Vec<(String, Vec<f64>)>,
    pub by_category: Vec<(String, Vec<f64>)>,
}

/// A private or HCI site's use over time, as ratios of its capacity at each step boundary.
pub struct SiteSeries<'a> {
    pub venue: String,
    pub step_hours: f64,
    pub cpu_used: &'a [f32],
    pub mem_allocated: &'a [f32],
}

/// Each backup site's nightly jobs as (start day, hours).
pub struct BackupNights {
    pub window_hours: f64,
    pub sites: Vec<(String, Vec<(f64, f64)>)>,
}

/// The scenario as written, for the appendix.
pub struct Inputs {
    pub path: String,
    pub text: String,
}

/// Everything a report page can show.
pub struct Report<'a> {
    pub summary: &'a Summary,
    pub periods: Periods,
    pub sites: Vec<SiteSeries<'a>>,
    pub backup: Option<BackupNights>,
    /// Another run to state savings against.
    pub baseline: Option<&'a Summary>,
    pub study: Option<&'a stats::Result>,
    pub plan: Option<&'a Recommendation>,
    pub inputs: Option<Inputs>,
    /// Cost per VM-month and vCPU-hour by venue and group.
    pub units: UnitCosts,
    /// Recurring run-rate and one-off payments.
    pub split: CostSplit,
    /// The same workload priced on each venue alone.
    pub comparison: Option<Comparison>,
    pub brand: Brand,
}

/// A rendered page and its charts (each also written as `<id>.svg`).
pub struct Page {
    pub html: String,
    pub charts: Vec<Chart>,
}

/// Horizons up to this many days are drawn per day; longer ones per 730-hour month.
pub const DAILY_UP_TO: usize = 62;

impl Periods {
    /// A run's cost per day (short horizons, from the ledger) or per month (from the summary).
    pub fn of_run(scenario: &Scenario, outcome: &Outcome, summary: &Summary) -> Periods {
        let ledger = &outcome.ledger;
        let days = ledger.days();
        if days > DAILY_UP_TO {
            return Periods::monthly(summary);
        }
        let names = ledger_venue_names(scenario);
        let mut by_venue: Vec<(String, Vec<f64>)> = names
            .iter()
            .map(|n| (n.to_string(), vec![0.0; days]))
            .collect();
        let mut by_category: Vec<(String, Vec<f64>)> = Category::ALL
            .iter()
            .map(|c| (c.name().to_string(), vec![0.0; days]))
            .collect();
        for (id, line) in ledger.lines().iter().enumerate() {
            let c = Category::ALL
                .iter()
                .position(|c| *c == line.category)
                .unwrap_or(0);
            for (d, amount) in ledger.daily(id).iter().enumerate() {
                by_venue[line.venue].1[d] += amount;
                by_category[c].1[d] += amount;
            }
        }
        let used = |s: &(String, Vec<f64>)| s.1.iter().any(|a| *a != 0.0);
        by_venue.retain(used);
        by_category.retain(used);
        Periods {
            unit: "day",
            labels: (1..=days).map(|d| d.to_string()).collect(),
            by_venue,
            by_category,
        }
    }

    /// Cost per 730-hour month, from summary.json's figures.
    pub fn monthly(summary: &Summary) -> Periods {
        let months = &summary.by_month;
        let series = |names: Vec<String>, pick: &dyn Fn(&MonthSummary, &str) -> f64| {
            names
                .into_iter()
                .map(|n| {
                    let v = months.iter().map(|m| pick(m, &n)).collect();
                    (n, v)
                })
                .collect()
        };
        let mut cats: Vec<String> = months
            .iter()
            .flat_map(|m| m.by_category.keys().map(|k| k.to_string()))
            .collect();
        cats.sort();
        cats.dedup();
        let venues: Vec<String> = summary
            .venues
            .iter()
            .filter(|v| months.iter().any(|m| m.by_venue.contains_key(&v.name)))
            .map(|v| v.name.clone())
            .collect();
        Periods {
            unit: "month",
            labels: months.iter().map(|m| (m.month + 1).to_string()).collect(),
            by_venue: series(venues, &|m, n| m.by_venue.get(n).copied().unwrap_or(0.0)),
            by_category: series(cats, &|m, n| m.by_category.get(n).copied().unwrap_or(0.0)),
        }
    }
}

impl<'a> Report<'a> {
    /// The report of a simulated run; the optional parts start empty.
    pub fn of_run(
        scenario: &Scenario,
        table: &VmTable,
        outcome: &'a Outcome,
        summary: &'a Summary,
    ) -> Report<'a> {
        let sites = scenario
            .venues
            .iter()
            .zip(&outcome.venues)
            .filter_map(|(v, o)| {
                let site = o.site.as_ref()?;
                Some(SiteSeries {
                    venue: v.name.clone(),
                    step_hours: scenario.step as f64 / HOUR as f64,
                    cpu_used: &site.cpu_used,
                    mem_allocated: &site.mem_allocated,
                })
            })
            .collect();
        let backup = scenario
            .backup
            .as_ref()
            .zip(outcome.backup.as_ref())
            .map(|(plan, b)| BackupNights {
                window_hours: plan.window as f64 / HOUR as f64,
                sites: b
                    .transfers
                    .iter()
                    .map(|t| {
                        let jobs = t
                            .jobs
                            .iter()
                            .map(|(start, took)| {
                                (*start as f64 / DAY as f64, *took as f64 / HOUR as f64)
                            })
                            .collect();
                        (t.name.clone(), jobs)
                    })
                    .collect(),
            });
        Report {
            summary,
            periods: Periods::of_run(scenario, outcome, summary),
            sites,
            backup,
            baseline: None,
            study: None,
            plan: None,
            inputs: None,
            units: UnitCosts::build(scenario, table, outcome, summary),
            split: CostSplit::build(scenario, summary),
            comparison: None,
            brand: Brand::default(),
        }
    }
}

/// The page's stylesheet: readable on screen and on paper, no web fonts.
const STYLE: &str = r#"
:root { --accent: #0b3954; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: #1b1f24; margin: 0; background: #f6f7f9; line-height: 1.45; }
header { background: var(--accent); color: #fff; padding: 24px 40px; display: flex; gap: 20px;
  align-items: center; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; opacity: .85; }
header .company { font-size: 14px; text-transform: uppercase; letter-spacing: .06em; opacity: 1; }
header img.logo { max-height: 64px; max-width: 200px; background: #fff; padding: 6px; border-radius: 4px; }
nav { background: #fff; border-bottom: 1px solid #dde1e6; padding: 8px 40px; font-size: 14px; }
nav a { margin-right: 16px; color: var(--accent); text-decoration: none; }
main { max-width: 1080px; margin: 0 auto; padding: 8px 40px 40px; }
section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 8px 24px 20px;
  margin: 20px 0; }
h2 { font-size: 20px; border-bottom: 2px solid var(--accent); padding-bottom: 4px; }
h3 { font-size: 16px; margin-top: 20px; }
.recommendation { font-size: 18px; font-weight: 500; border-left: 4px solid var(--accent);
  padding: 4px 0 4px 12px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { flex: 1 1 180px; border: 1px solid #dde1e6; border-radius: 6px; padding: 10px 14px; }
.card .v { font-size: 22px; font-weight: 600; }
.card .k { font-size: 13px; color: #57606a; }
.good { color: #007a5a; } .bad { color: #b3261e; }
table { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 4px 10px; text-align: left; vertical-align: top; }
th[scope=row] { font-weight: normal; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.src { overflow-wrap: anywhere; max-width: 260px; font-size: 12px; }
figure { margin: 12px 0; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 13px; color: #57606a; }
pre { background: #f6f8fa; border: 1px solid #e4e7eb; padding: 12px; overflow-x: auto;
  font-size: 12px; }
.note { font-size: 13px; color: #57606a; }
/* Paper: A4 or Letter, whichever the printer has (no size is forced); 14 mm margins leave a
   182 mm (A4) or 188 mm (Letter) column, which everything below fits. */
@page { margin: 14mm; }
@media print {
  nav { display: none; }
  body { background: #fff; font-size: 10pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  header { padding: 8px 12px; }
  header h1 { font-size: 15pt; } header p { font-size: 9pt; }
  header img.logo { max-height: 40px; }
  main { max-width: none; padding: 0; }
  h2 { font-size: 13pt; margin: 10px 0 6px; } h3 { font-size: 11pt; margin: 8px 0 4px; }
  .recommendation { font-size: 11pt; }
  .card { padding: 4px 8px; } .card .v { font-size: 13pt; } .card .k { font-size: 8pt; }
  #venue-comparison figure svg { max-height: 42mm; width: auto; }
  figure { margin: 4px 0; } p { margin: 4px 0; } table { margin: 4px 0; }
  .note, figcaption { font-size: 8pt; }
  section { border: none; padding: 0; margin: 0 0 12px; }
  #recurring { break-after: page; }
  h2, h3, caption { break-after: avoid; }
  figure, tr, .card, .recommendation { break-inside: avoid; }
  thead { display: table-header-group; }
  table { font-size: 8pt; max-width: 100%; }
  th, td { padding: 2px 5px; overflow-wrap: break-word; }
  td.src { max-width: 50mm; font-size: 7pt; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 7pt; }
}
"#;

/// Money in tables: thousands separators and cents.
use crate::units::format_amount as money;

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// A chart in its figure, with the caption that says what it shows.
fn figure(chart: &Chart, caption: &str) -> Markup {
    html! {
        figure id=(format!("chart-{}", chart.id)) data-chart=(chart.id) aria-label=(chart.title) {
            (PreEscaped(&chart.svg))
            figcaption { (caption) }
        }
    }
}

/// The SVG with a role, a `<title>` and a `<desc>` naming its series, first in the document,
/// so a screen reader (and a standalone .svg file) says what the chart shows.
fn accessible<'a>(svg: &str, title: &str, series: impl Iterator<Item = &'a str>) -> String {
    let Some(open) = svg
        .find("<svg")
        .and_then(|at| svg[at..].find('>').map(|e| at + e))
    else {
        return svg.to_string();
    };
    let names: Vec<&str> = series.collect();
    let desc = match names.is_empty() {
        true => format!("Chart: {title}."),
        false => format!("Chart: {title}. Series: {}.", names.join(", ")),
    };
    let head = html! { title { (title) } desc { (desc) } };
    format!(
        "{} role=\"img\">{}{}",
        &svg[..open],
        head.into_string(),
        &svg[open + 1..]
    )
}

/// One section of the page: id, heading and body.
struct Section {
    id: &'static str,
    title: String,
    body: Markup,
}

/// The page around its sections: header, navigation and footer.
fn page(title: &str, subtitle: &str, brand: &Brand, sections: &[Section]) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                // Nothing may be fetched: styles are inline, charts are inline SVG.
                meta http-equiv="Content-Security-Policy"
                    content="default-src 'none'; style-src 'unsafe-inline'; img-src data:";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
                // The accent is a checked #rrggbb (brand::parse_colour): safe inside CSS.
                style { (PreEscaped(format!(":root {{ --accent: {}; }}", brand.accent()))) }
            }
            body {
                header {
                    @if let Some(logo) = &brand.logo { img.logo src=(logo) alt=(brand.company.as_deref().unwrap_or("logo")); }
                    div {
                        @if let Some(c) = &brand.company { p.company { (c) } }
                        h1 { (title) }
                        p { (subtitle) }
                    }
                }
                nav {
                    @for s in sections { a href=(format!("#{}", s.id)) { (s.title) } }
                }
                main {
                    @for s in sections {
                        section id=(s.id) {
                            h2 { (s.title) }
                            (s.body)
                        }
                    }
                    p.note {
                        "Made by hybridplan " (env!("CARGO_PKG_VERSION"))
                        ". Figures are simulated from the inputs in the appendix; money is rounded to cents."
                    }
                }
            }
        }
    }
    .into_string()
}

/// Renders a run's (or a validated plan's) report: the proposal first (summary, unit costs,
/// venue comparison, recurring and one-off costs), then the detail, then assumptions and method.
pub fn render(r: &Report) -> Page {
    let s = r.summary;
    let mut charts = Vec::new();
    let sec = |id, title: &str, body| Section {
        id,
        title: title.to_string(),
        body,
    };
    let mut out = vec![
        sec("summary", "Summary", proposal::summary(r, &r.split)),
        sec(
            "unit-costs",
            "Unit costs",
            proposal::unit_costs(&r.units, &s.currency),
        ),
    ];
    if let Some(c) = &r.comparison {
        let body = proposal::venue_comparison(r, c, &mut charts);
        out.push(sec("venue-comparison", "Venue comparison", body));
    }
    out.push(sec(
        "recurring",
        "Recurring and one-off costs",
        proposal::recurring(r, &r.split),
    ));
    out.push(sec("headline", "Cost detail", sections::headline(r)));
    out.push(sec(
        "cost-over-time",
        "Cost over time",
        sections::cost_over_time(r, &mut charts),
    ));
    if !s.groups.is_empty() {
        out.push(sec(
            "placement",
            "Placement",
            sections::placement(s, &mut charts),
        ));
    }
    if !s.private_sites.is_empty() {
        let body = sections::private_sites(r, &mut charts);
        out.push(sec("private-sites", "Private sites", body));
    }
    if s.private_sites.iter().any(|p| p.units.is_some()) {
        out.push(sec("hci", "HCI sizing", sections::hci(s, &mut charts)));
    }
    if let Some(b) = &s.backup {
        let body = sections::backup(s, b, r.backup.as_ref(), &mut charts);
        out.push(sec("backup", "Backup", body));
    }
    if let Some(sizing) = &s.rightsize {
        out.push(Section {
            id: "rightsize",
            title: "Right-sizing".into(),
            body: rightsize::section(sizing, &s.currency),
        });
    }
    if let Some(study) = r.study {
        let body = sections::uncertainty(study, &mut charts);
        out.push(sec("uncertainty", "Uncertainty", body));
    }
    if let Some(plan) = r.plan {
        let body = sections::optimizer(plan, s, &mut charts);
        out.push(sec("optimizer", "Optimizer", body));
    }
    out.push(sec(
        "assumptions",
        "Assumptions",
        method::assumptions(s, r.inputs.as_ref()),
    ));
    out.push(sec("method", "Method", method::methodology(s)));
    out.push(sec(
        "appendix",
        "Appendix: inputs and sources",
        sections::appendix(s, r.inputs.as_ref()),
    ));
    let title = match r.plan {
        Some(_) => format!("{}: the optimizer's plan, simulated", s.scenario),
        None => format!("{}: hybrid-cloud cost report", s.scenario),
    };
    let subtitle = if s.description.is_empty() {
        format!("{} over {}", s.currency, s.horizon)
    } else {
        format!("{} ({} over {})", s.description, s.currency, s.horizon)
    };
    Page {
        html: page(&title, &subtitle, &r.brand, &out),
        charts,
    }
}
