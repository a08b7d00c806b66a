#!/usr/bin/env bash
# iomb's one entry point.
#   ./run_bench.sh            the main job: install deps, release build, quick benchmark preset
#   ./run_bench.sh test       install deps, build, run the whole test suite (release, then ASan)
#   ./run_bench.sh full       the full benchmark preset (under an hour on 2 cores)
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

build_preset() {
  local preset=$1
  say "configuring and building the '$preset' preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$JOBS"
}

run_tests() {
  local preset=$1
  say "running the test suite ($preset)"
  ctest --preset "$preset" -j "$JOBS" --timeout 600
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
  quick|full)
    ensure_deps
    build_preset release
    if [[ -x build/release/bin/iomb ]]; then
      exec build/release/bin/iomb matrix --preset "$cmd"
    fi
    say "built: $(ls build/release/bin | tr '\n' ' ')"
    say "the load generator (harness/) is not built yet: nothing to run for '$cmd'"
    ;;
  *)
    say "unknown command '$cmd'"
    usage
    exit 2
    ;;
esac
