#!/usr/bin/env python3
"""The interleaved echo grid behind the nio/asio/aio comparison tables (issues 4 and 5).

For each repetition, for each cell (size x connections x pipeline, or an open-loop rate), it
measures this machine's floor (iomb-floor's loopback rows, pinned to the server CPU) and then
runs every server configuration once, in a shuffled order, with `iomb run -r 1` (a fresh
server each time, server and client pinned apart). One JSON file per run lands in OUT; a run
already there is skipped, so an interrupted grid resumes. grid_table.py turns OUT into tables.

  bench/grid/echo_grid.py OUT                      # the closed-loop grid, 3 repetitions
  bench/grid/echo_grid.py --fixed-rate OUT         # open loop at rates below every capacity
  bench/grid/echo_grid.py --syscalls --repetitions 1 OUT   # perf syscall counts only
  # before/after: the same model built from another commit, as one more config
  bench/grid/echo_grid.py --configs aio --extra aio:before=/tmp/old/build/release/bin/iomb-aio \
      --connections 100,10000 OUT
"""
import argparse
import os
import random
import subprocess
import sys
import time

CONFIGS = [
    ("nio:reactors-lt", "nio", "--mode reactors --trigger lt"),
    ("nio:reactors-et", "nio", "--mode reactors --trigger et"),
    ("nio:acceptor-lt", "nio", "--mode acceptor --trigger lt"),
    ("asio", "asio", ""),
    ("aio", "aio", ""),
    ("aio:sqpoll", "aio", "--sqpoll"),
    ("aio:fixed-files", "aio", "--fixed-files"),
    ("aio:zerocopy", "aio", "--zerocopy-send"),
]
# (size, connections, pipeline, open-loop rate or 0)
CLOSED_CELLS = [(s, c, d, 0) for s in (64, 4096) for c in (1, 10, 100, 1000, 10000) for d in (1, 16)]
# 100 req/s over 1 and 10,000 connections: the servers are idle, their RSS is the per-connection cost.
IDLE_CELLS = [(64, 1, 1, 100), (64, 10000, 1, 100)]
# Below every configuration's closed-loop capacity here, so CPU per request compares at equal load.
FIXED_RATE_CELLS = [(64, 1, 1, 10000), (64, 100, 1, 30000), (64, 1000, 1, 30000),
                    (64, 10000, 1, 20000), (4096, 100, 1, 30000), (4096, 1000, 1, 30000)]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="directory for the per-run JSON files")
    parser.add_argument("--bin", default=os.path.join(here, "..", "..", "build", "release", "bin"))
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--duration", default="1500ms")
    parser.add_argument("--warmup", default="500ms")
    parser.add_argument("--configs", help="comma list of config labels (default: all)")
    parser.add_argument("--fixed-rate", action="store_true", help="the open-loop fixed-rate cells")
    parser.add_argument("--syscalls", action="store_true",
                        help="add iomb run --count-syscalls (a perf pass) to closed-loop runs")
    parser.add_argument("--sizes", help="comma list of message sizes to keep (default: all)")
    parser.add_argument("--connections", help="comma list of connection counts to keep (default: all)")
    parser.add_argument("--pipelines", help="comma list of pipeline depths to keep (default: all)")
    parser.add_argument("--extra", action="append", default=[], metavar="LABEL=PATH",
                        help="one more config: the server binary at PATH, default flags "
                             "(e.g. the same model built from an older commit); repeatable")
    parser.add_argument("--server-cpu", default="1")
    args = parser.parse_args()

    configs = CONFIGS
    if args.configs:
        wanted = args.configs.split(",")
        configs = [c for c in CONFIGS if c[0] in wanted]
        if len(configs) != len(wanted):
            parser.error("unknown config in --configs; known: " + ",".join(c[0] for c in CONFIGS))
    for extra in args.extra:
        label, sep, path = extra.partition("=")
        if not sep or not label or not os.access(path, os.X_OK):
            parser.error(f"--extra {extra}: want LABEL=PATH of an executable server")
        configs = configs + [(label, os.path.abspath(path), "")]
    cells = FIXED_RATE_CELLS if args.fixed_rate else CLOSED_CELLS + IDLE_CELLS
    if args.sizes:
        sizes = {int(s) for s in args.sizes.split(",")}
        cells = [c for c in cells if c[0] in sizes]
    for index, text in ((1, args.connections), (2, args.pipelines)):
        if text:
            keep = {int(v) for v in text.split(",")}
            cells = [c for c in cells if c[index] in keep]
    if not cells:
        parser.error("no cell left after --sizes/--connections/--pipelines")
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(7)
    total, done, started = args.repetitions * len(cells) * len(configs), 0, time.time()
    for rep in range(args.repetitions):
        for size, conns, depth, rate in cells:
            cell = f"s{size}_c{conns}_d{depth}_r{rate}_rep{rep}"
            floor = os.path.join(args.out, f"floor_{cell}.json")
            if not os.path.exists(floor):
                subprocess.run(["taskset", "-c", args.server_cpu, os.path.join(args.bin, "iomb-floor"),
                                "--benchmark_filter=Loopback", "--benchmark_min_time=0.2",
                                "--benchmark_format=json", f"--benchmark_out={floor}"],
                               capture_output=True, timeout=120)
            order = configs[:]
            rng.shuffle(order)
            for label, server, server_args in order:
                done += 1
                name = f"{label.replace(':', '-')}_{cell}"
                path = os.path.join(args.out, name + ".json")
                if os.path.exists(path):
                    continue
                cmd = [os.path.join(args.bin, "iomb"), "run", "--server", server,
                       "--server-args", server_args, "-c", str(conns), "-d", str(depth),
                       "-s", str(size), "--duration", args.duration, "--warmup", args.warmup,
                       "-r", "1", "--no-floor", "-q", "--json", path, "--connect-timeout", "20s",
                       "--server-cpus", args.server_cpu]
                if rate:
                    cmd += ["--rate", str(rate)]
                elif args.syscalls:
                    cmd.append("--count-syscalls")
                try:
                    p = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
                    status = p.returncode
                    if status != 0:
                        with open(os.path.join(args.out, name + ".err"), "w") as f:
                            f.write(p.stdout + p.stderr)
                except subprocess.TimeoutExpired:
                    status = "timeout"
                elapsed = time.time() - started
                print(f"[{done}/{total}] {name} exit {status}, about "
                      f"{elapsed / done * (total - done) / 60:.1f} min left", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
