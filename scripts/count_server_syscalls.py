#!/usr/bin/env python3
"""Counts a server's syscalls per echo request, deterministically (a count, not a timing).

Starts an iomb server binary (any model: it follows the DESIGN §3.2 lifecycle), attaches
`perf stat -e raw_syscalls:sys_enter` to it, drives it with a small bounded closed-loop echo
client (C connections, D messages in flight per connection, N round trips per connection,
S bytes per message; every byte verified), then stops both and prints one JSON line:
{"syscalls":..,"requests":..,"syscalls_per_request":..}. Loopback only; every loop bounded.

  scripts/count_server_syscalls.py build/release/bin/iomb-aio --connections 100 --depth 16
"""
import argparse
import json
import multiprocessing
import os
import selectors
import signal
import socket
import subprocess
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("binary")
    p.add_argument("--server-args", default="", help="extra server flags, one string")
    p.add_argument("--connections", type=int, default=100)
    p.add_argument("--depth", type=int, default=1, help="messages in flight per connection")
    p.add_argument("--rounds", type=int, default=200, help="round trips per connection")
    p.add_argument("--size", type=int, default=64, help="bytes per message")
    p.add_argument("--procs", type=int, default=1,
                   help="client processes sharing the connections (a Python client is slow)")
    p.add_argument("--timeout", type=float, default=60.0, help="give up after this many seconds")
    return p.parse_args()


def run_client(port, connections, depth, rounds, size, timeout):
    """Each connection sends `depth` messages, waits for all their bytes back, repeats."""
    sel = selectors.DefaultSelector()
    batch = bytes((i * 7 + 3) % 251 for i in range(size)) * depth
    state = {}
    for _ in range(connections):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        state[s] = {"left": rounds, "got": bytearray()}
        sel.register(s, selectors.EVENT_READ)
    for s in state:
        s.sendall(batch)
    done = 0
    deadline = time.monotonic() + timeout
    while done < connections:
        if time.monotonic() > deadline:
            raise SystemExit("client: timed out")
        for key, _ in sel.select(timeout=1.0):
            s = key.fileobj
            st = state[s]
            data = s.recv(65536)
            if not data:
                raise SystemExit("client: server closed a connection")
            st["got"] += data
            if len(st["got"]) < len(batch):
                continue
            if bytes(st["got"]) != batch:
                raise SystemExit("client: echoed bytes differ")
            st["got"] = bytearray()
            st["left"] -= 1
            if st["left"] == 0:
                done += 1
                sel.unregister(s)
            else:
                s.sendall(batch)
    for s in state:
        s.close()
    return connections * depth * rounds


def main():
    a = parse_args()
    server = subprocess.Popen([a.binary, "--port", "0"] + a.server_args.split(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        if not line:
            raise SystemExit("server did not start: " + server.stderr.read())
        ready = json.loads(line)
        pid = ready.get("workers", [ready["pid"]])[0] if "workers" in ready else ready["pid"]
        perf_out = "/tmp/iomb-perf-%d.txt" % os.getpid()
        perf = subprocess.Popen(["perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter",
                                 "-p", str(pid), "-o", perf_out])
        time.sleep(0.3)  # perf attaches
        per_proc = [a.connections // a.procs + (i < a.connections % a.procs) for i in range(a.procs)]
        with multiprocessing.Pool(a.procs) as pool:
            requests = sum(pool.starmap(
                run_client, [(ready["port"], c, a.depth, a.rounds, a.size, a.timeout)
                             for c in per_proc if c > 0]))
        perf.send_signal(signal.SIGINT)
        perf.wait(timeout=10)
        syscalls = None
        with open(perf_out) as f:
            for row in f:
                if "raw_syscalls:sys_enter" in row:
                    syscalls = int(row.split(",")[0])
        os.unlink(perf_out)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    print(json.dumps({"binary": os.path.basename(a.binary), "server_args": a.server_args,
                      "ring_setup": ready.get("ring_setup"), "connections": a.connections,
                      "depth": a.depth, "size": a.size, "client_procs": a.procs, "requests": requests,
                      "syscalls": syscalls,
                      "syscalls_per_request": round(syscalls / requests, 4)}))


if __name__ == "__main__":
    main()
