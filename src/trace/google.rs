//! Google cluster-usage traces 2011 (clusterdata-2011-2): `task_events` and `task_usage` CSV
//! files (plain or gzip, `#` lines are comments), in one folder or its sub-folders.
//!
//! A task (job ID, task index) runs from a SCHEDULE event (type 1) to the next EVICT, FAIL,
//! FINISH, KILL or LOST event (types 2-6); a task scheduled again becomes a new VM, `job-task#2`.
//! A task still running at the end of the files runs to the horizon. Times are microseconds
//! and become whole seconds.
//!
//! The trace normalises CPU and memory to the largest machine in the cell (1.0). There is no
//! published absolute size, so two scale factors turn them into cores and GiB: by default 1.0
//! CPU = 32 cores and 1.0 memory = 64 GiB (so the trace's most common machine, 0.5 / 0.5, is a
//! 16-core, 32 GiB server). Set `cpu_scale` and `mem_scale` to your own assumption. Requests of
//! zero become 0.01 vCPU / 0.01 GiB (counted in the notes).
//!
//! A `task_usage` row (start, end, job, task, machine, mean CPU rate, canonical memory, ...)
//! becomes a sample at its start time for the VM running then: CPU utilisation = mean CPU rate
//! / CPU request, memory utilisation = canonical memory / memory request, both capped at 1.0.

use super::files::find_some;
use super::rows::{Row, for_each_row, note};
use super::{ReadOptions, Sample, TableBuilder, Trace, Vm, sample_time};
use crate::error::{Error, InputError};
use std::collections::HashMap;
use std::path::Path;

pub const DEFAULT_CPU_SCALE: f64 = 32.0;
pub const DEFAULT_MEM_SCALE: f64 = 64.0;
const MIN_REQUEST: f64 = 0.01;

/// A number, or 0 for an empty cell (the trace leaves unknown values empty).
fn number_or_zero(r: &Row, i: usize, name: &str) -> Result<f64, InputError> {
    if r.text(i).is_empty() {
        return Ok(0.0);
    }
    let v = r.number(i, name)?;
    if v >= 0.0 {
        Ok(v)
    } else {
        Err(r.err(format!("{name} {v} must be >= 0")))
    }
}

/// Seconds from microseconds.
fn seconds(us: u64) -> u64 {
    us / 1_000_000
}

/// The task_events files: each run of a task is a VM.
struct Tasks {
    table: TableBuilder,
    /// Per (job, task): the VM running now, if any, and every VM (run) of the task so far.
    runs: HashMap<(u64, u64), (Option<u32>, Vec<u32>)>,
    /// Each VM's (CPU, memory) request as the trace gives it (normalised).
    requests: Vec<(f64, f64)>,
    /// Tasks whose zero request was raised to MIN_REQUEST.
    floored: u64,
}

pub fn load(dir: &Path, options: &ReadOptions) -> Result<Trace, Error> {
    if !(options.cpu_scale > 0.0 && options.mem_scale > 0.0) {
        return Err(InputError::file(dir, "cpu_scale and mem_scale must be > 0").into());
    }
    let tasks = read_events(dir, options)?;
    let usage = read_usage(dir, options, &tasks)?;
    let mut notes = Vec::new();
    note(
        &mut notes,
        tasks.floored,
        &format!("tasks with a zero request given {MIN_REQUEST} vCPU / GiB"),
    );
    note(
        &mut notes,
        usage.capped,
        "usage values above the request capped at 100 %",
    );
    note(
        &mut notes,
        usage.unknown,
        "usage rows of tasks never scheduled skipped",
    );
    note(
        &mut notes,
        usage.idle,
        "usage rows outside any run of their task dropped",
    );
    Ok(tasks.table.into_trace(usage.samples, notes))
}

/// Reads task_events: a VM per run of a task, from SCHEDULE to the event that ends it.
fn read_events(dir: &Path, options: &ReadOptions) -> Result<Tasks, Error> {
    let mut table = TableBuilder::new();
    // Per (job, task): the VM running now, if any, and every VM (run) of the task so far.
    let mut tasks: HashMap<(u64, u64), (Option<u32>, Vec<u32>)> = HashMap::new();
    let mut requests: Vec<(f64, f64)> = Vec::new();
    let mut floored = 0u64;
    for path in find_some(dir, &["task_events"], "task_events")? {
        for_each_row(&path, 12, |r| {
            let t = seconds(r.whole(0, "timestamp", "microseconds")?);
            let key = (r.whole(2, "job ID", "")?, r.whole(3, "task index", "")?);
            let event = r.whole(5, "event type", "")?;
            let entry = tasks.entry(key).or_insert((None, Vec::new()));
            match event {
                1 => {
                    if entry.0.is_some() {
                        return Err(r.err(format!(
                            "task {}-{} scheduled while already running",
                            key.0, key.1
                        )));
                    }
                    let id = match entry.1.len() {
                        0 => format!("{}-{}", key.0, key.1),
                        n => format!("{}-{}#{}", key.0, key.1, n + 1),
                    };
                    let cpu = number_or_zero(r, 9, "CPU request")?;
                    let mem = number_or_zero(r, 10, "memory request")?;
                    if cpu == 0.0 || mem == 0.0 {
                        floored += 1;
                    }
                    let vcpus = (cpu * options.cpu_scale).max(MIN_REQUEST);
                    let mem_gib = (mem * options.mem_scale).max(MIN_REQUEST);
                    let group = table.group(&format!("class-{}", r.text(7)));
                    let vm = Vm {
                        id,
                        group,
                        start: t,
                        end: None,
                        vcpus,
                        mem_gib,
                        disk_gib: 0.0,
                    };
                    let index = table
                        .push(vm, r.line)
                        .map_err(|first| r.err(format!("task id repeats line {first}")))?;
                    requests.push((cpu, mem));
                    entry.0 = Some(index);
                    entry.1.push(index);
                }
                2..=6 => {
                    if let Some(index) = entry.0.take() {
                        let vm = &table.vms()[index as usize];
                        if t <= vm.start {
                            return Err(r.err(format!(
                                "task {}-{} ends at {t} s, not after its start {} s",
                                key.0, key.1, vm.start
                            )));
                        }
                        table.set_end(index, t);
                    }
                }
                0 | 7 | 8 => {} // SUBMIT and UPDATE events change no lifetime.
                other => return Err(r.err(format!("event type {other} is not one of 0-8"))),
            }
            Ok(())
        })?;
    }
    if table.is_empty() {
        return Err(InputError::file(dir, "the task_events files schedule no task").into());
    }
    Ok(Tasks {
        table,
        runs: tasks,
        requests,
        floored,
    })
}

/// The usage rows kept as samples, and counts of the rows changed or left out.
struct Usage {
    samples: Vec<Sample>,
    capped: u64,
    unknown: u64,
    idle: u64,
}

/// Reads task_usage: each row becomes a sample of the run of its task that holds its time.
fn read_usage(dir: &Path, options: &ReadOptions, tasks: &Tasks) -> Result<Usage, Error> {
    let mut samples = Vec::new();
    let (mut capped, mut unknown, mut idle) = (0u64, 0u64, 0u64);
    for path in find_some(dir, &["task_usage"], "task_usage")? {
        for_each_row(&path, 7, |r| {
            let t = seconds(r.whole(0, "start time", "microseconds")?);
            let key = (r.whole(2, "job ID", "")?, r.whole(3, "task index", "")?);
            let cpu_rate = number_or_zero(r, 5, "mean CPU usage rate")?;
            let mem_used = number_or_zero(r, 6, "canonical memory usage")?;
            // The VM of this task whose lifetime holds t: the latest scheduled at or before t.
            let Some((_, runs)) = tasks.runs.get(&key) else {
                if options.skip_unknown_vms {
                    unknown += 1;
                    return Ok(());
                }
                return Err(r.err(format!(
                    "usage for unknown task {}-{} (never scheduled in task_events; --skip-unknown-vms skips such rows)",
                    key.0, key.1
                )));
            };
            let found = runs.iter().rev().copied().find(|&index| {
                let vm = &tasks.table.vms()[index as usize];
                vm.start <= t && vm.end.is_none_or(|e| t < e)
            });
            let Some(index) = found else {
                idle += 1;
                return Ok(());
            };
            let (cpu_req, mem_req) = tasks.requests[index as usize];
            let ratio = |used: f64, req: f64, capped: &mut u64| {
                let u = if req > 0.0 {
                    used / req
                } else if used > 0.0 {
                    1.0
                } else {
                    0.0
                };
                if u > 1.0 {
                    *capped += 1;
                }
                u.min(1.0) as f32
            };
            let cpu = ratio(cpu_rate, cpu_req, &mut capped);
            let mem = ratio(mem_used, mem_req, &mut capped);
            samples.push(Sample::new(
                index,
                sample_time(t).map_err(|m| r.err(m.to_string()))?,
                cpu,
                Some(mem),
            ));
            Ok(())
        })?;
    }
    Ok(Usage {
        samples,
        capped,
        unknown,
        idle,
    })
}
