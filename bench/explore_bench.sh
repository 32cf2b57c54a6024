#!/usr/bin/env bash
# explore_bench.sh: benchmark of `lockstep explore`, one command from a clean checkout.
# Builds lockstep and the cases (cmake -S . -B build), compiles bench/pingpong.c, then runs
# bench/explore_bench.py: (a) schedules per second on three small correct cases with -j1
# and -j2, with explore's fork server and with one exec per schedule (--no-fork-server), (b)
# schedules until the first expected finding for the buggy cases under the random and PCT
# strategies over 10 seeds, (c) ns per thread switch on a two-thread ping-pong, pinned to
# one CPU and not (wall and CPU time), against the native handover and a raw futex
# handover (the floor), (d) ns per scheduling point that does not switch (one thread's
# lock/unlock loop, explore against run). Every figure is a median of 5 runs. The table goes to stdout and to bench/results/explore.txt.
# Takes about two minutes on 2 cores, plus the build; needs taskset (util-linux).
#
# Environment: BUILD (build directory, default build), RUNS (runs per median, default 5),
# SEEDS (seeds for part b, default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-5}
SEEDS=${SEEDS:-10}

cmake -S . -B "$BUILD" >/dev/null
cmake --build "$BUILD" -j"$(nproc)" >/dev/null
mkdir -p "$BUILD/bench"
cc -std=gnu11 -O2 -g -Wall -Wextra -pthread -o "$BUILD/bench/pingpong" bench/pingpong.c

exec python3 bench/explore_bench.py \
    --lockstep "$BUILD/bin/lockstep" \
    --cases "$BUILD/cases" \
    --pingpong "$BUILD/bench/pingpong" \
    --work "$BUILD/bench/work" \
    --runs "$RUNS" --seeds "$SEEDS" \
    --results bench/results/explore.txt
