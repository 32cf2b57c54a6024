#!/usr/bin/env bash
# lock_bench.sh: the cost of lockstep's lock bookkeeping, one command from a clean checkout.
# Builds lockstep (ci/build.sh when build/bin/lockstep is missing), then bench/lockbench.c
# natively and with ThreadSanitizer (clang and gcc), and bench/lockmem.c. It prints, and
# writes to bench/results/lock.txt:
#  (1) ns per lock+unlock pair for 3 scenarios (contended, private, nested) x 1, 2, 4
#      threads, with the ratio to native measured in the same run, for: native, `lockstep
#      run`, `lockstep explore --schedules 1` (serialized), dyndd (clang's deadlock detector
#      as an LD_PRELOAD library), TSan built by clang and by gcc (detect_deadlocks=1), Helgrind
#      and DRD. Medians of RUNS runs (valgrind: VGRUNS). The slow tools run fewer iterations;
#      every figure is per pair. A column whose tool is missing is skipped with a note; a run
#      that crashes is left out of the median and counted.
#  (2) thread create+join, native vs `lockstep run`: process CPU time per create+join, both
#      pinned to one CPU (taskset -c 0, when there is one), CRUNS rounds;
#  (3) peak RSS with 100k live locks and with 1M distinct lock-order edges, native vs
#      `lockstep run`, and the bytes lockstep adds per lock and per edge.
# Takes about 3 minutes on 2 cores, plus the build. The machine is shared: read the ratios, not the ns.
# Environment: LST_BUILD_DIR (default build), RUNS (default 5), VGRUNS (default 3), CRUNS
# (rounds of part 2, default 11), PARTS (the parts to run, default 123; with fewer, the
# results file is not written).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${LST_BUILD_DIR:-build}
runs=${RUNS:-5}
vgruns=${VGRUNS:-3}
cruns=${CRUNS:-11}
parts=${PARTS:-123}
results=bench/results/lock.txt
[ "$parts" = 123 ] || results=/dev/null
[ -x "$build/bin/lockstep" ] || bash ci/build.sh >/dev/null
lst=$PWD/$build/bin/lockstep
bin=$PWD/$build/bench
mkdir -p "$bin" bench/results
cc -std=gnu11 -O2 -g -Wall -Wextra -pthread -o "$bin/lockbench" bench/lockbench.c
cc -std=gnu11 -O2 -g -Wall -Wextra -pthread -o "$bin/lockmem" bench/lockmem.c -lm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Iterations per thread: per pair, the tools differ by 1000x.
it_fast=5000000 it_slow=200000 it_explore=10000 it_vg=10000
dyndd=/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.dyndd-x86_64.so
tsan_opts="detect_deadlocks=1 report_signal_unsafe=0 exitcode=0"

notes=()
have() { command -v "$1" >/dev/null 2>&1; }
cols=(native run explore)
if [ -f "$dyndd" ]; then cols+=(dyndd); else notes+=("dyndd: $dyndd not found, column skipped"); fi
if have clang && clang -O2 -g -fsanitize=thread -pthread -o "$bin/lockbench-tsan-clang" \
    bench/lockbench.c 2>/dev/null; then
    cols+=(tsan-clang)
else
    notes+=("TSan clang: clang -fsanitize=thread failed or clang missing, column skipped")
fi
if gcc -O2 -g -fsanitize=thread -pthread -o "$bin/lockbench-tsan-gcc" bench/lockbench.c \
    2>/dev/null; then
    cols+=(tsan-gcc)
else
    notes+=("TSan gcc: gcc -fsanitize=thread failed (libtsan missing?), column skipped")
fi
if have valgrind; then cols+=(helgrind drd); else notes+=("valgrind missing: Helgrind and DRD skipped"); fi

# one run of configuration $1 on lockbench args $2 $3 $4; prints ns per op or nothing
run_one() {
    local c=$1 sc=$2 t=$3 n=$4 out=$work/o
    rm -rf "$out"
    case $c in
    native) "$bin/lockbench" "$sc" "$t" "$n" ;;
    run) "$lst" run -q -o "$out" -- "$bin/lockbench" "$sc" "$t" "$n" ;;
    explore) "$lst" explore --schedules 1 -o "$out" -- "$bin/lockbench" "$sc" "$t" "$n" 2>/dev/null ;;
    dyndd) LD_PRELOAD=$dyndd "$bin/lockbench" "$sc" "$t" "$n" 2>/dev/null ;;
    tsan-clang) TSAN_OPTIONS=$tsan_opts "$bin/lockbench-tsan-clang" "$sc" "$t" "$n" 2>/dev/null ;;
    tsan-gcc) TSAN_OPTIONS=$tsan_opts "$bin/lockbench-tsan-gcc" "$sc" "$t" "$n" 2>/dev/null ;;
    helgrind | drd) valgrind -q --tool=$c "$bin/lockbench" "$sc" "$t" "$n" 2>/dev/null ;;
    esac | grep -E '^[0-9.]+$' | tail -1 || true
}
iters() {
    case $1 in
    native | run) echo $it_fast ;;
    explore) echo $it_explore ;;
    helgrind | drd) echo $it_vg ;;
    *) echo $it_slow ;;
    esac
}
# median of the numbers on stdin ("-" when none)
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'; }
# Measures every configuration on scenario $1 with $2 threads, round by round: each round
# runs native first and then every tool, so each tool run has a native run next to it and the
# load of the shared machine weighs on both alike. Prints one cell per column: native's
# median ns, and for a tool its median ns with the median of its per-round ratios to native.
measure_row() {
    local sc=$1 t=$2 c i k v nat
    rm -f "$work"/m.*
    for ((i = 0; i < runs; i++)); do
        nat=
        for c in "${cols[@]}"; do
            k=$runs
            case $c in helgrind | drd) k=$vgruns ;; esac
            [ "$i" -lt "$k" ] || continue
            v=$(run_one "$c" "$sc" "$t" "$(iters "$c")" 2>/dev/null)
            [ "$c" = native ] && nat=$v
            if [ -z "$v" ]; then
                echo x >>"$work/m.$c.crash"
                continue
            fi
            echo "$v" >>"$work/m.$c"
            [ -n "$nat" ] && awk -v v="$v" -v n="$nat" 'BEGIN {print v / n}' >>"$work/m.$c.ratio"
        done
    done
    for c in "${cols[@]}"; do
        k=$runs
        case $c in helgrind | drd) k=$vgruns ;; esac
        if [ -f "$work/m.$c.crash" ]; then
            echo "$c $sc $t: $(wc -l <"$work/m.$c.crash") of $k runs crashed or printed nothing" \
                >>"$work/crashes"
        fi
        v=-
        [ -f "$work/m.$c" ] && v=$(median <"$work/m.$c") # none when every run crashed
        if [ "$c" = native ] || [ "$v" = - ]; then
            printf ' %17s' "$v"
        else
            printf ' %17s' "$v $(median <"$work/m.$c.ratio" | awk '{printf "%6.1fx", $1}')"
        fi
    done
}

{
    echo "lockstep lock benchmark (bench/lock_bench.sh)"
    echo "date $(date -u '+%F %H:%M') UTC, commit $(git rev-parse --short HEAD), $(nproc) CPUs," \
        "load $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: noisy; compare ratios)"
    echo
    if [[ $parts == *1* ]]; then
    echo "(1) ns per lock+unlock pair (median of $runs runs; Helgrind/DRD: $vgruns) and x = the median"
    echo "    of the ratios to the native run made just before, in the same round"
    echo "    iterations per thread: native/run $it_fast, explore $it_explore, dyndd/TSan $it_slow," \
        "valgrind $it_vg"
    printf '%-9s %3s' scenario thr
    for c in "${cols[@]}"; do printf ' %17s' "$c"; done
    echo
    for sc in contended private nested; do
        for t in 1 2 4; do
            printf '%-9s %3s' "$sc" "$t"
            measure_row "$sc" "$t"
            echo
        done
    done
    echo "    run = lockstep run (free-running threads, lock-order graph and wait-for check);"
    echo "    explore = lockstep explore --schedules 1 (one thread at a time, a scheduling point at"
    echo "    every lock and unlock); dyndd = LD_PRELOAD $dyndd;"
    echo "    tsan-* = lockbench built with -fsanitize=thread, TSAN_OPTIONS='$tsan_opts'."
    for x in "${notes[@]}"; do echo "    note: $x"; done
    if [ -f "$work/crashes" ]; then sed 's/^/    crashed: /' "$work/crashes"; fi
    fi
    echo
    if [[ $parts == *2* ]]; then
    pin=
    have taskset && taskset -c 0 true 2>/dev/null && pin="taskset -c 0"
    echo "(2) thread create+join, process CPU ns each (2000 threads, 1 or 4 at a time, ${pin:-not pinned};"
    echo "    median of $cruns rounds of native then lockstep run, ratio = median of the per-round ratios)"
    for t in 1 4; do
        rm -f "$work"/c.*
        for ((i = 0; i < cruns; i++)); do
            n=$($pin "$bin/lockbench" create $t 2000)
            l=$($pin "$lst" run -q -o "$work/o" -- "$bin/lockbench" create $t 2000 | tail -1)
            echo "$n" >>"$work/c.n"
            echo "$l" >>"$work/c.l"
            awk -v n="$n" -v l="$l" 'BEGIN {print l / n}' >>"$work/c.r"
        done
        printf '%d at a time: native %.0f, lockstep run %.0f, %.2fx\n' $t "$(median <"$work/c.n")" \
            "$(median <"$work/c.l")" "$(median <"$work/c.r")"
    done
    fi
    echo
    if [[ $parts == *3* ]]; then
    echo "(3) peak RSS in KiB (getrusage; lockstep's includes the store pages touched), median of 3"
    run_mem() {
        local c=$1 kind=$2 n=$3 out=$work/o
        rm -rf "$out"
        if [ "$c" = native ]; then "$bin/lockmem" "$kind" "$n"; else "$lst" run -q -o "$out" -- "$bin/lockmem" "$kind" "$n"; fi
    }
    for kind in locks edges; do
        big=100000
        [ $kind = edges ] && big=1000000
        n0=$(for i in 1 2 3; do run_mem native $kind 1; done | median)
        n1=$(for i in 1 2 3; do run_mem native $kind $big; done | median)
        l0=$(for i in 1 2 3; do run_mem run $kind 1; done | median)
        l1=$(for i in 1 2 3; do run_mem run $kind $big; done | median)
        awk -v k=$kind -v b=$big -v n0="$n0" -v n1="$n1" -v l0="$l0" -v l1="$l1" 'BEGIN {
            printf "%s: 1 -> %d: native %d -> %d, lockstep run %d -> %d: %.0f bytes per %s added by lockstep\n",
                k, b, n0, n1, l0, l1, ((l1 - l0) - (n1 - n0)) * 1024 / b, k == "locks" ? "lock" : "edge" }'
    done
    fi
} | tee "$results"
