//! Helpers shared by the benchmarks.

/// The process's peak resident memory (VmHWM), MiB; NaN where /proc is missing.
pub fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU time of this thread so far, seconds (utime + stime from /proc, 10 ms ticks): on a shared
/// machine wall time counts other processes' turns too.
#[allow(dead_code)] // not every benchmark uses it
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime and stime are 12th and 13th.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: Vec<f64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse().ok())
        .collect();
    ticks.iter().sum::<f64>() / 100.0
}

/// User CPU time of this thread so far, seconds (utime alone): the reading itself, without the
/// kernel's time to hand out fresh pages, which varies with the machine's load.
#[allow(dead_code)] // not every benchmark uses it
pub fn user_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    after
        .split_whitespace()
        .nth(11)
        .and_then(|t| t.parse::<f64>().ok())
        .map_or(f64::NAN, |ticks| ticks / 100.0)
}
