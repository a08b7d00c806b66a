#!/usr/bin/env bash
# iomb's one entry point.
#   ./run_bench.sh            the main job: install deps, release build, quick matrix (< 5 min), report
#   ./run_bench.sh test       install deps, build, run the whole test suite (release, then ASan)
#   ./run_bench.sh full       the full matrix: every model and mode (< 60 min), report
#   ./run_bench.sh ci         the ci matrix: a small fixed set for regression tracking (~2 min)
#   ./run_bench.sh gate       the CI gate: the ci matrix, its counts per request judged against
#                             results/baseline/ci.json (exit 1 regressed, 3 could not judge)
#   ./run_bench.sh baseline [N]  refresh that baseline on purpose: N (3) A/A runs of the ci
#                             matrix, only the counts whose spread is small are gated
#   ./run_bench.sh build      install deps and build the release preset only
#   ./run_bench.sh fuzz [S]   build the libFuzzer targets (clang, ASan+UBSan), run each S s (600)
#   ./run_bench.sh tsan       build the tsan preset, run the integration rows of every mode with
#                             more than one thread under ThreadSanitizer (any report fails it)
#   ./run_bench.sh cluster [FLAGS]  the session-cluster lab (~25 min): every strategy through a
#                             node kill, a node pause and a Redis kill, session sizes and cluster
#                             sizes swept; or `iomb cluster FLAGS` alone when flags are given
set -euo pipefail
cd "$(dirname "$0")"

JOBS=$(nproc 2>/dev/null || echo 2)
say() { echo "iomb: $*" >&2; }

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
}

ensure_deps() {
  if ! missing=$(bash scripts/install-deps.sh --check); then
    if [[ $(id -u) -eq 0 ]]; then
      bash scripts/install-deps.sh
    else
      say "missing Debian packages: $missing"
      say "run: sudo apt-get update && sudo apt-get install -y --no-install-recommends $missing"
      exit 1
    fi
  fi
}

# build_preset PRESET [TARGET...]: configure and build (all targets unless some are named).
build_preset() {
  local preset=$1
  shift
  say "configuring and building the '$preset' preset${*:+ (targets: $*)}"
  cmake --preset "$preset" >/dev/null
  if (($#)); then
    cmake --build --preset "$preset" -j "$JOBS" --target "$@"
  else
    cmake --build --preset "$preset" -j "$JOBS"
  fi
}

# What the benchmark jobs run: the servers, the load generator and the floor benchmark.
BENCH_TARGETS=(iomb iomb-bio iomb-nio iomb-aio iomb-asio iomb-floor)

# run_tests PRESET [EXCLUDE_REGEX]
run_tests() {
  local preset=$1
  say "running the test suite ($preset)"
  ctest --preset "$preset" -j "$JOBS" --timeout 600 ${2:+-E "$2"}
}

# matrix_job PRESET: `iomb matrix --preset PRESET` (progress and ETA on stderr), then the report;
# prints the summary and where the files are. Ctrl-C stops the matrix, which keeps the runs
# completed so far; the report is still written from them.
matrix_job() {
  local preset=$1 bin=build/release/bin dir rc=0
  dir="results/runs/$(date -u +%Y%m%dT%H%M%SZ)-$preset"
  local cpus
  cpus=$(nproc 2>/dev/null || echo 1)
  if ((cpus < 2)); then
    say "only $cpus CPU: the server and the load generator cannot get CPUs of their own, so the"
    say "runs are UNPINNED and share it (numbers are not comparable with pinned runs)"
  fi
  "$bin/iomb" matrix --preset "$preset" --out "$dir" || rc=$?
  if [[ ! -f $dir/results.json ]]; then
    say "iomb matrix wrote no results (exit $rc)"
    exit 1
  fi
  "$bin/iomb" report "$dir"
  echo
  cat "$dir/summary.md"
  echo
  say "results:  $dir/results.json (raw per-run files in $dir/raw/)"
  say "report:   $dir/summary.md, $dir/index.html (plots: $dir/*.svg, *.png)"
  if ((rc != 0)); then
    say "iomb matrix exited $rc: a run failed or the matrix was interrupted (see above)"
    exit "$rc"
  fi
}

GATE_BASELINE=results/baseline/ci.json

# gate_job: the ci matrix, then `iomb compare --counts-only` against the committed baseline;
# the table is also written as Markdown (gate.md) for a pull-request comment.
gate_job() {
  local bin=build/release/bin dir rc=0 start
  start=$(date +%s)
  dir="results/runs/$(date -u +%Y%m%dT%H%M%SZ)-ci"
  if [[ ! -f $GATE_BASELINE ]]; then
    say "no baseline at $GATE_BASELINE: make one with ./run_bench.sh baseline"
    exit 2
  fi
  "$bin/iomb" matrix --preset ci --no-floor --out "$dir" || rc=$?
  if [[ ! -f $dir/results.json ]] || ((rc != 0)); then
    say "the ci matrix failed (exit $rc): the gate cannot judge"
    exit 3
  fi
  rc=0
  "$bin/iomb" compare --counts-only "$GATE_BASELINE" "$dir/results.json" \
    --markdown "$dir/gate.md" || rc=$?
  case $rc in
    0) say "gate passed in $(( $(date +%s) - start )) s (table: $dir/gate.md)" ;;
    1) say "gate FAILED: a count per request regressed (above; table: $dir/gate.md)" ;;
    *) say "gate FAILED: it could not judge everything the baseline gates (exit $rc)" ;;
  esac
  exit "$rc"
}

# baseline_job N: N A/A runs of the ci matrix on this build and machine, then `iomb baseline`.
baseline_job() {
  local n=$1 bin=build/release/bin runs=() i dir stamp
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  for ((i = 1; i <= n; i++)); do
    dir="results/runs/$stamp-baseline-$i"
    say "A/A run $i of $n of the ci matrix"
    "$bin/iomb" matrix --preset ci --no-floor --out "$dir"
    runs+=("$dir/results.json")
  done
  mkdir -p "$(dirname "$GATE_BASELINE")"
  "$bin/iomb" baseline "${runs[@]}" --out "$GATE_BASELINE"
  say "baseline written to $GATE_BASELINE: review it (git diff) and commit it with the change that moved it"
}

FUZZ_TARGETS=(fuzz_http_codec fuzz_http_response fuzz_cookies fuzz_matrix_toml fuzz_result_file)

# fuzz_job SECONDS: each target from its committed seeds (tests/fuzz/corpus/<target>, read only)
# plus what it found before (build/fuzz/corpus/<target>); a crash or sanitizer report is kept
# in build/fuzz/artifacts/ and fails the job.
fuzz_job() {
  local secs=$1 failed=() t
  build_preset fuzz "${FUZZ_TARGETS[@]}"
  mkdir -p build/fuzz/artifacts
  for t in "${FUZZ_TARGETS[@]}"; do
    mkdir -p "build/fuzz/corpus/$t"
    say "fuzzing $t for $secs s"
    if ! "build/fuzz/bin/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$t-" \
        "build/fuzz/corpus/$t" "tests/fuzz/corpus/$t" 2> "build/fuzz/$t.log"; then
      failed+=("$t")
      tail -n 40 "build/fuzz/$t.log" >&2
    fi
    grep -E '^stat::number_of_executed_units|^stat::new_units_added' "build/fuzz/$t.log" |
      sed "s/^/  $t /" >&2 || true
  done
  if ((${#failed[@]})); then
    say "fuzzing found problems in: ${failed[*]} (inputs in build/fuzz/artifacts/)"
    exit 1
  fi
  say "fuzzing: ${#FUZZ_TARGETS[@]} targets, $secs s each, no crash and no sanitizer report"
}

# cluster_job [FLAGS...]: with flags, `iomb cluster FLAGS`; without, the whole lab, one
# directory per part under results/cluster/<time>/, each with cluster.json, summary.md, plots.
cluster_job() {
  local bin=build/release/bin/iomb dir cpus pin=()
  dir="results/cluster/$(date -u +%Y%m%dT%H%M%SZ)"
  cpus=$(nproc 2>/dev/null || echo 1)
  if ((cpus >= 2)); then
    # The lab (nodes, HAProxy, Redis) on the last CPU, the load generator on the others.
    pin=(--server-cpus "$((cpus - 1))" --client-cpus "0-$((cpus - 2))")
  fi
  if (($#)); then
    "$bin" cluster "${pin[@]}" --out "$dir" "$@"
    return
  fi
  local common=("${pin[@]}" --clients 64 --rate 2000)
  say "cluster lab, part 1 of 4: every strategy through a node kill (SIGKILL n1 at 5 s, restart at 10 s), 64 B..8 KiB sessions"
  "$bin" cluster "${common[@]}" --strategy all --session-bytes 64,1KiB,4KiB,8KiB \
    --kill-node 1 --at 5s --restart-at 10s --duration 15s --out "$dir/kill-node"
  say "cluster lab, part 2 of 4: a slow node (SIGSTOP n1 at 4 s, SIGCONT at 7 s)"
  "$bin" cluster "${common[@]}" --strategy all --pause-node 1 --at 4s --restart-at 7s \
    --duration 10s --out "$dir/pause-node"
  say "cluster lab, part 3 of 4: Redis killed at 4 s, restarted empty at 7 s"
  "$bin" cluster "${common[@]}" --strategy central --kill-redis --at 4s --restart-at 7s \
    --duration 10s --out "$dir/kill-redis"
  say "cluster lab, part 4 of 4: cost per request by cluster size (2..4 nodes), and the balancer at L4 vs L7, 3 repetitions"
  "$bin" cluster "${common[@]}" --strategy replicated-async,replicated-sync,central,none,none-l4 \
    --nodes 2,3,4 --duration 6s --repetitions 3 --no-replay --out "$dir/cluster-size"
  say "cluster lab: results in $dir/{kill-node,pause-node,kill-redis,cluster-size}/summary.md"
}

# The integration rows of every mode that runs more than one thread: nio reactors with two
# loops, acceptor and workers; aio with two rings; asio with two io_context threads and shared;
# bio in both modes. Not the 3,000 and 10,000 connection cases (one thread per connection
# under TSan is a test of TSan's own memory), and not the echo pool row of 600 workers: under
# TSan they take about 5 s to start on 2 busy cores, past the cases' bounds (the HTTP rows run
# the pool with 16).
TSAN_ROWS='Nio/*threads_2*:Nio/*acceptor*:Nio/*workers*:Aio/*threads_2*:Asio/*threads_2*:Bio/*'
TSAN_SKIP='*TenThousand*:*ThreeThousand*:*bio_pool___threads_600*'

# tsan_job: every process (the test binary and each server it starts) writes its reports to
# build/tsan/reports/; a report stops that process (halt_on_error) and fails the job.
tsan_job() {
  local reports=build/tsan/reports rc=0 options
  build_preset tsan iomb iomb-bio iomb-nio iomb-aio iomb-asio integration_tests
  rm -rf "$reports"
  mkdir -p "$reports"
  options="halt_on_error=1 second_deadlock_stack=1 log_path=$PWD/$reports/tsan"
  [[ -f tests/tsan.supp ]] && options+=" suppressions=$PWD/tests/tsan.supp"
  say "running the multi-threaded integration rows under ThreadSanitizer"
  TSAN_OPTIONS=$options build/tsan/bin/integration_tests \
    --gtest_filter="$TSAN_ROWS:-$TSAN_SKIP" || rc=$?
  if compgen -G "$reports/tsan.*" >/dev/null; then
    cat "$reports"/tsan.* >&2
    say "ThreadSanitizer reported races (above; files in $reports/)"
    exit 1
  fi
  if ((rc != 0)); then
    say "the integration rows failed under ThreadSanitizer (exit $rc)"
    exit "$rc"
  fi
  say "ThreadSanitizer: every multi-threaded row passed, no report"
}

cmd=${1:-quick}
case "$cmd" in
  -h|--help|help) usage ;;
  test)
    ensure_deps
    start=$(date +%s)
    build_preset release
    run_tests release
    build_preset asan
    # ASan/UBSan: leaks and undefined behaviour fail the run; the 10,000- and 3,000-connection
    # cases are release-build only (a thread per connection in bio: ASan's per-thread shadow
    # stacks make them a memory test of ASan itself).
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
      run_tests asan 'TenThousandConnections|ThreeThousandConnections'
    say "all tests passed in $(( $(date +%s) - start )) s"
    ;;
  build)
    ensure_deps
    build_preset release
    ;;
  fuzz)
    ensure_deps
    fuzz_job "${2:-600}"
    ;;
  cluster)
    ensure_deps
    build_preset release iomb iomb-bio iomb-nio iomb-aio iomb-asio
    shift
    cluster_job "$@"
    ;;
  tsan)
    ensure_deps
    tsan_job
    ;;
  gate)
    ensure_deps
    build_preset release "${BENCH_TARGETS[@]}"
    gate_job
    ;;
  baseline)
    ensure_deps
    build_preset release "${BENCH_TARGETS[@]}"
    baseline_job "${2:-3}"
    ;;
  quick | full | ci)
    ensure_deps
    build_preset release "${BENCH_TARGETS[@]}"
    matrix_job "$cmd"
    ;;
  *)
    say "unknown command '$cmd'"
    usage
    exit 2
    ;;
esac
