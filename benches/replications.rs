//! Monte Carlo throughput: 1,000 replications (plus the sensitivity runs) of the
//! synthetic-growth example, with its [uncertainty] table, on 1 and on 2 threads.
//!
//!     cargo bench --bench replications
//!     cargo bench --bench replications -- --replications 200
//!
//! Prints the wall time of each thread count and the speed-up. Results are in the README under
//! "Benchmarks".

use hybridplan::uncertainty::study::Study;
use std::path::Path;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u32 = args
        .iter()
        .position(|a| a == "--replications")
        .and_then(|i| args.get(i + 1))
        .map_or(1000, |v| v.parse().expect("--replications N"));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/synthetic-growth.toml");
    let text = std::fs::read_to_string(&path).expect("scenario");
    let study = Study::load(&text, &path, Some(n)).expect("scenario");
    let items: Vec<u32> = (0..study.items()).collect();
    let mut times = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let t0 = Instant::now();
        let records = pool.install(|| study.run_all(&items, &|| {}).expect("runs"));
        let secs = t0.elapsed().as_secs_f64();
        assert_eq!(records.len(), items.len());
        println!(
            "{threads} thread(s): {} runs in {secs:.2} s ({:.1} runs/s)",
            items.len(),
            items.len() as f64 / secs
        );
        times.push(secs);
    }
    println!("speed-up 1 -> 2 threads: {:.2}x", times[0] / times[1]);
}
