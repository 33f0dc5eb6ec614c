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

/// Two six-month runs for payback, each run by the CLI into its own folder under `s`:
/// A keeps 3 hosts; B has 1 host and pays 5,000 of capital at the start. Returns their
/// summary.json paths.
pub fn payback_pair(s: &Scratch) -> [std::path::PathBuf; 2] {
    let a = write_scenario(s, "4380h", "").with_file_name("a.toml");
    let text = std::fs::read_to_string(s.path().join("t.toml")).unwrap();
    std::fs::write(
        &a,
        text.replace("hosts = 1", "hosts = 3")
            .replace("name = \"t\"", "name = \"a\""),
    )
    .unwrap();
    let b = write_scenario(
        s,
        "4380h",
        "[[money.capital]]\nname = \"kit\"\nvenue = \"dc\"\nat = \"0d\"\ncost = 5000\nlife = \"10y\"\n",
    );
    let b_toml = s.path().join("b.toml");
    std::fs::write(
        &b_toml,
        std::fs::read_to_string(&b)
            .unwrap()
            .replace("name = \"t\"", "name = \"b\""),
    )
    .unwrap();
    [a, b_toml].map(|scenario| {
        let out = scenario.with_extension("");
        let (code, o, e) = crate::common::hybridplan(&[
            "run",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{o}{e}");
        out.join("summary.json")
    })
}

/// The payback pair compared with `--report html` into `s`/page: the folder and what compare
/// printed.
pub fn payback_page(s: &Scratch) -> (std::path::PathBuf, String) {
    let [a, b] = payback_pair(s);
    let page = s.path().join("page");
    let (code, out, err) = crate::common::hybridplan(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--report",
        "html",
        "--out",
        page.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    (page, out)
}

#[test]
fn compare_reports_the_payback_month() {
    let s = Scratch::new();
    let (page, out) = payback_page(&s);
    let [a, b] = [
        s.path().join("a/summary.json"),
        s.path().join("b/summary.json"),
    ];
    // Hours in the six 730-hour months (a day is in the month its start falls in): 744, 720,
    // 744, 720, 744, 708 (29 days and the last 12 h). At $1 a host-hour:
    // A (3 hosts) cumulative: 2,232; 4,392; 6,624; 8,784; 11,016; 13,140.
    // B (1 host + 5,000 at the start): 5,744; 6,464; 7,208; 7,928; 8,672; 9,380.
    // B - A: 3,512; 2,072; 584; -856; -2,344; -3,760: B breaks even in month 4 (index 3),
    // 3 + 584 / (584 + 856) = 3.41 months from the start, and has saved 3,760 by month 6.
    assert!(
        out.contains("payback: B breaks even with A in month 4 (3.4 months from the start) and stays below; 3,760.00 saved by month 6"),
        "{out}"
    );
    let html = std::fs::read_to_string(page.join("index.html")).unwrap();
    assert!(html.contains("id=\"payback\""), "no payback section");
    let svg = std::fs::read_to_string(page.join("cumulative-cash.svg")).unwrap();
    assert!(svg.contains("<title>Cumulative cash flow</title>"), "{svg}");
    assert!(
        svg.contains("cross 3.4 months from the start, in month 4"),
        "{svg}"
    );
    // Swapped, A never pays back against B.
    let (_, out, _) =
        crate::common::hybridplan(&["compare", b.to_str().unwrap(), a.to_str().unwrap()]);
    assert!(out.contains("payback: none"), "{out}");
}

/// Runs the one-host scenario over `horizon` with `vms` (rows after the header) and `extra`.
fn run_with_vms(horizon: &str, vms: &str, extra: &str) -> hybridplan::Run {
    let s = Scratch::new();
    let path = write_scenario(&s, horizon, extra);
    s.write(
        "vms.csv",
        &format!("id,group,start_s,end_s,vcpus,mem_gib,disk_gib\n{vms}"),
    );
    run_scenario(&path).unwrap()
}

#[test]
fn hosts_added_mid_horizon_are_billed_and_used_from_their_date() {
    // One host of 4 vCPU; on 2027-01-11 (day 10) the site grows to 3. v1 (1 vCPU) runs all
    // along; v4 (4 vCPU) on day 5 finds no room (3 vCPU free, the new hosts not in service
    // yet); v2 and v3 (4 vCPU each) on day 12 fill the two new hosts.
    let run = run_with_vms(
        "20d",
        "v1,web,0,,1,1,0\nv4,web,432000,,4,1,0\nv2,web,1036800,,4,1,0\nv3,web,1036800,,4,1,0\n",
        "[[capacity]]\nvenue = \"dc\"\nat = \"2027-01-11\"\nhosts = 3\n",
    );
    let s = &run.summary;
    // Hosts at $24 a host-day: 10 days x 1 host + 10 days x 3 hosts = 240 + 720 = 960.
    assert!(close(s.by_category["hosts"], 960.0), "{:?}", s.by_category);
    assert_eq!((s.vms.placed, s.vms.unplaced), (3, 1));
    assert_eq!(s.shortfalls.first[0].vm, "v4");
    let site = &s.private_sites[0];
    assert_eq!(site.hosts, 3);
    let changes: Vec<(u64, usize, u64)> = site
        .capacity_changes
        .iter()
        .map(|c| (c.at_s, c.month, c.hosts))
        .collect();
    // Day 10 = 864,000 s, in month 0 (240 h < 730 h).
    assert_eq!(changes, [(0, 0, 1), (864_000, 0, 3)]);
}

#[test]
fn growth_orders_a_block_when_the_site_is_nearly_full() {
    // v1 takes 3 of the host's 4 vCPU at 0: at the first step boundary (1 h) 75 % > 50 % is
    // allocated, so one host is ordered and enters service 2 days later, at 49 h. Hosts over
    // 10 days (240 h) at $1 a host-hour: 240 + (240 - 49) = 431. v2 (4 vCPU) on day 3 fits
    // on the new host.
    let run = run_with_vms(
        "10d",
        "v1,web,0,,3,1,0\nv2,web,259200,,4,1,0\n",
        "[[growth]]\nvenue = \"dc\"\nblock = 1\nthreshold_pct = 50\nlead_time = \"2d\"\nmax = 2\n",
    );
    let s = &run.summary;
    assert!(close(s.by_category["hosts"], 431.0), "{:?}", s.by_category);
    assert_eq!(s.vms.unplaced, 0);
    let at: Vec<(u64, u64)> = s.private_sites[0]
        .capacity_changes
        .iter()
        .map(|c| (c.at_s, c.hosts))
        .collect();
    assert_eq!(at, [(0, 1), (49 * 3600, 2)]);
}

#[test]
fn growth_orders_on_the_forecast_so_the_block_arrives_before_the_site_fills() {
    // One 4-vCPU host; a 1-vCPU VM arrives every other day at 00:30 (days 0, 2, 4, 6, 8), so
    // the allocation in hosts' worth is 0.25 on days 0-1, 0.50 on days 2-3, ... 1.25 from day 8.
    // Rule: block 1, threshold 75 %, lead time 5 days (the default 30-day window).
    // At 49 h (day 2, 01:00) the daily peaks are 0.25, 0.25, 0.50 on days 0, 1, 2: least-squares
    // slope = sum (x - 1)(y - 1/3) / sum (x - 1)^2 = (1/12 + 0 + 1/6) / 2 = 0.125 a day, so the
    // forecast 5 days ahead is 0.50 + 5 x 0.125 = 1.125 hosts > 0.75: a host is ordered and
    // enters service at 49 + 120 = 169 h (day 7), before v5 needs it on day 8. (Looking at
    // today alone, the order would wait for 1.00 > 0.75 on day 6 and arrive on day 11, after
    // the 10-day horizon: v5 would find no room.) Earlier steps: on day 1 the peaks 0.25, 0.25
    // are flat; at 48 h v3 has not yet arrived (0.25).
    // Hosts over 240 h at $1 a host-hour: 240 + (240 - 169) = 311.
    let rows = "v1,web,1800,,1,1,0\nv2,web,174600,,1,1,0\nv3,web,347400,,1,1,0\n\
                v4,web,520200,,1,1,0\nv5,web,693000,,1,1,0\n";
    let run = run_with_vms(
        "10d",
        rows,
        "[[growth]]\nvenue = \"dc\"\nblock = 1\nthreshold_pct = 75\nlead_time = \"5d\"\nmax = 2\n",
    );
    let s = &run.summary;
    let at: Vec<(u64, u64)> = s.private_sites[0]
        .capacity_changes
        .iter()
        .map(|c| (c.at_s, c.hosts))
        .collect();
    assert_eq!(at, [(0, 1), (169 * 3600, 2)]);
    assert!(close(s.by_category["hosts"], 311.0), "{:?}", s.by_category);
    assert_eq!(s.vms.unplaced, 0);
}

#[test]
fn capacity_keys_out_of_range_name_the_key() {
    let s = Scratch::new();
    let cases = [
        (
            "[[capacity]]\nvenue = \"dc\"\nat = \"5d\"\nhosts = 1\n",
            "key `capacity[0].hosts`: 1 hosts at 432000s must come after the change before it and differ from its 1",
        ),
        (
            "[[capacity]]\nvenue = \"dc\"\nat = \"5d\"\nunits = 2\n",
            "key `capacity[0].hosts`: \"dc\" counts hosts: give `hosts = N`",
        ),
        (
            "[[capacity]]\nvenue = \"dc\"\nat = \"5d\"\nhosts = 100001\n",
            "key `capacity[0].hosts`: 100001 is over the limit of 100000",
        ),
        (
            "[[growth]]\nvenue = \"dc\"\nblock = 1\nthreshold_pct = 80\nlead_time = \"60d\"\nmax = 4\n",
            "key `growth[0].lead_time`: 5184000s must be shorter than the horizon",
        ),
        (
            "[[growth]]\nvenue = \"dc\"\nblock = 0\nthreshold_pct = 80\nlead_time = \"1d\"\nmax = 4\n",
            "key `growth[0].max`: block 0 and max 4 hosts",
        ),
        (
            "[[growth]]\nvenue = \"dc\"\nblock = 1\nthreshold_pct = 80\nlead_time = \"1d\"\nmax = 4\nforecast_window = \"1h\"\n",
            "key `growth[0].forecast_window`: 3600s must be at least a day (1d) and at most the horizon",
        ),
        (
            "[[migrations]]\ngroup = \"web\"\nfrom = \"dc\"\nto = \"dc\"\nat = \"1d\"\ndata_gib = 1\nwan_mbps = 1\n",
            "key `migrations[0].to`: \"dc\" is also the venue it moves from",
        ),
        (
            "[[migrations]]\ngroup = \"web\"\nfrom = \"dc\"\nto = \"nowhere\"\nat = \"1d\"\ndata_gib = 1\nwan_mbps = 1\n",
            "key `migrations[0].to`: \"nowhere\" is not a venue",
        ),
        (
            // 100,000 GiB at 1 Mbps takes about 27 years.
            "[[migrations]]\ngroup = \"web\"\nfrom = \"dc\"\nto = \"dc2\"\nat = \"1d\"\ndata_gib = 100000\nwan_mbps = 1\n\
             [[venues]]\nname = \"dc2\"\nbook = \"private.toml\"\nhosts = 1\n",
            "key `migrations[0].cutover`: the copy (858993460s)",
        ),
        (
            "[[migrations]]\ngroup = \"nope\"\nfrom = \"dc\"\nto = \"dc2\"\nat = \"1d\"\ndata_gib = 1\nwan_mbps = 1\n\
             [[venues]]\nname = \"dc2\"\nbook = \"private.toml\"\nhosts = 1\n",
            "key `migrations[0].group`: \"nope\" is not a group of the trace",
        ),
    ];
    for (extra, expected) in cases {
        let path = write_scenario(&s, "30d", extra);
        let err = run_scenario(&path).err().expect("refused").to_string();
        assert!(err.contains(expected), "{err}\nexpected: {expected}");
    }
}

#[test]
fn an_hci_venue_grows_by_whole_scale_units() {
    let s = Scratch::new();
    // Units of 4 nodes of 8 cores / 64 GiB; the Azure Stack Hub reserve leaves 99.2 GiB of
    // tenant memory a unit for 32 GiB VMs (as in pricing_rules.rs): three fit a unit. Capex
    // 43,800 a node over 5 years = 730 a node-month = $1 a node-hour.
    s.write(
        "hci.toml",
        &format!(
            "name = \"x\"\n{HEAD}[hci]\nplatform = \"test\"\nnode = {{ name = \"n\", cores = 8, mem_gib = 64, capacity_drives = 4, drive_tb = 1.0 }}\n\
             nodes_min = 4\nnodes_max = 8\nreserve = \"azure-stack-hub\"\nos_reserve_share = 0.15\ncpu_overcommit = 4.0\nram_gib_per_core = [4, 16]\n\
             base_vcpu_hour = 0.0\nrepair_standard = \"1d\"\nrepair_custom = \"14d\"\n[hci.tco]\ncapex = 43800.0\nlife_years = 5\n"
        ),
    );
    // Four VMs of 4 vCPU / 32 GiB at 0 and four more on day 6.
    let rows: String = (0..8)
        .map(|i| format!("v{i},g,{},,4,32,0\n", if i < 4 { 0 } else { 518_400 }))
        .collect();
    s.write(
        "vms.csv",
        &format!("id,group,start_s,end_s,vcpus,mem_gib,disk_gib\n{rows}"),
    );
    let text = "name = \"h\"\nhorizon = \"10d\"\nstep = \"1h\"\nseed = 1\ncurrency = \"USD\"\npolicy = \"cheapest\"\n\
                [trace]\nvms = \"vms.csv\"\n[[venues]]\nname = \"ash\"\nbook = \"hci.toml\"\nnodes = 4\nunits = 1\n\
                [[capacity]]\nvenue = \"ash\"\nat = \"5d\"\nunits = 2\n";
    let run = run_scenario(&s.write("h.toml", text)).unwrap();
    let sum = &run.summary;
    // Days 0-5: 4 nodes x 120 h x $1 = 480; days 5-10: 8 nodes x 120 h = 960; 1,440 in all.
    assert!(
        close(sum.by_category["capex"], 1_440.0),
        "{:?}",
        sum.by_category
    );
    // Three of the first four fit unit 1; on day 6 unit 2 takes three of the next four.
    assert_eq!((sum.vms.placed, sum.vms.unplaced), (6, 2));
    let changes: Vec<(u64, u64, Option<u32>)> = sum.private_sites[0]
        .capacity_changes
        .iter()
        .map(|c| (c.at_s, c.hosts, c.units))
        .collect();
    assert_eq!(changes, [(0, 4, Some(1)), (432_000, 8, Some(2))]);
    assert_eq!(sum.private_sites[0].units, Some(2));
}

#[test]
fn a_migration_pays_egress_labour_and_the_cutover_double_run() {
    let s = Scratch::new();
    // The cloud: instance "a" of 2 vCPU / 4 GiB at $0.10/h, billed per second; no storage or
    // egress charges of its own.
    s.write(
        "public.toml",
        &format!(
            "name = \"test public\"\n{HEAD}[public]\nregion = \"r\"\nbilling = \"per-second\"\nminimum = \"60s\"\n\
             storage_gb_month = 0.0\negress_gb = 0.0\n[[public.instances]]\nname = \"a\"\nvcpus = 2\nmem_gib = 4\nhourly = 0.10\n"
        ),
    );
    let path = write_scenario(
        &s,
        "5d",
        "[[venues]]\nname = \"cloud\"\nbook = \"public.toml\"\n\
         [[migrations]]\ngroup = \"web\"\nfrom = \"dc\"\nto = \"cloud\"\nat = \"2d\"\ndata_gib = 900\nwan_mbps = 1000\n\
         egress_per_gib = 0.05\nlabour_per_vm = 100\ncutover = \"1d\"\n",
    );
    s.write(
        "vms.csv",
        "id,group,start_s,end_s,vcpus,mem_gib,disk_gib\nw1,web,0,,1,1,0\nw2,web,0,,1,1,0\n",
    );
    let run = run_scenario(&path).unwrap();
    let m = &run.summary.migrations[0];
    // The copy: 900 GiB x 8 x 1,073.741824 Mbit / 1,000 Mbps = 7,730.94 s, 7,731 s whole:
    // 2.1475 h. The VMs move at 2 d + 7,731 s + 1 d = 266,931 s.
    assert_eq!(
        (m.copy_hours, m.moved_at_s, m.vms, m.stranded),
        (2.1475, 266_931, 2, 0)
    );
    // Egress 900 x 0.05 = 45; labour 2 VMs x 100 = 200; the double run: 2 VMs x $0.10/h x 24 h
    // of cutover at the cloud = 4.80.
    assert_eq!((m.egress, m.labour, m.double_run), (45.0, 200.0, 4.8));
    // Both VMs run on the cloud from the move to the end (432,000 - 266,931 = 165,069 s):
    // 2 x 165,069 / 3,600 x 0.10 = 9.1705; the host is paid all 5 days (120).
    let by = &run.summary.by_category;
    assert!(close(by["compute"], 9.1705), "{by:?}");
    assert!(close(by["one-off"], 45.0 + 200.0 + 4.8), "{by:?}");
    assert!(close(run.summary.total, 120.0 + 9.1705 + 249.8));
    let hours = &run.summary.groups[0].vm_hours;
    // At dc until the move: 2 x 266,931 / 3,600 = 148.295 h; at the cloud 2 x 45.8525 = 91.705.
    assert!(
        close(hours["dc"], 148.295) && close(hours["cloud"], 91.705),
        "{hours:?}"
    );
}

#[test]
fn hosts_taken_out_of_service_move_their_vms_and_stop_being_billed() {
    // Two hosts until day 5, one after. v1 (4 vCPU, to day 6) fills host 0; v2 (1 vCPU) is on
    // host 1, which leaves service on day 5: v2 finds no room (host 0 is full) and is down,
    // retried hourly, until v1 leaves on day 6 and v2 starts again on host 0: 24 h = 1,440
    // minutes lost. Hosts: 5 days x 2 + 5 days x 1 = 15 host-days x $24 = 360.
    let s = Scratch::new();
    let path = write_scenario(
        &s,
        "10d",
        "[[capacity]]\nvenue = \"dc\"\nat = \"5d\"\nhosts = 1\n",
    );
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("hosts = 1\n[[capacity]]", "hosts = 2\n[[capacity]]");
    std::fs::write(&path, text).unwrap();
    s.write(
        "vms.csv",
        "id,group,start_s,end_s,vcpus,mem_gib,disk_gib\nv1,web,0,518400,4,1,0\nv2,web,0,,1,1,0\n",
    );
    let run = run_scenario(&path).unwrap();
    let sum = &run.summary;
    assert!(
        close(sum.by_category["hosts"], 360.0),
        "{:?}",
        sum.by_category
    );
    assert_eq!(sum.sla_minutes_lost, 1_440.0);
    assert_eq!(sum.private_sites[0].hosts, 1);
}

#[test]
fn licence_and_support_stop_at_their_contract_end() {
    let s = Scratch::new();
    // One 1-socket host over 100 days with an itemised TCO: capex 8,760 over 1 year = 730 a
    // month = $24 a day; support 876 a year = 73 a month = $2.40 a day; a hypervisor licence
    // of 146 per host-month = $4.80 a day. 730-hour months, so a day is 24/730 of a month.
    s.write(
        "tco.toml",
        &format!(
            "name = \"test tco\"\n{HEAD}[private]\ncores = 4\nsockets = 1\nmem_gib = 16\n\
             [private.tco]\ncapex = 8760.0\nlife_years = 1\nsupport_yearly = 876.0\n\
             [[private.tco.software]]\nname = \"hypervisor\"\nper = \"host\"\nmonthly = 146.0\n"
        ),
    );
    let run = |extra: &str| {
        let path = write_scenario(&s, "100d", extra);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("private.toml", "tco.toml")).unwrap();
        run_scenario(&path).unwrap().summary
    };
    // No contract: 100 days x (24 + 2.40 + 4.80) = 3,120.
    assert!(close(run("").total, 3_120.0));
    // The contract ends 972 h = 40.5 days in (the default categories: software and support):
    // software 40.5 x 4.80 = 194.40, support 40.5 x 2.40 = 97.20; capex stays 100 x 24 = 2,400.
    let ended = run("[[money.contract]]\nvenue = \"dc\"\nends = \"972h\"\n");
    let by = &ended.by_category;
    assert!(close(by["software"], 194.4), "{by:?}");
    assert!(close(by["support"], 97.2), "{by:?}");
    assert!(
        close(ended.total, 2_400.0 + 194.4 + 97.2),
        "{}",
        ended.total
    );
    // Only the licence, ending on 2027-02-20 = day 50: software 50 x 4.80 = 240; support
    // 100 x 2.40 = 240; total 2,400 + 240 + 240 = 2,880.
    let licence = run(
        "[[money.contract]]\nvenue = \"dc\"\nends = \"2027-02-20\"\ncategories = [\"software\"]\n",
    );
    assert!(close(licence.by_category["software"], 240.0));
    assert!(close(licence.total, 2_880.0), "{}", licence.total);
    // A category that does not recur is refused, naming the key.
    let path = write_scenario(
        &s,
        "100d",
        "[[money.contract]]\nvenue = \"dc\"\nends = \"10d\"\ncategories = [\"one-off\"]\n",
    );
    let err = run_scenario(&path).err().expect("refused").to_string();
    assert!(
        err.contains("key `money.contract[0].categories`: \"one-off\" is not a recurring"),
        "{err}"
    );
}

/// The shipped three-year scenario of a growing private cloud (worked/yearly-growth).
fn yearly_growth() -> std::path::PathBuf {
    crate::common::root().join("scenarios/worked/yearly-growth/yearly-growth.toml")
}

#[test]
fn the_optimizer_sizes_a_growing_site_per_year_and_the_plan_simulates_its_additions() {
    let s = Scratch::new();
    let out = s.path().join("opt");
    let (code, stdout, err) = crate::common::hybridplan(&[
        "optimize",
        yearly_growth().to_str().unwrap(),
        "--validate",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // Memory binds: 8-vCPU, 32-GiB VMs on 256-GiB hosts kept 10 % free (230.4 GiB, 7 VMs a
    // host in the model). Year 1: 28 VMs = 896 GiB / 230.4 = 3.9 -> 4 hosts; year 2: 42 VMs =
    // 1,344 / 230.4 = 5.8 -> 6; year 3: 63 VMs = 2,016 / 230.4 = 8.75 -> 9. Additions 4 (owned
    // at the start), 2 on day 365 (2028-01-01) and 3 on day 730 (2028-12-31).
    let rec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("optimize.json")).unwrap()).unwrap();
    let site = &rec["sites"][0];
    assert_eq!(site["hosts"], 4, "{stdout}");
    let adds = site["additions"].as_array().unwrap();
    let got: Vec<(u64, u64, u64, &str)> = adds
        .iter()
        .map(|a| {
            let n = |k: &str| a[k].as_u64().unwrap();
            (n("added"), n("units"), n("at"), a["date"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        got,
        [
            (2, 6, 365 * 86_400, "2028-01-01"),
            (3, 9, 730 * 86_400, "2028-12-31")
        ]
    );
    // A host-year of the book (12 months of 730 h): capex 233.33 + support 116.67 + rack 50 +
    // staff 100 = 500 a month, 6,000 a year; software (OpenStack 80 + Linux 30) 1,320 a year,
    // +5 % a year; power at 50 % load 140 W x 730 h x PUE 1.5 x 0.12 = 18.396 a month,
    // 220.752 a year, +3 % a year. Year 1: 6,000 + 1,320 + 220.752 = 7,540.752; year 2:
    // 6,000 + 1,386 + 227.37456 = 7,613.37456; year 3: 6,000 + 1,455.3 + 234.19578 =
    // 7,689.49578; three years 22,843.62234.
    // Addition 1: 2 x (7,613.37456 + 7,689.49578) = 30,605.74; addition 2: 3 x 7,689.49578 =
    // 23,068.49. Planned: 4 x 22,843.62234 + 30,605.74 + 23,068.49 = 145,048.72, against
    // 9 x 22,843.62234 = 205,592.60 for the year-3 peak's 9 hosts on day one.
    let cost = |a: &serde_json::Value| a["cost"].as_f64().unwrap();
    assert_eq!((cost(&adds[0]), cost(&adds[1])), (30_605.74, 23_068.49));
    assert_eq!(rec["planned_total"].as_f64().unwrap(), 145_048.72);
    // Present value at 8 %, each month's money discounted at its end, 1 / 1.08^(m / 12): year
    // 2's months m = 13..=24, year 3's 25..=36; below the undiscounted amounts.
    let pv = |a: &serde_json::Value| a["present_value"].as_f64().unwrap();
    let year = |q: i32| -> f64 {
        (1..=12)
            .map(|m| 1.08f64.powf(-f64::from(12 * q + m) / 12.0))
            .sum::<f64>()
            / 12.0
    };
    let pv1 = 2.0 * (7_613.374_56 * year(1) + 7_689.495_78 * year(2));
    assert!(
        (pv(&adds[0]) - pv1).abs() < 0.01,
        "{} vs {pv1}",
        pv(&adds[0])
    );
    // The plan file carries the additions as dated capacity rows.
    let plan = std::fs::read_to_string(out.join("yearly-growth.plan.toml")).unwrap();
    assert!(
        plan.contains("venue = \"openstack-dc\"\nat = \"365d\"\nhosts = 6\n")
            && plan.contains("at = \"730d\"\nhosts = 9\n"),
        "{plan}"
    );
    let simulated = rec["validation"]["simulated_total"].as_f64().unwrap();
    assert_eq!(rec["validation"]["unplaced_vms"], 0);

    // The plan as a scenario runs it (policy = "plan"): the site has 4, then 6, then 9 hosts.
    let text = std::fs::read_to_string(yearly_growth()).unwrap();
    let base = yearly_growth().parent().unwrap().to_path_buf();
    let planned = text
        .replace("policy = \"first-fit\"", "policy = \"plan\"")
        .replace(
            "traces/vms.csv",
            base.join("traces/vms.csv").to_str().unwrap(),
        )
        .replace(
            "../../../pricing/",
            &format!("{}/", crate::common::root().join("pricing").display()),
        )
        + &format!(
            "\n[placement]\nplan = \"{}\"\n",
            out.join("yearly-growth.plan.toml").display()
        );
    let summary = run_scenario(&s.write("planned.toml", &planned))
        .unwrap()
        .summary;
    let changes: Vec<(u64, u64)> = summary.private_sites[0]
        .capacity_changes
        .iter()
        .map(|c| (c.at_s / 86_400, c.hosts))
        .collect();
    assert_eq!(changes, [(0, 4), (365, 6), (730, 9)]);
    assert!((summary.total - simulated).abs() < 0.01);

    // Nine hosts from day one, no growth rule (first-fit packs the same VMs on the first
    // hosts, so the hosts the plan does not have yet sit idle): the plan saves their fixed
    // items, 5 hosts in year 1 (5 x 7,320) and 3 in year 2 (3 x 7,386) = 36,600 + 22,158 =
    // 58,758, and their idle power, 58.4 W x 730 h x PUE 1.5 x 0.12 = 7.67376 a month:
    // 5 x 12 x 7.67376 = 460.43 in year 1 and 3 x 12 x 7.67376 x 1.03 = 284.55 in year 2.
    // In all 58,758 + 460.43 + 284.55 = 59,502.98.
    let day_one = planned
        .replace("hosts = 4", "hosts = 9")
        .replace("policy = \"plan\"", "policy = \"first-fit\"");
    let day_one = day_one[..day_one.find("[[growth]]").unwrap()].to_string()
        + &day_one[day_one.find("[money]").unwrap()..day_one.find("[placement]").unwrap()];
    let nine = run_scenario(&s.write("day-one.toml", &day_one))
        .unwrap()
        .summary;
    assert_eq!(nine.shortfalls.count, 0);
    let saved = nine.total - summary.total;
    assert!((saved - 59_502.98).abs() < 0.05, "{saved}");
}

#[test]
fn a_plan_file_s_capacity_rows_are_checked_with_file_key_and_value() {
    let s = Scratch::new();
    // A private venue "dc" (hosts) over 10 days; each plan names the row and key at fault.
    let path = write_scenario(&s, "10d", "");
    let scenario = hybridplan::scenario::load(&path).unwrap();
    let check = |rows: &str, expected: &str| {
        let plan = s.write("p.plan.toml", &format!("[groups]\nweb = [\"dc\"]\n{rows}"));
        let err = hybridplan::scenario::load_plan(&plan, &scenario.venues, scenario.horizon)
            .expect_err("refused")
            .to_string();
        assert!(
            err.contains("p.plan.toml") && err.contains(expected),
            "{err} (expected {expected})"
        );
    };
    let row =
        |at: &str, key: &str| format!("[[capacity]]\nvenue = \"dc\"\nat = \"{at}\"\n{key} = 2\n");
    check(&row("10d", "hosts"), "capacity[0].at");
    check(&row("10d", "hosts"), "before the end of the horizon");
    check(&row("0s", "hosts"), "after the start");
    check(&row("2d", "units"), "\"dc\" counts hosts: give `hosts = N`");
    check(
        &format!("{}{}", row("5d", "hosts"), row("3d", "hosts")),
        "capacity[1].at`: 259200s must come after the venue's row before it (432000s)",
    );
    check(
        "[[capacity]]\nvenue = \"nowhere\"\nat = \"1d\"\nhosts = 2\n",
        "\"nowhere\" is not a venue of the scenario",
    );
    // A good row loads: 2 hosts from day 2 on.
    let plan = s.write(
        "p.plan.toml",
        &format!("[groups]\nweb = [\"dc\"]\n{}", row("2d", "hosts")),
    );
    let loaded =
        hybridplan::scenario::load_plan(&plan, &scenario.venues, scenario.horizon).unwrap();
    assert_eq!(loaded.capacity.len(), 1);
    assert_eq!(
        (loaded.capacity[0].at, loaded.capacity[0].count),
        (2 * 86_400, 2)
    );
}

#[test]
fn a_migration_copy_over_a_backup_site_s_link_waits_for_the_nightly_job() {
    let s = Scratch::new();
    let book = crate::common::root().join("pricing/backup-msp.toml");
    // A backup client site "office" with a 100 Mbps link, 0.5 TB protected, no reduction,
    // 12.5 % changing a day: the seed (0.5 TB = 4e12 bits) takes 40,000 s from 0; each nightly
    // job (0.0625 TB = 5e11 bits) 5,000 s alone, from 22:00.
    let backup = format!(
        "[backup]\nname = \"msp\"\nbook = \"{}\"\ncompression = 1.0\ndedup = 1.0\nchange_rate = 0.125\n\
         retention_daily = 1\nseeding = \"wan\"\nwindow_start = \"22h\"\nwindow = \"6h\"\n\
         [[backup.sites]]\nname = \"office\"\nprotected_tb = 0.5\nservers = 1\nlink_mbps = 100\nrtt_ms = 10\nloss_pct = 0.0\n",
        book.display()
    );
    let migration = |link: &str| {
        format!(
            "[[venues]]\nname = \"dc2\"\nbook = \"private.toml\"\nhosts = 1\n\
             [[migrations]]\ngroup = \"web\"\nfrom = \"dc\"\nto = \"dc2\"\nat = \"46h\"\ndata_gib = 100\n{link}\ncutover = \"1d\"\n{backup}"
        )
    };
    // The copy, 100 GiB = 100 x 8 x 1,073,741,824 = 858,993,459,200 bits, starts at 46 h
    // (165,600 s), with the second night's job. Over its own 100 Mbps link: 8,589.93 s ->
    // 8,590 s = 2.3861 h; the VMs move a day (the cutover) later.
    let own = run_scenario(&write_scenario(&s, "10d", &migration("wan_mbps = 100"))).unwrap();
    let m = &own.summary.migrations[0];
    assert_eq!(
        (m.copy_hours, m.moved_at_s),
        (2.3861, 165_600 + 8_590 + 86_400)
    );
    // Sharing the office's link: 50 Mbps each until the job ends (5e11 / 5e7 = 10,000 s), the
    // copy having sent 5e11 bits; the other 358,993,459,200 at 100 Mbps take 3,589.93 s more:
    // done at 13,589.93 -> 13,590 s = 3.775 h, 5,000 s (the job's data at the full link) later.
    let shared = run_scenario(&write_scenario(
        &s,
        "10d",
        &migration("wan_site = \"office\""),
    ))
    .unwrap();
    let m = &shared.summary.migrations[0];
    assert_eq!(
        (m.copy_hours, m.moved_at_s),
        (3.775, 165_600 + 13_590 + 86_400)
    );
    // The nightly job took twice its 5,000 s: 10,000 s, inside the 6-hour window.
    let b = shared.summary.backup.as_ref().unwrap();
    assert_eq!(b.windows_missed, 0);
    // A site that is not a [backup] client site is named.
    let bad = write_scenario(&s, "10d", &migration("wan_site = \"nowhere\""));
    let err = run_scenario(&bad)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("migrations[0].wan_site")
            && err.contains("\"nowhere\" is not a [backup] client site (sites: office)"),
        "{err}"
    );
}

#[test]
fn a_plan_made_before_the_migrations_follows_them() {
    // exit-36m with the plan `optimize` writes for it, which keeps the three waves wholly on
    // vmware-dc (its model sees no migrations). The waves must still move when the migrations
    // say: with the plan they used to be stranded (16 VMs a wave down for the rest of the run,
    // paid nowhere, 101,132.43 in all); now they move as under the shipped waves plan, and the
    // run costs what it does under it, 149,469.72.
    let s = Scratch::new();
    let dir = crate::common::root().join("scenarios/worked/vmware-exit");
    let plan = s.write(
        "model.plan.toml",
        "[groups]\n\"wave-1\" = { \"vmware-dc\" = 1 }\n\"wave-2\" = { \"vmware-dc\" = 1 }\n\
         \"wave-3\" = { \"vmware-dc\" = 1 }\n\
         \"growth\" = { \"openstack-dc\" = 0.85, \"vmware-dc\" = 0.15 }\n",
    );
    let text = std::fs::read_to_string(dir.join("exit-36m.toml"))
        .unwrap()
        .replace(
            "plan = \"waves.plan.toml\"",
            &format!("plan = {:?}", plan.to_str().unwrap()),
        )
        .replace(
            "book = \"../../../",
            &format!("book = \"{}/", crate::common::root().display()),
        )
        .replace(
            "vms = \"traces/",
            &format!("vms = \"{}/traces/", dir.display()),
        );
    let run = run_scenario(&s.write("exit.toml", &text)).unwrap();
    let moved: Vec<(u64, u64)> = run
        .summary
        .migrations
        .iter()
        .map(|m| (m.vms, m.stranded))
        .collect();
    assert_eq!(moved, [(16, 0), (16, 0), (16, 0)]);
    assert!(close(run.summary.total, 149469.72), "{}", run.summary.total);
}
