//! Multi-year plans worked out by hand: money over time (`[money]`), payback between two runs,
//! capacity that changes by date.

use crate::common::Scratch;
use hybridplan::run_scenario;

const HEAD: &str =
    "currency = \"USD\"\nsource = \"hand-made test prices\"\nas_of = \"2026-11-01\"\n";

/// Private book: 4 cores, 16 GiB, $730 per host-month = $1 per host-hour = $24 a host-day.
fn private_book() -> String {
    format!(
        "name = \"test private\"\n{HEAD}[private]\ncores = 4\nmem_gib = 16\nhost_monthly = 730.0\n"
    )
}

/// A one-host private site over `horizon` with one small VM for an hour (the host is billed
/// whole either way), and `extra` at the end.
fn write_scenario(s: &Scratch, horizon: &str, extra: &str) -> std::path::PathBuf {
    s.write("private.toml", &private_book());
    s.write(
        "vms.csv",
        "id,group,start_s,end_s,vcpus,mem_gib,disk_gib\nv1,web,0,3600,1,1,0\n",
    );
    let text = format!(
        "name = \"t\"\nhorizon = \"{horizon}\"\nstep = \"1h\"\nseed = 1\ncurrency = \"USD\"\npolicy = \"cheapest\"\n\
         start = \"2027-01-01\"\n[trace]\nvms = \"vms.csv\"\n\
         [[venues]]\nname = \"dc\"\nbook = \"private.toml\"\nhosts = 1\n{extra}"
    );
    s.write("t.toml", &text)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.006
}

#[test]
fn cash_flow_npv_and_depreciation_of_a_two_month_run() {
    let s = Scratch::new();
    // 1,460 h = two 730-hour months. Capital of 10,000 bought at the start, life 40 days,
    // residual 10 %; a one-off of 500 on 2027-02-10 (day 40); money discounted at 12 % a year.
    let path = write_scenario(
        &s,
        "1460h",
        "[money]\ndiscount_rate_pct = 12\n\
         [[money.capital]]\nname = \"racks\"\nvenue = \"dc\"\nat = \"0d\"\ncost = 10000\nlife = \"40d\"\nresidual_pct = 10\n\
         [[money.one_off]]\nname = \"consulting\"\nvenue = \"dc\"\nat = \"2027-02-10\"\ncost = 500\n",
    );
    let run = run_scenario(&path).unwrap();
    let cf = &run.summary.cash_flow;
    assert_eq!(cf.len(), 2);
    // A day is in the month its start falls in: days 0..=30 start before 730 h (day 30 at
    // 720 h), so month 0 holds 31 days of the host: 744 h x $1 = 744; month 1 the other 716 h.
    // Capex: 10,000 bought in month 0; at day 40 (month 1) it is sold for 1,000 and bought
    // again: 9,000. The one-off on day 40 is in month 1.
    assert_eq!(
        (cf[0].capex, cf[0].opex, cf[0].one_off, cf[0].total),
        (10_000.0, 744.0, 0.0, 10_744.0)
    );
    assert_eq!(
        (cf[1].capex, cf[1].opex, cf[1].one_off, cf[1].total),
        (9_000.0, 716.0, 500.0, 10_216.0)
    );
    assert_eq!(cf[1].cumulative, 20_960.0);
    // NPV at 12 %, each month discounted at its end: 10,744 / 1.12^(1/12) + 10,216 / 1.12^(2/12)
    // = 10,643.0107 + 10,024.8499 = 20,667.86.
    let npv = run.summary.npv.as_ref().unwrap();
    assert_eq!((npv.discount_rate_pct, npv.value), (12.0, 20_667.86));
    // The ledger (and total) writes the capital down: (10,000 - 1,000) / 40 days = 225 a day
    // over 1,460 h = 60.8333 days = 13,687.50; plus hosts 1,460 and the one-off 500.
    let by = &run.summary.by_category;
    assert!(close(by["depreciation"], 13_687.5), "{by:?}");
    assert!(close(run.summary.total, 1_460.0 + 13_687.5 + 500.0));
}

#[test]
fn escalation_raises_a_category_from_the_first_anniversary() {
    let s = Scratch::new();
    // 400 days of one host at $24 a day; hosts escalate 10 % a year: days 0..365 at 24, days
    // 365..400 at 26.40: 8,760 + 35 x 26.40 = 8,760 + 924 = 9,684.
    let path = write_scenario(
        &s,
        "400d",
        "[[money.escalation]]\ncategory = \"hosts\"\nyearly_pct = 10\n",
    );
    let run = run_scenario(&path).unwrap();
    assert!(close(run.summary.total, 9_684.0), "{}", run.summary.total);
    // Without a discount rate there is no NPV.
    assert!(run.summary.npv.is_none());
}

#[test]
fn money_keys_out_of_range_name_the_key() {
    let s = Scratch::new();
    let cases = [
        (
            "[money]\ndiscount_rate_pct = 150\n",
            "key `money.discount_rate_pct`: 150 must be a number from 0 to 100",
        ),
        (
            "[[money.one_off]]\nname = \"x\"\nvenue = \"nowhere\"\nat = \"1d\"\ncost = 1\n",
            "key `money.one_off[0].venue`: \"nowhere\" is not a venue",
        ),
        (
            "[[money.one_off]]\nname = \"x\"\nvenue = \"dc\"\nat = \"2026-12-01\"\ncost = 1\n",
            "key `money.one_off[0].at`: \"2026-12-01\" is before the scenario's start",
        ),
        (
            "[[money.escalation]]\ncategory = \"depreciation\"\nyearly_pct = 1\n",
            "key `money.escalation[0].category`: \"depreciation\" is not a recurring cost category",
        ),
    ];
    for (extra, expected) in cases {
        let path = write_scenario(&s, "30d", extra);
        let err = run_scenario(&path).err().expect("refused").to_string();
        assert!(err.contains(expected), "{err}\nexpected: {expected}");
    }
}
