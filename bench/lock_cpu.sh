#!/usr/bin/env bash
# lock_cpu.sh: the single-thread cost of a lock+unlock pair under `lockstep run`, in CPU
# time (bench/lockcpu.c), for quick before/after comparisons on a loaded machine. Each round
# runs native and then `lockstep run` with every shim given (the build's by default), so the
# ratios compare runs made side by side. Prints, per scenario, the median over the rounds of
# each one's ns per pair and of its ratio to native. bench/lock_bench.sh stays the reference.
# Environment: LST_BUILD_DIR (default build), RUNS (default 9), ITERATIONS (default 4000000),
# SHIMS (space-separated liblockstep.so paths to compare; default the build's).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${LST_BUILD_DIR:-build}
runs=${RUNS:-9}
n=${ITERATIONS:-4000000}
[ -x "$build/bin/lockstep" ] || bash ci/build.sh >/dev/null
lst=$PWD/$build/bin/lockstep
shims=(${SHIMS:-$PWD/$build/lib/liblockstep.so})
bin=$PWD/$build/bench
mkdir -p "$bin"
cc -std=gnu11 -O2 -g -Wall -Wextra -pthread -o "$bin/lockcpu" bench/lockcpu.c
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'; }

echo "lock_cpu.sh: commit $(git rev-parse --short HEAD), load $(cut -d' ' -f1-3 /proc/loadavg)," \
    "$runs rounds of $n pairs, fastest of 40 chunks, thread CPU ns per pair"
for sc in contended private nested; do
    for ((r = 0; r < runs; r++)); do
        nat=$("$bin/lockcpu" "$sc" "$n")
        echo "$nat" >>"$work/$sc.native"
        for i in "${!shims[@]}"; do
            v=$(LOCKSTEP_SHIM=${shims[$i]} "$lst" run -q -o "$work/out" -- "$bin/lockcpu" "$sc" "$n" |
                tail -1)
            rm -rf "$work/out"
            echo "$v" >>"$work/$sc.$i"
            awk -v v="$v" -v n="$nat" 'BEGIN {print v / n}' >>"$work/$sc.$i.ratio"
        done
    done
    printf '%-9s native %6s' "$sc" "$(median <"$work/$sc.native")"
    for i in "${!shims[@]}"; do
        printf '   run[%d] %6s %5.2fx' "$i" "$(median <"$work/$sc.$i")" "$(median <"$work/$sc.$i.ratio")"
    done
    echo
done
for i in "${!shims[@]}"; do echo "run[$i] = ${shims[$i]}"; done
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
