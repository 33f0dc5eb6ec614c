//! Tests of the report's sections (sections.rs).

use super::*;

#[test]
fn the_tornado_and_its_table_mark_an_effect_within_the_noise() {
    // hand_made_study: "noise" has effect 0 with interval -0.75 .. +0.75 (not
    // significant), "price" +2 with interval [2, 2] (significant).
    let study = stats::hand_made_study();
    let mut charts = Vec::new();
    let page = uncertainty(&study, &mut charts).into_string();
    let tornado = charts.iter().find(|c| c.id == "tornado").unwrap();
    // The bar's label carries its interval and the mark; the significant bar has none.
    assert!(
        tornado.svg.contains("noise [-1, +1] not significant"),
        "{}",
        tornado.svg
    );
    assert!(tornado.svg.contains("price [+2, +2]"), "{}", tornado.svg);
    assert!(
        !tornado.svg.contains("price [+2, +2] not"),
        "{}",
        tornado.svg
    );
    // The table: one "not significant" cell, on the noise row.
    assert_eq!(page.matches("not significant</td>").count(), 1, "{page}");
    let noise_row = page.split("<tr>").find(|r| r.contains(">noise<")).unwrap();
    assert!(noise_row.contains("not significant"), "{noise_row}");
}
