//! `run --replications`, `--shard` and `merge` as users run them.

use crate::common;

use common::{Scratch, copy_example, hybridplan};
use serde_json::Value;

/// The example scenario with an [uncertainty] table appended.
fn example_with(scratch: &Scratch, table: &str) -> String {
    let path = copy_example(scratch);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\n{table}")).unwrap();
    path.to_str().unwrap().to_string()
}

/// Runs hybridplan and expects success; returns stdout.
fn ok(args: &[&str]) -> String {
    let (code, stdout, stderr) = hybridplan(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    stdout
}

fn json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The example with `table` appended, run with --replications: (stdout, replications.json).
fn replicate(table: &str) -> (String, Value) {
    let scratch = Scratch::new();
    let scenario = example_with(&scratch, table);
    let out = scratch.path().join("out");
    let stdout = ok(&[
        "run",
        &scenario,
        "--replications",
        "--out",
        out.to_str().unwrap(),
    ]);
    (stdout, json(&out.join("replications.json")))
}

#[test]
fn a_price_factor_scales_its_venue_exactly() {
    // The example's private site dc-east costs 1,228.44 over 30 days (README totals table); its
    // hosts cost the same whatever runs on them, so placement does not change. A fixed price
    // factor of 2 adds exactly 1,228.44 to every replication's total (to the cent).
    let (stdout, r) = replicate(
        "[uncertainty]\nreplications = 3\n[[uncertainty.parameters]]\nname = \"dc price\"\nkey = \"venues.0.price_factor\"\ndistribution = \"fixed\"\nvalue = 2.0\n",
    );
    assert!(
        stdout.contains("example-hybrid: 3 replications"),
        "{stdout}"
    );
    let runs = r["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3 + 2 * 10); // three replications, ten pairs of P10 and P90 runs
    for run in runs {
        let venues = run["metrics"]["venues"].as_array().unwrap();
        assert_eq!(venues[0][0], "dc-east");
        let dc = venues[0][1].as_f64().unwrap();
        assert!((dc - 2.0 * 1228.44).abs() <= 0.02, "dc-east {dc}");
    }
    // A fixed parameter has no swing.
    assert_eq!(r["sensitivity"][0]["swing"].as_f64(), Some(0.0));
}

#[test]
fn replications_draw_their_parameters_and_report_the_spread() {
    // dc-east's cost is 1,228.44 x the factor; the factor is uniform on 0.5..1.5, so every
    // replication's dc-east total divided by its drawn factor is 1,228.44.
    let (stdout, r) = replicate(
        "[uncertainty]\nreplications = 40\n[[uncertainty.parameters]]\nname = \"dc price\"\nkey = \"venues.0.price_factor\"\ndistribution = \"uniform\"\nmin = 0.5\nmax = 1.5\n",
    );
    let runs = r["runs"].as_array().unwrap();
    let mut factors = Vec::new();
    for run in &runs[..40] {
        let f = run["values"][0].as_f64().unwrap();
        assert!((0.5..1.5).contains(&f));
        let dc = run["metrics"]["venues"][0][1].as_f64().unwrap();
        assert!((dc / f - 1228.44).abs() < 0.02 / f + 1e-9, "{dc} / {f}");
        factors.push(f);
    }
    factors.dedup();
    assert_eq!(factors.len(), 40, "every replication draws its own value");
    // The sensitivity runs sit at the P10 and P90 of the factor: 0.6 and 1.4.
    assert_eq!(runs[40]["values"][0].as_f64(), Some(0.6));
    assert!((runs[41]["values"][0].as_f64().unwrap() - 1.4).abs() < 1e-12);
    // P10 <= P50 <= P90 and the mean lies inside its own confidence interval.
    let total = &r["figures"][0];
    assert_eq!(total["figure"], "total");
    let (p10, p50, p90) = (
        total["p10"].as_f64().unwrap(),
        total["p50"].as_f64().unwrap(),
        total["p90"].as_f64().unwrap(),
    );
    assert!(p10 <= p50 && p50 <= p90, "{total}");
    let (lo, hi) = (
        total["mean_ci95"][0].as_f64().unwrap(),
        total["mean_ci95"][1].as_f64().unwrap(),
    );
    assert!(lo < total["mean"].as_f64().unwrap() && total["mean"].as_f64().unwrap() < hi);
    assert!(stdout.contains("sensitivity of total cost"), "{stdout}");
}

#[test]
fn three_shards_merge_into_the_single_run_byte_for_byte() {
    let scratch = Scratch::new();
    let scenario = example_with(
        &scratch,
        "[uncertainty]\nreplications = 7\n[[uncertainty.parameters]]\nname = \"dc price\"\nkey = \"venues.0.price_factor\"\ndistribution = \"normal\"\nmean = 1.0\nsd = 0.1\n\n[[uncertainty.parameters]]\nname = \"hosts\"\nkey = \"venues.0.hosts\"\ndistribution = \"triangular\"\nmin = 1\nmode = 2\nmax = 4\n",
    );
    let single = scratch.path().join("single");
    ok(&[
        "run",
        &scenario,
        "--replications",
        "--out",
        single.to_str().unwrap(),
        "-q",
    ]);
    let shards = scratch.path().join("shards");
    let mut partials = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let stdout = ok(&[
            "run",
            &scenario,
            "--replications",
            "--shard",
            &shard,
            "--out",
            shards.to_str().unwrap(),
        ]);
        // 7 replications + 2 parameters x 10 pairs x 2 sensitivity runs = 47 items: shards of
        // 16, 16 and 15.
        let expect = if k < 3 {
            "(16 of 47 items)"
        } else {
            "(15 of 47 items)"
        };
        assert!(stdout.contains(expect), "{stdout}");
        partials.push(shards.join(format!("replications.shard-{k}-of-3.json")));
    }
    let merged = scratch.path().join("merged");
    let mut args = vec!["merge", "--out", merged.to_str().unwrap(), "-q"];
    // In reverse order: a merge does not depend on the order of its inputs.
    args.extend(partials.iter().rev().map(|p| p.to_str().unwrap()));
    ok(&args);
    let a = std::fs::read(single.join("replications.json")).unwrap();
    let b = std::fs::read(merged.join("replications.json")).unwrap();
    assert!(a == b, "merged result differs from the single run");

    // A missing shard is named, not silently ignored.
    let (code, _, stderr) = hybridplan(&[
        "merge",
        "--out",
        merged.to_str().unwrap(),
        partials[0].to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("16 of 47 items, missing [1, 2, 4, 5"),
        "{stderr}"
    );
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let scratch = Scratch::new();
    let scenario = example_with(
        &scratch,
        "[uncertainty]\nreplications = 6\n[[uncertainty.parameters]]\nname = \"dc price\"\nkey = \"venues.0.price_factor\"\ndistribution = \"lognormal\"\nmedian = 1.0\nsigma = 0.2\n",
    );
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = scratch.path().join(threads);
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_hybridplan"))
            .args([
                "run",
                &scenario,
                "--replications",
                "--out",
                out.to_str().unwrap(),
                "-q",
            ])
            .env("RAYON_NUM_THREADS", threads)
            .status()
            .unwrap();
        assert!(status.success());
        outputs.push(std::fs::read(out.join("replications.json")).unwrap());
    }
    assert!(outputs[0] == outputs[1]);
}

#[test]
fn bad_uncertainty_input_is_named() {
    let scratch = Scratch::new();
    let scenario = example_with(
        &scratch,
        "[uncertainty]\n[[uncertainty.parameters]]\nname = \"x\"\nkey = \"venues.7.hosts\"\ndistribution = \"fixed\"\nvalue = 1\n",
    );
    let (code, _, stderr) = hybridplan(&["run", &scenario, "--replications", "2"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("key `uncertainty.parameters[0].key`: `venues.7`: index 7 is beyond the list's 3 entries"),
        "{stderr}"
    );
    let (code, _, stderr) =
        hybridplan(&["run", &scenario, "--replications", "2", "--shard", "4/3"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is not a shard K/N"), "{stderr}");
}

#[test]
fn a_sweep_runs_every_grid_point_and_shards_like_replications() {
    // dc-east costs 1,228.44 at price factor 1 whatever the public prices; at factor 2 the
    // total is 1,228.44 higher. 2 x 3 = 6 points, the last axis fastest, 2 replications each.
    // The example has no random input (a trace from files, no failures), so both replications
    // of a point agree: standard errors 0.
    let scratch = Scratch::new();
    let scenario = example_with(
        &scratch,
        "[[sweep]]\nkey = \"venues.0.price_factor\"\nvalues = [1, 2]\n\n[[sweep]]\nkey = \"venues.1.price_factor\"\nvalues = [0.8, 1.0, 1.2]\n",
    );
    let out = scratch.path().join("out");
    let args = ["--sweep", "--replications", "2"];
    let stdout = ok(&[
        &["run", &scenario][..],
        &args,
        &["--out", out.to_str().unwrap()],
    ]
    .concat());
    assert!(
        stdout.contains("sweep of 6 points, 2 replications each"),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(csv.starts_with("venues.0.price_factor,venues.1.price_factor,replications,total,total_se,total_change,total_change_se,vm_hours,vm_hours_se,venue dc-east,"), "{csv}");
    let rows: Vec<Vec<f64>> = csv
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .map(|x| x.parse().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(
        (rows[0][0], rows[0][1], rows[1][1], rows[3][0], rows[0][2]),
        (1.0, 0.8, 1.0, 2.0, 2.0)
    );
    for i in 0..3 {
        // columns: the two keys, replications, total, its se, change, its se, VM-hours, its
        // se, dc-east, ...
        assert!((rows[i][9] - 1228.44).abs() < 0.011, "{csv}");
        assert!(
            (rows[i + 3][3] - rows[i][3] - 1228.44).abs() < 0.02,
            "{csv}"
        );
        assert_eq!((rows[i][4], rows[i][8]), (0.0, 0.0), "{csv}");
        // The change is from the row above within each value of the first key: none at 0.8.
        assert_eq!(rows[i][5].is_nan(), i == 0, "{csv}");
        if i > 0 {
            assert!(
                (rows[i][5] - (rows[i][3] - rows[i - 1][3])).abs() < 1e-6,
                "{csv}"
            );
        }
    }

    let shards = scratch.path().join("shards");
    for k in ["1/2", "2/2"] {
        ok(&[
            "run",
            &scenario,
            "--sweep",
            "--replications",
            "2",
            "--shard",
            k,
            "--out",
            shards.to_str().unwrap(),
            "-q",
        ]);
    }
    let merged = scratch.path().join("merged");
    ok(&[
        "merge",
        "--out",
        merged.to_str().unwrap(),
        shards.join("sweep.shard-1-of-2.json").to_str().unwrap(),
        shards.join("sweep.shard-2-of-2.json").to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read_to_string(merged.join("sweep.csv")).unwrap(),
        csv
    );

    // Without a [[sweep]], --sweep says what is missing.
    let other = Scratch::new();
    let plain = copy_example(&other);
    let (code, _, stderr) = hybridplan(&["run", plain.to_str().unwrap(), "--sweep"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("has no [[sweep]] axes"), "{stderr}");
}

#[test]
fn failure_and_eviction_factors_scale_the_books_rates() {
    // The example's hosts fail at 4.8 % a year: over 30 days two hosts expect
    // 2 x 0.048 x 30 / 365 = 0.008 failures. A factor of 0 means none; a factor of 5,000 makes
    // 39 expected, so some certainly happen.
    let failures = |factor: &str| {
        let scratch = Scratch::new();
        let path = copy_example(&scratch);
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text
            .replace(
                "policy = \"cheapest\"",
                "policy = \"cheapest\"\nfailures = true",
            )
            .replace(
                "hosts = 2\n",
                &format!("hosts = 2\nfailure_factor = {factor}\n"),
            );
        std::fs::write(&path, text).unwrap();
        let out = scratch.path().join("out");
        ok(&[
            "run",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ]);
        json(&out.join("summary.json"))["interruptions"]["host_failures"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(failures("0"), 0);
    assert!(failures("5000") > 10);

    // A factor on a venue it cannot apply to is named.
    let scratch = Scratch::new();
    let path = copy_example(&scratch);
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace("hosts = 2\n", "hosts = 2\neviction_factor = 2\n");
    std::fs::write(&path, text).unwrap();
    let (code, _, stderr) = hybridplan(&["run", path.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("key `venues[0].eviction_factor`: applies only to a public venue"),
        "{stderr}"
    );
}

#[test]
fn a_study_reads_its_files_once() {
    // `commitments.0.count` (the example's two reserved m6a.2xlarge) is a key the loaded
    // scenario cannot take directly, so each run checks the scenario again from its TOML. The
    // books and the trace are read once, by `Study::load`: with them deleted afterwards, every
    // run still works, and the count moves the total (a reserved instance is paid every hour).
    let scratch = Scratch::new();
    let scenario = example_with(
        &scratch,
        "[uncertainty]\nreplications = 4\n[[uncertainty.parameters]]\nname = \"reserved\"\nkey = \"commitments.0.count\"\ndistribution = \"uniform\"\nmin = 1\nmax = 3\n",
    );
    let path = std::path::Path::new(&scenario);
    let text = std::fs::read_to_string(path).unwrap();
    let study = hybridplan::uncertainty::study::Study::load(&text, path, None).unwrap();
    for dir in ["pricing", "scenarios/traces"] {
        std::fs::remove_dir_all(scratch.path().join(dir)).unwrap();
    }
    let items: Vec<u32> = (0..study.items()).collect();
    let runs = study.run_all(&items, &|| {}).unwrap();
    let mut by_count: Vec<(f64, f64)> = runs
        .iter()
        .map(|r| (r.values[0], r.metrics.total))
        .collect();
    by_count.sort_by(|a, b| a.0.total_cmp(&b.0));
    by_count.dedup_by(|a, b| a.0 == b.0);
    assert!(by_count.len() >= 2, "{by_count:?}");
    assert!(
        by_count.windows(2).all(|w| w[0].1 != w[1].1),
        "{by_count:?}"
    );
}

#[test]
fn the_tornado_draws_each_effects_interval_as_a_whisker() {
    // Two uncertain prices: two bars in the tornado, each with a whisker (a line and two
    // 12-pixel caps) at the P90 end, spanning the effect's 95 % interval.
    let scratch = Scratch::new();
    let scenario = example_with(
        &scratch,
        "[uncertainty]\nreplications = 2\n[[uncertainty.parameters]]\nname = \"dc price\"\nkey = \"venues.0.price_factor\"\ndistribution = \"normal\"\nmean = 1.0\nsd = 0.1\n\n[[uncertainty.parameters]]\nname = \"aws price\"\nkey = \"venues.1.price_factor\"\ndistribution = \"normal\"\nmean = 1.0\nsd = 0.1\n",
    );
    let out = scratch.path().join("out");
    let out_s = out.to_str().unwrap();
    ok(&[
        "run",
        &scenario,
        "--replications",
        "--report",
        "html",
        "--out",
        out_s,
        "-q",
    ]);
    let svg = std::fs::read_to_string(out.join("tornado.svg")).unwrap();
    let black =
        "<polyline fill=\"none\" opacity=\"1\" stroke=\"#000000\" stroke-width=\"1\" points=\"";
    let caps = svg
        .split(black)
        .skip(1)
        .filter_map(|rest| {
            let points = rest.split('"').next()?;
            let xy: Vec<i64> = points
                .split([',', ' '])
                .filter(|p| !p.is_empty())
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            (xy.len() == 4 && xy[0] == xy[2] && xy[3] - xy[1] == 12).then_some(())
        })
        .count();
    assert_eq!(caps, 4, "{svg}");
}
