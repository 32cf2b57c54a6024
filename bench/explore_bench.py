#!/usr/bin/env python3
"""explore_bench.py: exploration throughput and schedules-to-find for `lockstep explore`.
Run it through explore_bench.sh, which builds everything first.

  (a) schedules per second on three small correct cases of the notes (counter_locked,
      lock_order_consistent, prodcons_cond_while), -j1 and -j2: wall time of one
      `explore -q --schedules N` run, median of RUNS runs;
  (b) for each buggy case and each strategy (random, pct), the number of schedules until the
      first schedule with the case's expected finding, over 10 seeds (median and max):
      `explore -q -j1 --stop-on-first`, counted from report.json's `schedules`. When the
      first finding is another kind (lock_order_inverted_abba reports its lock-order cycle
      in every schedule, before any deadlock), the count is the number of the first schedule
      whose finding is the expected kind plus one, from that finding's schedule file name,
      running growing windows of schedules without --stop-on-first (the schedules of a seed
      are the same whatever the window);
  (c) scheduling points per second on bench/pingpong.c (two threads hand a token back and
      forth 10,000 times each through a mutex and two condvars): the steps come from the
      schedule files of a run made to exit non-zero (same seed, so the same schedules); the
      time is the wall time of `explore -q --schedules 1`, and of `--schedules 5` divided
      by 5 (explore's parent polls every 100 ms, which a single schedule cannot amortize),
      medians of RUNS runs. The same program natively and under `lockstep run`
      (free-running threads) in the same session are the baselines. Explores of pingpong
      with 0 rounds give the fixed cost of a schedule (process start, store, report), so
      the marginal cost of a scheduling point is shown too.

Usage: explore_bench.py --lockstep BIN --cases DIR --pingpong BIN --work DIR [--runs N]
Prints the table and writes it to bench/results/explore.txt (or --results FILE).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--lockstep", required=True)
ap.add_argument("--cases", required=True)
ap.add_argument("--pingpong", required=True)
ap.add_argument("--work", required=True)
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--seeds", type=int, default=10)
ap.add_argument("--results", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "results", "explore.txt"))
A = ap.parse_args()
LS = os.path.abspath(A.lockstep)
WORK = os.path.abspath(A.work)
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
out_lines = []


def emit(line=""):
    print(line, flush=True)
    out_lines.append(line)


def case(name):
    return os.path.join(os.path.abspath(A.cases), name)


def timed(argv, timeout=600):
    """Runs argv (output discarded); returns (exit status, wall seconds)."""
    t0 = time.monotonic()
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       stdin=subprocess.DEVNULL, timeout=timeout)
    return p.returncode, time.monotonic() - t0


def explore(prog, args=(), opts=(), tag="x"):
    od = os.path.join(WORK, tag)
    shutil.rmtree(od, ignore_errors=True)
    rc, secs = timed([LS, "explore", "-q", "-o", od] + list(opts) + ["--", prog] + list(args))
    with open(os.path.join(od, "report.json")) as fh:
        rep = json.load(fh)
    return rc, secs, rep, od


def med(xs):
    return statistics.median(xs)


started = time.monotonic()
emit("lockstep explore benchmark  (bench/explore_bench.sh)")
commit = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse",
                         "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
cpu = ""
try:
    with open("/proc/cpuinfo") as fh:
        m = re.search(r"^model name\s*:\s*(.*)$", fh.read(), re.M)
        cpu = m.group(1) if m else ""
except OSError:
    pass
emit("date %s, commit %s, %d CPUs (%s), %s; every time is the median of %d runs"
     % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), commit or "?", os.cpu_count(),
        cpu or platform.machine(), platform.release(), A.runs))
emit("load average at the start: %.2f %.2f %.2f (other work on the machine skews the times)"
     % os.getloadavg())
emit()

# ---- (a) schedules per second --------------------------------------------------------------
emit("(a) schedules per second (explore -q --schedules N, wall time incl. start-up and report)")
emit("%-24s %6s %10s %10s %10s %10s %8s" % ("case", "N", "-j1 s", "-j1 sch/s", "-j2 s",
                                            "-j2 sch/s", "j2/j1"))
for name, n in (("counter_locked", 6), ("lock_order_consistent", 100),
                ("prodcons_cond_while", 200)):
    row = {}
    for j in (1, 2):
        secs = []
        for k in range(A.runs):
            rc, s, rep, _ = explore(case(name), opts=["-j%d" % j, "--schedules", str(n)],
                                    tag="a")
            if rc != 0 or rep["schedules"] != n:
                emit("  ! %s -j%d run %d: exit %d, %d schedules" % (name, j, k, rc,
                                                                   rep["schedules"]))
            secs.append(s)
        row[j] = med(secs)
    emit("%-24s %6d %10.3f %10.1f %10.3f %10.1f %7.2fx" % (
        name, n, row[1], n / row[1], row[2], n / row[2], row[1] / row[2]))
emit()

# ---- (b) schedules until the first expected finding ---------------------------------------
BUGGY = (("counter_unlocked_yield_race", "target-failure"),
         ("lock_order_inverted_abba", "deadlock"),
         ("prodcons_notify_one_bug", "deadlock"),
         ("prodcons_cond_if_bug", "target-failure"),
         ("rlock_nested_plain_selfdeadlock", "self-deadlock"))
CAP = 1000


def schedules_to_find(name, kind, strategy, seed):
    """Schedules until the first one with a finding of kind (None: not within CAP)."""
    opts = ["-j1", "--strategy", strategy, "--seed", str(seed)]
    rc, _, rep, _ = explore(case(name), opts=opts + ["--stop-on-first", "--schedules", str(CAP)],
                            tag="b")
    kinds = {f["kind"] for f in rep["findings"]}
    if kind in kinds:
        return rep["schedules"], "stop"
    if not kinds:
        return None, "stop"
    # another kind came first: look for the first schedule with `kind` in growing windows
    window = 10
    while True:
        _, _, rep, _ = explore(case(name), opts=opts + ["-j2", "--schedules", str(window)],
                               tag="b")
        f = [f for f in rep["findings"] if f["kind"] == kind]
        if f:
            m = re.search(r"/(\d+)\.schedule$", f[0].get("schedule") or "")
            return (int(m.group(1)) + 1 if m else None), "first"
        if window >= CAP:
            return None, "first"
        window = min(CAP, window * 4)


emit("(b) schedules until the first schedule with the expected finding, seeds 1..%d, -j1"
     % A.seeds)
emit("%-32s %-15s %-7s %7s %5s  %s" % ("case", "expected", "strat.", "median", "max",
                                       "per seed"))
for name, kind in BUGGY:
    for strategy in ("random", "pct"):
        counts, how = [], set()
        for seed in range(1, A.seeds + 1):
            c, h = schedules_to_find(name, kind, strategy, seed)
            counts.append(c)
            how.add(h)
        found = [c for c in counts if c is not None]
        missing = len(counts) - len(found)
        medv = med([c if c is not None else CAP + 1 for c in counts])
        emit("%-32s %-15s %-7s %7s %5s  %s%s" % (
            name, kind, strategy,
            ("%g" % medv) if medv <= CAP else ">%d" % CAP,
            (str(max(found)) if not missing else ">%d" % CAP),
            " ".join(str(c) if c is not None else "-" for c in counts),
            "  (first %s schedule; --stop-on-first stops at the lock-order cycle)" % kind
            if "first" in how else ""))
emit()

# ---- (c) scheduling points per second: ping-pong -------------------------------------------
PP = os.path.abspath(A.pingpong)
ROUNDS = 10000
K = 5  # schedules per explore in the amortized measurement


def steps_of(rounds, n):
    """Scheduling points of schedules 0..n-1 (seed 1) of pingpong ROUNDS, from the schedule
    files of a run made to exit 3 (the exit status does not change the schedules)."""
    _, _, _, od = explore(PP, args=[str(rounds), "3"], opts=["--schedules", str(n)],
                          tag="steps")
    out = []
    for i in range(n):
        try:
            with open(os.path.join(od, "schedules", "%d.schedule" % i)) as fh:
                out.append(int(re.search(r"^steps (\d+)$", fh.read(), re.M).group(1)))
        except (OSError, AttributeError):
            out.append(None)
    return out


def median_time(argv):
    ts = []
    for _ in range(A.runs):
        rc, s = timed(argv)
        if rc != 0:
            emit("  ! %s exited %d" % (" ".join(argv), rc))
        ts.append(s)
    return med(ts)


def explore_argv(n, rounds):
    return [LS, "explore", "-q", "--schedules", str(n), "-o", os.path.join(WORK, "c"), "--",
            PP, str(rounds)]


steps1 = steps_of(ROUNDS, K)
steps0 = steps_of(0, K)
t_native = median_time([PP, str(ROUNDS)])
t_native0 = median_time([PP, "0"])
t_run = median_time([LS, "run", "-q", "-o", os.path.join(WORK, "crun"), "--", PP, str(ROUNDS)])
t_exp1 = median_time(explore_argv(1, ROUNDS))
t_exp1_0 = median_time(explore_argv(1, 0))
t_expk = median_time(explore_argv(K, ROUNDS))
t_expk_0 = median_time(explore_argv(K, 0))

emit("(c) ping-pong (bench/pingpong.c): 2 threads, %d rounds each = %d handovers through a "
     "mutex + 2 condvars" % (ROUNDS, 2 * ROUNDS))
ok = None not in steps1 and None not in steps0
if ok:
    emit("    scheduling points ('steps' of the schedule files, seed 1): schedule 0: %d; "
         "schedules 0-%d: %s (0 rounds: %s)" % (steps1[0], K - 1,
                                               " ".join(map(str, steps1)),
                                               " ".join(map(str, steps0))))
emit("%-46s %9s %12s %12s %10s" % ("how", "wall s", "handovers/s", "sched.pts/s", "vs native"))


def row(label, t, handovers, pts):
    emit("%-46s %9.3f %12s %12s %9.2fx" % (
        label, t, "%.0f" % (handovers / t) if handovers else "",
        "%.0f" % (pts / t) if pts else "", t / t_native))


row("native (no lockstep)", t_native, 2 * ROUNDS, None)
row("lockstep run (free-running threads, shim)", t_run, 2 * ROUNDS, None)
row("lockstep explore -q --schedules 1", t_exp1, 2 * ROUNDS, steps1[0] if ok else None)
row("lockstep explore -q --schedules %d, per schedule" % K, t_expk / K, 2 * ROUNDS,
    sum(steps1) / K if ok else None)
emit("%-46s %9.3f" % ("native, 0 rounds (process start)", t_native0))
emit("%-46s %9.3f" % ("explore --schedules 1, 0 rounds (fixed cost)", t_exp1_0))
emit("%-46s %9.3f" % ("explore --schedules %d, 0 rounds, per schedule" % K, t_expk_0 / K))
if ok:
    marg = (t_expk - t_expk_0) / max(1, sum(steps1) - sum(steps0))
    emit("explore, marginal cost of a scheduling point (%d vs 0 rounds, %d schedules): "
         "%.2f us, %.0f points/s" % (ROUNDS, K, marg * 1e6, 1 / marg if marg > 0 else 0))
emit("note: explore's parent polls its workers every 100 ms, so a one-schedule explore is "
     "rounded up to the next 100 ms; the %d-schedule rows amortize it." % K)
emit()
emit("total benchmark time: %.0f s; load average at the end: %.2f %.2f %.2f"
     % ((time.monotonic() - started,) + os.getloadavg()))

os.makedirs(os.path.dirname(os.path.abspath(A.results)), exist_ok=True)
with open(A.results, "w") as fh:
    fh.write("\n".join(out_lines) + "\n")
print("(written to %s)" % A.results)
