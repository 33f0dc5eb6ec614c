//! The report's charts, drawn with plotters' SVG backend into strings. Text is left to the
//! browser (SVG `<text>`), so nothing here needs a font library. Each function takes plain
//! figures; what the figures mean is decided by the caller.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Okabe and Ito's palette, safe for the common forms of colour blindness; grey is "other".
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0x00, 0x00, 0x00),
];
const OTHER: RGBColor = RGBColor(0x99, 0x99, 0x99);
pub(super) const FONT: &str = "sans-serif";
const WIDTH: u32 = 760;

/// Points drawn per line at most; longer series are reduced to the largest value of each
/// bucket (so peaks stay visible). Totals are always computed from the full series.
pub const MAX_POINTS: usize = 600;

pub(super) type Drawn = Result<(), Box<dyn std::error::Error>>;
pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// One drawn chart: its id (also the .svg file's stem), title and SVG text.
#[derive(Debug, Clone)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub svg: String,
}

/// A legend entry: a filled box (areas, bars) or a line (series, markers).
pub struct Key {
    pub name: String,
    pub colour: RGBColor,
    pub line: bool,
}

impl Key {
    fn boxed(name: &str, colour: RGBColor) -> Key {
        Key {
            name: name.to_string(),
            colour,
            line: false,
        }
    }
    pub(super) fn line(name: &str, colour: RGBColor) -> Key {
        Key {
            name: name.to_string(),
            colour,
            line: true,
        }
    }
}

const KEY_ROW: u32 = 22;

/// Where each key goes in the legend strip under the plot: (x, row), wrapping at the width.
/// Widths are estimated (7 px per character at 13 px), as no font metrics are at hand.
fn key_layout(keys: &[Key]) -> (Vec<(u32, u32)>, u32) {
    let (mut x, mut row) = (64, 0);
    let mut at = Vec::with_capacity(keys.len());
    for k in keys {
        let w = 28 + 7 * k.name.chars().count() as u32 + 20;
        if x + w > WIDTH - 8 && x > 64 {
            x = 64;
            row += 1;
        }
        at.push((x, row));
        x += w;
    }
    let rows = if keys.is_empty() { 0 } else { row + 1 };
    (at, rows)
}

/// Draws a chart whose plot is `height` pixels high on a white background with `f`, with the
/// legend in a strip below it (never over the data).
pub(super) fn draw(
    id: &str,
    title: &str,
    height: u32,
    keys: &[Key],
    f: impl FnOnce(&Area) -> Drawn,
) -> Chart {
    let (at, rows) = key_layout(keys);
    let strip = if rows == 0 { 0 } else { rows * KEY_ROW + 8 };
    let mut svg = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height + strip)).into_drawing_area();
        let (plot, legend) = root.split_vertically(height);
        root.fill(&WHITE)
            .map_err(Into::into)
            .and_then(|()| f(&plot))
            .and_then(|()| draw_keys(&legend, keys, &at))
            .and_then(|()| root.present().map_err(Into::into))
    };
    if let Err(e) = drawn {
        // Drawing into a string cannot fail on I/O; a failure here is a bug in the chart's
        // ranges, shown in place of the chart rather than stopping the report.
        svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"40\"><text x=\"8\" y=\"24\">chart not drawn: {}</text></svg>",
            escape(&e.to_string())
        );
    }
    Chart {
        id: id.to_string(),
        title: title.to_string(),
        svg: super::accessible(&svg, title, keys.iter().map(|k| k.name.as_str())),
    }
}

fn draw_keys(area: &Area, keys: &[Key], at: &[(u32, u32)]) -> Drawn {
    let style = TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for (k, &(x, row)) in keys.iter().zip(at) {
        let (x, y) = (x as i32, (row * KEY_ROW + KEY_ROW / 2) as i32);
        if k.line {
            area.draw(&PathElement::new(
                [(x, y), (x + 18, y)],
                k.colour.stroke_width(3),
            ))?;
        } else {
            area.draw(&Rectangle::new(
                [(x + 2, y - 6), (x + 16, y + 6)],
                k.colour.filled(),
            ))?;
        }
        area.draw(&Text::new(k.name.clone(), (x + 26, y), style.clone()))?;
    }
    Ok(())
}

/// A chart's frame: title, margins and the axes' label areas.
pub(super) fn builder<'a, 'b>(
    root: &'a Area<'b>,
    title: &str,
    y_labels: u32,
) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut b = ChartBuilder::on(root);
    b.caption(title, (FONT, 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(y_labels);
    b
}

/// The mesh every chart shares: no minor grid, readable labels.
macro_rules! mesh {
    ($chart:expr) => {
        $chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(BLACK.mix(0.12))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 13))
    };
}
pub(super) use mesh;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Colours of a histogram's marker lines (vermillion, black, purple), apart from its bars.
fn marker(k: usize) -> RGBColor {
    [PALETTE[5], PALETTE[7], PALETTE[3]][k % 3]
}

pub(super) fn colour(i: usize, n: usize) -> RGBColor {
    if i + 1 == n && n > PALETTE.len() {
        OTHER
    } else {
        PALETTE[i % PALETTE.len()]
    }
}

/// Named series, at most `PALETTE.len()` of them: the largest by total, the rest summed into
/// "other".
pub fn top_series(mut series: Vec<(String, Vec<f64>)>) -> Vec<(String, Vec<f64>)> {
    if series.len() <= PALETTE.len() {
        return series;
    }
    let total = |v: &[f64]| v.iter().sum::<f64>();
    series.sort_by(|a, b| total(&b.1).total_cmp(&total(&a.1)).then(a.0.cmp(&b.0)));
    let rest = series.split_off(PALETTE.len() - 1);
    let len = rest[0].1.len();
    let other = (0..len)
        .map(|i| rest.iter().map(|s| s.1[i]).sum())
        .collect();
    series.push((format!("other ({})", rest.len()), other));
    series
}

/// A nice upper bound for an axis that must show `max`.
pub(super) fn upper(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    max * 1.08
}

/// Short money labels: 1.2k, 3.4M.
pub fn short(x: f64) -> String {
    let a = x.abs();
    if a >= 1e6 {
        format!("{:.1}M", x / 1e6)
    } else if a >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else if a >= 10.0 || a == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

/// Stacked columns: one column per period (`labels`), one stacked part per series.
pub fn stacked_columns(
    id: &str,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    labels: &[String],
    series: &[(String, Vec<f64>)],
) -> Chart {
    let n = labels.len();
    // One column would make a degenerate axis: it is drawn in the first of two slots.
    let slots = n.max(2);
    let tops: Vec<f64> = (0..n)
        .map(|i| series.iter().map(|s| s.1[i].max(0.0)).sum())
        .collect();
    let max = upper(tops.iter().copied().fold(0.0, f64::max));
    let step = n.div_ceil(12).max(1);
    let keys: Vec<Key> = series
        .iter()
        .enumerate()
        .map(|(k, s)| Key::boxed(&s.0, colour(k, series.len())))
        .collect();
    draw(id, title, 340, &keys, |root| {
        let mut chart = builder(root, title, 64)
            .build_cartesian_2d((0..slots - 1).into_segmented(), 0.0..max)?;
        mesh!(chart)
            .disable_x_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_labels(slots)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if *i < n && i % step == 0 => labels[*i].clone(),
                _ => String::new(),
            })
            .y_label_formatter(&|v| short(*v))
            .draw()?;
        let mut base = vec![0.0; n];
        for (k, (_, values)) in series.iter().enumerate() {
            let c = colour(k, series.len());
            let bars: Vec<Rectangle<_>> = (0..n)
                .map(|i| {
                    let (lo, hi) = (base[i], base[i] + values[i].max(0.0));
                    base[i] = hi;
                    let mut r = Rectangle::new(
                        [
                            (SegmentValue::Exact(i), hi),
                            (SegmentValue::Exact(i + 1), lo),
                        ],
                        c.filled(),
                    );
                    r.set_margin(0, 0, 2, 2);
                    r
                })
                .collect();
            chart.draw_series(bars)?;
        }
        Ok(())
    })
}

/// Reduces a series to at most `MAX_POINTS` (x, y) points, keeping each bucket's largest y.
pub fn downsample(values: &[f64], x_of: impl Fn(usize) -> f64) -> Vec<(f64, f64)> {
    let bucket = values.len().div_ceil(MAX_POINTS).max(1);
    values
        .chunks(bucket)
        .enumerate()
        .map(|(b, chunk)| {
            let y = chunk.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (x_of(b * bucket), y)
        })
        .collect()
}

/// Lines over a numeric x axis with a dashed horizontal limit (e.g. capacity = 100 %).
pub fn lines_with_limit(
    id: &str,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    x_max: f64,
    lines: &[(String, Vec<(f64, f64)>)],
    limit: Option<(&str, f64)>,
) -> Chart {
    let y_max = lines
        .iter()
        .flat_map(|l| l.1.iter().map(|p| p.1))
        .chain(limit.map(|l| l.1))
        .fold(0.0, f64::max);
    let mut keys: Vec<Key> = lines
        .iter()
        .enumerate()
        .map(|(k, l)| Key::line(&l.0, colour(k, lines.len())))
        .collect();
    keys.extend(limit.map(|(name, _)| Key::line(name, BLACK)));
    draw(id, title, 320, &keys, |root| {
        let mut chart =
            builder(root, title, 64).build_cartesian_2d(0.0..x_max.max(1e-9), 0.0..upper(y_max))?;
        mesh!(chart)
            .x_desc(x_desc)
            .y_desc(y_desc)
            .y_label_formatter(&|v| short(*v))
            .draw()?;
        for (k, (_, points)) in lines.iter().enumerate() {
            let c = colour(k, lines.len());
            chart.draw_series(LineSeries::new(points.iter().copied(), c.stroke_width(2)))?;
            // One point draws no line (a 30-day run beside a 90-day one, per month): a dot.
            if let [p] = points.as_slice() {
                chart.draw_series(std::iter::once(Circle::new(*p, 4, c.filled())))?;
            }
        }
        if let Some((_, y)) = limit {
            let dashes = (0..40).map(|i| {
                let x0 = x_max * f64::from(i) / 40.0;
                PathElement::new([(x0, y), (x0 + x_max / 80.0, y)], BLACK.stroke_width(2))
            });
            chart.draw_series(dashes)?;
        }
        Ok(())
    })
}

/// One row of a horizontal bar chart: a label and segments (from, to, series index).
pub struct Row {
    pub label: String,
    pub segments: Vec<(f64, f64, usize)>,
}

/// Horizontal bars, one row per label; segments coloured by series, with optional vertical
/// markers (e.g. a window length or P50).
pub fn horizontal_bars(
    id: &str,
    title: &str,
    x_desc: &str,
    series: &[&str],
    rows: &[Row],
    markers: &[(&str, f64)],
) -> Chart {
    tornado(id, title, x_desc, series, rows, markers, &[])
}

/// `horizontal_bars` with whiskers, (row, from, to): a capped line across the row's middle,
/// e.g. the 95 % interval of where a tornado's bar ends.
pub fn tornado(
    id: &str,
    title: &str,
    x_desc: &str,
    series: &[&str],
    rows: &[Row],
    markers: &[(&str, f64)],
    whiskers: &[(usize, f64, f64)],
) -> Chart {
    // One row would make a degenerate axis: it is drawn in the upper of two slots.
    let n = rows.len().max(2);
    let xs = || {
        let ends = rows
            .iter()
            .flat_map(|r| &r.segments)
            .flat_map(|s| [s.0, s.1]);
        let whiskers = whiskers.iter().flat_map(|w| [w.1, w.2]);
        ends.chain(markers.iter().map(|m| m.1)).chain(whiskers)
    };
    let (lo, hi) = (
        xs().fold(f64::INFINITY, f64::min),
        xs().fold(f64::NEG_INFINITY, f64::max),
    );
    let from_zero = rows
        .iter()
        .flat_map(|r| &r.segments)
        .all(|s| s.0.min(s.1) >= 0.0);
    let (lo, hi) = if !lo.is_finite() {
        (0.0, 1.0)
    } else if from_zero && lo >= 0.0 {
        (0.0, upper(hi))
    } else {
        // Bars around a centre (a tornado): the axis spans the bars with a margin.
        let span = (hi - lo).max(hi.abs() * 0.01).max(1e-9);
        (lo - span * 0.08, hi + span * 0.08)
    };
    // A sensitivity tornado (with whiskers) labels each bar with its interval and, when the
    // effect is within the noise, "not significant": room for both after a 24-character name.
    // Plain bar charts keep their labels to 28 characters.
    let max_label = if whiskers.is_empty() { 28 } else { 64 };
    let label_width = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, max_label) as u32
        * 7
        + 12;
    let height = 90 + 26 * n as u32;
    let mut keys: Vec<Key> = series
        .iter()
        .enumerate()
        .map(|(k, name)| Key::boxed(name, colour(k, series.len())))
        .collect();
    keys.extend(markers.iter().map(|(name, _)| Key::line(name, BLACK)));
    draw(id, title, height, &keys, |root| {
        let mut chart = builder(root, title, label_width)
            .build_cartesian_2d(lo..hi, (0..n - 1).into_segmented())?;
        mesh!(chart)
            .disable_y_mesh()
            .x_desc(x_desc)
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if *i < n && n - 1 - i < rows.len() => {
                    let l = &rows[n - 1 - i].label;
                    if l.chars().count() > max_label {
                        format!("{}…", l.chars().take(max_label - 1).collect::<String>())
                    } else {
                        l.clone()
                    }
                }
                _ => String::new(),
            })
            .x_label_formatter(&|v| short(*v))
            .draw()?;
        for k in 0..series.len() {
            let c = colour(k, series.len());
            let bars: Vec<Rectangle<_>> = rows
                .iter()
                .enumerate()
                .flat_map(|(r, row)| {
                    let y = n - 1 - r; // the first row at the top
                    let keep = |s: &&(f64, f64, usize)| s.2 == k && s.1 != s.0;
                    row.segments.iter().filter(keep).map(move |s| {
                        let mut b = Rectangle::new(
                            [
                                (s.0, SegmentValue::Exact(y + 1)),
                                (s.1, SegmentValue::Exact(y)),
                            ],
                            c.filled(),
                        );
                        b.set_margin(3, 3, 0, 0);
                        b
                    })
                })
                .collect();
            chart.draw_series(bars)?;
        }
        for (_, x) in markers {
            let x = *x;
            chart.draw_series(std::iter::once(PathElement::new(
                [(x, SegmentValue::Exact(0)), (x, SegmentValue::Exact(n))],
                BLACK.stroke_width(2),
            )))?;
        }
        for &(r, a, b) in whiskers.iter().filter(|w| w.0 < rows.len()) {
            let y = || SegmentValue::CenterOf(n - 1 - r);
            chart.draw_series([PathElement::new([(a, y()), (b, y())], BLACK)])?;
            let cap = |x| EmptyElement::at((x, y())) + PathElement::new([(0, -6), (0, 6)], BLACK);
            chart.draw_series([cap(a), cap(b)])?;
        }
        Ok(())
    })
}

/// A histogram of `values` in `bins` equal bins with vertical markers (P10/P50/P90).
pub fn histogram(
    id: &str,
    title: &str,
    x_desc: &str,
    values: &[f64],
    bins: usize,
    markers: &[(&str, f64)],
) -> Chart {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (lo, hi)
    } else {
        let c = if lo.is_finite() { lo } else { 0.0 };
        (
            c - 0.5_f64.max(c.abs() * 0.01),
            c + 0.5_f64.max(c.abs() * 0.01),
        )
    };
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0u32; bins];
    for v in values {
        let b = (((v - lo) / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    let top = f64::from(counts.iter().copied().max().unwrap_or(1).max(1));
    let mut keys = vec![Key::boxed("runs per bin", PALETTE[0])];
    keys.extend(
        markers
            .iter()
            .enumerate()
            .map(|(k, (name, _))| Key::line(name, marker(k))),
    );
    draw(id, title, 320, &keys, |root| {
        let mut chart = builder(root, title, 56).build_cartesian_2d(lo..hi, 0.0..top * 1.1)?;
        mesh!(chart)
            .disable_x_mesh()
            .x_desc(x_desc)
            .y_desc("runs")
            .x_label_formatter(&|v| short(*v))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .draw()?;
        let c = PALETTE[0];
        chart.draw_series(counts.iter().enumerate().map(|(b, &k)| {
            let x0 = lo + width * b as f64;
            let mut r = Rectangle::new([(x0, f64::from(k)), (x0 + width, 0.0)], c.filled());
            r.set_margin(0, 0, 1, 1);
            r
        }))?;
        for (k, (_, x)) in markers.iter().enumerate() {
            let m = marker(k);
            chart.draw_series(std::iter::once(PathElement::new(
                [(*x, 0.0), (*x, top * 1.1)],
                m.stroke_width(2),
            )))?;
        }
        Ok(())
    })
}

#[cfg(test)]
#[path = "charts_tests.rs"]
mod tests;
