#!/bin/sh
# run_fuzz.sh: one fuzz test. Replays every input of the checked-in seed corpus (which
# holds the regression inputs of the bugs fuzzing found), then fuzzes for SECONDS more.
# Exits non-zero on any crash, sanitizer error, leak, timeout or out-of-memory; the input
# that caused it is left in WORKDIR (crash-*, leak-*, timeout-*, oom-*).
# Usage: run_fuzz.sh FUZZER CORPUS WORKDIR SECONDS [DICT]
set -eu
fuzzer=$1 corpus=$2 work=$3 seconds=$4
dict=${5:+-dict=$5}
if [ ! -x "$fuzzer" ]; then
    echo "run_fuzz.sh: $fuzzer was not built" >&2
    exit 1
fi
rm -rf "$work"
mkdir -p "$work/new"
# new inputs go to work/new (the first directory); the source tree is only read
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/" -print_final_stats=1 $dict "$work/new" "$corpus"
