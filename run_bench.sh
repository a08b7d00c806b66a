#!/usr/bin/env bash
# iomb's one entry point.
#   ./run_bench.sh            the main job: install deps, release build, quick benchmark preset
#   ./run_bench.sh test       install deps, build, run the whole test suite (release, then ASan)
#   ./run_bench.sh full       the full benchmark preset (not built yet: runs the quick job)
#   ./run_bench.sh build      install deps and build the release preset only
set -euo pipefail
cd "$(dirname "$0")"

JOBS=$(nproc 2>/dev/null || echo 2)
say() { echo "iomb: $*" >&2; }

usage() {
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
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

run_tests() {
  local preset=$1
  say "running the test suite ($preset)"
  ctest --preset "$preset" -j "$JOBS" --timeout 600
}

# Every model at 1, 100 and 1000 connections, echo 64 B, closed loop, one short repetition
# each, interleaved by connection count; then the report. About 2 minutes on 2 cores.
quick_job() {
  local bin=build/release/bin
  local dir
  dir="results/runs/$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$dir"
  local models=(bio nio aio asio) conns=(1 100 1000)
  local total=$(( ${#models[@]} * ${#conns[@]} )) done_runs=0 started
  started=$(date +%s)
  for c in "${conns[@]}"; do
    for m in "${models[@]}"; do
      local eta=""
      if (( done_runs > 0 )); then
        eta=", ETA $(( ( $(date +%s) - started ) * (total - done_runs) / done_runs )) s"
      fi
      say "[$((done_runs + 1))/$total$eta] echo 64 B, $m, $c connections"
      # A model that is unavailable here (exit 77) is recorded as skipped by iomb run.
      "$bin/iomb" run --server "$m" --connections "$c" --pipeline 1 --size 64 \
        --duration 4s --warmup 1s --repetitions 1 --quiet \
        --json "$dir/echo-$m-c$c.json" >/dev/null || say "run $m c=$c failed (see above)"
      done_runs=$((done_runs + 1))
    done
  done
  "$bin/iomb" report "$dir"
  echo
  cat "$dir/summary.md"
  echo
  say "results, plots and index.html are in $dir"
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
    # ASan/UBSan: leaks and undefined behaviour fail the run; the 10,000-thread scale test is
    # a release-build measurement (ASan's per-thread shadow stacks make it a memory test of
    # ASan itself).
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
      ctest --preset asan -j "$JOBS" --timeout 600 -E 'TenThousandConnections'
    say "all tests passed in $(( $(date +%s) - start )) s"
    ;;
  build)
    ensure_deps
    build_preset release
    ;;
  quick)
    ensure_deps
    build_preset release "${BENCH_TARGETS[@]}"
    quick_job
    ;;
  full)
    say "the full preset needs 'iomb matrix', which is not built yet; running the quick job"
    ensure_deps
    build_preset release "${BENCH_TARGETS[@]}"
    quick_job
    ;;
  *)
    say "unknown command '$cmd'"
    usage
    exit 2
    ;;
esac
