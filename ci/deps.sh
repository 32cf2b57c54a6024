#!/usr/bin/env bash
# Installs, with apt-get, whatever lockstep needs to build and test and is not yet
# on this machine. Safe to run again: it only calls apt-get when a package is missing.
# Usage: ci/deps.sh [build|test]   (test adds the packages only the test suite needs)
set -euo pipefail
want=(cmake make gcc g++ clang libclang-rt-14-dev libtsan2 uthash-dev libjansson-dev
      libdw-dev libunwind-dev pkg-config graphviz coreutils)
if [ "${1:-build}" = test ]; then
    want+=(python3 python3-jsonschema python3-yaml jq chromium)
fi
missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "lockstep: installing missing packages: ${missing[*]}" >&2
    if [ "$(id -u)" != 0 ]; then
        echo "lockstep: need root to install packages (run as root or install them yourself)" >&2
        exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
