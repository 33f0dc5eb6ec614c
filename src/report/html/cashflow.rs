//! The payback section of the comparison page: both runs' cumulative cash flows month by month,
//! with the month where B breaks even with A marked, and the figures behind it.

use super::charts::{self, Area, Chart, Drawn, FONT, Key, builder, colour, mesh, upper};
use super::{Section, figure, money};
use crate::summary::Summary;
use crate::summary::cashflow::{CashMonth, Payback, payback};
use maud::html;
use plotters::prelude::*;

/// The chart's points: 0 at the start, then each month's cumulative cash at its end.
fn points(flow: &[CashMonth]) -> Vec<(f64, f64)> {
    std::iter::once((0.0, 0.0))
        .chain(flow.iter().map(|m| ((m.month + 1) as f64, m.cumulative)))
        .collect()
}

/// Puts a `<title>` and `<desc>` first in the SVG, for screen readers and as a tooltip.
fn with_title(mut chart: Chart, desc: &str) -> Chart {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    if let Some(end) = chart
        .svg
        .find("<svg")
        .and_then(|i| chart.svg[i..].find('>').map(|j| i + j + 1))
    {
        let head = format!(
            "\n<title>{}</title>\n<desc>{}</desc>",
            escape(&chart.title),
            escape(desc)
        );
        chart.svg.insert_str(end, &head);
    }
    chart
}

/// Both cumulative curves, and the crossing when B pays back.
pub fn cumulative_chart(
    labels: [&str; 2],
    flows: [&[CashMonth]; 2],
    currency: &str,
    back: Option<&Payback>,
) -> Chart {
    let title = "Cumulative cash flow";
    let lines = flows.map(points);
    let all = || lines.iter().flatten().map(|p| p.1);
    let y_max = all().fold(0.0, f64::max);
    let y_min = all().fold(0.0, f64::min);
    let x_max = flows.iter().map(|f| f.len()).max().unwrap_or(1) as f64;
    let mut keys: Vec<Key> = labels
        .iter()
        .enumerate()
        .map(|(k, l)| Key::line(l, colour(k, 2)))
        .collect();
    let crossing = back.filter(|p| p.at_months > 0.0).map(|p| {
        // The crossing on A's curve, between the month ends either side of it.
        let a = &lines[0];
        let i = (p.at_months.floor() as usize).min(a.len().saturating_sub(2));
        let (x0, y0) = a[i];
        let (x1, y1) = a[(i + 1).min(a.len() - 1)];
        let y = if x1 > x0 {
            y0 + (y1 - y0) * (p.at_months - x0) / (x1 - x0)
        } else {
            y0
        };
        (p.at_months, y, p.month + 1)
    });
    if let Some((_, _, month)) = crossing {
        keys.push(Key::line(&format!("break-even, month {month}"), BLACK));
    }
    let chart = charts::draw(
        "cumulative-cash",
        title,
        320,
        &keys,
        |root: &Area| -> Drawn {
            let y_lo = if y_min < 0.0 { -upper(-y_min) } else { 0.0 };
            let mut chart = builder(root, title, 64)
                .build_cartesian_2d(0.0..x_max.max(1.0), y_lo..upper(y_max))?;
            mesh!(chart)
                .x_desc("months from the start (730 hours each)")
                .y_desc(format!("{currency} paid so far"))
                .y_label_formatter(&|v| charts::short(*v))
                .draw()?;
            for (k, points) in lines.iter().enumerate() {
                let c = colour(k, 2);
                chart.draw_series(LineSeries::new(points.iter().copied(), c.stroke_width(2)))?;
            }
            if let Some((x, y, _)) = crossing {
                chart.draw_series(std::iter::once(PathElement::new(
                    [(x, y_lo), (x, upper(y_max))],
                    BLACK.stroke_width(1),
                )))?;
                chart.draw_series(std::iter::once(Circle::new(
                    (x, y),
                    6,
                    BLACK.stroke_width(2),
                )))?;
            }
            Ok(())
        },
    );
    let desc = match crossing {
        Some((x, _, month)) => format!(
            "Cumulative cash paid by {} and by {}, month by month; the curves cross {x:.1} months from the start, in month {month}, after which B has paid less.",
            labels[0], labels[1]
        ),
        None => format!(
            "Cumulative cash paid by {} and by {}, month by month; B does not break even with A within the horizon.",
            labels[0], labels[1]
        ),
    };
    with_title(chart, &desc)
}

/// The comparison page's payback section and its chart, when both runs cover several months.
pub fn section(a: &Summary, b: &Summary) -> Option<(Section, Chart)> {
    if !crate::report::has_cash_flows(a, b) {
        return None;
    }
    let back = payback(&a.cash_flow, &b.cash_flow);
    let labels = [format!("A: {}", a.scenario), format!("B: {}", b.scenario)];
    let chart = cumulative_chart(
        [&labels[0], &labels[1]],
        [&a.cash_flow, &b.cash_flow],
        &a.currency,
        back.as_ref(),
    );
    let line = crate::report::payback_line(a, b).unwrap_or_default();
    let npv = |s: &Summary| {
        s.npv
            .as_ref()
            .map(|n| format!("{} at {} %", money(n.value), n.discount_rate_pct))
    };
    let body = html! {
        p { (line) }
        table {
            tr { th { "figure" } th.n { (labels[0]) } th.n { (labels[1]) } }
            tr { td { "cash paid over the horizon" }
                 td.n { (money(a.cash_flow.last().map_or(0.0, |m| m.cumulative))) }
                 td.n { (money(b.cash_flow.last().map_or(0.0, |m| m.cumulative))) } }
            @if a.npv.is_some() || b.npv.is_some() {
                tr { td { "net present value" } td.n { (npv(a).unwrap_or_default()) } td.n { (npv(b).unwrap_or_default()) } }
            }
        }
        (figure(&chart, "Cash paid so far at the end of each 730-hour month; the circle marks where B's curve falls to A's for good."))
    };
    let section = Section {
        id: "payback",
        title: "Cumulative cash and payback".into(),
        body,
    };
    Some((section, chart))
}
