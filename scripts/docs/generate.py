#!/usr/bin/env python3
"""Writes the measured tables of docs/*.md from committed result files, and checks links.

Every table between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` in docs/*.md is
produced by the function registered for NAME below, from a file committed under results/.
No figure in those blocks is typed by hand.

  scripts/docs/generate.py                # rewrite the generated blocks in place
  scripts/docs/generate.py --check        # exit 1 if any block differs from what it would write
  scripts/docs/generate.py --check-links  # exit 1 if a relative link or #anchor does not resolve

Python 3 standard library only (lzma reads the reference run's results.json.xz).
"""

import argparse
import difflib
import json
import lzma
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS_DIR = ROOT / "docs"

REFERENCE = "results/reference/2026-11-26-epyc-2vcpu/results.json.xz"
MEAS_1126 = "results/measurements/2026-11-26-epyc-2vcpu"
NIO_ASIO_MD = MEAS_1126 + "/echo-nio-asio.md"
AIO_64B_MD = MEAS_1126 + "/echo-aio-64B-32KiB-buffers.md"
HTTP_MD = MEAS_1126 + "/http.md"
MEAS_1202_MD = "results/measurements/2026-12-02-epyc-2vcpu/README.md"
CI_BASELINE = "results/baseline/ci.json"
CLUSTER = "results/measurements/2026-12-07-epyc-2vcpu/cluster"
STORE_COST = "results/measurements/2026-12-07-epyc-2vcpu"
GUIDE = "results/measurements/2026-12-08-epyc-2vcpu/guide/results.json.xz"

CONNS = [1, 10, 100, 1000, 10000]
# The models and modes of the reference run, in the order the docs discuss them.
REF_SERVERS = [
    "bio:thread-per-conn",
    "bio:pool-64",
    "nio:reactors",
    "nio:reactors-et",
    "nio:acceptor",
    "nio:workers",
    "aio:rings",
    "asio:context-per-thread",
    "asio:shared",
]

# ---------------------------------------------------------------------------------------------
# Number formatting


def sig3(x):
    """Three significant digits, no exponent: 0.914, 14.5, 125, 1,840."""
    if x is None:
        return "–"
    if x == 0:
        return "0"
    a = abs(x)
    if a >= 100:
        return f"{x:,.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def size_bytes(b):
    if b is None:
        return "–"
    if abs(b) >= 1024:
        k = b / 1024
        return f"{k:.0f} KiB" if k == int(k) else f"{k:.1f} KiB"
    return f"{b:.0f} B"


def table(header, rows, align=None):
    align = align or ["---"] + ["---:"] * (len(header) - 1)
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Sources

_cache = {}


def load_json(rel):
    if rel not in _cache:
        path = ROOT / rel
        opener = lzma.open if rel.endswith(".xz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            _cache[rel] = json.load(f)
    return _cache[rel]


class Reference:
    """A matrix result (by default the reference run): median aggregates and per-repetition
    flags by benchmark name."""

    def __init__(self, rel=REFERENCE):
        data = load_json(rel)
        self.context = data["context"]
        self.median = {}
        self.reps = {}
        for b in data["benchmarks"]:
            if b.get("run_type") == "aggregate" and b.get("aggregate_name") == "median":
                self.median[b["run_name"]] = b
            elif b.get("run_type") == "iteration":
                self.reps.setdefault(b["run_name"], []).append(b)

    def cell(self, server, conns, depth=1, size=64):
        return f"echo/{server}/c:{conns}/d:{depth}/s:{size}"

    def failed(self, name):
        reps = self.reps.get(name, [])
        return not reps or all(r.get("error_occurred") for r in reps)

    def flag(self, name, key):
        return sum(1 for r in self.reps.get(name, []) if r.get("iomb", {}).get(key))

    def marks(self, name):
        m = ""
        if self.flag(name, "client_bound"):
            m += "\\*"
        if self.flag(name, "starved"):
            m += " s"
        return m

    def value(self, name, key):
        b = self.median.get(name)
        if b is None or self.failed(name):
            return None
        return b.get(key)


def md_sections(rel):
    """Splits a committed Markdown result into {heading or command line: [row dicts]}."""
    text = (ROOT / rel).read_text(encoding="utf-8")
    sections = {}
    title = None
    header = None
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if header is None:
                header = cells
            elif not all(set(c) <= set("-:") for c in cells):
                sections.setdefault(title, []).append(dict(zip(header, cells)))
            continue
        header = None
        if line.startswith("### "):
            title = line[4:].strip()
        elif line.strip() and not line.startswith("floor") and not line.startswith("3 "):
            title = line.strip()
    return sections


def median_of(cell):
    """'30.7 (28.7–33.9)' → 30.7; '–' → None."""
    m = re.match(r"\s*([0-9.,]+)", cell or "")
    return float(m.group(1).replace(",", "")) if m else None


# ---------------------------------------------------------------------------------------------
# Generated blocks. Each returns Markdown; the first line names its source file.

GENERATORS = {}


def block(name):
    def register(fn):
        GENERATORS[name] = fn
        return fn

    return register


def source(*files):
    return "Generated by `scripts/docs/generate.py` from " + ", ".join(f"`{f}`" for f in files) + "."


@block("context")
def gen_context():
    ref = Reference()
    c = ref.context
    fl = c["floor"]
    rows = [
        ["machine", f"{c['num_cpus']} vCPUs, {c['cpu_model']}, {c['kernel']}"],
        ["build", f"{c['compiler']}, {c['build_type']}, liburing {c['liburing_version']}, "
                  f"Boost {c['boost_version']}, git {c['git_sha'][:7]}"],
        ["pinning", c["cpu_pinning"]["note"]],
        ["matrix", f"{c['matrix']['name']}: {c['matrix']['completed_runs']} runs, "
                   f"{c['matrix']['repetitions']} repetitions per cell, {c['matrix']['status']}"],
        ["floor: one 64 B recv+send pair", f"{fl['recv_send_64B_ns'] / 1000:.2f} µs"],
        ["floor: one 4 KiB recv+send pair", f"{fl['recv_send_4KiB_ns'] / 1000:.2f} µs"],
    ]
    return source(REFERENCE) + "\n\n" + table(["", "reference run"], rows, ["---", "---"])


def c10k_table(key, fmt, extra=None):
    ref = Reference()
    header = ["model:mode"] + [f"{c:,} conns" for c in CONNS]
    if extra:
        header.append(extra[0])
    rows = []
    for s in REF_SERVERS:
        row = [f"`{s}`"]
        for c in CONNS:
            n = ref.cell(s, c)
            v = ref.value(n, key)
            row.append("failed" if v is None else fmt(v) + ref.marks(n))
        if extra:
            row.append(extra[1](ref, s))
        rows.append(row)
    return table(header, rows)


def rss_per_conn(ref, s):
    lo = ref.value(ref.cell(s, 1), "server_rss_kib")
    hi = ref.value(ref.cell(s, 10000), "server_rss_kib")
    if lo is None or hi is None:
        return "–"
    return size_bytes((hi - lo) * 1024 / (10000 - 1))


FLAGS_NOTE = ("\\* client-bound in at least one of the 3 repetitions (the client used > 90 % of "
              "its core: requests/s is a lower bound on the server's capacity); s starved in at least one "
              "(some connections got no reply in the whole window); failed: no repetition "
              "completed.")


@block("c10k-threads")
def gen_c10k_threads():
    return (source(REFERENCE) + " Echo 64 B, one request in flight per connection; server "
            "threads, median of 3.\n\n" + c10k_table("server_threads", lambda v: f"{v:,.0f}")
            + "\n\n" + FLAGS_NOTE)


@block("c10k-rss")
def gen_c10k_rss():
    return (source(REFERENCE) + " Same cells; peak RSS of the server in MiB, median of 3; the "
            "last column is (RSS at 10,000 − RSS at 1) / 9,999.\n\n"
            + c10k_table("server_rss_kib", lambda v: f"{v / 1024:.1f}",
                         ("RSS per added connection", rss_per_conn))
            + "\n\n" + FLAGS_NOTE)


@block("c10k-cpu")
def gen_c10k_cpu():
    return (source(REFERENCE) + " Same cells; server CPU µs per request (user + sys over the "
            "measured window ÷ requests), median of 3.\n\n"
            + c10k_table("cpu_time", lambda v: sig3(v / 1000)) + "\n\n" + FLAGS_NOTE)


@block("c10k-ctx")
def gen_c10k_ctx():
    return (source(REFERENCE) + " Same cells; the server's voluntary + involuntary context "
            "switches per request, median of 3.\n\n"
            + c10k_table("ctx_switches_per_req", lambda v: f"{v:.3f}") + "\n\n" + FLAGS_NOTE)


@block("prefork")
def gen_prefork():
    run = Reference(GUIDE)
    floor = run.context["floor"]["recv_send_64B_ns"]
    rows = []
    for c in (1, 100, 1000):
        for s in ("nio:reactors", "nio:reactors-p2"):
            n = run.cell(s, c)
            cpu = run.value(n, "cpu_time")
            rows.append([f"{c:,}", f"`{s}`",
                         "failed" if cpu is None else sig3(cpu / 1000) + run.marks(n),
                         "–" if cpu is None else f"{cpu / floor:.2f}",
                         f"{run.value(n, 'server_threads'):,.0f}",
                         f"{run.value(n, 'server_rss_kib') / 1024:.1f}",
                         f"{run.value(n, 'ctx_switches_per_req'):.3f}"])
    return (source(GUIDE) + f" Echo 64 B, one request in flight per connection, median of 3; "
            f"`reactors-p2` is `--processes 2` (a supervisor and two worker processes, one "
            f"loop each, all on the one server CPU; CPU, threads and RSS summed over the "
            f"process tree). Floor in this run: {floor / 1000:.2f} µs.\n\n"
            + table(["conns", "server", "CPU µs/req", "× floor", "threads", "RSS MiB",
                     "ctx switches/req"], rows) + "\n\n" + FLAGS_NOTE)


@block("idle-bio")
def gen_idle_bio():
    run = Reference(GUIDE)
    rows = []
    for s in ("bio:thread-per-conn", "nio:reactors"):
        lo = run.value(run.cell(s, 1) + "/r:100", "server_rss_kib")
        hi_name = run.cell(s, 10000) + "/r:100"
        hi = run.value(hi_name, "server_rss_kib")
        thr = run.value(hi_name, "server_threads")
        cpu = run.value(hi_name, "cpu_time")
        rows.append([f"`{s}`", f"{lo / 1024:.1f}", f"{hi / 1024:.1f}" + run.marks(hi_name),
                     size_bytes((hi - lo) * 1024 / 9999), f"{thr:,.0f}", sig3(cpu / 1000)])
    return (source(GUIDE) + " Echo 64 B, open loop at 100 requests/s in total over 1 or "
            "10,000 connections, median of 3: peak RSS, RSS per idle connection, threads and "
            "server CPU µs per request at 10,000.\n\n"
            + table(["server", "RSS MiB, 1 conn", "RSS MiB, 10,000 conns",
                     "per idle connection", "threads", "CPU µs/req"], rows))


@block("pipeline")
def gen_pipeline():
    ref = Reference()
    floor = ref.context["floor"]["recv_send_64B_ns"]
    header = ["model:mode", "1 conn × 1", "1 conn × 16", "÷ (×1)", "100 conns × 1",
              "100 conns × 16", "÷ (×1)"]
    rows = []
    for s in REF_SERVERS:
        row = [f"`{s}`"]
        for c in (1, 100):
            one = ref.value(ref.cell(s, c, 1), "cpu_time")
            six = ref.value(ref.cell(s, c, 16), "cpu_time")
            row.append("failed" if one is None else f"{sig3(one / 1000)} ({one / floor:.2f}×)")
            row.append("failed" if six is None else f"{sig3(six / 1000)} ({six / floor:.2f}×)")
            row.append("–" if one is None or six is None else f"{six / one:.2f}")
        rows.append(row)
    return (source(REFERENCE) + f" Echo 64 B; server CPU µs per request, median of 3, and in "
            f"brackets its ratio to the floor (one 64 B recv+send pair, "
            f"{floor / 1000:.2f} µs in this run); × 1 / × 16 is the number of requests in flight "
            f"per connection; ÷ is pipelined over not pipelined.\n\n" + table(header, rows))


@block("http-pipeline")
def gen_http_pipeline():
    secs = md_sections(HTTP_MD)
    one = {e["server"]: e for e in secs["iomb run --protocol http --path / -c 100 -d 1 --duration 3s"]}
    six = {e["server"]: e for e in secs["iomb run --protocol http --path / -c 100 -d 16 --duration 3s"]}
    rows = []
    for srv, e in one.items():
        f = six[srv]
        c1 = median_of(e["server CPU µs/req"])
        c16 = median_of(f["server CPU µs/req"])
        rows.append([f"`{srv}`", e["req/s (k)"].split(" ")[0], f["req/s (k)"].split(" ")[0],
                     sig3(c1), sig3(c16), f"{c16 / c1:.2f}"])
    text = (source(HTTP_MD) + " HTTP `GET /`, 100 connections, iomb's client, 1 or 16 "
            "requests in flight per connection, 3 repetitions, medians (the sections "
            "`iomb run --protocol http --path / -c 100 -d 1` and `-d 16`). The `nio:workers` row "
            "predates its fix of 2026-12-02 (below).\n\n"
            + table(["server", "k req/s × 1", "k req/s × 16", "CPU µs/req × 1",
                     "CPU µs/req × 16", "÷"], rows))
    fix = next(v for k, v in md_sections(MEAS_1202_MD).items() if k and "wrk_compare.py" in k)
    rows = [[e["server"], e["req/s (k)"].split(" ")[0], e["server CPU µs/req"].split(" ")[0]]
            for e in fix]
    text += ("\n\n" + source(MEAS_1202_MD) + " wrk, `GET /`, 100 connections, 16 in flight "
             "each, 3 repetitions, medians: `nio:workers` before and after it wrote the "
             "responses of one burst with one write.\n\n"
             + table(["server", "k req/s", "CPU µs/req"], rows))
    return text


def syscall_rows(rel, configs):
    secs = md_sections(rel)
    cells = []
    for c in CONNS:
        for d in (1, 16):
            cells.append((c, d, secs.get(f"echo 64 B, {c} conns, pipeline {d}", [])))
    rows = []
    for cfg in configs:
        row = [f"`{cfg}`"]
        for _, _, entries in cells:
            v = next((e.get("syscalls/req") for e in entries
                      if e["config"].split(" (")[0] == cfg), None)
            row.append(v if v not in (None, "–") else "–")
        rows.append(row)
    return cells, rows


@block("floors")
def gen_floors():
    text = (ROOT / AIO_64B_MD).read_text(encoding="utf-8")
    rows = []
    title = None
    for line in text.splitlines():
        if line.startswith("### "):
            title = line[4:].strip()
        m = re.match(r"floor \(recv\+send pair, one thread\): (.*?) µs; "
                     r"cross-CPU echo floor: (.*?) µs", line)
        if m and title:
            rows.append([title.replace("echo ", ""), m.group(1), m.group(2)])
    return (source(AIO_64B_MD) + " µs per 64 B exchange, median (min–max) of the 3 timings made "
            "before each cell of the grid.\n\n"
            + table(["cell", "pair floor", "cross-CPU floor"], rows))


@block("syscalls")
def gen_syscalls():
    cells, rows = syscall_rows(NIO_ASIO_MD, ["nio-reactors-lt", "nio-reactors-et",
                                             "nio-acceptor-lt", "asio"])
    _, rows2 = syscall_rows(AIO_64B_MD, ["nio-reactors-lt", "aio", "aio-fixed-files",
                                         "aio-sqpoll", "aio-zerocopy"])
    rows2[0][0] = "`nio-reactors-lt` (aio grid)"
    header = ["config"] + [f"{c:,}×{d}" for c, d, _ in cells]
    return (source(NIO_ASIO_MD, AIO_64B_MD) + " Echo 64 B; syscalls per request from one "
            "untimed `perf` pass per cell (connections × requests in flight per connection). "
            "The two files are two grids of the same day and machine.\n\n"
            + table(header, rows + rows2))


@block("syscalls-ci")
def gen_syscalls_ci():
    d = load_json(CI_BASELINE)
    ctx = d["context"]
    by = {}
    for b in d["benchmarks"]:
        by[b["run_name"]] = b
    rows = []
    for s in ["bio:thread-per-conn", "nio:reactors", "aio:rings", "asio:context-per-thread"]:
        row = [f"`{s}`"]
        for c in (1, 100):
            b = by.get(f"echo/{s}/c:{c}/d:1/s:64", {})
            row.append(f"{b['syscalls_per_req']:.2f}" if "syscalls_per_req" in b else "not gated")
        rows.append(row)
    return (source(CI_BASELINE) + f" Echo 64 B, one request in flight; syscalls per request, "
            f"median of 3 A/A runs of the `ci` matrix on another machine ({ctx['num_cpus']} "
            f"vCPUs, {ctx['cpu_model']}, {ctx['kernel']}). Only the counts whose A/A spread "
            f"was small are kept (\"not gated\": left out, reason in the file).\n\n"
            + table(["model:mode", "1 conn", "100 conns"], rows))


def idle_rss(rel, cfg):
    """RSS in MiB at 1 and at 10,000 connections offered 100 requests/s in total."""
    secs = md_sections(rel)
    one = {e["config"]: e for e in secs["echo 64 B, 1 conns, open loop 100 req/s"]}
    many = {e["config"]: e for e in secs["echo 64 B, 10000 conns, open loop 100 req/s"]}
    return median_of(one[cfg]["RSS MiB"]), median_of(many[cfg]["RSS MiB"])


def idle_rss_per_conn(rel, cfg):
    lo, hi = idle_rss(rel, cfg)
    return (hi - lo) * 1024 * 1024 / 9999


@block("idle-rss")
def gen_idle_rss():
    rows = []
    for rel, cfgs in ((NIO_ASIO_MD, ["nio-reactors-lt", "nio-acceptor-lt", "asio"]),
                      (AIO_64B_MD, ["aio", "aio-fixed-files"])):
        for cfg in cfgs:
            lo, hi = idle_rss(rel, cfg)
            rows.append([f"`{cfg}`", f"{lo:.1f}", f"{hi:.1f}",
                         size_bytes(idle_rss_per_conn(rel, cfg)), f"`{Path(rel).name}`"])
    return (source(NIO_ASIO_MD, AIO_64B_MD) + " Echo 64 B, open loop at 100 requests/s in "
            "total, so almost every connection is idle; peak RSS in MiB, median of 3. The "
            "per-connection figure is computed from the files' one-decimal MiB values "
            "(± 10 B).\n\n"
            + table(["config", "RSS, 1 conn", "RSS, 10,000 conns", "per idle connection",
                     "file"], rows))


@block("block")
def gen_block():
    secs = md_sections(HTTP_MD)
    base_key = "iomb run --protocol http --path / -c 100 -d 1 --duration 3s"
    block_key = next(k for k in secs if k and "--block-us 1000" in k)
    base = {e["server"]: e for e in secs[base_key]}
    rows = []
    for e in secs[block_key]:
        s = e["server"]
        rps = median_of(e["req/s (k)"]) * 1000
        rows.append([f"`{s}`", base[s]["req/s (k)"].split(" ")[0], e["req/s (k)"].split(" ")[0],
                     f"{rps * 0.001:.1f}", e["p99 µs"].split(" ")[0],
                     e["server CPU µs/req"].split(" ")[0], e["client CPU"].split(" ")[0]])
    header = ["server", "k req/s, no block", "k req/s, 1 ms block", "handlers blocked at once",
              "p99 µs", "server CPU µs/req", "client CPU"]
    return (source(HTTP_MD) + f" HTTP `GET /`, 100 connections, one request in flight each, "
            f"iomb's client, 3 repetitions, medians. \"no block\" is the section `{base_key}`; "
            f"the rest is the section `{block_key.strip()}`. Handlers blocked at once = "
            f"requests/s × 1 ms (Little's law): how many blocking calls the server overlapped."
            f"\n\n" + table(header, rows))


def cluster_runs(part):
    rel = f"{CLUSTER}/{part}/cluster.json"
    return rel, load_json(rel)["benchmarks"]


STRATEGIES = ["sticky-cookie", "sticky-table", "replicated-async", "replicated-sync", "central",
              "cookie", "none", "none-l4"]


def strategy_of(b):
    return b["name"].split("/")[1]


@block("sessions-kill")
def gen_sessions_kill():
    rel, runs = cluster_runs("kill-node")
    rows = []
    for s in STRATEGIES:
        b = next(r for r in runs if strategy_of(r) == s and "/s:64/" in r["name"])
        c = b["iomb"]["cluster"]
        store = b["replication_bytes_per_request"] + b["redis_bytes_per_request"]
        rep = c.get("replay", {})
        rows.append([f"`{s}`", b["sessions_lost"], b["sessions_stale"], b["errors"],
                     f"{b['error_window_s']:.2f}", f"{b['client_bytes_per_request']:.0f}",
                     f"{c['rss_kib']['haproxy'] / 1024:.1f}",
                     f"{max(v for k, v in c['rss_kib'].items() if k.startswith('node')) / 1024:.1f}",
                     f"{store:.0f}", f"{b['cluster_cpu_us_per_request']:.0f}",
                     f"{b['balancer_cpu_us_per_request']:.0f}",
                     "; ".join(v for v in (rep.get("verdict"), rep.get("tampered")) if v)])
    header = ["strategy", "lost", "stale", "errors", "error window s", "client B/req",
              "HAProxy RSS MiB", "largest node RSS MiB", "store B/req", "cluster CPU µs/req", "HAProxy CPU µs/req", "replay; tampered"]
    return (source(rel) + " 3 iomb-nio nodes behind HAProxy, 64 clients, 2,000 visits/s, "
            "64 B sessions; node n1 SIGKILLed at 5 s and restarted at 10 s (15 s window). "
            "Store B/req: replication or Redis bytes per request.\n\n" + table(header, rows))


@block("sessions-bytes")
def gen_sessions_bytes():
    rel, runs = cluster_runs("kill-node")
    sizes = [64, 1024, 4096, 8192]
    rows = []
    for s in ["sticky-cookie", "replicated-sync", "central", "cookie"]:
        row = [f"`{s}`"]
        for z in sizes:
            b = next(r for r in runs if strategy_of(r) == s and f"/s:{z}/" in r["name"])
            store = b["replication_bytes_per_request"] + b["redis_bytes_per_request"]
            note = ""
            if b["iomb"]["cluster"].get("non_2xx"):
                note = f" ({b['iomb']['cluster']['non_2xx']:,} non-2xx)"
            row.append(f"{b['client_bytes_per_request']:.0f} / {store:.0f}{note}")
        rows.append(row)
    return (source(rel) + " Same runs; client bytes / store bytes per request against the "
            "session payload size.\n\n"
            + table(["strategy"] + [size_bytes(z) for z in sizes], rows))


@block("sessions-pause")
def gen_sessions_pause():
    rel, runs = cluster_runs("pause-node")
    rows = []
    for s in STRATEGIES:
        b = next(r for r in runs if strategy_of(r) == s)
        rows.append([f"`{s}`", b["sessions_lost"], b["errors"], f"{b['p99_us'] / 1000:.0f}",
                     f"{b['p999_us'] / 1000:.0f}"])
    return (source(rel) + " Same setup; node n1 SIGSTOPped at 4 s and SIGCONTed at 7 s.\n\n"
            + table(["strategy", "lost", "errors", "p99 ms", "p99.9 ms"], rows))


@block("sessions-size")
def gen_sessions_size():
    rel, runs = cluster_runs("cluster-size")
    by = {}
    for r in runs:
        n = int(re.search(r"/n:(\d+)/", r["name"]).group(1))
        by.setdefault((strategy_of(r), n), []).append(r)
    nodes = sorted({n for _, n in by})
    rows = []
    for s in ["replicated-async", "replicated-sync", "central"]:
        row = [f"`{s}`", "store B/req"]
        for n in nodes:
            vals = [r["replication_bytes_per_request"] + r["redis_bytes_per_request"]
                    for r in by[(s, n)]]
            row.append(f"{statistics.median(vals):.0f}")
        rows.append(row)
    for s in ["none", "none-l4"]:
        row = [f"`{s}`", "HAProxy CPU µs/req"]
        for n in nodes:
            vals = [r["balancer_cpu_us_per_request"] for r in by[(s, n)]]
            row.append(f"{statistics.median(vals):.0f}")
        rows.append(row)
    reps = len(by[("central", nodes[0])])
    return (source(rel) + f" No fault, 64 B sessions, {reps} repetitions per cell, medians; "
            f"store bytes per request against the number of nodes, and HAProxy's CPU per "
            f"request with L7 (`none`: HTTP mode, round robin per request) and L4 (`none-l4`: "
            f"TCP mode) balancing.\n\n"
            + table(["strategy", "what"] + [f"{n} nodes" for n in nodes], rows,
                    ["---", "---"] + ["---:"] * len(nodes)))


@block("sessions-redis")
def gen_sessions_redis():
    rel, runs = cluster_runs("kill-redis")
    b = runs[0]
    c = b["iomb"]["cluster"]
    rows = [[f"`{strategy_of(b)}`", c["fault"]["plan"], b["errors"],
             f"{b['error_window_s']:.2f}", b["sessions_lost"], b["sessions_created"]]]
    return (source(rel) + "\n\n" + table(["strategy", "fault", "errors", "error window s",
                                          "lost", "created"], rows,
                                         ["---", "---", "---:", "---:", "---:", "---:"]))


@block("store-cost")
def gen_store_cost():
    files = [("nio", STORE_COST + "/store_cost_nio_5reps.json"),
             ("aio", STORE_COST + "/store_cost_nio_aio.json")]
    payloads = [64, 1024, 4096]
    rows = []
    for model, rel in files:
        cells = {(c["store"], c["payload"]): c["runs"] for c in load_json(rel)
                 if c["model"] == model}
        stores = list(dict.fromkeys(st for st, _ in cells))
        for st in stores:
            row = [f"`{model}`", f"`{st}`"]
            for key in ("cpu_us", "helper_cpu_us", "wire_bytes"):
                for z in payloads:
                    runs = cells.get((st, z), [])
                    ok = [r[key] for r in runs if r.get("status") == 200]
                    if not ok:
                        row.append("refused" if runs else "–")
                    elif key == "wire_bytes":
                        row.append(f"{statistics.median(ok):,.0f}")
                    else:
                        row.append(sig3(statistics.median(ok)))
            rows.append(row)
    header = (["model", "store"] + [f"server µs, {size_bytes(z)}" for z in payloads]
              + [f"Redis/peer µs, {size_bytes(z)}" for z in payloads]
              + [f"wire B, {size_bytes(z)}" for z in payloads])
    return (source(files[0][1], files[1][1]) + " `GET /session` on one node, 100 "
            "connections, closed loop; per visit: the server's CPU µs, the helper's (Redis, or "
            "the replication peer) CPU µs, and request + response bytes on the client's "
            "socket; medians of the repetitions (nio 5, aio 3); refused: every visit answered 500 "
            "(cookie past 4 KiB). Method: `results/measurements/2026-12-07-epyc-2vcpu/README.md`."
            "\n\n" + table(header, rows, ["---", "---"] + ["---:"] * (len(header) - 2)))


@block("noise")
def gen_noise():
    ref = Reference()
    spreads = {"requests/s": [], "server CPU/req": []}
    cb = starved = total = 0
    for name, reps in ref.reps.items():
        if "/r:" in name:
            continue  # open-loop cells run at a fixed rate
        ok = [r for r in reps if not r.get("error_occurred")]
        if len(ok) < 2:
            continue
        total += 1
        cb += any(r.get("iomb", {}).get("client_bound") for r in ok)
        starved += any(r.get("iomb", {}).get("starved") for r in ok)
        for label, key in (("requests/s", "items_per_second"), ("server CPU/req", "cpu_time")):
            v = [r[key] for r in ok]
            spreads[label].append((max(v) - min(v)) / statistics.median(v))
    rows = []
    for label, v in spreads.items():
        v.sort()
        q = statistics.quantiles(v, n=10)
        rows.append([label, len(v), f"{statistics.median(v) * 100:.0f} %",
                     f"{q[8] * 100:.0f} %", f"{v[-1] * 100:.0f} %"])
    text = (source(REFERENCE) + " Every closed-loop cell of the reference run with at least two "
            "completed repetitions: the spread (max − min) ÷ median of its repetitions.\n\n"
            + table(["metric", "cells", "median spread", "90th percentile", "largest"], rows))
    text += (f"\n\nOf these {total} cells, {cb} were client-bound and {starved} starved in at "
             f"least one repetition.")
    gate = load_json(CI_BASELINE)["context"]["gate"]["a_a_spread"]
    grow = []
    for name in sorted(gate):
        g = gate[name]
        grow.append([f"`{name}`", f"{g['syscalls/req'] * 100:.1f} %",
                     f"{g['ctx sw/req'] * 100:.1f} %"])
    text += ("\n\n" + source(CI_BASELINE) + " The A/A spread of the counts per request "
             "(3 runs of one build of the `ci` matrix: (max − min) ÷ min of their medians):\n\n"
             + table(["cell", "syscalls/req", "ctx switches/req"], grow))
    return text


@block("model-costs")
def gen_model_costs():
    ref = Reference()
    floor = ref.context["floor"]["recv_send_64B_ns"]
    secs_n = md_sections(NIO_ASIO_MD)
    secs_a = md_sections(AIO_64B_MD)

    def sys_at(secs, cfg):
        for e in secs.get("echo 64 B, 100 conns, pipeline 1", []):
            if e["config"].split(" (")[0] == cfg:
                return e.get("syscalls/req")
        return "–"

    ci = {b["run_name"]: b for b in load_json(CI_BASELINE)["benchmarks"]}
    bio_sys = ci.get("echo/bio:thread-per-conn/c:100/d:1/s:64", {}).get("syscalls_per_req")
    sys_src = {
        "bio:thread-per-conn": f"{bio_sys:.2f}²" if bio_sys else "–",
        "nio:reactors": sys_at(secs_n, "nio-reactors-lt"),
        "nio:reactors-et": sys_at(secs_n, "nio-reactors-et"),
        "nio:acceptor": sys_at(secs_n, "nio-acceptor-lt"),
        "aio:rings": sys_at(secs_a, "aio"),
        "asio:context-per-thread": sys_at(secs_n, "asio"),
    }
    idle = {}
    for rel, cfgs in ((NIO_ASIO_MD, {"nio-reactors-lt": "nio:reactors",
                                     "nio-acceptor-lt": "nio:acceptor",
                                     "asio": "asio:context-per-thread"}),
                      (AIO_64B_MD, {"aio": "aio:rings"})):
        for cfg, server in cfgs.items():
            idle[server] = idle_rss_per_conn(rel, cfg)
    rows = []
    for s in REF_SERVERS:
        n100 = ref.cell(s, 100)
        cpu = ref.value(n100, "cpu_time")
        thr = ref.value(ref.cell(s, 10000), "server_threads")
        rows.append([f"`{s}`",
                     "failed" if cpu is None else f"{sig3(cpu / 1000)}{ref.marks(n100)}",
                     "–" if cpu is None else f"{cpu / floor:.2f}",
                     sys_src.get(s, "–"),
                     "failed" if thr is None else f"{thr:,.0f}",
                     rss_per_conn(ref, s),
                     size_bytes(idle[s]) if s in idle else "–"])
    header = ["model:mode", "CPU µs/req, 100 conns", "× floor", "syscalls/req, 100 conns",
              "threads at 10,000 conns", "RSS per added busy connection",
              "RSS per idle connection"]
    return (source(REFERENCE, NIO_ASIO_MD, AIO_64B_MD, CI_BASELINE)
            + " Echo 64 B, one request in flight per connection. CPU, threads and RSS: the "
            "reference run (medians of 3; RSS per busy connection = (RSS at 10,000 − RSS at 1) ÷ "
            "9,999). Syscalls and RSS per idle connection (10,000 connections at 100 requests/s "
            "in total, as in lessons.md): the 2026-11-26 measurement grids, ² the CI baseline "
            "(another machine). – : not measured.\n\n"
            + table(header, rows) + "\n\n" + FLAGS_NOTE)


# ---------------------------------------------------------------------------------------------
# Rewriting and checking the documents

MARKER = re.compile(r"(<!-- generated:([a-z0-9-]+) -->\n)(.*?)(<!-- /generated:\2 -->)", re.S)


def render(text, path):
    def repl(m):
        name = m.group(2)
        if name not in GENERATORS:
            raise SystemExit(f"{path}: unknown generated block '{name}'")
        return m.group(1) + GENERATORS[name]().rstrip() + "\n" + m.group(4)

    return MARKER.sub(repl, text)


def doc_files():
    return sorted(DOCS_DIR.glob("*.md"))


def generate(check):
    changed = []
    used = set()
    for path in doc_files():
        old = path.read_text(encoding="utf-8")
        opens = re.findall(r"<!-- generated:([a-z0-9-]+) -->", old)
        closes = re.findall(r"<!-- /generated:([a-z0-9-]+) -->", old)
        if sorted(opens) != sorted(closes) or len(MARKER.findall(old)) != len(opens):
            raise SystemExit(f"{path}: unbalanced generated markers")
        used.update(opens)
        new = render(old, path)
        if new != old:
            changed.append(path)
            if check:
                rel = str(path.relative_to(ROOT))
                sys.stdout.writelines(difflib.unified_diff(
                    old.splitlines(True), new.splitlines(True), rel, rel + " (generated)"))
            else:
                path.write_text(new, encoding="utf-8")
    unused = sorted(set(GENERATORS) - used)
    if unused:
        print("generated blocks no document uses: " + ", ".join(unused), file=sys.stderr)
    if check:
        if changed:
            print("\nout of date: " + ", ".join(str(p.relative_to(ROOT)) for p in changed)
                  + "\nrun scripts/docs/generate.py and commit the result", file=sys.stderr)
            return 1
        print(f"docs: {len(used)} generated blocks up to date")
        return 0
    for p in changed:
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


def strip_code(text):
    """Blanks fenced code blocks and inline code, keeping line numbers."""
    out = []
    fence = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fence = not fence
            out.append("")
            continue
        out.append("" if fence else re.sub(r"`[^`]*`", "``", line))
    return out


def slug(heading):
    h = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links keep their text
    h = h.strip().lower()
    h = re.sub(r"[^\w\- ]", "", h)
    return h.replace(" ", "-")


def anchors(path):
    seen = {}
    result = set()
    fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fence = not fence
            continue
        if fence:
            continue
        m = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            s = slug(m.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            result.add(s if n == 0 else f"{s}-{n}")
        for a in re.findall(r"<a\s+(?:id|name)=\"([^\"]+)\"", line):
            result.add(a)
    return result


TOP_DIRS = ["bio", "nio", "aio", "asio", "common", "harness", "bench", "tests", "results",
            "scripts", "docs", "cmake"]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def check_links():
    files = [ROOT / "README.md"] + doc_files()
    bad = []
    count = 0
    for path in files:
        for lineno, line in enumerate(strip_code(path.read_text(encoding="utf-8")), 1):
            for target in LINK.findall(line):
                if re.match(r"[a-z][a-z0-9+.-]*:", target):
                    continue  # http:, https:, mailto:
                count += 1
                file_part, _, anchor = target.partition("#")
                dest = (path.parent / file_part).resolve() if file_part else path
                where = f"{path.relative_to(ROOT)}:{lineno}: {target}"
                if not dest.exists():
                    bad.append(f"{where}: no such file")
                elif anchor:
                    if dest.suffix != ".md":
                        bad.append(f"{where}: anchor into a non-Markdown file")
                    elif anchor not in anchors(dest):
                        bad.append(f"{where}: no heading with anchor #{anchor}")
    # The guide names code by its repository path in backticks (`nio/event_loop.cc`): each must
    # exist, so that a renamed file cannot leave the guide pointing nowhere.
    paths = 0
    for path in doc_files():
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name in re.findall(r"`((?:%s)/[^`\s<>*]*)`" % "|".join(TOP_DIRS), line):
                paths += 1
                if not (ROOT / name).exists():
                    bad.append(f"{path.relative_to(ROOT)}:{lineno}: `{name}`: no such path")
    for b in bad:
        print(b, file=sys.stderr)
    if bad:
        return 1
    print(f"links: {count} relative links in {len(files)} files resolve; "
          f"{paths} repository paths named in docs/ exist")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if a generated block differs from what would be written")
    ap.add_argument("--check-links", action="store_true",
                    help="exit 1 if a relative link or #anchor in README.md or docs/*.md "
                         "does not resolve")
    args = ap.parse_args()
    if args.check_links:
        return check_links()
    return generate(args.check)


if __name__ == "__main__":
    sys.exit(main())
