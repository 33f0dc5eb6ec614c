#!/usr/bin/env python3
"""Derives the example trace in this folder from the PlanetLab CPU traces shipped with CloudSim.

Run from the project root:  python3 scenarios/traces/planetlab-mix/derive.py ../shared/data/traces/planetlab

VM sizes and lifetimes are chosen by the fixed rules below (PlanetLab files carry no sizes);
utilisation is real: VM number j on simulated day d uses the j-th file (in name order) of the
(d mod 10)-th recorded PlanetLab day, averaged from 300 s samples to hourly means.
"""
import os
import sys

DAY = 86_400
HORIZON_DAYS = 30


def vms():
    rows = []
    for i in range(16):  # web tier: small, always on
        rows.append((f"web-{i:02}", "web", 0, None, 2, 8, 50))
    for i in range(4):  # databases: large memory, always on
        rows.append((f"db-{i}", "db", 0, None, 8, 64, 500))
    for i in range(24):  # batch: 3 to 7 days each, starts spread over the first 22 days
        start = (i * 22 * 3_600) % (22 * DAY) + 1_800 * (i % 3)
        end = start + (3 + i % 5) * DAY
        rows.append((f"batch-{i:02}", "batch", start, end, 4, 32, 100))
    return rows


def main(planetlab):
    here = os.path.dirname(os.path.abspath(__file__))
    days = sorted(d for d in os.listdir(planetlab) if d.isdigit())
    files = {d: sorted(os.listdir(os.path.join(planetlab, d))) for d in days}
    table = vms()
    with open(os.path.join(here, "vms.csv"), "w") as f:
        f.write("id,group,start_s,end_s,vcpus,mem_gib,disk_gib\n")
        for vid, group, start, end, vcpus, mem, disk in table:
            f.write(f"{vid},{group},{start},{'' if end is None else end},{vcpus},{mem},{disk}\n")
    hourly = {}
    for d, day in enumerate(days):
        for j in range(len(table)):
            with open(os.path.join(planetlab, day, files[day][j])) as f:
                pct = [int(x) for x in f.read().split()]
            hourly[(d, j)] = [sum(pct[h * 12:(h + 1) * 12]) / 12 / 100 for h in range(24)]
    with open(os.path.join(here, "usage.csv"), "w") as f:
        f.write("id,t_s,cpu_util\n")
        for hour in range(HORIZON_DAYS * 24):
            t = hour * 3_600
            for j, (vid, _, start, end, *_rest) in enumerate(table):
                if t < start or (end is not None and t >= end):
                    continue
                util = hourly[((hour // 24) % len(days), j)][hour % 24]
                f.write(f"{vid},{t},{util:.4f}\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/traces/planetlab")
