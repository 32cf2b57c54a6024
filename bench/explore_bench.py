#!/usr/bin/env python3
"""explore_bench.py: exploration throughput and schedules-to-find for `lockstep explore`.
Run it through explore_bench.sh, which builds everything first.

  (a) schedules per second on three small correct cases of the notes (counter_locked,
      lock_order_consistent, prodcons_cond_while), -j1 and -j2, with the fork server (the
      default) and with --no-fork-server (one exec per schedule, the baseline), runs of the
      two interleaved: wall time of one `explore -q --schedules N` run, median of RUNS runs;
      and the CPU time per schedule of the same runs (user + system time of lockstep and of
      every process it waited for, from getrusage(RUSAGE_CHILDREN)), which other load on the
      machine moves far less; then lock_order_consistent at -j2 with each schedule kept on
      one CPU (explore's default) against --no-pin;
  (b) for each buggy case and each strategy (random, pct), the number of schedules until the
      first schedule with the case's expected finding, over 10 seeds (median and max):
      `explore -q -j1 --stop-on-first`, counted from report.json's `schedules`. When the
      first finding is another kind (lock_order_inverted_abba reports its lock-order cycle
      in every schedule, before any deadlock), the count is the number of the first schedule
      whose finding is the expected kind plus one, from that finding's schedule file name,
      running growing windows of schedules without --stop-on-first (the schedules of a seed
      are the same whatever the window);
  (c) the cost of a thread switch on bench/pingpong.c (two threads hand a token back and
      forth 10,000 times each through a mutex and two condvars), pinned to one CPU (taskset
      -c 0), not pinned (explore --no-pin), and under explore's default (the shim keeps the
      schedule on the CPU it starts on) against native not pinned, with the floor of any
      handover beside the native rows (`pingpong futex`: a raw futex word per thread, no
      lock, as the scheduler's baton): pingpong prints the wall time of its own loop (first create to last
      join); one explore schedule (seed 1, made to exit 3 so that its schedule and trace are
      saved) gives the scheduling points ('steps') and the actual switches (thread changes in
      the trace). ns per switch = (loop time - non-switching points x (d)) / switches. The
      baseline is the native program's ns per handover, in the same run;
  (d) the cost of a scheduling point that does not switch: `pingpong solo` (one thread,
      2,000,000 lock/unlock pairs) prints its loop's thread CPU time per pair natively, under
      `lockstep run` (the interceptors, no scheduler) and under `lockstep explore` (each
      lock and unlock is a scheduling point with nobody to switch to): (explore - run) / 2.

Usage: explore_bench.py --lockstep BIN --cases DIR --pingpong BIN --work DIR [--runs N]
Prints the table and writes it to bench/results/explore.txt (or --results FILE).
"""

import argparse
import datetime
import json
import os
import platform
import re
import resource
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


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(argv, timeout=600):
    """Runs argv (output discarded); returns (exit status, wall seconds, CPU seconds of it and
    of every process it waited for: the CLI, its workers, the fork server and the schedules)."""
    c0, t0 = cpu_children(), time.monotonic()
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       stdin=subprocess.DEVNULL, timeout=timeout)
    return p.returncode, time.monotonic() - t0, cpu_children() - c0


def explore(prog, args=(), opts=(), tag="x"):
    od = os.path.join(WORK, tag)
    shutil.rmtree(od, ignore_errors=True)
    rc, secs, cpu = timed([LS, "explore", "-q", "-o", od] + list(opts) + ["--", prog] + list(args))
    with open(os.path.join(od, "report.json")) as fh:
        rep = json.load(fh)
    explore.cpu = cpu
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
emit("(a) schedules per second (explore -q --schedules N, wall time incl. start-up and report);")
emit("    exec: --no-fork-server (one exec per schedule), fork: the fork server (default);")
emit("    each schedule's process stays on one CPU (the default; --no-pin below)")
emit("%-22s %5s %10s %10s %7s %10s %10s %7s" % ("case", "N", "exec -j1", "fork -j1", "ratio",
                                                "exec -j2", "fork -j2", "ratio"))
cpu_rows = []
for name, n in (("counter_locked", 6), ("lock_order_consistent", 500),
                ("prodcons_cond_while", 500)):
    rate, cpu = {}, {}
    for j in (1, 2):
        secs = {"exec": [], "fork": []}
        cpus = {"exec": [], "fork": []}
        for k in range(A.runs):
            for how in ("exec", "fork"):  # interleaved, so that load drifts hit both
                opts = ["-j%d" % j, "--schedules", str(n)]
                if how == "exec":
                    opts.append("--no-fork-server")
                rc, s_, rep, _ = explore(case(name), opts=opts, tag="a")
                if rc != 0 or rep["schedules"] != n:
                    emit("  ! %s -j%d %s run %d: exit %d, %d schedules"
                         % (name, j, how, k, rc, rep["schedules"]))
                secs[how].append(s_)
                cpus[how].append(explore.cpu)
        for how in secs:
            rate[(how, j)] = n / med(secs[how])
            cpu[(how, j)] = med(cpus[how]) / n * 1e3
    emit("%-22s %5d %10.1f %10.1f %6.2fx %10.1f %10.1f %6.2fx" % (
        name, n, rate[("exec", 1)], rate[("fork", 1)], rate[("fork", 1)] / rate[("exec", 1)],
        rate[("exec", 2)], rate[("fork", 2)], rate[("fork", 2)] / rate[("exec", 2)]))
    cpu_rows.append((name, n, cpu))
emit("    CPU time per schedule in ms (user + system of lockstep and every process it waited for:")
emit("    workers, fork server, schedules; the same runs), and the schedules per second that CPU")
emit("    time allows on %d idle CPUs with the fork server at -j2:" % os.cpu_count())
emit("%-22s %5s %10s %10s %7s %10s %10s %10s" % ("case", "N", "exec -j1", "fork -j1", "", "exec -j2",
                                                 "fork -j2", "idle max/s"))
for name, n, cpu in cpu_rows:
    emit("%-22s %5d %10.3f %10.3f %7s %10.3f %10.3f %10.0f" % (
        name, n, cpu[("exec", 1)], cpu[("fork", 1)], "", cpu[("exec", 2)], cpu[("fork", 2)],
        os.cpu_count() * 1e3 / cpu[("fork", 2)]))
# the CPU pinning of each schedule, on and off, on the same case
n, secs = 500, {"pin": [], "no-pin": []}
for k in range(A.runs):
    for how in ("pin", "no-pin"):
        opts = ["-j2", "--schedules", str(n)] + (["--no-pin"] if how == "no-pin" else [])
        rc, s_, rep, _ = explore(case("lock_order_consistent"), opts=opts, tag="a")
        secs[how].append(s_)
emit("    lock_order_consistent, fork -j2: %.1f schedules/s with each schedule kept on one CPU"
     % (n / med(secs["pin"])))
emit("    (default), %.1f with --no-pin: %.2fx" % (n / med(secs["no-pin"]),
                                                 med(secs["no-pin"]) / med(secs["pin"])))
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

# ---- (c) the cost of a switch: ping-pong ---------------------------------------------------
PP = os.path.abspath(A.pingpong)
ROUNDS = 10000
SOLO = 2000000
PIN = ["taskset", "-c", "0"]


def run_out(argv, timeout=600):
    """Runs argv; returns (exit status, stdout)."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       stdin=subprocess.DEVNULL, timeout=timeout, text=True)
    return p.returncode, p.stdout


def number(text, key):
    m = re.search(re.escape(key) + r" ([0-9.]+)", text)
    return float(m.group(1)) if m else None


def pingpong_explore(pin, opts):
    """One explore schedule of pingpong: (loop wall ns, steps, switches) or None."""
    od = os.path.join(WORK, "c")
    shutil.rmtree(od, ignore_errors=True)
    _, out = run_out(pin + [LS, "explore", "--schedules", "1", "-o", od] + opts +
                     ["--", PP, str(ROUNDS), "3"])
    wall, cpu = number(out, "wall-ns"), number(out, "cpu-ns")
    try:
        with open(os.path.join(od, "schedules", "0.schedule")) as fh:
            steps = int(re.search(r"^steps (\d+)$", fh.read(), re.M).group(1))
        switches, last = 0, None
        with open(os.path.join(od, "schedules", "0.trace")) as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                thread = line.split()[1]
                switches += thread != last
                last = thread
    except (OSError, AttributeError, IndexError):
        return None
    return wall, steps, switches, cpu


def solo(argv):
    vals = []
    for _ in range(A.runs):
        _, out = run_out(argv + [PP, "solo", str(SOLO)])
        v = number(out, "solo ns/pair")
        if v is None:
            emit("  ! %s printed no timing" % " ".join(argv + [PP, "solo"]))
            return float("nan")
        vals.append(v)
    return med(vals)


# (d) first: (c) subtracts the non-switching points
solo_native = solo([])
solo_run = solo([LS, "run", "-q", "-o", os.path.join(WORK, "srun"), "--"])
solo_explore = solo([LS, "explore", "--schedules", "1", "--max-steps", str(4 * SOLO), "-o",
                     os.path.join(WORK, "sexp"), "--"])
point_ns = (solo_explore - solo_run) / 2

emit("(c) thread switches: bench/pingpong.c, 2 threads, %d rounds each = %d handovers through a "
     "mutex + 2 condvars;" % (ROUNDS, 2 * ROUNDS))
emit("    loop wall time as pingpong measures it (create to join), median of %d runs; cpu: the"
     % A.runs)
emit("    process CPU time of the loop instead (other load on the CPU does not count)")
emit("%-42s %8s %7s %8s %10s %10s %10s %7s %7s" % (
    "how", "loop ms", "points", "switches", "ns/switch", "cpu ns/sw", "points/s", "vs nat.",
    "cpu vs"))
for nlabel, label, pin, opts in (
        ("native, pinned to one CPU (taskset -c 0)", "explore, pinned the same way", PIN, []),
        ("native, not pinned", "explore --no-pin, not pinned", [], ["--no-pin"]),
        ("native, not pinned", "explore, default (keeps to one CPU)", [], [])):
    nat, natc = [], []
    for _ in range(A.runs):
        _, out = run_out(pin + [PP, str(ROUNDS)])
        nat.append(number(out, "wall-ns") or float("nan"))
        natc.append(number(out, "cpu-ns") or float("nan"))
    nat_ns, natc_ns = med(nat) / (2 * ROUNDS), med(natc) / (2 * ROUNDS)
    emit("%-42s %8.1f %7s %8d %10.0f %10.0f %10s %7s %7s" % (
        nlabel, med(nat) / 1e6, "", 2 * ROUNDS, nat_ns, natc_ns, "", "1.00x",
        "1.00x"))
    if pin or "--no-pin" in opts:  # the floor: a raw futex handover, no lock
        fx, fxc = [], []
        for _ in range(A.runs):
            _, out = run_out(pin + [PP, "futex", str(ROUNDS)])
            fx.append(number(out, "futex wall-ns") or float("nan"))
            fxc.append(number(out, "cpu-ns") or float("nan"))
        emit("%-42s %8.1f %7s %8d %10.0f %10.0f %10s %6.2fx %6.2fx" % (
                "  raw futex handover (pingpong futex)", med(fx) / 1e6, "", 2 * ROUNDS,
                med(fx) / (2 * ROUNDS), med(fxc) / (2 * ROUNDS), "",
                med(fx) / (2 * ROUNDS) / nat_ns, med(fxc) / (2 * ROUNDS) / natc_ns))
    runs = [r for r in (pingpong_explore(pin, opts) for _ in range(A.runs)) if r]
    if not runs:
        emit("  ! explore of pingpong gave no schedule")
        continue
    wall, cpu = med([r[0] for r in runs]), med([r[3] for r in runs])
    steps, switches = runs[0][1], runs[0][2]
    if any((r[1], r[2]) != (steps, switches) for r in runs):
        emit("  ! the runs of one seed took different schedules: %s" % [r[1:3] for r in runs])
    per_switch = (wall - (steps - switches) * point_ns) / switches
    cpu_switch = (cpu - (steps - switches) * point_ns) / switches
    emit("%-42s %8.1f %7d %8d %10.0f %10.0f %10.0f %6.2fx %6.2fx" % (
        label, wall / 1e6, steps, switches, per_switch, cpu_switch,
        steps / (wall / 1e9), per_switch / nat_ns, cpu_switch / natc_ns))
emit()
emit("(d) a scheduling point that does not switch: pingpong solo, %d lock/unlock pairs of one "
     "thread," % SOLO)
emit("    thread CPU time per pair as pingpong measures it, median of %d runs" % A.runs)
emit("%-44s %12s" % ("how", "ns per pair"))
emit("%-44s %12.1f" % ("native", solo_native))
emit("%-44s %12.1f" % ("lockstep run (interceptors, no scheduler)", solo_run))
emit("%-44s %12.1f" % ("lockstep explore (2 scheduling points a pair)", solo_explore))
emit("scheduling point that does not switch: (explore - run) / 2 = %.1f ns" % point_ns)
emit()
emit("total benchmark time: %.0f s; load average at the end: %.2f %.2f %.2f"
     % ((time.monotonic() - started,) + os.getloadavg()))

os.makedirs(os.path.dirname(os.path.abspath(A.results)), exist_ok=True)
with open(A.results, "w") as fh:
    fh.write("\n".join(out_lines) + "\n")
print("(written to %s)" % A.results)
