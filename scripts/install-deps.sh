#!/usr/bin/env bash
# The one list of Debian packages iomb needs. With --check: exit 0 when all are installed,
# else print the missing ones and exit 1. Without: install what is missing (root only).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  liburing-dev libboost-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libbenchmark-tools
  libhttp-parser-dev libssl-dev libhiredis-dev libtoml11-dev
  gnuplot-nox wrk linux-perf procps python3 python3-scipy
  redis-server haproxy
  clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ "${1:-}" == "--check" ]]; then
  if ((${#missing[@]})); then echo "${missing[*]}"; exit 1; fi
  exit 0
fi

if ((${#missing[@]} == 0)); then exit 0; fi
if [[ $(id -u) -ne 0 ]]; then
  echo "iomb: missing Debian packages: ${missing[*]}" >&2
  echo "iomb: install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "iomb: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
