#!/usr/bin/env bash
# Configures and builds lockstep into build/ (or $LST_BUILD_DIR), installing whatever is
# missing first. Used by the README's two commands and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/deps.sh "${1:-build}"
build=${LST_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo ${LST_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)"
