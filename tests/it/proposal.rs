//! The proposal's figures (report first page): unit costs, the venue comparison and the split
//! into recurring and one-off costs, worked by hand from the shipped books and example runs.

use crate::common;

use common::{Scratch, hybridplan, root};
use hybridplan::optimize::{Profile, alone};
use hybridplan::pipeline::run_scenario;
use hybridplan::summary::proposal::{CostSplit, UnitCosts};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.006
}

#[test]
fn unit_costs_share_each_venue_by_vcpu_hours() {
    let run = run_scenario(&root().join("scenarios/example-hybrid.toml")).unwrap();
    let u = UnitCosts::build(&run.scenario, &run.trace.table, &run.outcome, &run.summary);
    let names: Vec<&str> = u.by_venue.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["dc-east", "aws-us-east-1"]); // GCP ran nothing
    let dc = &u.by_venue[0];
    // dc-east: 1,228.44 over 16,392 VM-hours and 54,048 vCPU-hours: 1,228.44 / (16,392 / 730)
    // = 54.71 per VM-month, 1,228.44 / 54,048 = 0.022729 per vCPU-hour.
    assert_eq!(
        (dc.cost, dc.vm_hours, dc.vcpu_hours),
        (1228.44, 16392.0, 54048.0)
    );
    assert!(close(dc.per_vm_month().unwrap(), 54.71));
    assert!((dc.per_vcpu_hour().unwrap() - 0.022729).abs() < 1e-6);
    let g = |n: &str| u.by_group.iter().find(|x| x.name == n).unwrap();
    // web and db ran 23,040 vCPU-hours each on dc-east, batch the other 54,048 - 46,080 =
    // 7,968 there and all of aws-us-east-1's 3,360: web = 1,228.44 x 23,040 / 54,048 =
    // 523.67; batch = 1,228.44 x 7,968 / 54,048 + 338.40 = 181.10 + 338.40 = 519.50.
    assert!(close(g("web").cost, 523.67) && close(g("db").cost, 523.67));
    assert!(close(g("batch").cost, 519.50));
    assert_eq!(g("batch").vcpu_hours, 7968.0 + 3360.0);
    // Nothing is lost or counted twice: the groups add up to the venues, 1,228.44 + 338.40 =
    // 1,566.84, a cent below the total 1,566.85 (each venue is rounded to cents on its own);
    // the "all venues" row states the total.
    let sum: f64 = u.by_group.iter().map(|x| x.cost).sum();
    assert!(close(sum, 1566.84) && u.shared == 0.0);
    assert_eq!(u.workload.cost, 1566.85);
}

#[test]
fn each_venue_alone_prices_the_whole_workload() {
    let run = run_scenario(&root().join("scenarios/example-hybrid.toml")).unwrap();
    let profile = Profile::build(&run.scenario, &run.trace).unwrap();
    let c = alone::Comparison::build(&run.scenario, &profile, &run.summary, 0.1);
    let dc = &c.venues[0];
    assert_eq!(
        (dc.venue.as_str(), dc.bought.as_str()),
        ("dc-east", "3 hosts")
    );
    // A host over the 720 h horizon: 610 a month all-in x 720 / 730 = 601.6438, power at the
    // model's 50 % load 140 W x 720 h x PUE 1.5 x 0.12/kWh = 18.144: 619.7878; three hosts
    // 1,859.36. Every option also pays the two reserved m6a.2xlarge: 2 x 0.22861 x 720 =
    // 329.20, so 2,188.56 in all.
    assert!(close(
        dc.cost.unwrap(),
        3.0 * (610.0 * 720.0 / 730.0 + 18.144)
    ));
    assert_eq!(c.fixed.len(), 1);
    assert!(close(c.fixed[0].1, 2.0 * 0.22861 * 720.0));
    assert!(close(c.total(dc).unwrap(), 2188.56));
    // dc-east is the cheapest venue alone; the run's split (1,566.85) beats it by 621.71.
    assert_eq!(c.cheapest().unwrap().venue, "dc-east");
    assert!(
        c.venues[1..]
            .iter()
            .all(|a| a.cost.unwrap() > dc.cost.unwrap())
    );
}

#[test]
fn seeding_is_one_off_and_the_rest_recurs() {
    let run = run_scenario(&root().join("scenarios/worked/msp-backup/msp-backup.toml")).unwrap();
    let split = CostSplit::build(&run.scenario, &run.summary);
    // 20 drives at 300 = 6,000 once; 19,915.26 - 6,000 = 13,915.26 recurs over 720 hours,
    // 13,915.26 x 730 / 720 = 14,108.53 a month.
    assert_eq!(split.one_off, [("seeding".to_string(), 6000.0)]);
    assert!(close(split.recurring, 13915.26));
    assert!(close(split.recurring_per_month, 14108.53));
    assert!(split.upfront.is_empty());
}

/// `run example-hybrid --report html --out <s> <extra>`.
fn example_report(s: &Scratch, extra: &[&str]) -> (i32, String, String) {
    let out = s.path().to_str().unwrap();
    let mut args = vec!["run", "scenarios/example-hybrid.toml", "--report", "html"];
    args.extend(["--out", out]);
    args.extend(extra);
    hybridplan(&args)
}

#[test]
fn the_first_page_states_the_recommendation_and_its_saving() {
    let s = Scratch::new();
    let (code, o, e) = example_report(&s, &[]);
    assert_eq!(code, 0, "{o}{e}");
    let html = std::fs::read_to_string(s.path().join("index.html")).unwrap();
    // 2,188.56 (all on dc-east) - 1,566.85 = 621.71 saved, 621.71 / 2,188.56 = 28.4 %; the
    // run-rate is 1,566.85 x 730 / 720 = 1,588.61 a month.
    assert!(html.contains("621.71 USD"), "no saving");
    assert!(html.contains("28.4 % of its 2,188.56"));
    assert!(html.contains("a run-rate of 1,588.61 USD a month"));
    assert!(html.contains("<th scope=\"row\">all on aws-us-east-1</th>"));
}

#[test]
fn a_run_on_one_venue_claims_no_saving_against_that_venue_alone() {
    // msp-backup keeps every VM-hour on msp-cloud, its only venue: "everything on msp-cloud"
    // is the run itself, and the model's 19,932.62 against the simulated 19,915.26 would be a
    // saving of 17.36 that nobody can act on. No reference, so no saving is stated.
    let s = Scratch::new();
    let out = s.path().to_str().unwrap();
    let scenario = "scenarios/worked/msp-backup/msp-backup.toml";
    let (code, o, e) = hybridplan(&["run", scenario, "--report", "html", "--out", out, "-q"]);
    assert_eq!(code, 0, "{o}{e}");
    let html = std::fs::read_to_string(s.path().join("index.html")).unwrap();
    assert!(html.contains("the workload runs on msp-cloud (100 % of VM-hours)"));
    assert!(!html.contains("saved against"), "a saving against itself");
    assert!(!html.contains("the cheapest single venue"));
}

#[test]
fn branding_is_checked() {
    let s = Scratch::new();
    let run = |extra: &[&str]| example_report(&s, extra);
    let (code, _, err) = run(&["--accent", "blue"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("blue") && err.contains("#rrggbb"), "{err}");
    let big = s.write("big.png", &"x".repeat(300 * 1024));
    let (code, _, err) = run(&["--logo", big.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(
        err.contains("big.png") && err.contains("at most 262144 bytes"),
        "{err}"
    );
    let gif = s.write("logo.gif", "GIF89a....");
    let (code, _, err) = run(&["--logo", gif.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("not a PNG, JPEG or SVG"), "{err}");
}

#[test]
fn report_only_flags_without_a_report_are_refused() {
    // Branding, like --baseline, shapes only the page: without --report it would be dropped
    // silently, so it is a usage error (exit 2) naming the missing flag. The same for
    // compare's --out, which is where its page goes.
    let s = Scratch::new();
    let out = s.path().to_str().unwrap();
    for (cmd, flag, value) in [
        ("run", "--company", "Acme"),
        ("run", "--accent", "#0b3954"),
        ("run", "--logo", "logo.png"),
        ("optimize", "--company", "Acme"),
    ] {
        let scenario = "scenarios/example-hybrid.toml";
        let (code, o, err) = hybridplan(&[cmd, scenario, flag, value, "--out", out]);
        assert_eq!(code, 2, "{cmd} {flag}: {o}{err}");
        assert!(err.contains("--report <FORMAT>"), "{cmd} {flag}: {err}");
    }
    let a = "scenarios/baselines/example-hybrid.json";
    let (code, o, err) = hybridplan(&["compare", a, a, "--out", out]);
    assert_eq!(code, 2, "compare --out: {o}{err}");
    assert!(err.contains("--report <FORMAT>"), "{err}");
}

#[test]
fn a_scenario_brands_its_report_and_the_command_line_overrides_it() {
    let s = Scratch::new();
    let scenario = common::copy_example(&s);
    let text = std::fs::read_to_string(&scenario).unwrap();
    let branded = format!("{text}\n[report]\ncompany = \"Scenario Co\"\naccent = \"#123\"\n");
    std::fs::write(&scenario, branded).unwrap();
    let out = s.path().join("r");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "run".to_string(),
            scenario.display().to_string(),
            "--report".into(),
            "html".into(),
            "--out".into(),
            out.display().to_string(),
        ];
        a.extend(extra.iter().map(|x| x.to_string()));
        a
    };
    let run = |extra: &[&str]| {
        let a = args(extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let (code, o, e) = hybridplan(&a);
        assert_eq!(code, 0, "{o}{e}");
        std::fs::read_to_string(out.join("index.html")).unwrap()
    };
    let html = run(&[]);
    // (The appendix shows the file, so the header's paragraph is what is looked for.)
    assert!(html.contains("<p class=\"company\">Scenario Co</p>"));
    assert!(html.contains("--accent: #112233;"));
    let html = run(&["--company", "Flag Co"]);
    assert!(html.contains("<p class=\"company\">Flag Co</p>"));
    assert!(html.contains("--accent: #112233;")); // not overridden
    // A bad colour in the file names the file and the key.
    let text = std::fs::read_to_string(&scenario).unwrap();
    std::fs::write(&scenario, text.replace("#123", "teal")).unwrap();
    let a = args(&[]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (code, _, err) = hybridplan(&a);
    assert_ne!(code, 0);
    assert!(
        err.contains("example-hybrid.toml")
            && err.contains("report.accent")
            && err.contains("\"teal\""),
        "{err}"
    );
}

#[test]
fn the_first_page_payback_comes_from_cumulative_cash_flows() {
    // scenarios/worked/vmware-exit/README.md: B - A is 701.46 at the end of month 6 and
    // -1,328.76 at the end of month 7, so B breaks even in month 7, at 6 + 701.46 /
    // (701.46 + 1,328.76) = 6.35 months from the start.
    let (stay, exit) = (Scratch::new(), Scratch::new());
    let stay_dir = stay.path().to_str().unwrap();
    let (code, o, e) = hybridplan(&[
        "run",
        "scenarios/worked/vmware-exit/stay-36m.toml",
        "-q",
        "--out",
        stay_dir,
    ]);
    assert_eq!(code, 0, "{o}{e}");
    let (code, o, e) = hybridplan(&[
        "run",
        "scenarios/worked/vmware-exit/exit-36m.toml",
        "--report",
        "html",
        "--baseline",
        stay_dir,
        "--out",
        exit.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{o}{e}");
    let html = std::fs::read_to_string(exit.path().join("index.html")).unwrap();
    assert!(
        html.contains("id=\"payback\"><div class=\"v\">6.3 months</div>"),
        "no payback card"
    );
    assert!(html.contains("break-even in month 7"));
}
