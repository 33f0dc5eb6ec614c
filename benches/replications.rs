//! Monte Carlo throughput: 1,000 replications (plus the sensitivity runs) of a scenario with its
//! [uncertainty] table (synthetic-growth unless --scenario says), on 1 and on 2 threads.
//!
//!     cargo bench --bench replications
//!     cargo bench --bench replications -- --replications 200
//!     cargo bench --bench replications -- --scenario scenarios/example-hybrid.toml
//!
//! Prints the wall time and the process's CPU time (user + system, all threads) of each
//! thread count, and the speed-up. The CPU time is the steadier figure on a shared machine.
//! Results are in the README under "Benchmarks".

use hybridplan::uncertainty::study::Study;
use std::path::Path;
use std::time::Instant;

/// CPU seconds this process has used (all its threads): utime + stime of /proc/self/stat, in
/// clock ticks of 1/100 s (Linux's USER_HZ); None where there is no /proc.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

fn arg(args: &[String], name: &str) -> Option<String> {
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1).cloned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u32 =
        arg(&args, "--replications").map_or(1000, |v| v.parse().expect("--replications N"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path =
        root.join(arg(&args, "--scenario").unwrap_or("scenarios/synthetic-growth.toml".into()));
    let text = std::fs::read_to_string(&path).expect("scenario");
    let study = Study::load(&text, &path, Some(n)).expect("scenario");
    let items: Vec<u32> = (0..study.items()).collect();
    let mut times = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let (t0, cpu0) = (Instant::now(), cpu_seconds());
        let records = pool.install(|| study.run_all(&items, &|| {}).expect("runs"));
        let secs = t0.elapsed().as_secs_f64();
        let cpu = match (cpu0, cpu_seconds()) {
            (Some(a), Some(b)) => format!(", CPU {:.2} s", b - a),
            _ => String::new(),
        };
        assert_eq!(records.len(), items.len());
        println!(
            "{threads} thread(s): {} runs in {secs:.2} s ({:.1} runs/s){cpu}",
            items.len(),
            items.len() as f64 / secs
        );
        times.push(secs);
    }
    println!("speed-up 1 -> 2 threads: {:.2}x", times[0] / times[1]);
}
