#!/usr/bin/env bash
# Per lock+unlock pair cost of `lockstep run` (the shim, free-running threads) against native,
# on bench/lockbench.c's three scenarios with 1, 2 and 4 threads: medians of 5 runs, measured
# side by side in one session, as ratios. Writes bench/results/lock.txt. The comparison with
# TSan, Helgrind, DRD and dyndd asked for in issue #9 is not here yet.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${LST_BUILD_DIR:-build}
[ -x "$build/bin/lockstep" ] || bash ci/build.sh
cc -O2 -pthread -o "$build/lockbench" bench/lockbench.c
iters=${LST_BENCH_ITERS:-5000000}
out=bench/results/lock.txt
mkdir -p bench/results
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
stores=$(mktemp -d)
trap 'rm -rf "$stores"' EXIT
{
    echo "lockstep run vs native, ns per lock+unlock pair (median of 5), $iters iterations per thread"
    echo "date $(date -u '+%F %H:%M'), commit $(git rev-parse --short HEAD), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
    printf '%-10s %7s %9s %9s %7s\n' scenario threads native lockstep ratio
    for sc in private nested contended; do
        for t in 1 2 4; do
            nat=$(for i in 1 2 3 4 5; do "$build/lockbench" $sc $t "$iters"; done | median)
            lst=$(for i in 1 2 3 4 5; do
                      LD_PRELOAD="$PWD/$build/lib/liblockstep.so" \
                      LOCKSTEP_OPTIONS="out=$stores/$sc.$t.$i" "$build/lockbench" $sc $t "$iters"
                      rm -rf "$stores/$sc.$t.$i"
                  done | median)
            awk -v s=$sc -v t=$t -v n="$nat" -v l="$lst" \
                'BEGIN { printf "%-10s %7s %9s %9s %6.2fx\n", s, t, n, l, l / n }'
        done
    done
} | tee "$out"
