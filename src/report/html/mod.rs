//! The report for people: one self-contained HTML page (inline CSS and SVG, no scripts, nothing
//! fetched) built with maud's typed templates, and each chart as its own SVG. `Report` gathers
//! what a page can show; every section is drawn only when its figures exist.

mod cashflow;
pub mod charts;
mod compare;
mod rightsize;
mod sections;

pub use compare::render_compare;

use crate::optimize::Recommendation;
use crate::pricing::Category;
use crate::scenario::Scenario;
use crate::sim::Outcome;
use crate::summary::{MonthSummary, Summary, ledger_venue_names};
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
}

/// A rendered page and its charts (each also written as `<id>.svg`).
pub struct Page {
    pub html: String,
    pub charts: Vec<Chart>,
}

/// Horizons up to this many days are drawn per day; longer ones per 730-hour month.
const DAILY_UP_TO: usize = 62;

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
    pub fn of_run(scenario: &Scenario, outcome: &'a Outcome, summary: &'a Summary) -> Report<'a> {
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
        }
    }
}

/// The page's stylesheet: readable on screen and on paper, no web fonts.
const STYLE: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: #1b1f24; margin: 0; background: #f6f7f9; line-height: 1.45; }
header { background: #0b3954; color: #fff; padding: 24px 40px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; opacity: .85; }
nav { background: #fff; border-bottom: 1px solid #dde1e6; padding: 8px 40px; font-size: 14px; }
nav a { margin-right: 16px; color: #0b3954; text-decoration: none; }
main { max-width: 1080px; margin: 0 auto; padding: 8px 40px 40px; }
section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 8px 24px 20px;
  margin: 20px 0; }
h2 { font-size: 20px; border-bottom: 2px solid #0072b2; padding-bottom: 4px; }
h3 { font-size: 16px; margin-top: 20px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { flex: 1 1 180px; border: 1px solid #dde1e6; border-radius: 6px; padding: 10px 14px; }
.card .v { font-size: 22px; font-weight: 600; }
.card .k { font-size: 13px; color: #57606a; }
.good { color: #007a5a; } .bad { color: #b3261e; }
table { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 4px 10px; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 12px 0; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 13px; color: #57606a; }
pre { background: #f6f8fa; border: 1px solid #e4e7eb; padding: 12px; overflow-x: auto;
  font-size: 12px; }
.note { font-size: 13px; color: #57606a; }
@media print { nav { display: none; } body { background: #fff; } section { break-inside: avoid; } }
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

/// One section of the page: id, heading and body.
struct Section {
    id: &'static str,
    title: String,
    body: Markup,
}

/// The page around its sections: header, navigation and footer.
fn page(title: &str, subtitle: &str, sections: &[Section]) -> String {
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
            }
            body {
                header {
                    h1 { (title) }
                    p { (subtitle) }
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

/// Renders a run's (or a validated plan's) report.
pub fn render(r: &Report) -> Page {
    let s = r.summary;
    let mut charts = Vec::new();
    let mut out = vec![Section {
        id: "headline",
        title: "Headline".into(),
        body: sections::headline(r),
    }];
    out.push(Section {
        id: "cost-over-time",
        title: "Cost over time".into(),
        body: sections::cost_over_time(r, &mut charts),
    });
    if !s.groups.is_empty() {
        out.push(Section {
            id: "placement",
            title: "Placement".into(),
            body: sections::placement(s, &mut charts),
        });
    }
    if !s.private_sites.is_empty() {
        out.push(Section {
            id: "private-sites",
            title: "Private sites".into(),
            body: sections::private_sites(r, &mut charts),
        });
    }
    if s.private_sites.iter().any(|p| p.units.is_some()) {
        out.push(Section {
            id: "hci",
            title: "HCI sizing".into(),
            body: sections::hci(s, &mut charts),
        });
    }
    if let Some(b) = &s.backup {
        out.push(Section {
            id: "backup",
            title: "Backup".into(),
            body: sections::backup(s, b, r.backup.as_ref(), &mut charts),
        });
    }
    if let Some(sizing) = &s.rightsize {
        out.push(Section {
            id: "rightsize",
            title: "Right-sizing".into(),
            body: rightsize::section(sizing, &s.currency),
        });
    }
    if let Some(study) = r.study {
        out.push(Section {
            id: "uncertainty",
            title: "Uncertainty".into(),
            body: sections::uncertainty(study, &mut charts),
        });
    }
    if let Some(plan) = r.plan {
        out.push(Section {
            id: "optimizer",
            title: "Optimizer".into(),
            body: sections::optimizer(plan, s, &mut charts),
        });
    }
    out.push(Section {
        id: "appendix",
        title: "Appendix: inputs and sources".into(),
        body: sections::appendix(s, r.inputs.as_ref()),
    });
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
        html: page(&title, &subtitle, &out),
        charts,
    }
}
