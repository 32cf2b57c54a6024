#!/usr/bin/env bash
# The full test suite: builds lockstep with its test dependencies, then runs every test
# with CTest (unit tests, the notes' cases natively and under lockstep, the detection
# rules, the report writers, the fuzz targets for a few seconds each). Every test has its
# own timeout. Then it builds lockstep again with ASan and UBSan (-DLST_SANITIZE) into
# build-sanitize/ and runs the tests that exercise lockstep's own code there
# (docs/testing.md). LST_SANITIZE_LABELS selects them (a ctest label regex);
# LST_SANITIZE_SUITE=0 skips that second pass.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/build.sh test
build=${LST_BUILD_DIR:-build}
start=$SECONDS
(cd "$build" && ctest --output-on-failure -j"$(nproc)" ${LST_CTEST_ARGS:-})
echo "lockstep: test: the suite took $((SECONDS - start)) s" >&2
if [ "${LST_SANITIZE_SUITE:-1}" = 0 ]; then
    exit 0
fi
san=${LST_SANITIZE_BUILD_DIR:-build-sanitize}
start=$SECONDS
cmake -S . -B "$san" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLST_SANITIZE=address,undefined \
    -DLST_FUZZ=OFF ${LST_CMAKE_ARGS:-} >/dev/null
cmake --build "$san" -j"$(nproc)"
echo "lockstep: test: the sanitizer build took $((SECONDS - start)) s" >&2
start=$SECONDS
# any ASan, LSan or UBSan report fails its test (-fno-sanitize-recover=all); print stacks
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd "$san" && ctest --output-on-failure -j"$(nproc)" \
    -L "${LST_SANITIZE_LABELS:-^(unit|reports|symbolize|cli|shim|run|reliability)$}")
echo "lockstep: test: the sanitizer suite took $((SECONDS - start)) s" >&2
