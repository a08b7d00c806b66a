#!/usr/bin/env python3
"""Markdown tables from an echo_grid.py directory: per cell, every configuration's median
(min-max) over the repetitions of requests/s, p99, server CPU us per request, that CPU as a
multiple of the floor measured in the same repetition (BM_LoopbackRecvSend, and
BM_LoopbackEchoCrossCpu when present), syscalls per request (from a --syscalls grid), server
RSS, client CPU, and ratios to a reference configuration. Flags: client-bound, saturated,
INVALID (a byte mismatch or an error).

  bench/grid/grid_table.py OUT [--syscalls-dir SYSOUT] [--reference nio-reactors-lt]
"""
import argparse
import glob
import json
import os
import re
import statistics

NAME = re.compile(r"(.+)_s(\d+)_c(\d+)_d(\d+)_r(\d+)_rep(\d+)\.json")


def load(directory):
    cells = {}
    for path in glob.glob(os.path.join(directory, "*.json")):
        m = NAME.match(os.path.basename(path))
        if not m:
            continue
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, json.JSONDecodeError):
            continue
        label, (size, conns, depth, rate, rep) = m.group(1), map(int, m.groups()[1:])
        cells.setdefault((size, conns, depth, rate), {}).setdefault(label, {})[rep] = doc
    return cells


def floor_us(doc, bench, size, conns):
    key = f"{bench}/conns:{1 if conns == 1 else 100}/size:{size}/"
    for b in doc.get("benchmarks", []):
        if b["name"].startswith(key) and b.get("run_type") == "iteration":
            return b["seconds_per_msg"] * 1e6
    return None


def iteration(doc):
    rows = [b for b in doc.get("benchmarks", []) if b.get("run_type") == "iteration"]
    return rows[0] if rows else None


def fmt(values, digits=1, scale=1.0):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    m, lo, hi = statistics.median(values), min(values), max(values)
    return f"{m / scale:.{digits}f} ({lo / scale:.{digits}f}–{hi / scale:.{digits}f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir")
    parser.add_argument("--syscalls-dir", help="an echo_grid.py --syscalls directory")
    parser.add_argument("--reference", default="nio-reactors-lt")
    parser.add_argument("--configs", help="comma list of labels to show (default: all)")
    args = parser.parse_args()

    cells = load(args.dir)
    syscalls = load(args.syscalls_dir) if args.syscalls_dir else {}
    wanted = args.configs.split(",") if args.configs else None
    for key in sorted(cells):
        size, conns, depth, rate = key
        cell = cells[key]
        floors = cell.get("floor", {})
        pair = {rep: floor_us(d, "BM_LoopbackRecvSend", size, conns) for rep, d in floors.items()}
        cross = {rep: floor_us(d, "BM_LoopbackEchoCrossCpu", size, conns) for rep, d in floors.items()}
        rows = {}
        for label, reps in cell.items():
            if label == "floor" or (wanted and label not in wanted):
                continue
            row = {k: [] for k in ("rate", "p99", "cpu", "x_pair", "x_cross", "rss", "client")}
            row["flags"] = set()
            for rep, doc in reps.items():
                b = iteration(doc)
                if b is None:
                    row["flags"].add("INVALID")
                    continue
                io = b["iomb"]
                if not io.get("valid", True) or b.get("errors"):
                    row["flags"].add("INVALID")
                if io.get("client_bound"):
                    row["flags"].add("client-bound")
                if io.get("saturated"):
                    row["flags"].add("saturated")
                cpu = b["cpu_time"] / 1000
                row["rate"].append(b["achieved_rate"])
                row["p99"].append(b["p99_us"])
                row["cpu"].append(cpu)
                row["x_pair"].append(cpu / pair[rep] if pair.get(rep) else None)
                row["x_cross"].append(cpu / cross[rep] if cross.get(rep) else None)
                row["rss"].append(b.get("server_rss_kib"))
                row["client"].append(b.get("client_cpu_util"))
            sys_doc = syscalls.get(key, {}).get(label, {})
            sys_row = iteration(next(iter(sys_doc.values()))) if sys_doc else None
            row["syscalls"] = sys_row.get("syscalls_per_req") if sys_row else None
            rows[label] = row
        if not rows:
            continue
        title = f"echo {size} B, {conns} conns, " + (f"open loop {rate} req/s" if rate else f"pipeline {depth}")
        print(f"\n### {title}\n\nfloor (recv+send pair, one thread): {fmt(list(pair.values()), 2)} µs; "
              f"cross-CPU echo floor: {fmt(list(cross.values()), 2)} µs\n")
        print("| config | req/s (k) | p99 µs | server CPU µs/req | ÷ pair floor | ÷ cross-CPU floor | "
              "syscalls/req | RSS MiB | client CPU | req/s ÷ ref | CPU ÷ ref |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        ref = rows.get(args.reference)
        for label in sorted(rows, key=lambda l: (l != args.reference, l)):
            row = rows[label]
            rate_ratio = cpu_ratio = "–"
            if ref and ref["rate"] and row["rate"]:
                rate_ratio = f"{statistics.median(row['rate']) / statistics.median(ref['rate']):.2f}"
                cpu_ratio = f"{statistics.median(row['cpu']) / statistics.median(ref['cpu']):.2f}"
            flags = f" ({', '.join(sorted(row['flags']))})" if row["flags"] else ""
            sysc = "–" if row["syscalls"] is None else f"{row['syscalls']:.3f}"
            print(f"| {label}{flags} | {fmt(row['rate'], 1, 1000)} | {fmt(row['p99'], 0)} | "
                  f"{fmt(row['cpu'], 2)} | {fmt(row['x_pair'], 2)} | {fmt(row['x_cross'], 2)} | {sysc} | "
                  f"{fmt(row['rss'], 1, 1024)} | {fmt(row['client'], 2)} | {rate_ratio} | {cpu_ratio} |")


if __name__ == "__main__":
    main()
