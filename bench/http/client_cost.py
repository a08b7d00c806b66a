#!/usr/bin/env python3
"""What the load generator itself costs per request: iomb against wrk, same target (issue 3).

Debian packages no closed-loop echo load generator, but wrk is a plain closed-loop HTTP client,
so the comparison is made on HTTP: `GET /` against one iomb server (default iomb-bio), each
client pinned to --client-cpu and the server to --server-cpu, the two clients interleaved (in
a shuffled order every repetition, a fresh server per run). For each run: requests/s, the
client's CPU us per request (wrk: its rusage; iomb: `client_cpu_ns_per_req` from its result),
the server's CPU us per request (/proc, whole process tree) and client / server.
Traffic goes to 127.0.0.1 only; every run is bounded by --duration.

  bench/http/client_cost.py --connections 10,100 --repetitions 3
"""
import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wrk_compare import SERVERS, fmt, parse_wrk, start_iomb, stop, tree_cpu_seconds  # noqa: E402


def children_cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def wrk_run(args, conns):
    binary, flags = SERVERS[args.server]
    proc, port = start_iomb(os.path.join(args.bin, binary), flags, args.server_cpu, [])
    try:
        url = f"http://127.0.0.1:{port}/"
        wrk = ["taskset", "-c", str(args.client_cpu), "wrk", "-t1", f"-c{conns}"]
        subprocess.run(wrk + [f"-d{args.warmup}", url], capture_output=True, timeout=60)
        server0, client0, t0 = tree_cpu_seconds(proc.pid), children_cpu_seconds(), time.time()
        out = subprocess.run(wrk + [f"-d{args.duration}", url], capture_output=True, text=True,
                             timeout=120).stdout
        server1, client1, wall = tree_cpu_seconds(proc.pid), children_cpu_seconds(), time.time() - t0
    finally:
        stop(proc)
    r = parse_wrk(out)
    n = max(r["requests"], 1)
    # wrk's own count covers its -d window; the CPU deltas cover its start and exit too (a few
    # ms against seconds), so the per-request figures are slight over-estimates for both sides.
    return {"rate": r["rate"], "client_us": (client1 - client0) * 1e6 / n,
            "server_us": (server1 - server0) * 1e6 / n, "errors": r["non2xx"] or r["socket_errors"],
            "wall_s": wall}


def iomb_run(args, conns, out_dir, rep):
    binary, flags = SERVERS[args.server]
    path = os.path.join(out_dir, f"iomb_c{conns}_rep{rep}.json")
    cmd = [os.path.join(args.bin, "iomb"), "run", "--server", os.path.join(args.bin, binary),
           "--server-args", " ".join(flags + ["--protocol", "http"]), "--protocol", "http",
           "--path", "/", "-c", str(conns), "-d", "1", "--duration", args.duration,
           "--warmup", args.warmup, "-r", "1", "--no-floor", "-q",
           "--server-cpus", str(args.server_cpu), "--client-cpus", str(args.client_cpu),
           "--json", path]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        sys.exit(f"iomb run failed ({p.returncode}): {p.stderr[-600:]}")
    with open(path) as f:
        b = [x for x in json.load(f)["benchmarks"] if x["run_type"] == "iteration"][0]
    return {"rate": b["achieved_rate"], "client_us": b["client_cpu_ns_per_req"] / 1000,
            "server_us": b["cpu_time"] / 1000, "errors": b["errors"] or b.get("non_2xx", 0)}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.path.join(here, "..", "..", "build", "release", "bin"))
    parser.add_argument("--server", default="bio", choices=sorted(SERVERS))
    parser.add_argument("--connections", default="100", help="comma list (default 100)")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--duration", default="5s", help="measured window per run")
    parser.add_argument("--warmup", default="1s")
    parser.add_argument("--server-cpu", type=int, default=1)
    parser.add_argument("--client-cpu", type=int, default=0)
    args = parser.parse_args()

    conn_list = [int(c) for c in args.connections.split(",")]
    runs = {(client, c): [] for client in ("wrk", "iomb") for c in conn_list}
    rng = random.Random(1)
    with tempfile.TemporaryDirectory(prefix="iomb-client-cost-") as out_dir:
        for rep in range(args.repetitions):
            for conns in conn_list:
                order = ["wrk", "iomb"]
                rng.shuffle(order)
                for client in order:
                    r = wrk_run(args, conns) if client == "wrk" else iomb_run(args, conns, out_dir, rep)
                    runs[(client, conns)].append(r)
                    print(f"rep {rep + 1}/{args.repetitions} c={conns} {client:4} {r['rate']:9.0f} req/s "
                          f"client {r['client_us']:6.2f} us/req server {r['server_us']:6.2f} us/req "
                          f"errors {r['errors']}", file=sys.stderr)

    print(f"\nGET / against iomb-{args.server}, pipeline 1, server on CPU {args.server_cpu}, client on "
          f"CPU {args.client_cpu}, {args.duration} per run, {args.repetitions} interleaved "
          "repetitions, median (min–max)\n")
    print("| connections | client | req/s (k) | client CPU µs/req | server CPU µs/req | "
          "client ÷ server | iomb client ÷ wrk client |")
    print("|---|---|---|---|---|---|---|")
    for conns in conn_list:
        wrk_med = statistics.median(r["client_us"] for r in runs[("wrk", conns)])
        for client in ("wrk", "iomb"):
            rs = runs[(client, conns)]
            ratio = statistics.median(r["client_us"] / r["server_us"] for r in rs)
            vs_wrk = statistics.median(r["client_us"] for r in rs) / wrk_med
            print(f"| {conns} | {client} | {fmt([r['rate'] for r in rs], 1000)} | "
                  f"{fmt([r['client_us'] for r in rs], 1, 2)} | {fmt([r['server_us'] for r in rs], 1, 2)} | "
                  f"{ratio:.2f} | {vs_wrk:.2f} |")


if __name__ == "__main__":
    main()
