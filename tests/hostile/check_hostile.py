#!/usr/bin/env python3
"""check_hostile.py: one hostile target (tests/hostile/NAME.c) natively and under lockstep.

Usage: check_hostile.py --lockstep BIN --progs DIR --out DIR NAME

The target runs natively first. Then under `lockstep run`, `lockstep explore --schedules 1`
and `lockstep replay` of the schedule explore saved (every target makes a lock-order
inversion, so explore always saves one). Under each command:
  - the command ends (hard timeout) and writes a report.json that parses;
  - the target's stdout is byte-for-byte the native one, and its stderr lines that start
    with "hostile:" are the native ones, in order;
  - the target's exit status or killing signal, as report.json's target says, is the
    native one (and explore's target-failure finding names it);
  - the lock-order cycle the target made is in the report (with the file:line of its
    edges), and nothing else is reported but what the target's ending explains (a
    target-failure), with no limit;
  - the replay is exact (same steps and event hash as the schedule).
Every command runs in its own session under a hard timeout; on expiry its process group is
killed and the test fails.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("--lockstep", required=True)
ap.add_argument("--progs", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("name")
A = ap.parse_args()
OUT = os.path.abspath(A.out)
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)
SRC = os.path.dirname(os.path.abspath(__file__))
PROG = os.path.join(os.path.abspath(A.progs), A.name)
failures = []


def check(cond, what, evidence=None):
    if not cond:
        msg = "FAIL: " + what + ("\n  " + str(evidence)[-3000:].replace("\n", "\n  ")
                                 if evidence is not None else "")
        print(msg, flush=True)
        failures.append(what)
    return cond


def src_line(fname, tag):
    """Line number of the '@TAG' comment in tests/hostile/FNAME."""
    for i, l in enumerate(open(os.path.join(SRC, fname)), 1):
        if "@" + tag + " " in l or l.rstrip().endswith("@" + tag + " */"):
            return i
    raise SystemExit("no @%s in %s" % (tag, fname))


# What each target gets, and what must be reported. 'cycle': the (file, tag) pairs that must
# appear as frames of the lock-order cycle; 'kill': the target waits for SIGKILL from us.
STDIN_DATA = bytes((i * 37 + (i >> 8)) % 256 for i in range(300000))
SPECS = {
    "segv": dict(cycle=[("hostile.h", "AB"), ("hostile.h", "BA")]),
    "abort_": dict(cycle=[("hostile.h", "AB"), ("hostile.h", "BA")]),
    "exit_holding": dict(cycle=[("hostile.h", "AB"), ("hostile.h", "BA")]),
    "killed": dict(args=["@PIDFILE@"], kill=True, cycle=[("hostile.h", "AB"), ("hostile.h", "BA")]),
    "forked": dict(cycle=[("hostile.h", "AB"), ("hostile.h", "BA")]),
    "fork_exec": dict(cycle=[("hostile.h", "AB"), ("hostile.h", "BA")]),
    "cancel": dict(cycle=[("hostile.h", "AB"), ("hostile.h", "BA")]),
    "tls_dtor": dict(cycle=[("tls_dtor.c", "KEY_DTOR"), ("tls_dtor.c", "TLS_DTOR")]),
    "dlopen_locks": dict(args=[os.path.join(os.path.abspath(A.progs), "hostile_locklib.so")],
                         cycle=[("locklib.c", "LIB_XY"), ("locklib.c", "LIB_YX")]),
    "big_stdout": dict(args=["8"], cycle=[("hostile.h", "AB"), ("hostile.h", "BA")]),
    "read_stdin": dict(stdin=STDIN_DATA, cycle=[("hostile.h", "AB"), ("hostile.h", "BA")]),
}
SPEC = SPECS[A.name]


class Result:
    def __init__(self, argv, rc, out, err, timed_out):
        self.argv, self.rc, self.out, self.err, self.timed_out = argv, rc, out, err, timed_out

    def __str__(self):
        return "command: %s\nexit status: %s%s\nstdout: %d bytes\nstderr (tail):\n%s" % (
            " ".join(self.argv), self.rc, " (TIMED OUT)" if self.timed_out else "",
            len(self.out), "\n".join(self.err.decode("utf-8", "replace").splitlines()[-30:]))


def execute(argv, pidfile=None, timeout=120):
    """Runs argv with the target's stdin; kills the target with SIGKILL once it has written
    its pid to pidfile (the 'killed' target)."""
    data = SPEC.get("stdin")
    p = subprocess.Popen(argv, stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    killer = None
    if pidfile:
        def kill_when_ready():
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and p.poll() is None:
                try:
                    pid = int(open(pidfile).read())
                except (OSError, ValueError):
                    time.sleep(0.05)
                    continue
                time.sleep(0.2)  # let it reach pause()
                os.kill(pid, signal.SIGKILL)
                return
        killer = threading.Thread(target=kill_when_ready, daemon=True)
        killer.start()
    timed_out = False
    try:
        out, err = p.communicate(input=data, timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
    return Result(argv, p.returncode, out, err, timed_out)


def target_args(tag):
    args = []
    pidfile = None
    for a in SPEC.get("args", []):
        if a == "@PIDFILE@":
            pidfile = os.path.join(OUT, tag + ".pid")
            a = pidfile
        args.append(a)
    return args, pidfile


def hostile_lines(err):
    return [l for l in err.decode("utf-8", "replace").splitlines() if l.startswith("hostile:")]


def compare_output(mode, r, native):
    check(not r.timed_out, "%s: finished before the timeout" % mode, r)
    same = r.out == native.out
    check(same, "%s: the target's stdout is byte-exact (%d bytes, sha1 %s; native %d bytes, "
          "sha1 %s)" % (mode, len(r.out), hashlib.sha1(r.out).hexdigest()[:12], len(native.out),
                        hashlib.sha1(native.out).hexdigest()[:12]),
          r if not same else None)
    check(hostile_lines(r.err) == hostile_lines(native.err),
          "%s: the target's stderr lines are the native ones" % mode,
          "native: %s\nunder lockstep: %s" % (hostile_lines(native.err), hostile_lines(r.err)))


def native_status(native):
    """(exit_code, exit_signal) of the native run, as report.json's target gives them."""
    if native.rc < 0:
        return None, -native.rc
    return native.rc, None


def read_report(mode, outdir, r):
    path = os.path.join(outdir, "report.json")
    try:
        return json.load(open(path))
    except (OSError, ValueError) as e:
        check(False, "%s: report.json is written and parses (%s)" % (mode, e), r)
        return None


def check_cycle(mode, rep, r):
    cycles = [f for f in rep["findings"] if f["kind"] == "lock-order-cycle"]
    if not check(len(cycles) >= 1, "%s: the lock-order cycle is reported" % mode, r):
        return
    sites = set()
    for f in cycles:
        for s in f["stacks"]:
            for fr in s["frames"]:
                if fr.get("file") and fr.get("line"):
                    sites.add((os.path.basename(fr["file"]), fr["line"]))
    for fname, tag in SPEC["cycle"]:
        want = (fname, src_line(fname, tag))
        check(want in sites, "%s: the cycle shows %s:%d (@%s)" % ((mode,) + want + (tag,)),
              sorted(sites))


def check_kinds(mode, rep, native):
    """Nothing is reported but the cycle and, where the target failed, a target-failure
    (run reports only signals; explore and replay a non-zero exit too)."""
    allowed = {"lock-order-cycle"}
    if native.rc < 0 or (native.rc != 0 and mode != "run"):
        allowed.add("target-failure")
    kinds = {f["kind"] for f in rep["findings"]}
    check(kinds == allowed, "%s: the findings are %s" % (mode, sorted(allowed)),
          [(f["kind"], f["message"]) for f in rep["findings"]])
    check(rep["limits"] == [], "%s: no limit or divergence" % mode, rep["limits"])


def check_status(mode, rep, native, r):
    t = rep.get("target") or {}
    want = native_status(native)
    check((t.get("exit_code"), t.get("exit_signal")) == want,
          "%s: report.json target exit_code/exit_signal is the native %s" % (mode, want), t)


# ---- native ------------------------------------------------------------------------------
args, pidfile = target_args("native")
native = execute([PROG] + args, pidfile)
print("native: exit status %s, stdout %d bytes, stderr %s" % (native.rc, len(native.out),
                                                               hostile_lines(native.err)))
if not check(not native.timed_out and native.rc not in (90, 91, 92),
             "the native run works", native):
    sys.exit(1)

# ---- run ---------------------------------------------------------------------------------
od = os.path.join(OUT, "run")
args, pidfile = target_args("run")
r = execute([A.lockstep, "run", "-o", od, "--", PROG] + args, pidfile)
compare_output("run", r, native)
rep = read_report("run", od, r)
if rep:
    check_status("run", rep, native, r)
    check_cycle("run", rep, r)
    check_kinds("run", rep, native)
    check(r.rc == 66, "run: exits 66 (findings)", r)

# ---- explore -----------------------------------------------------------------------------
od = os.path.join(OUT, "explore")
args, pidfile = target_args("explore")
r = execute([A.lockstep, "explore", "--schedules", "1", "-o", od, "--", PROG] + args, pidfile)
compare_output("explore", r, native)
rep = read_report("explore", od, r)
sched = os.path.join(od, "schedules", "0.schedule")
if rep:
    check_status("explore", rep, native, r)
    check_cycle("explore", rep, r)
    check_kinds("explore", rep, native)
    check(r.rc == 66, "explore: exits 66 (findings)", r)
    check(rep.get("schedules") == 1, "explore: report.json says 1 schedule ran", rep.get("schedules"))
    fails = [f for f in rep["findings"] if f["kind"] == "target-failure"]
    if native.rc != 0:
        check(len(fails) == 1, "explore: the native failure (%s) is a target-failure" % native.rc,
              r)
        if fails:
            m = fails[0]["message"] or ""
            want = ("signal %d" % -native.rc) if native.rc < 0 else ("status %d" % native.rc)
            check(want in m or signal.Signals(-native.rc).name in m if native.rc < 0 else
                  want in m, "explore: the target-failure names %s" % want, m)
    else:
        check(not fails, "explore: no target-failure when the native run exits 0", fails)

# ---- replay ------------------------------------------------------------------------------
if check(os.path.exists(sched), "explore saved schedules/0.schedule", r):
    od = os.path.join(OUT, "replay")
    pidfile = None
    if SPEC.get("kill"):
        # the schedule replays the recorded argv: the pid file is explore's
        pidfile = os.path.join(OUT, "explore.pid")
        os.unlink(pidfile)
    r = execute([A.lockstep, "replay", "-o", od, sched], pidfile)
    compare_output("replay", r, native)
    rep = read_report("replay", od, r)
    if rep:
        check_status("replay", rep, native, r)
        check_cycle("replay", rep, r)
        check_kinds("replay", rep, native)
        check(b"lockstep: replay: exact:" in r.err, "replay: exact (same steps and event hash)",
              r)
        check(r.rc == 66, "replay: exits 66 (findings)", r)

if failures:
    print("\n%d checks failed" % len(failures))
    sys.exit(1)
print("ok", A.name)
