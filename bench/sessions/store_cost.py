#!/usr/bin/env python3
"""What each session store costs (issue 14's table): GET /session at C connections for every
store against memory, per model and session payload size, interleaved and repeated.

Per cell and repetition it starts a fresh server (pinned to --server-cpu), its store's helpers
(redis-server, or a replication peer, pinned to --helper-cpu), drives it with
`iomb run --target` (client pinned to --client-cpu), then stops it and reads its stopped line.
It reports medians with min-max over the repetitions of:
  requests/s, server CPU us per request (iomb's cpu_time), helper CPU us per request (the
  redis-server's or the replication peer's, from /proc), wire bytes per request (request + response of one steady-state visit, measured on
  a socket: the cookie store's cost on the wire), replication bytes per request and store
  round trips per request (the server's stopped-line counters / its requests).
The stores of one repetition run in a rotated order, so drift hits every store alike.

  bench/sessions/store_cost.py --models nio,aio --payloads 64,1024,4096 --repetitions 3
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STORES = ["memory", "redis", "cookie", "replicated-async", "replicated-sync"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_us(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1e6 / os.sysconf("SC_CLK_TCK")


class Server:
    """A model binary started on a port, pinned, with its ready line read."""

    def __init__(self, binary, args, cpu, port=0):
        cmd = ["taskset", "-c", str(cpu), binary, "--protocol", "http", "--port", str(port)] + args
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{' '.join(cmd)} did not start: {self.proc.stderr.read()[-2000:]}")
        ready = json.loads(line)
        self.port, self.pid = ready["port"], ready["pid"]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=20)
        for line in out.splitlines():
            j = json.loads(line)
            if j.get("event") == "stopped":
                return j
        return {}


class Redis:
    def __init__(self, cpu):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["taskset", "-c", str(cpu), "redis-server", "--port", str(self.port), "--bind",
             "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no",
             "--loglevel", "warning", "--dir", "/tmp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(500):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("redis-server did not come up")

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def read_response(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    status = int(head.split(b" ", 2)[1])
    length = 0
    cookies = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
        if name.lower() == b"set-cookie":
            pair = value.strip().split(b";")[0]
            k, _, v = pair.partition(b"=")
            cookies[k.decode()] = v.decode()
    while len(body) < length:
        body += sock.recv(65536)
    return len(head) + 4 + length, cookies, status


def wire_bytes_per_visit(port):
    """Request + response bytes of the third visit of one client (cookies as a browser keeps),
    and its status (the cookie store refuses a session past 4096 bytes with 500)."""
    jar = {}
    with socket.create_connection(("127.0.0.1", port)) as s:
        for _ in range(3):
            cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
            req = "GET /session HTTP/1.1\r\nHost: bench\r\n"
            if cookie:
                req += f"Cookie: {cookie}\r\n"
            req = (req + "\r\n").encode()
            s.sendall(req)
            n, cookies, status = read_response(s)
            jar.update(cookies)
    return len(req) + n, status


def run_cell(a, model, store, payload, secret_file):
    binary = os.path.join(a.bin, f"iomb-{model}")
    args = ["--session-bytes", str(payload), "--node-id", "a"]
    helpers = []
    redis = None
    if store == "redis":
        redis = Redis(a.helper_cpu)
        helpers.append(redis)
        args += ["--session-store", "redis", "--redis", f"127.0.0.1:{redis.port}"]
    elif store == "cookie":
        args += ["--session-store", "cookie", "--cookie-secret-file", secret_file]
    elif store.startswith("replicated"):
        mode = store.split("-")[1]
        port_a, port_b = free_port(), free_port()
        common = ["--session-store", "replicated", "--replication", mode,
                  "--session-bytes", str(payload)]
        peer = Server(binary, common + ["--node-id", "b", "--peers", f"127.0.0.1:{port_a}"],
                      a.helper_cpu, port_b)
        helpers.append(peer)
        args = common + ["--node-id", "a", "--peers", f"127.0.0.1:{port_b}"]
        server = Server(binary, args, a.server_cpu, port_a)
    if not store.startswith("replicated"):
        server = Server(binary, args, a.server_cpu)
    helper_pid = redis.proc.pid if redis else (helpers[0].pid if helpers else None)
    try:
        helper_cpu0 = cpu_us(helper_pid) if helper_pid else 0
        wire, status = wire_bytes_per_visit(server.port)
        if status != 200:
            # A store that refuses the visit (the cookie store past 4096 B answers 500):
            # nothing to measure; iomb run would fail the run on its error rate anyway.
            return {"status": status}
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run(
                [os.path.join(a.bin, "iomb"), "run", "--target", f"127.0.0.1:{server.port}",
                 "--server-pid", str(server.pid), "--protocol", "http", "--path", "/session",
                 "-c", str(a.connections), "--duration", a.duration, "--warmup", a.warmup,
                 "--repetitions", "1", "--client-cpus", str(a.client_cpu), "--no-floor", "-q",
                 "--json", out.name], check=True, stdout=subprocess.DEVNULL)
            bench = [b for b in json.load(open(out.name))["benchmarks"]
                     if b.get("run_type") == "iteration"][0]
        helper_cpu = cpu_us(helper_pid) - helper_cpu0 if helper_pid else 0
    finally:
        stopped = server.stop()
        for h in helpers:
            h.stop()
    requests = max(1, stopped.get("requests", 1))
    sessions = stopped.get("sessions", {})
    repl = sessions.get("bytes_out", 0) + sessions.get("bytes_in", 0)
    return {
        "rps": bench.get("items_per_second", 0),
        "cpu_us": bench.get("cpu_time", 0) / 1000.0,
        "helper_cpu_us": helper_cpu / requests,
        "wire_bytes": wire,
        "status": status,
        "repl_bytes": repl / requests,
        "round_trips": sessions.get("round_trips", 0) / requests,
        "errors": bench.get("errors", 0),
        "lost": bench.get("sessions_lost", 0),
    }


def fmt(values, digits):
    med = statistics.median(values)
    if len(values) == 1 or max(values) == min(values):
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default=os.path.join(ROOT, "build", "release", "bin"))
    p.add_argument("--models", default="nio,aio")
    p.add_argument("--stores", default=",".join(STORES))
    p.add_argument("--payloads", default="64,1024,4096")
    p.add_argument("--connections", type=int, default=100)
    p.add_argument("--repetitions", type=int, default=3)
    p.add_argument("--duration", default="5s")
    p.add_argument("--warmup", default="1s")
    p.add_argument("--server-cpu", type=int, default=1)
    p.add_argument("--client-cpu", type=int, default=0)
    p.add_argument("--helper-cpu", type=int, default=0, help="redis-server and the peer node")
    p.add_argument("--json", help="write every measurement here")
    a = p.parse_args()
    stores = a.stores.split(",")
    unknown = set(stores) - set(STORES)
    if unknown:
        p.error(f"unknown stores {sorted(unknown)}; choose from {STORES}")
    with tempfile.NamedTemporaryFile("w", suffix=".key", delete=False) as key:
        key.write("store-cost-benchmark-key-0001\n")
    results = {}
    cells = [(m, int(s)) for m in a.models.split(",") for s in a.payloads.split(",")]
    total = len(cells) * len(stores) * a.repetitions
    done = 0
    for rep in range(a.repetitions):
        for model, payload in cells:
            order = stores[rep % len(stores):] + stores[:rep % len(stores)]
            for store in order:
                done += 1
                print(f"[{done}/{total}] rep {rep + 1} {model} {payload} B {store}",
                      file=sys.stderr, flush=True)
                r = run_cell(a, model, store, payload, key.name)
                results.setdefault((model, payload, store), []).append(r)
    os.unlink(key.name)
    if a.json:
        with open(a.json, "w") as f:
            json.dump([{"model": m, "payload": s, "store": st, "runs": runs}
                       for (m, s, st), runs in results.items()], f, indent=1)
    print(f"GET /session, {a.connections} connections, {a.repetitions} repetitions: "
          "median (min–max)\n")
    print("| model | payload | store | requests/s | server CPU µs/req | Redis / peer CPU µs/req | "
          "wire bytes/req | replication bytes/req | store round trips/req | errors | lost |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for (model, payload, store), runs in results.items():
        col = lambda k, d: fmt([r[k] for r in runs], d)
        statuses = {r["status"] for r in runs}
        if statuses != {200}:
            print(f"| {model} | {payload} | {store} | every visit answered "
                  f"{'/'.join(map(str, sorted(statuses)))} | | | | | | | |")
            continue
        print(f"| {model} | {payload} | {store} | {col('rps', 0)} | {col('cpu_us', 2)} | "
              f"{col('helper_cpu_us', 2)} | {col('wire_bytes', 0)} | {col('repl_bytes', 0)} | "
              f"{col('round_trips', 2)} | {sum(r['errors'] for r in runs)} | "
              f"{sum(r['lost'] for r in runs)} |")


if __name__ == "__main__":
    main()
