#!/usr/bin/env bash
# The full test suite: builds lockstep with its test dependencies, then runs every test
# with CTest (unit tests, the notes' cases natively and under lockstep, the detection
# rules, the report writers). Every test has its own timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/build.sh test
build=${LST_BUILD_DIR:-build}
cd "$build"
ctest --output-on-failure -j"$(nproc)" ${LST_CTEST_ARGS:-}
