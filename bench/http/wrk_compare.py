#!/usr/bin/env python3
"""wrk against every iomb HTTP server and nginx, pinned apart, interleaved, repeated (issue 7).

Each run starts one server pinned to --server-cpu, drives it with wrk pinned to --client-cpu
(`wrk -t1 -cC -dD`, optionally 16 requests pipelined per write with a generated Lua script, as
TechEmpower's plaintext test does), reads the server's CPU time (user+sys of its whole process
tree, from /proc) around the wrk run, and stops it. Reports requests/s and server CPU us per
request, median (min-max) over the repetitions, and each server's ratio to nginx.
Traffic goes to 127.0.0.1 only; every run is bounded by --duration.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")

# name -> (binary, extra flags); nginx is handled separately.
SERVERS = {
    "bio": ("iomb-bio", []),
    "nio:reactors": ("iomb-nio", ["--mode", "reactors"]),
    "nio:workers": ("iomb-nio", ["--mode", "workers"]),
    "aio": ("iomb-aio", []),
    "asio": ("iomb-asio", []),
}

NGINX_CONF = """daemon off;
master_process on;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 100000000;
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location / {{ default_type text/plain; return 200 "Hello, World!"; }}
  }}
}}
"""

PIPELINE_LUA = """init = function(args)
  local r = {{}}
  for i = 1, {depth} do r[i] = wrk.format(nil, "{path}") end
  req = table.concat(r)
end
request = function() return req end
"""


def tree_cpu_seconds(root_pid):
    """user+sys seconds of root_pid and all its descendants (threads included in each)."""
    children = {}
    stats = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        ppid = int(fields[1])
        children.setdefault(ppid, []).append(pid)
        stats[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
    total, todo = 0.0, [root_pid]
    while todo:
        pid = todo.pop()
        total += stats.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return total


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_iomb(binary, flags, cpu, server_args):
    cmd = ["taskset", "-c", str(cpu), binary, "--protocol", "http", "--port", "0"] + flags + server_args
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    try:
        ready = json.loads(line)
    except json.JSONDecodeError:
        proc.kill()
        raise RuntimeError(f"{binary}: no ready line: {line!r} {proc.stderr.read()[-500:]}")
    return proc, ready["port"]


def start_nginx(cpu, workdir):
    port = free_port()
    conf = os.path.join(workdir, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(dir=workdir, port=port))
    proc = subprocess.Popen(["taskset", "-c", str(cpu), "nginx", "-c", conf, "-p", workdir],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("nginx did not start: " + proc.stderr.read()[-500:])


def stop(proc):
    proc.send_signal(signal.SIGTERM if proc.args[3] != "nginx" else signal.SIGQUIT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def parse_wrk(out):
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    p99 = re.search(r"\n\s+99%\s+([\d.]+)(us|ms|s)", out)
    p99_us = None
    if p99:
        p99_us = float(p99.group(1)) * {"us": 1, "ms": 1e3, "s": 1e6}[p99.group(2)]
    return {
        "rate": float(rate.group(1)) if rate else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
        "p99_us": p99_us,
    }


def one_run(name, args, workdir, lua):
    if name == "nginx":
        proc, port = start_nginx(args.server_cpu, workdir)
    else:
        binary, flags = SERVERS[name]
        proc, port = start_iomb(os.path.join(args.bin, binary), flags, args.server_cpu,
                                args.server_args.split())
    try:
        url = f"http://127.0.0.1:{port}{args.path}"
        wrk = ["taskset", "-c", str(args.client_cpu), "wrk", "-t1", f"-c{args.connections}",
               f"-d{args.duration}", "--latency", url]
        if lua:
            wrk[4:4] = ["-s", lua]
        # Warm up (not measured), then measure with the CPU counters around the wrk run.
        subprocess.run(wrk[:5] + ["-d1s"] + wrk[6:], capture_output=True, timeout=30)
        cpu0 = tree_cpu_seconds(proc.pid)
        t0 = time.time()
        out = subprocess.run(wrk, capture_output=True, text=True, timeout=120).stdout
        cpu1 = tree_cpu_seconds(proc.pid)
        result = parse_wrk(out)
        result["server_cpu_s"] = cpu1 - cpu0
        result["wall_s"] = time.time() - t0
        result["cpu_us_per_req"] = (cpu1 - cpu0) * 1e6 / max(result["requests"], 1)
        result["server_cpu_util"] = (cpu1 - cpu0) / result["wall_s"]
        return result
    finally:
        stop(proc)


def fmt(values, scale=1.0, digits=1):
    """median (min–max) of the values that are not None."""
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    m, lo, hi = statistics.median(values), min(values), max(values)
    return f"{m / scale:.{digits}f} ({lo / scale:.{digits}f}–{hi / scale:.{digits}f})"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.path.join(here, "..", "..", "build", "release", "bin"),
                        help="directory with the iomb-* server binaries")
    parser.add_argument("--servers", default="bio,nio:reactors,aio,asio,nginx",
                        help="comma list of: " + ",".join(list(SERVERS) + ["nginx"]))
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--duration", default="10s", help="wrk -d (default 10s)")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--pipeline", type=int, default=1,
                        help="requests per write (a generated wrk Lua script when > 1)")
    parser.add_argument("--path", default="/")
    parser.add_argument("--server-args", default="", help="extra flags for the iomb servers")
    parser.add_argument("--server-cpu", type=int, default=1)
    parser.add_argument("--client-cpu", type=int, default=0)
    parser.add_argument("--json", help="write every run's numbers here")
    args = parser.parse_args()

    names = args.servers.split(",")
    for name in names:
        if name != "nginx" and name not in SERVERS:
            parser.error(f"unknown server {name!r}")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    if "nginx" in names and shutil.which("nginx") is None:
        sys.exit("nginx is not installed (apt-get install nginx-light), or leave it out of --servers")

    runs = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="iomb-wrk-") as workdir:
        lua = None
        if args.pipeline > 1:
            lua = os.path.join(workdir, "pipeline.lua")
            with open(lua, "w") as f:
                f.write(PIPELINE_LUA.format(depth=args.pipeline, path=args.path))
        rng = random.Random(1)
        for rep in range(args.repetitions):
            order = names[:]
            rng.shuffle(order)  # interleaved: every server once per repetition, in a new order
            for name in order:
                r = one_run(name, args, workdir, lua)
                runs[name].append(r)
                print(f"rep {rep + 1}/{args.repetitions} {name:13} {r['rate']:10.0f} req/s "
                      f"{r['cpu_us_per_req']:6.2f} us/req cpu {r['server_cpu_util']:.2f} "
                      f"non2xx {r['non2xx']} errors [{r['socket_errors']}]", file=sys.stderr)

    nginx_cpu = nginx_rate = None
    if "nginx" in runs:
        nginx_cpu = statistics.median(r["cpu_us_per_req"] for r in runs["nginx"])
        nginx_rate = statistics.median(r["rate"] for r in runs["nginx"])
    print(f"\nwrk -t1 -c{args.connections} -d{args.duration} {args.path}, pipeline {args.pipeline}, "
          f"server on CPU {args.server_cpu}, wrk on CPU {args.client_cpu}, "
          f"{args.repetitions} interleaved repetitions, median (min–max)\n")
    print("| server | req/s (k) | server CPU µs/req | server CPU util | p99 µs (wrk) | "
          "nginx CPU ÷ this | req/s ÷ nginx | non-2xx | socket errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in names:
        rs = runs[name]
        cpu = statistics.median(r["cpu_us_per_req"] for r in rs)
        rate = statistics.median(r["rate"] for r in rs)
        ratio_cpu = f"{nginx_cpu / cpu:.2f}" if nginx_cpu else "–"
        ratio_rate = f"{rate / nginx_rate:.2f}" if nginx_rate else "–"
        errors = "; ".join(sorted({r["socket_errors"] for r in rs if r["socket_errors"]})) or "0"
        print(f"| {name} | {fmt([r['rate'] for r in rs], 1000)} | "
              f"{fmt([r['cpu_us_per_req'] for r in rs], 1, 2)} | "
              f"{fmt([r['server_cpu_util'] for r in rs], 1, 2)} | "
              f"{fmt([r['p99_us'] for r in rs if r['p99_us']], 1, 0)} | {ratio_cpu} | {ratio_rate} | "
              f"{sum(r['non2xx'] for r in rs)} | {errors} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
