//! `hybridplan compare a b --report html`: two runs side by side with their deltas.

use super::charts::{self, Chart, Row};
use super::sections::appendix;
use super::{Page, Section, figure, money, page, pct};
use crate::report::{change, compare_rows, venue_names, venue_total};
use crate::summary::Summary;
use maud::{Markup, html};

/// A table row: figure, A, B, B - A and the change in per cent of A.
fn delta_row(label: &str, a: f64, b: f64) -> Markup {
    let d = b - a;
    let class = if d > 0.005 {
        "bad"
    } else if d < -0.005 {
        "good"
    } else {
        ""
    };
    html! {
        tr { th scope="row" { (label) } td.n { (money(a)) } td.n { (money(b)) } td.n class=(class) { (money(d)) }
             td.n { @if let Some(c) = change(a, b) { (format!("{c:+.1} %")) } } }
    }
}

/// A line's (x, y) points.
type Points = Vec<(f64, f64)>;

/// Each run's cost per month, or per day (from their ledgers) when `daily` is given: runs
/// shorter than two months have too few monthly points for a line.
fn over_time(a: &Summary, b: &Summary, daily: Option<[&[f64]; 2]>, labels: (&str, &str)) -> Chart {
    let (points, unit, x, x_max): (Vec<Points>, &str, &str, f64) = match daily {
        Some(days) => (
            days.iter()
                .map(|d| {
                    d.iter()
                        .enumerate()
                        .map(|(i, v)| (i as f64 + 0.5, *v))
                        .collect()
                })
                .collect(),
            "day",
            "day",
            days[0].len().max(days[1].len()) as f64,
        ),
        None => (
            [a, b]
                .iter()
                .map(|s| {
                    s.by_month
                        .iter()
                        .map(|m| (m.month as f64 + 0.5, m.total))
                        .collect()
                })
                .collect(),
            "month",
            "month (730 hours)",
            a.by_month.len().max(b.by_month.len()) as f64,
        ),
    };
    let mut points = points.into_iter();
    charts::lines_with_limit(
        &format!("compare-{unit}s"),
        &format!("Cost per {unit}"),
        x,
        &format!("{} per {unit}", a.currency),
        x_max,
        &[
            (labels.0.to_string(), points.next().unwrap_or_default()),
            (labels.1.to_string(), points.next().unwrap_or_default()),
        ],
        None,
    )
}

/// The comparison page of runs `a` and `b` (B is compared against A), with each run's cost
/// per day when `daily` holds their ledgers' daily totals.
pub fn render_compare(a: &Summary, b: &Summary, daily: Option<[&[f64]; 2]>) -> Page {
    let mut charts_out = Vec::new();
    let saved = a.total - b.total;
    let venues = venue_names(a, b);
    let rows: Vec<Row> = venues
        .iter()
        .flat_map(|v| {
            [(a, 0, "A"), (b, 1, "B")].map(|(s, k, tag)| Row {
                label: format!("{v} ({tag})"),
                segments: vec![(0.0, venue_total(s, v), k)],
            })
        })
        .collect();
    let a_label = format!("A: {}", a.scenario);
    let b_label = format!("B: {}", b.scenario);
    let by_venue = charts::horizontal_bars(
        "compare-venues",
        "Cost by venue",
        &a.currency,
        &[&a_label, &b_label],
        &rows,
        &[],
    );
    let by_time = over_time(a, b, daily, (&a_label, &b_label));
    let headline = html! {
        @if a.currency != b.currency {
            p.bad { "The runs report in different currencies (" (a.currency) " and " (b.currency) "); deltas mix them." }
        }
        @if a.horizon_s != b.horizon_s {
            p.bad { "The runs cover different horizons (" (a.horizon) " and " (b.horizon) "); compare the per-month figures." }
        }
        div.cards {
            div.card { div.v { (money(a.total)) " " (a.currency) } div.k { "A: " (a.scenario) ", total over " (a.horizon) } }
            div.card { div.v { (money(b.total)) " " (b.currency) } div.k { "B: " (b.scenario) ", total over " (b.horizon) } }
            // The amount without its sign: the words under it say which way it goes.
            div.card id="difference" { div class=(if saved >= 0.0 { "v good" } else { "v bad" }) { (money(saved.abs())) " " (a.currency) }
                div.k { @if saved >= 0.0 { "B saves against A (" } @else { "B costs more than A (" } (pct(saved.abs() / a.total.abs().max(1e-9))) ")" } }
        }
        table {
            tr { th scope="col" { "figure" } th.n scope="col" { "A: " (a.scenario) } th.n scope="col" { "B: " (b.scenario) } th.n scope="col" { "B - A" } th.n scope="col" { "change" } }
            @for (name, x, y) in compare_rows(a, b) { (delta_row(&name, x, y)) }
        }
        p.note { "A positive B - A is more cost (shown red), a negative one a saving (green). Money is in " (a.currency) "." }
    };
    let charts = html! {
        (figure(&by_venue, "Each venue's total over the horizon in A and in B."))
        (figure(&by_time, if daily.is_some() { "Each run's cost per day, from its ledger." } else { "Each run's cost per 730-hour month." }))
    };
    charts_out.extend([by_venue, by_time]);
    let sites = html! {
        table {
            tr { th scope="col" { "site" } th.n scope="col" { "A hosts" } th.n scope="col" { "B hosts" } th.n scope="col" { "A peak memory" } th.n scope="col" { "B peak memory" } }
            @for name in &venues {
                @let sa = a.private_sites.iter().find(|p| p.venue == *name);
                @let sb = b.private_sites.iter().find(|p| p.venue == *name);
                @if sa.is_some() || sb.is_some() {
                    tr { th scope="row" { (name) }
                         td.n { (sa.map(|p| p.hosts.to_string()).unwrap_or_default()) }
                         td.n { (sb.map(|p| p.hosts.to_string()).unwrap_or_default()) }
                         td.n { (sa.map(|p| pct(p.peak_mem_allocated_ratio)).unwrap_or_default()) }
                         td.n { (sb.map(|p| pct(p.peak_mem_allocated_ratio)).unwrap_or_default()) } }
                }
            }
        }
    };
    let mut sections = vec![
        Section {
            id: "headline",
            title: "Headline".into(),
            body: headline,
        },
        Section {
            id: "cost-over-time",
            title: "Cost by venue and month".into(),
            body: charts,
        },
    ];
    if !a.private_sites.is_empty() || !b.private_sites.is_empty() {
        sections.push(Section {
            id: "private-sites",
            title: "Private sites".into(),
            body: sites,
        });
    }
    if let Some((section, chart)) = super::cashflow::section(a, b) {
        sections.push(section);
        charts_out.push(chart);
    }
    sections.push(Section {
        id: "appendix",
        title: "Appendix: inputs and sources".into(),
        body: html! { h3 { "A: " (a.scenario) } (appendix(a, None)) h3 { "B: " (b.scenario) } (appendix(b, None)) },
    });
    let title = format!("{} vs {}", a.scenario, b.scenario);
    Page {
        html: page(
            &title,
            "Two runs side by side: B compared against A",
            &super::Brand::default(),
            &sections,
        ),
        charts: charts_out,
    }
}
