//! `run --replications auto --target`: batches of 100 replications until the 95 % interval of
//! the total's P50 is within the target, the same at any thread count; and its bad uses.

use crate::common;

use common::{Scratch, copy_example, hybridplan, root};
use hybridplan::uncertainty::interval;
use hybridplan::uncertainty::stats::percentile;
use serde_json::Value;

/// The relative half-width of the P50's interval over the first `n` runs' totals.
fn half_width(runs: &[Value], n: usize) -> f64 {
    let mut t: Vec<f64> = runs[..n]
        .iter()
        .map(|r| r["metrics"]["total"].as_f64().unwrap())
        .collect();
    t.sort_by(f64::total_cmp);
    interval::quantile(&t, 0.5, percentile(&t, 0.5)).relative_half_width()
}

#[test]
fn auto_stops_at_the_first_batch_that_meets_the_target() {
    let scratch = Scratch::new();
    let path = copy_example(&scratch);
    let text = std::fs::read_to_string(&path).unwrap();
    // dc-east's price moves every total. After 100 runs the P50 is 1,454.61 within
    // [1,348.50, 1,632.12], a half-width of 141.81 / 1,454.61 = 9.7 %, over the 6 % target;
    // after 200 it is 1,504.86 within [1,440.83, 1,594.97]: 77.07 / 1,504.86 = 5.1 %, so it stops.
    let table = "[uncertainty]\n[[uncertainty.parameters]]\nname = \"dc price\"\n\
                 key = \"venues.0.price_factor\"\ndistribution = \"uniform\"\nmin = 0.5\nmax = 1.5\n";
    std::fs::write(&path, format!("{text}\n{table}")).unwrap();
    let run = |threads: &str| {
        let out = scratch.path().join(format!("out-{threads}"));
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_hybridplan"))
            .args(["run", path.to_str().unwrap(), "--replications", "auto"])
            .args(["--target", "6%", "--out", out.to_str().unwrap()])
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(root())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(stdout.contains("replications, seed"), "{stdout}");
        std::fs::read(out.join("replications.json")).unwrap()
    };
    let (one, two) = (run("1"), run("2"));
    assert!(one == two, "auto differs between 1 and 2 threads");
    let r: Value = serde_json::from_slice(&one).unwrap();
    let n = r["replications"].as_u64().unwrap() as usize;
    let runs = r["runs"].as_array().unwrap();
    assert_eq!(n, 200);
    assert_eq!(runs.len(), n + 2 * 10); // and ten pairs of sensitivity runs
    assert!(half_width(runs, n) <= 0.06);
    assert!(half_width(runs, n - 100) > 0.06);
    let p50 = &r["figures"][0];
    assert!(
        (p50["p50"].as_f64().unwrap() - 1504.855).abs() < 0.01,
        "{p50}"
    );
}

#[test]
fn auto_refuses_shards_and_bad_targets() {
    let scratch = Scratch::new();
    let path = copy_example(&scratch);
    let p = path.to_str().unwrap();
    let (code, _, stderr) = hybridplan(&["run", p, "--replications", "auto", "--shard", "1/2"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot be sharded"), "{stderr}");
    let (code, _, stderr) = hybridplan(&["run", p, "--replications", "auto", "--target", "0"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is not a share above 0"), "{stderr}");
    let (code, _, stderr) = hybridplan(&["run", p, "--replications", "9", "--target", "1%"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--target applies only to --replications auto"),
        "{stderr}"
    );
    let (code, _, stderr) = hybridplan(&["run", p, "--replications", "many"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("not a number of replications or auto"),
        "{stderr}"
    );
}
