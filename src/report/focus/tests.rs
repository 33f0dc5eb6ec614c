use super::*;

#[test]
fn a_row_is_written_in_column_order_with_iso_times_and_empty_nulls() {
    let day = calendar::parse_date("2026-11-01").unwrap() * 86_400_000_000;
    let mut text: Vec<Option<String>> = vec![None; 25];
    text[0] = Some("acct".into());
    let row = Row {
        cost_micros: 1_234_567,
        times: [day, day, day, day + 86_400_000_000],
        text,
    };
    let mut out = Vec::new();
    write_csv(&[row], &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let line = text.lines().nth(1).unwrap();
    assert!(
        line.starts_with("1.234567,1.234567,1.234567,1.234567,acct,,,2026-11-01T00:00:00Z,"),
        "{line}"
    );
    assert!(line.contains(",2026-11-02T00:00:00Z,"), "{line}");
    assert_eq!(line.split(',').count(), COLUMNS.len());
}

#[test]
fn every_string_column_has_a_cell_in_each_row() {
    // COLUMNS less the 4 costs, the null PricingQuantity and the 4 times.
    let strings = COLUMNS
        .iter()
        .filter(|c| matches!(c.1, Kind::String | Kind::NullableString))
        .count();
    assert_eq!(strings, 25);
}
