#!/usr/bin/env python3
"""iomb's own HTTP client against every iomb server (and nginx), interleaved (issue 7).

The same comparison as wrk_compare.py, driven by `iomb run --protocol http` (which verifies
every status and body and, for /session, the visits continuity), so the two clients can be
checked against each other; plus the /session and --block-us runs:

  bench/http/iomb_http_compare.py --pipeline 1            # GET /, c=100, like wrk
  bench/http/iomb_http_compare.py --path /session
  bench/http/iomb_http_compare.py --server-args "--block-us 1000" --servers bio,nio:reactors,nio:workers,aio,asio

nginx is started pinned like the iomb servers and driven through `iomb run --target` with its
worker process sampled (--server-pid). One result JSON per run lands in --out.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wrk_compare import SERVERS, fmt, start_nginx  # noqa: E402


def nginx_worker(master_pid):
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == master_pid:
                        return int(entry)
            except OSError:
                pass
    return 0


def one_run(name, args, workdir, out):
    common = ["-c", str(args.connections), "-d", str(args.pipeline), "--duration", args.duration,
              "--warmup", "1s", "-r", "1", "--no-floor", "-q", "--json", out, "--protocol", "http",
              "--path", args.path, "--server-cpus", str(args.server_cpu)]
    iomb = os.path.join(args.bin, "iomb")
    if name == "nginx":
        proc, port = start_nginx(args.server_cpu, workdir)
        try:
            time.sleep(0.2)
            cmd = [iomb, "run", "--target", f"127.0.0.1:{port}",
                   "--server-pid", str(nginx_worker(proc.pid))] + common
            return subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    binary, flags = SERVERS[name]
    server_args = " ".join(flags + ["--protocol", "http"] + args.server_args.split())
    cmd = [iomb, "run", "--server", os.path.join(args.bin, binary), "--server-args", server_args] + common
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.path.join(here, "..", "..", "build", "release", "bin"))
    parser.add_argument("--servers", default="bio,nio:reactors,aio,asio,nginx")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--duration", default="5s")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--pipeline", type=int, default=1)
    parser.add_argument("--path", default="/")
    parser.add_argument("--server-args", default="")
    parser.add_argument("--server-cpu", type=int, default=1)
    parser.add_argument("--out", default=None, help="directory for the per-run JSON files")
    args = parser.parse_args()
    names = args.servers.split(",")
    for name in names:
        if name != "nginx" and name not in SERVERS:
            parser.error(f"unknown server {name!r}")

    out_dir = args.out or tempfile.mkdtemp(prefix="iomb-http-")
    os.makedirs(out_dir, exist_ok=True)
    rows = {name: [] for name in names}
    rng = random.Random(1)
    with tempfile.TemporaryDirectory(prefix="iomb-nginx-") as workdir:
        for rep in range(args.repetitions):
            order = names[:]
            rng.shuffle(order)
            for name in order:
                path = os.path.join(out_dir, f"{name.replace(':', '-')}_rep{rep}.json")
                p = one_run(name, args, workdir, path)
                if p.returncode != 0 or not os.path.exists(path):
                    print(f"{name}: iomb run failed ({p.returncode}): {p.stderr[-400:]}", file=sys.stderr)
                    continue
                with open(path) as f:
                    b = [x for x in json.load(f)["benchmarks"] if x["run_type"] == "iteration"][0]
                rows[name].append(b)
                print(f"rep {rep + 1} {name:13} {b['achieved_rate']:9.0f} req/s "
                      f"{b['cpu_time'] / 1000:6.2f} us/req valid {b['iomb'].get('valid')}", file=sys.stderr)

    print(f"\niomb run --protocol http --path {args.path} -c {args.connections} -d {args.pipeline} "
          f"--duration {args.duration} {('--server-args ' + repr(args.server_args)) if args.server_args else ''}"
          f"\n{args.repetitions} interleaved repetitions, median (min–max); results in {out_dir}\n")
    print("| server | req/s (k) | p50 µs | p99 µs | server CPU µs/req | client CPU | valid | non-2xx | "
          "sessions lost/stale |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in names:
        bs = rows[name]
        if not bs:
            print(f"| {name} | failed | | | | | | | |")
            continue
        valid = all(b["iomb"].get("valid", True) for b in bs)
        non2xx = sum(b.get("non_2xx", 0) for b in bs)
        lost = sum(b.get("sessions_lost", 0) for b in bs)
        stale = sum(b.get("sessions_stale", 0) for b in bs)
        print(f"| {name} | {fmt([b['achieved_rate'] for b in bs], 1000, 1)} | "
              f"{fmt([b['p50_us'] for b in bs], 1, 0)} | {fmt([b['p99_us'] for b in bs], 1, 0)} | "
              f"{fmt([b['cpu_time'] / 1000 for b in bs], 1, 2)} | {fmt([b.get('client_cpu_util') for b in bs], 1, 2)} | "
              f"{'yes' if valid else 'NO'} | {non2xx} | {lost}/{stale} |")


if __name__ == "__main__":
    main()
