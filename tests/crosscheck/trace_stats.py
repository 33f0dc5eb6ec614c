#!/usr/bin/env python3
"""Independent computation of the trace statistics that tests/it/real_traces.rs asserts.

Written separately from the Rust readers, with numpy (and pyarrow for Parquet), following the
conversions the README documents. Run from the project root:

    pip install numpy pyarrow
    python3 tests/crosscheck/trace_stats.py ../shared/data/traces

Quantiles: numpy.percentile's default linear interpolation; standard deviation: numpy.std
(population, ddof=0).
"""
import os
import sys

import numpy as np
import pyarrow.parquet as pq


def describe(name, values, extra):
    v = np.asarray(values, dtype=np.float64)
    q = np.percentile(v, [25, 50, 75, 95])
    print(f"{name}: " + ", ".join(f"{k} = {x}" for k, x in extra.items()))
    print(f"  count = {v.size}, mean = {v.mean():.6f}, std_dev = {v.std():.6f}, min = {v.min():.6f}, "
          f"p25 = {q[0]:.6f}, p50 = {q[1]:.6f}, p75 = {q[2]:.6f}, p95 = {q[3]:.6f}, max = {v.max():.6f}")


def planetlab_day(folder):
    values = []
    files = sorted(f for f in os.listdir(folder) if not f.startswith("."))
    for f in files:
        with open(os.path.join(folder, f)) as fh:
            values += [int(x) / 100 for x in fh.read().split()]
    # CloudSim's four VM types cycled over the files in name order: 870, 1740, 1740, 613 MB.
    mem = sum([870, 1740, 1740, 613][i % 4] / 1024 for i in range(len(files)))
    describe("planetlab " + os.path.basename(folder), values,
             {"vms": len(files), "vcpus": len(files), "mem_gib": f"{mem:.6f}"})


def bitbrains(folder):
    tasks = pq.read_table(os.path.join(folder, "tasks.parquet")).to_pydict()
    frags = pq.read_table(os.path.join(folder, "fragments.parquet")).to_pydict()
    epoch = min(tasks["submission_time"])
    info = {}
    for i, tid in enumerate(tasks["id"]):
        start = (tasks["submission_time"][i] - epoch) // 1000
        end = start + max(1, (tasks["duration"][i] + 500) // 1000)
        info[tid] = (start, end, tasks["cpu_capacity"][i])
    cursor, last, values = {}, {}, []
    for tid, dur, use in zip(frags["id"], frags["duration"], frags["cpu_usage"]):
        start, end, cap = info[tid]
        t = start + cursor.get(tid, 0) // 1000
        cursor[tid] = cursor.get(tid, 0) + dur
        if t >= end or last.get(tid) == t:
            continue
        last[tid] = t
        values.append(min(use / cap, 1.0))
    # Peak concurrency over [start, end) intervals, ends before starts at equal times.
    events = sorted([(s, 1) for s, _, _ in info.values()] + [(e, -1) for _, e, _ in info.values()])
    now = peak = 0
    for _, d in events:
        now += d
        peak = max(peak, now)
    mem = sum(tasks["mem_capacity"]) / 1048576
    describe("bitbrains-small", values, {"vms": len(info), "vcpus": sum(tasks["cpu_count"]),
                                         "mem_gib": f"{mem:.6f}", "max_concurrent": peak})


if __name__ == "__main__":
    root = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/traces"
    planetlab_day(os.path.join(root, "planetlab", "20110303"))
    bitbrains(os.path.join(root, "bitbrains-small"))
