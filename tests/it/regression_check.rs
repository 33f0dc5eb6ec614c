//! `hybridplan diff` and `hybridplan check` as a CI job uses them: a changed price fails the
//! check with a readable diff, `--update` accepts it.

use crate::common;

use common::{Scratch, copy_example, hybridplan};

#[test]
fn a_price_change_fails_the_check_until_the_baseline_is_updated() {
    let scratch = Scratch::new();
    copy_example(&scratch);
    let dir = scratch.path().join("scenarios");
    let dir = dir.to_str().unwrap();

    let (code, stdout, _) = hybridplan(&["check", dir]);
    assert_eq!(code, 1, "no baseline yet must fail: {stdout}");
    assert!(stdout.contains("MISSING  example-hybrid"), "{stdout}");

    let (code, stdout, stderr) = hybridplan(&["check", dir, "--update"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        scratch
            .path()
            .join("scenarios/baselines/example-hybrid.json")
            .is_file()
    );
    let (code, stdout, _) = hybridplan(&["check", dir]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("ok       example-hybrid (0 figures changed"),
        "{stdout}"
    );

    // Double the electricity price of the private site: its power cost (25.16 USD in the README's
    // totals table, rounded to the cent from 25.155..25.16) doubles to 50.31 after rounding, so
    // the diff shows +25.15 = +99.96 % of the rounded baseline.
    let book = scratch.path().join("pricing/private-kvm-2s32c.toml");
    let text = std::fs::read_to_string(&book).unwrap();
    assert!(text.contains("energy_per_kwh = 0.12\n"));
    std::fs::write(
        &book,
        text.replace("energy_per_kwh = 0.12\n", "energy_per_kwh = 0.24\n"),
    )
    .unwrap();
    let (code, stdout, _) = hybridplan(&["check", dir]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("CHANGED  example-hybrid"), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| {
            l.trim_start()
                .starts_with("venues[dc-east].by_category.power ")
        })
        .unwrap_or_else(|| panic!("no power line in {stdout}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        words[1..],
        ["25.16", "->", "50.31", "+25.15", "+99.96%"],
        "{line}"
    );

    // The price rule's text names the price, so the old rule shows as removed and the new as added.
    assert!(
        stdout.contains("x 0.12/kWh].amount") && stdout.contains("removed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("x 0.24/kWh].amount") && stdout.contains("added"),
        "{stdout}"
    );

    let (code, stdout, _) = hybridplan(&["check", dir, "--update"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("updated  example-hybrid"), "{stdout}");
    let (code, stdout, _) = hybridplan(&["check", dir]);
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn the_projects_own_scenarios_match_their_baselines() {
    let (code, stdout, stderr) = hybridplan(&["check", "scenarios/"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains("note "), "stale baselines: {stdout}");
}

#[test]
fn diff_compares_files_and_folders_and_writes_markdown() {
    let scratch = Scratch::new();
    let old = scratch.write(
        "old/summary.json",
        r#"{"total": 1000.0, "venues": [{"name": "aws", "total": 600.0}, {"name": "dc", "total": 400.0}]}"#,
    );
    let new = scratch.write(
        "new.json",
        r#"{"total": 1003.0, "venues": [{"name": "dc", "total": 380.0}, {"name": "aws", "total": 623.0}]}"#,
    );
    let (old_dir, new) = (
        old.parent().unwrap().to_str().unwrap(),
        new.to_str().unwrap(),
    );

    // total: +3 = +0.3 % (within 0.5 %); aws +23 = +3.83 %; dc -20 = -5 %.
    let (code, stdout, _) = hybridplan(&["diff", old_dir, new, "--tolerance", "0.5%"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("2 figures moved beyond 0.50% (and 1 more within it)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+3.83%") && stdout.contains("-5.00%"),
        "{stdout}"
    );

    // An absolute floor of 25 hides both moves.
    let (code, stdout, _) = hybridplan(&["diff", old_dir, new, "--abs", "25"]);
    assert_eq!(code, 0, "{stdout}");

    let (code, stdout, _) = hybridplan(&["diff", old_dir, new, "--format", "markdown"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("| `venues[dc].total` | 400 | 380 | -20 | -5.00% |"),
        "{stdout}"
    );
}

#[test]
fn diff_names_a_bad_file_and_a_bad_tolerance() {
    let scratch = Scratch::new();
    let good = scratch.write("good.json", r#"{"total": 1}"#);
    let bad = scratch.write("bad.json", "{\n  \"total\": oops\n}");
    let (good, bad) = (good.to_str().unwrap(), bad.to_str().unwrap());

    let (code, _, stderr) = hybridplan(&["diff", good, bad]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("bad.json:2: not a summary.json"),
        "{stderr}"
    );

    let (code, _, stderr) = hybridplan(&["diff", good, good, "--tolerance", "lots"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("tolerance \"lots\" is not a share >= 0"),
        "{stderr}"
    );

    let (code, _, stderr) =
        hybridplan(&["check", scratch.path().join("nowhere").to_str().unwrap()]);
    assert_eq!(code, 3, "a missing folder is a system error: {stderr}");
    assert!(stderr.contains("nowhere"), "{stderr}");
}
