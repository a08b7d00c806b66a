#!/usr/bin/env python3
"""Counts a server's syscalls per echoed request, deterministically (no timing).

Starts an iomb server binary (DESIGN §3.2 lifecycle), opens C loopback connections, runs a
bounded closed-loop echo load (each connection sends D messages of S bytes in one send(),
then reads all D replies, for R rounds), and counts the server's syscalls during the measured
rounds with `perf stat -e raw_syscalls:sys_enter -p PID` (all threads). Prints one JSON line.
The client is deliberately simple (one Python thread): the count depends on how many events
the server finds ready per wake-up, so compare models with the same client and arguments.

  scripts/syscalls_per_request.py build/release/bin/iomb-asio --connections 100 --pipeline 16 \
      -- --mode shared --threads 2
"""
import argparse
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time

# Syscalls counted one by one besides the total (tracepoints: no slow-down, unlike strace).
BREAKDOWN = ["recvfrom", "sendto", "read", "write", "readv", "writev", "epoll_wait", "epoll_ctl",
             "futex", "timerfd_settime", "ioctl", "accept4"]

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("server")
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--pipeline", type=int, default=1)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=120.0, help="bound on the whole run, seconds")
    argv = sys.argv[1:]
    server_args = argv[argv.index("--") + 1:] if "--" in argv else []
    a = ap.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    a.server_args = server_args

    server = subprocess.Popen([a.server, *a.server_args], stdout=subprocess.PIPE, text=True)
    try:
        ready = json.loads(server.stdout.readline())
        port = ready["port"]
        conns = []
        for _ in range(a.connections):
            s = socket.create_connection(("127.0.0.1", port))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conns.append(s)
        msg = bytes((i * 131 + 7) & 0xFF for i in range(a.size))
        deadline = time.monotonic() + a.timeout

        def run_rounds(rounds):
            sel = selectors.DefaultSelector()
            left = {}
            for s in conns:
                s.setblocking(True)
                left[s] = rounds
            expect = {}

            batch = msg * a.pipeline

            def start_round(s):
                # The round's D messages leave in one send(): the server finds them together,
                # so the count does not depend on how this slow client's sends interleave.
                s.sendall(batch)
                expect[s] = bytearray()
                sel.register(s, selectors.EVENT_READ)

            for s in conns:
                start_round(s)
            active = len(conns)
            want = a.pipeline * a.size
            while active:
                if time.monotonic() > deadline:
                    raise SystemExit("timeout")
                for key, _ in sel.select(timeout=1.0):
                    s = key.fileobj
                    data = s.recv(want - len(expect[s]))
                    if not data:
                        raise SystemExit("server closed a connection")
                    expect[s] += data
                    if len(expect[s]) == want:
                        if bytes(expect[s]) != msg * a.pipeline:
                            raise SystemExit("echo mismatch")
                        sel.unregister(s)
                        left[s] -= 1
                        if left[s]:
                            start_round(s)
                        else:
                            active -= 1
            sel.close()

        run_rounds(2)  # warm-up: first use of every connection
        out = f"/tmp/perf-syscalls-{os.getpid()}.csv"
        events = ["raw_syscalls:sys_enter"] + [f"syscalls:sys_enter_{name}" for name in BREAKDOWN]
        perf = subprocess.Popen(["perf", "stat", "-x,", "-o", out, "-e", ",".join(events),
                                 "-p", str(server.pid)], stderr=subprocess.DEVNULL)
        time.sleep(1.0)  # perf attaches; an idle server makes no syscalls meanwhile
        run_rounds(a.rounds)
        time.sleep(0.2)
        perf.send_signal(signal.SIGINT)
        perf.wait(timeout=10)
        counts = {}
        with open(out) as f:
            for line in f:
                fields = line.strip().split(",")  # value,unit,event,...
                if len(fields) > 2 and fields[2].startswith(("raw_syscalls:", "syscalls:")):
                    name = fields[2].split(":")[1].replace("sys_enter_", "")
                    counts[name] = int(fields[0])
        count = counts.pop("sys_enter")
        os.unlink(out)
        requests = a.connections * a.rounds * a.pipeline
        for s in conns:
            s.close()
        print(json.dumps({"server": os.path.basename(a.server), "args": a.server_args,
                          "connections": a.connections, "pipeline": a.pipeline, "size": a.size,
                          "requests": requests, "syscalls": count,
                          "syscalls_per_request": round(count / requests, 3),
                          "per_request": {k: round(v / requests, 3) for k, v in counts.items() if v}}))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
