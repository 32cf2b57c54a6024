#!/usr/bin/env bash
# The main job: builds lockstep, then runs every case ported from the notes under lockstep,
# first with free-running threads (lockstep run), then under the deterministic scheduler
# (lockstep explore), writes each case's reports to lockstep-out/cases/<case>/<mode>/ (JSON,
# text, HTML, SARIF, JUnit) and checks every verdict the cases declare. Exit status 0 when
# every verdict matches.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/build.sh
build=${LST_BUILD_DIR:-build}
out=${LST_OUT:-lockstep-out/cases}
status=0
for mode in run explore; do
    echo "== lockstep cases --run $mode"
    "$build/bin/lockstep" cases --run "$mode" --bin "$build/cases" -o "$out" || status=1
done
# every report also as text, HTML, SARIF and JUnit, next to its report.json
for dir in "$out"/*/*/; do
    [ -f "$dir/report.json" ] && "$build/bin/lockstep" report --format all "$dir" >/dev/null || status=1
done
echo "Reports: $out/<case>/<mode>/report.{json,txt,html,sarif,junit.xml}"
exit $status
