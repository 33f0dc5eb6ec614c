//! Common random numbers: with the same seed, a run with more growth, more arrivals or a higher
//! price never has fewer VM-hours or (where cost is pay-per-use) a lower total; the growth
//! sweep of synthetic-growth (means of replications sharing their random numbers) rises in cost
//! and VM-hours at every step and is pinned; and the tornado says growth raises cost.

use crate::common;

use common::{Scratch, root};
use hybridplan::trace::synthetic::{Params, generate};
use hybridplan::trace::{Trace, Vm};
use hybridplan::uncertainty::stats::Header;
use hybridplan::uncertainty::study::{Item, SWEEP_REPLICATIONS, Study};
use hybridplan::uncertainty::sweep;
use hybridplan::units::{DAY, HOUR, SimTime};
use proptest::prelude::*;

/// synthetic-growth with its [[sweep]] replaced by web growth 0.00 -> 0.12 in steps of 0.02.
fn growth_sweep(scratch: &Scratch) -> std::path::PathBuf {
    let text = std::fs::read_to_string(root().join("scenarios/synthetic-growth.toml")).unwrap();
    let pricing = root().join("pricing");
    let text = text.replace("../pricing", pricing.to_str().unwrap());
    let cut = text.find("[[sweep]]").unwrap();
    let sweep = "[[sweep]]\nkey = \"trace.synthetic.groups.0.growth_per_month\"\n\
                 values = [0.0, 0.02, 0.04, 0.06, 0.08, 0.10, 0.12]\n";
    scratch.write("growth.toml", &format!("{}{sweep}", &text[..cut]))
}

#[test]
fn the_growth_sweep_is_non_decreasing_in_cost_and_vm_hours() {
    let scratch = Scratch::new();
    let path = growth_sweep(&scratch);
    let study = Study::sweep(&std::fs::read_to_string(&path).unwrap(), &path, None).unwrap();
    assert_eq!(study.replications, SWEEP_REPLICATIONS);
    assert_eq!(study.items(), 7 * 20);
    let items: Vec<u32> = (0..study.items()).collect();
    let runs = study.run_all(&items, &|| {}).unwrap();
    // Replication r of every point runs at the same simulation seed.
    for r in 0..20 {
        assert!((1..7).all(|p| runs[p * 20 + r].seed == runs[r].seed));
    }
    let points = sweep::points(&Header::of(&study), &runs);
    let hours: Vec<f64> = points.iter().map(|p| p.vm_hours.0).collect();
    let totals: Vec<f64> = points.iter().map(|p| p.total.0).collect();
    // Growth only adds web VMs (each existing VM keeps its start, lifetime and size), so each
    // replication's VM-hours never fall from one point to the next. One seeded run's total can:
    // at the scenario's seed alone, 0.00 -> 0.02 gives 9,875.14 -> 9,824.62, because the one
    // extra web VM (266 VM-hours on dc-west) changes how the batch VMs after it first-fit onto
    // the four hosts, 7 more batch VM-hours fit on dc-west and AWS bills 51 less. Averaged over
    // 20 replications sharing their random numbers, such packing accidents wash out and the
    // effect of growth is what is left.
    for r in 0..20 {
        for p in 1..7 {
            let (a, b) = (&runs[(p - 1) * 20 + r], &runs[p * 20 + r]);
            assert!(
                a.metrics.vm_hours <= b.metrics.vm_hours + 1e-9,
                "rep {r} point {p}"
            );
        }
    }
    // Pinned (seed 2026, 20 replications): mean VM-hours and totals per point.
    let want_hours = [
        61840.0603, 62729.0934, 63479.2057, 64305.8471, 64942.7850, 65676.1048, 66503.6831,
    ];
    let want_totals = [
        9849.148, 9903.282, 9980.397, 10075.208, 10165.8295, 10253.177, 10357.61,
    ];
    for i in 0..7 {
        assert!((hours[i] - want_hours[i]).abs() < 1e-3, "{hours:?}");
        assert!((totals[i] - want_totals[i]).abs() < 0.005, "{totals:?}");
    }
    // Non-decreasing, and each step's paired change is significant: its 95 % interval lies
    // above zero. The first step: +54.13 with standard error 20.79 over 20 pairs, so
    // t(0.975, 19) = 2.093 gives 54.13 - 2.093 x 20.79 = 10.61 > 0.
    for w in hours.windows(2).chain(totals.windows(2)) {
        assert!(w[0] <= w[1], "{hours:?} {totals:?}");
    }
    assert!(points[0].change.is_none());
    for p in &points[1..] {
        let c = p.change.unwrap();
        assert!(c.low > 0.0, "{c:?}");
        assert!((c.value - (c.low + c.high) / 2.0).abs() < 1e-9);
    }
    let first = points[1].change.unwrap();
    assert!((first.value - 54.134).abs() < 1e-3 && (points[1].change_se - 20.7949).abs() < 1e-3);
    assert!(
        (first.low - (54.134 - 2.093 * 20.7949)).abs() < 0.01,
        "{first:?}"
    );
}

#[test]
fn the_tornado_says_web_growth_raises_cost() {
    // synthetic-growth's sensitivity runs of "web growth" (its P10 0.0245 and P90 0.0910, the
    // other parameters at their medians), 10 pairs sharing their random numbers: the high run
    // costs more on average and the interval of the effect lies above zero.
    let path = root().join("scenarios/synthetic-growth.toml");
    let study = Study::load(&std::fs::read_to_string(&path).unwrap(), &path, Some(1)).unwrap();
    let web: Vec<u32> = (1..study.items())
        .filter(|&i| matches!(study.item(i), Item::Sensitivity { p: 0, .. }))
        .collect();
    assert_eq!(web.len(), 20);
    let runs = study.run_all(&web, &|| {}).unwrap();
    let diff: Vec<f64> = runs
        .chunks(2)
        .map(|pair| pair[1].metrics.total - pair[0].metrics.total)
        .collect();
    let effect = hybridplan::uncertainty::interval::mean(&diff);
    assert!(effect.low > 0.0, "{effect:?}");
    // As the README's `run --replications 20` shows: 10,016.01 -> 10,286.75, swing 270.74.
    assert!((effect.value - 270.74).abs() < 0.01, "{effect:?}");
}

#[test]
fn a_sweep_with_replications_is_the_same_at_any_thread_count_and_across_shards() {
    // The growth sweep, 3 replications per point: 21 runs, each replication on its own random
    // numbers (so the standard errors are not 0), written the same at 1 and 2 threads and when
    // run as two shards and merged.
    let scratch = Scratch::new();
    let path = growth_sweep(&scratch);
    let path = path.to_str().unwrap();
    let run = |threads: &str, extra: &[&str], out: &str| {
        let out = scratch.path().join(out);
        let mut args = vec!["run", path, "--sweep", "--replications", "3", "-q", "--out"];
        args.push(out.to_str().unwrap());
        args.extend(extra);
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_hybridplan"))
            .args(&args)
            .env("RAYON_NUM_THREADS", threads)
            .status()
            .unwrap();
        assert!(status.success(), "{args:?}");
        out
    };
    let one = std::fs::read(run("1", &[], "one").join("sweep.csv")).unwrap();
    let two = std::fs::read(run("2", &[], "two").join("sweep.csv")).unwrap();
    assert!(one == two, "sweep.csv differs between 1 and 2 threads");
    let shards = run("2", &["--shard", "2/2"], "shards");
    run("1", &["--shard", "1/2"], "shards");
    let merged = scratch.path().join("merged");
    let (code, _, stderr) = common::hybridplan(&[
        "merge",
        "-q",
        "--out",
        merged.to_str().unwrap(),
        shards.join("sweep.shard-2-of-2.json").to_str().unwrap(),
        shards.join("sweep.shard-1-of-2.json").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::read(merged.join("sweep.csv")).unwrap() == one);
    let text = String::from_utf8(one).unwrap();
    let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row[1], "3");
    assert!(row[3].parse::<f64>().unwrap() > 0.0, "{text}"); // total_se
}

/// A week of the default synthetic groups on AWS alone: every VM is billed on its own, so the
/// total is a sum over VMs and must rise with the VMs.
fn public_run(seed: u64, growth: f64, rate: f64, price: f64) -> (f64, f64) {
    let scratch = Scratch::new();
    let book = root().join("pricing/aws-us-east-1.toml");
    let text = format!(
        "name = \"crn\"\nhorizon = \"7d\"\nstep = \"1h\"\nseed = {seed}\ncurrency = \"USD\"\n\
         policy = \"first-fit\"\n[trace]\nformat = \"synthetic\"\n[trace.synthetic]\n\
         [[trace.synthetic.groups]]\nname = \"web\"\ninitial_vms = 5\narrivals_per_day = 2.0\n\
         growth_per_month = {growth}\n[[trace.synthetic.groups]]\nname = \"batch\"\n\
         initial_vms = 0\narrivals_per_day = {rate}\nlifetime_median = \"6h\"\n\
         [[venues]]\nname = \"aws\"\nbook = \"{}\"\nprice_factor = {price}\n",
        book.display()
    );
    let run = hybridplan::run_scenario(&scratch.write("s.toml", &text)).unwrap();
    let s = &run.summary;
    (s.total, s.vms.vm_hours_placed + s.vms.vm_hours_unplaced)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    #[test]
    fn more_growth_arrivals_or_price_never_cost_less(
        seed in 0u64..10_000,
        growth in 0.0f64..0.5,
        more in 0.0f64..0.5,
        rate in 0.0f64..20.0,
        extra in 0.0f64..10.0,
        price in 0.5f64..1.5,
        dearer in 0.0f64..0.5,
    ) {
        let (total, hours) = public_run(seed, growth, rate, price);
        let (t_growth, h_growth) = public_run(seed, growth + more, rate, price);
        let (t_rate, h_rate) = public_run(seed, growth + more, rate + extra, price);
        let (t_price, h_price) = public_run(seed, growth + more, rate + extra, price + dearer);
        prop_assert!(hours <= h_growth && h_growth <= h_rate && h_rate == h_price);
        // Cents of rounding per VM aside, the totals rise with them.
        prop_assert!(total <= t_growth + 1e-6, "{total} > {t_growth}");
        prop_assert!(t_growth <= t_rate + 1e-6, "{t_growth} > {t_rate}");
        prop_assert!(t_rate <= t_price + 1e-6, "{t_rate} > {t_price}");
    }
}

fn vm_hours(t: &Trace, horizon: SimTime) -> f64 {
    let secs: SimTime = t
        .table
        .vms
        .iter()
        .map(|v| v.end.unwrap_or(horizon).min(horizon) - v.start)
        .sum();
    secs as f64 / HOUR as f64
}

/// Every VM of `low` is in `high`, unchanged.
fn contains_all(high: &Trace, low: &Trace) {
    for (i, vm) in low.table.vms.iter().enumerate() {
        let at = high.table.position(low.table.id(i as u32)).expect("kept");
        assert_eq!(&high.table.vms[at as usize], vm);
    }
}

#[test]
fn more_growth_adds_vms_and_moves_none() {
    let base = Params {
        horizon: 60 * DAY,
        ..Params::default()
    };
    let with = |growth: f64, rate: f64| {
        let mut p = base.clone();
        p.groups[0].growth_per_month = growth;
        p.groups[1].arrivals_per_day = rate;
        generate(&p)
    };
    let low = with(0.0, 24.0);
    let grown = with(0.1, 24.0);
    let busier = with(0.0, 30.0);
    contains_all(&grown, &low);
    contains_all(&busier, &low);
    assert!(grown.table.vms.len() > low.table.vms.len());
    assert!(busier.table.vms.len() > low.table.vms.len());
    // The groups not touched are identical: same VMs and the same samples per VM.
    let db = |t: &Trace| -> Vec<Vm> {
        t.table
            .vms
            .iter()
            .filter(|v| v.group == 2)
            .cloned()
            .collect()
    };
    assert_eq!(db(&low), db(&grown));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// Same seed: VM-hours never decrease as growth or the arrival rate rises.
    #[test]
    fn vm_hours_rise_with_growth_and_rate(
        seed in 0u64..1_000,
        growth in -0.2f64..0.3,
        more_growth in 0.0f64..0.2,
        rate in 0.0f64..20.0,
        more_rate in 0.0f64..10.0,
    ) {
        let mut p = Params { seed, horizon: 20 * DAY, ..Params::default() };
        p.groups[0].growth_per_month = growth;
        p.groups[1].arrivals_per_day = rate;
        let base = generate(&p);
        let mut q = p.clone();
        q.groups[0].growth_per_month = growth + more_growth;
        let grown = generate(&q);
        q.groups[1].arrivals_per_day = rate + more_rate;
        let busier = generate(&q);
        let h = |t: &Trace| vm_hours(t, p.horizon);
        prop_assert!(h(&base) <= h(&grown) + 1e-9);
        prop_assert!(h(&grown) <= h(&busier) + 1e-9);
    }
}
