//! Tests of the chart drawing (charts.rs).

use super::*;

#[test]
fn downsampling_keeps_each_buckets_peak() {
    // 1,800 values -> buckets of 3 -> 600 points; the peak 9.0 at index 1,000 survives in
    // bucket 333 (indices 999..1001), drawn at x = 999.
    let mut v = vec![1.0; 1800];
    v[1000] = 9.0;
    let d = downsample(&v, |i| i as f64);
    assert_eq!(d.len(), 600);
    assert_eq!(d[333], (999.0, 9.0));
    assert!(downsample(&[1.0, 2.0], |i| i as f64).len() == 2);
}

#[test]
fn more_series_than_colours_end_in_other() {
    let series: Vec<(String, Vec<f64>)> = (0..10)
        .map(|i| (format!("s{i}"), vec![f64::from(i)]))
        .collect();
    let top = top_series(series);
    assert_eq!(top.len(), 8);
    assert_eq!(top[0].0, "s9");
    // s0, s1 and s2 (0 + 1 + 2 = 3) are summed.
    assert_eq!(top[7], ("other (3)".to_string(), vec![3.0]));
}

#[test]
fn a_line_of_one_point_is_drawn_as_a_dot() {
    // A one-month run beside a three-month one: the first series has one point, so it
    // gets a dot in its colour (the first of two, #0072B2); the second, a line, none.
    let lines = [
        ("A".to_string(), vec![(0.5, 10.0)]),
        ("B".to_string(), vec![(0.5, 20.0), (1.5, 25.0), (2.5, 30.0)]),
    ];
    let c = lines_with_limit("m", "Cost per month", "month", "USD", 3.0, &lines, None);
    assert_eq!(c.svg.matches("<circle").count(), 1, "{}", c.svg);
    let dot = c.svg.split("<circle").nth(1).unwrap();
    assert!(dot.contains("fill=\"#0072B2\""), "{dot}");
}

#[test]
fn charts_are_svg_without_fonts() {
    let c = histogram(
        "h",
        "Total cost",
        "USD",
        &[1.0, 2.0, 2.5, 4.0],
        4,
        &[("P50", 2.25)],
    );
    assert!(c.svg.starts_with("<svg"), "{}", c.svg);
    assert!(c.svg.contains("Total cost"));
    assert!(!c.svg.contains("chart not drawn"));
    let one = histogram("h", "One run", "USD", &[5.0], 10, &[]);
    assert!(!one.svg.contains("chart not drawn"));
    // One column or one bar: no rectangle of negative size (a browser rejects it).
    let column = stacked_columns(
        "c",
        "One day",
        "day",
        "USD",
        &["1".into()],
        &[("a".into(), vec![2.0])],
    );
    let row = Row {
        label: "only".into(),
        segments: vec![(0.0, 3.0, 0)],
    };
    let bar = horizontal_bars("b", "One bar", "GiB", &["a"], &[row], &[]);
    for c in [column, bar] {
        assert!(
            !c.svg.contains("height=\"-") && !c.svg.contains("width=\"-"),
            "{}",
            c.svg
        );
    }
}
