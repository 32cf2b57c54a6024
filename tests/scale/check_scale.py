#!/usr/bin/env python3
"""check_scale.py: lockstep at scale and at its capacity limits (tests/scale/scale.c).

Usage: check_scale.py --lockstep BIN --scale PROG --out DIR TEST

Tests (each one CTest test):
  thousand_threads          1,000 threads alive at once make one cycle through 1,000 locks:
                            run and explore report it with 1,000 locks, edges and threads.
  cycle_of_200              a 200-lock cycle (TSan stops at 20): one cycle of exactly 200 edges
                            under run, explore, and an exact replay.
  hundred_thousand_mutexes  100,000 live mutexes: the last one is still tracked (its lock id
                            is above 100,000 and it is in the cycle); with lock_slots=65536 the
                            limit is named, and the untracked locks give no false finding.
  thousand_held             one thread holds 1,000 mutexes plus one more (1,001 at once; TSan
                            aborts at 64): the cycle through the 1,001st needs every one
                            tracked. max_held=1001 fits exactly; 1000 names the limit but
                            keeps the cycle; 999 names it and loses the cycle.
  ten_million_ops           10 million lock+unlock pairs: the store's disk use and the target's
                            peak RSS are those of 1 million pairs (bounded), and small.
  stack_limits              a 2-lock cycle taken 40 calls deep: each edge's stack has exactly
                            stack_depth frames (default 16; 4; 32; 33 is cut to the maximum,
                            32), the first at the lock call and the next in the caller; a stack
                            depot index of 16 slots (stack_slots) still gives both edges their
                            full stacks.
  limits                    every capacity option set too small: one 'lockstep: limit:' line
                            naming the option, a "limits" entry in report.json, no false
                            finding, and the target's own exit status (3).
Every lockstep command runs in its own session under a hard timeout.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("--lockstep", required=True)
ap.add_argument("--scale", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("test")
A = ap.parse_args()
OUT = os.path.abspath(A.out)
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)
SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scale.c")
failures = []


def check(cond, what, evidence=None):
    if not cond:
        msg = "FAIL: " + what
        if evidence is not None:
            msg += "\n  " + str(evidence)[-4000:].replace("\n", "\n  ")
        print(msg, flush=True)
        failures.append(what)
    return cond


def src_line(tag):
    for i, l in enumerate(open(SRC), 1):
        if "@" + tag + " " in l:
            return i
    raise SystemExit("no @%s in scale.c" % tag)


class R:
    def __init__(self, argv, rc, err, timed_out):
        self.argv, self.rc, self.err, self.timed_out = argv, rc, err, timed_out

    def __str__(self):
        lines = [l for l in self.err.splitlines() if not l.startswith("      ")]
        return "command: %s\nexit status: %s%s\nstderr (tail):\n%s" % (
            " ".join(self.argv), self.rc, " (TIMED OUT)" if self.timed_out else "",
            "\n".join(l[:300] for l in lines[-25:]))


def lockstep(cmd, outdir, args, options=None, opts=(), timeout=200):
    env = dict(os.environ)
    env.pop("LOCKSTEP_OPTIONS", None)
    if options:
        env["LOCKSTEP_OPTIONS"] = options
    argv = [A.lockstep, cmd] + list(opts) + ["-o", outdir]
    argv += [args] if cmd == "replay" else ["--", A.scale] + list(args)
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    timed_out = False
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(p.pid, signal.SIGKILL)
        _, err = p.communicate()
    r = R(argv, p.returncode, err.decode("utf-8", "replace"), timed_out)
    check(not timed_out, "%s %s finished within %d s" % (cmd, " ".join(args), timeout), r)
    return r


def report(outdir, r):
    try:
        return json.load(open(os.path.join(outdir, "report.json")))
    except (OSError, ValueError) as e:
        check(False, "report.json in %s (%s)" % (outdir, e), r)
        return {"findings": [], "notes": [], "limits": [], "target": {}}


def cycles(rep):
    return [f for f in rep["findings"] if f["kind"] == "lock-order-cycle"]


def hwm(r):
    m = re.search(r"^scale: VmHWM (\d+) kB$", r.err, re.M)
    return int(m.group(1)) if m else None


def disk_use(d):
    """Real disk use (allocated blocks) of the files under d, in bytes."""
    total = 0
    for root, _, files in os.walk(d):
        for f in files:
            total += os.stat(os.path.join(root, f)).st_blocks * 512
    return total


def check_ring(what, rep, r, n):
    """One lock-order cycle through all n locks, made by n threads, n edges at @RING."""
    cs = cycles(rep)
    if not check(len(cs) == 1, "%s: exactly one lock-order cycle" % what, r):
        return
    f = cs[0]
    check(len(f["edges"]) == n, "%s: the cycle has %d edges (%d)" % (what, n, len(f["edges"])))
    check(len({l["id"] for l in f["locks"]}) == n, "%s: the cycle has %d locks (%d)"
          % (what, n, len(f["locks"])))
    threads = {e["thread"] for e in f["edges"]}
    check(len(threads) == n and len(f["threads"]) == n,
          "%s: %d distinct threads made the edges (%d; %d in the finding)"
          % (what, n, len(threads), len(f["threads"])))
    check(("over %d locks" % n) in (f["message"] or ""), "%s: the message says over %d locks"
          % (what, n), (f["message"] or "")[:120])
    ring = src_line("RING")
    acq = {f["stacks"][e["acquire_stack"]]["frames"][0].get("line") for e in f["edges"]
           if e.get("acquire_stack") is not None and f["stacks"][e["acquire_stack"]]["frames"]}
    check(acq == {ring}, "%s: every edge is requested at scale.c:%d" % (what, ring), acq)
    check(rep["limits"] == [], "%s: no limit was hit" % what, rep["limits"])
    check(rep["target"].get("exit_code") == 0, "%s: the target exited 0" % what, rep["target"])


def test_thousand_threads():
    for cmd, opts in (("run", ()), ("explore", ("-q", "--schedules", "1"))):
        od = os.path.join(OUT, cmd)
        r = lockstep(cmd, od, ["ring", "1000"], opts=opts)
        check(r.rc == 66, "%s: exit status 66" % cmd, r)
        check_ring(cmd, report(od, r), r, 1000)
        if cmd == "run":
            print("ring 1000 under run: target VmHWM %s kB, store disk use %.1f MB"
                  % (hwm(r), disk_use(os.path.join(od, "stores")) / 1e6))


def test_cycle_of_200():
    od = os.path.join(OUT, "run")
    r = lockstep("run", od, ["ring", "200"])
    check(r.rc == 66, "run: exit status 66", r)
    check_ring("run", report(od, r), r, 200)
    od = os.path.join(OUT, "explore")
    r = lockstep("explore", od, ["ring", "200"], opts=("-q", "--schedules", "2"))
    check_ring("explore", report(od, r), r, 200)
    sched = os.path.join(od, "schedules", "0.schedule")
    if check(os.path.exists(sched), "explore saved schedules/0.schedule", r):
        od = os.path.join(OUT, "replay")
        r = lockstep("replay", od, sched)
        check("lockstep: replay: exact:" in r.err, "replay: exact", r)
        check_ring("replay", report(od, r), r, 200)


def two_lock_cycle(what, rep, r, tags):
    cs = cycles(rep)
    if not check(len(cs) == 1, "%s: exactly one lock-order cycle" % what, r):
        return None
    f = cs[0]
    check(len(f["edges"]) == 2, "%s: the cycle has 2 edges" % what, f["edges"])
    lines = {f["stacks"][e["acquire_stack"]]["frames"][0].get("line") for e in f["edges"]}
    want = {src_line(t) for t in tags}
    check(lines == want, "%s: the edges are requested at scale.c lines %s" % (what, sorted(want)),
          lines)
    return f


def test_hundred_thousand_mutexes():
    n = 100000
    od = os.path.join(OUT, "run")
    r = lockstep("run", od, ["mutexes", str(n)])
    rep = report(od, r)
    check(r.rc == 66, "run: exit status 66", r)
    f = two_lock_cycle("run", rep, r, ("FIRST_LAST", "LAST_FIRST"))
    if f:
        ids = sorted(l["id"] for l in f["locks"])
        check(ids[-1] >= n, "run: the last mutex's lock id is >= %d (%s)" % (n, ids))
    check(rep["limits"] == [], "run: no limit was hit", rep["limits"])
    check(len(rep["findings"]) == 1, "run: nothing but the cycle", [x["kind"] for x in rep["findings"]])
    print("mutexes %d under run: target VmHWM %s kB, store disk use %.1f MB"
          % (n, hwm(r), disk_use(os.path.join(od, "stores")) / 1e6))
    od = os.path.join(OUT, "explore")
    r = lockstep("explore", od, ["mutexes", str(n)], opts=("-q", "--schedules", "1"))
    two_lock_cycle("explore", report(od, r), r, ("FIRST_LAST", "LAST_FIRST"))
    # fewer address slots than live mutexes: named, and no false result from untracked locks
    od = os.path.join(OUT, "slots")
    r = lockstep("run", od, ["mutexes", str(n), "3"], options="lock_slots=65536")
    rep = report(od, r)
    lines = [l for l in r.err.splitlines() if "raise it with LOCKSTEP_OPTIONS=" in l]
    check(lines == ["lockstep: limit: too many distinct lock addresses; further locks are not "
                    "tracked; raise it with LOCKSTEP_OPTIONS=lock_slots=N (now 65536)"],
          "lock_slots=65536: one limit line", r)
    check(rep["limits"] == ["lock addresses: the address table was full (lock_slots)"],
          "lock_slots=65536: the limit is in report.json", rep["limits"])
    check(rep["findings"] == [], "lock_slots=65536: no finding (the last mutex is untracked)",
          [x["message"] for x in rep["findings"]])
    check(r.rc == 3 and rep["target"].get("exit_code") == 3,
          "lock_slots=65536: the target's exit status 3 passes through", r)


def test_thousand_held():
    for options, limit, cycle in ((None, False, True), ("max_held=1001", False, True),
                                  ("max_held=1000", True, True), ("max_held=999", True, False)):
        what = options or "default"
        od = os.path.join(OUT, what.replace("=", "-"))
        r = lockstep("run", od, ["hold", "1000"], options=options)
        rep = report(od, r)
        check("scale: holding 1001 locks" in r.err, "%s: the target held 1001 locks" % what, r)
        lines = [l for l in r.err.splitlines() if "raise it with LOCKSTEP_OPTIONS=" in l]
        if limit:
            n = int(options.split("=")[1])
            check(lines == ["lockstep: limit: a thread holds too many locks; the excess is not "
                            "tracked; raise it with LOCKSTEP_OPTIONS=max_held=N (now %d)" % n],
                  "%s: one limit line" % what, r)
            check(rep["limits"] == ["held locks: a thread held more locks than max_held"],
                  "%s: the limit is in report.json" % what, rep["limits"])
        else:
            check(lines == [] and rep["limits"] == [], "%s: no limit" % what, r)
        if cycle:
            check(r.rc == 66, "%s: exit status 66" % what, r)
            two_lock_cycle(what, rep, r, ("HOLD_X", "X_LAST"))
        else:
            check(rep["findings"] == [] and r.rc == 0,
                  "%s: no cycle (the 1000th mutex was not tracked), exit status 0" % what, r)
        check(rep["target"].get("exit_code") == 0, "%s: the target exited 0" % what)
        if not options:
            print("hold 1000 under run: target VmHWM %s kB, store disk use %.1f MB"
                  % (hwm(r), disk_use(os.path.join(od, "stores")) / 1e6))
    od = os.path.join(OUT, "explore")
    r = lockstep("explore", od, ["hold", "1000"], opts=("-q", "--schedules", "1"))
    two_lock_cycle("explore", report(od, r), r, ("HOLD_X", "X_LAST"))


def test_ten_million_ops():
    use = {}
    for n in (1000000, 10000000):
        od = os.path.join(OUT, "ops-%d" % n)
        r = lockstep("run", od, ["ops", str(n)])
        rep = report(od, r)
        check(r.rc == 0 and rep["findings"] == [] and rep["limits"] == [],
              "ops %d: no finding, no limit, exit status 0" % n, r)
        check(("scale: ops %d done" % n) in r.err, "ops %d: the target finished" % n, r)
        use[n] = (disk_use(os.path.join(od, "stores")), hwm(r))
        print("ops %d: store disk use %d bytes, target VmHWM %s kB" % (n, use[n][0], use[n][1]))
    (d1, h1), (d10, h10) = use[1000000], use[10000000]
    check(h1 is not None and h10 is not None, "the target printed its peak RSS")
    check(d10 <= d1 + (1 << 20), "10M pairs use no more store disk than 1M (+1 MB): %d vs %d"
          % (d10, d1))
    check(d10 < 16 << 20, "the store's disk use stays under 16 MB (%d bytes)" % d10)
    if h1 and h10:
        check(h10 <= h1 + 4096, "10M pairs: peak RSS %d kB, no more than 1M's %d kB + 4 MB"
              % (h10, h1))
        check(h10 < 64 * 1024, "peak RSS stays under 64 MB (%d kB)" % h10)


# (option, scale args, the limit line's start, the report.json limits entry)
LIMITS = [
    ("max_threads=8", ["ring", "20"], "too many threads; further threads are not tracked",
     "threads: the thread table was full (LOCKSTEP_OPTIONS=max_threads=N)"),
    ("max_held=16", ["hold", "100"], "a thread holds too many locks",
     "held locks: a thread held more locks than max_held"),
    ("lock_slots=16", ["mutexes", "100"], "too many distinct lock addresses",
     "lock addresses: the address table was full (lock_slots)"),
    ("max_locks=8", ["mutexes", "100"], "too many lock instances",
     "locks: the lock instance table was full (max_locks)"),
    ("chain_slots=16", ["ring", "50"], "held-lock chain table is full",
     "lock chains: the chain table was full; some lock orders were not seen (max_chains, chain_slots)"),
    ("max_chains=4", ["ring", "50"], "too many held-lock chains",
     "lock chains: the chain table was full; some lock orders were not seen (max_chains, chain_slots)"),
    ("max_stacks=2", ["ring", "50"], "stack depot is full",
     "stacks: the stack depot was full; some stacks are missing (max_stacks)"),
    ("stack_slots=16", ["stacks", "100"], "stack depot index is full; equal stacks are stored again",
     "stack index: the stack depot's index was full; equal stacks were stored again (stack_slots)"),
    ("max_events=2", ["misuse", "10"], "too many misuse/deadlock events",
     "events: the event table was full; some misuse was not recorded (max_events)"),
    ("max_modules=2", ["ring", "5"], "too many loaded modules",
     "modules: too many loaded modules (max_modules)"),
]


def check_limit(what, r, rep, option, start, entry, args):
    key, val = option.split("=")
    lines = [l for l in r.err.splitlines() if l.startswith("lockstep: limit: ") and
             "raise it with" in l]
    check(len(lines) == 1, "%s: exactly one limit line from the shim" % what, r)
    if lines:
        check(lines[0].startswith("lockstep: limit: " + start) and
              re.search(r"raise it with LOCKSTEP_OPTIONS=%s=N \(now \d+\)$" % key, lines[0]),
              "%s: the line names the limit and the option %s" % (what, key), lines[0])
    check(entry in rep["limits"], "%s: report.json limits has %r" % (what, entry), rep["limits"])
    check(("scale: %s %s done" % tuple(args[:2])) in r.err, "%s: the target completed" % what, r)
    check(rep["target"].get("exit_code") == 3, "%s: report.json has the target's status 3" % what,
          rep["target"])
    false = [f["message"] for f in rep["findings"] if f["kind"] != "lock-order-cycle" and
             not (args[0] == "misuse" and f["kind"] == "lock-misuse") and
             f["kind"] != "target-failure"]
    check(false == [], "%s: no finding caused by the limit" % what, false)


def test_limits():
    for option, args, start, entry in LIMITS:
        od = os.path.join(OUT, option.replace("=", "-"))
        r = lockstep("run", od, args + ["3"], options=option)
        rep = report(od, r)
        check_limit("run " + option, r, rep, option, start, entry, args)
        check(r.rc == (66 if rep["findings"] else 3),
              "run %s: exit status %s" % (option, "66 (findings)" if rep["findings"] else
                                          "3 (the target's)"), r)
    # under the scheduler, also the choice record
    for option, args, start, entry in (
            LIMITS[0],
            ("max_trace=16", ["ring", "20"], "too many scheduler choices",
             "trace: too many scheduler choices to record; the schedule is not replayable "
             "(max_trace)")):
        od = os.path.join(OUT, "explore-" + option.replace("=", "-"))
        r = lockstep("explore", od, args + ["3"], options=option, opts=("--schedules", "1"))
        rep = report(od, r)
        check_limit("explore " + option, r, rep, option, start, entry, args)
        check(r.rc == 66 and any(f["kind"] == "target-failure" and "status 3" in f["message"]
                                 for f in rep["findings"]),
              "explore %s: the target's status 3 is a target-failure" % option, r)


def test_stack_limits():
    take, descend = src_line("DEEP_TAKE"), src_line("DESCEND")
    for option, frames in ((None, 16), ("stack_depth=4", 4), ("stack_depth=32", 32),
                           ("stack_depth=33", 32), ("stack_slots=16", 16)):
        what = "run %s" % (option or "(defaults)")
        od = os.path.join(OUT, (option or "defaults").replace("=", "-"))
        r = lockstep("run", od, ["deep", "40"], options=option)
        check(r.rc == 66, "%s: exit status 66" % what, r)
        rep = report(od, r)
        f = two_lock_cycle(what, rep, r, ("DEEP_TAKE",))
        if not f:
            continue
        for e in f["edges"]:
            fr = f["stacks"][e["acquire_stack"]]["frames"]
            check(len(fr) == frames, "%s: the edge's stack has %d frames (%d)"
                  % (what, frames, len(fr)))
            check([x.get("function") for x in fr[:2]] == ["take_two", "descend"] and
                  fr[-1].get("function") == "descend" and
                  {x.get("line") for x in fr[2:]} <= {descend},
                  "%s: take_two at scale.c:%d, then descend, then descend at scale.c:%d"
                  % (what, take, descend), [(x.get("function"), x.get("line")) for x in fr])
        check(rep["limits"] == [], "%s: no limit was hit" % what, rep["limits"])


globals()["test_" + A.test]()
if failures:
    print("\n%d checks failed" % len(failures))
    sys.exit(1)
print("ok", A.test)
