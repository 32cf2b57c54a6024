#!/usr/bin/env python3
"""test_fork_server.py: explore's fork server gives the same results as one exec per
schedule, and falls back to exec where it cannot be used.

1. Same seed, fork server (the default) against --no-fork-server: the same findings (kind,
   fingerprint, count, schedule file name) and byte-identical schedule and trace files, on
   a deadlock (lock_order_inverted_abba), a lost wakeup (prodcons_notify_one_bug), a failed
   assertion (prodcons_cond_if_bug, abort), a crash (fork_server_prog signal 11), a
   non-zero exit (fork_server_prog exit 3) and a hang through --max-steps
   (fork_server_prog spin). The fork server with -j2 gives the same again.
2. A schedule recorded with the fork server replays exactly (`lockstep replay`, which
   execs the program): "replay: exact" and the same kind of finding.
3. The wait status of forked children reaches the report exactly: exit statuses 0, 3 and
   255; signals 6, 9 and 11.
4. The fork server is really used: every schedule's parent process is the target itself
   (fork_server_prog parent); with --no-fork-server it is lockstep.
5. Fallback: a thread started before main behind lockstep's back (thread-before-main) and a
   script target each give one "fork server not used" line, and every schedule runs by exec
   (parent lockstep) with no findings.
6. --timeout still ends a forked child (fork_server_prog block): every schedule is a hang.
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstest  # noqa: E402

t = lstest.Test(__doc__)
prog = t.prog("fork_server_prog")


def explore(name, target, args, opts, fork, jobs=1, quiet=True):
    """Runs one exploration in out/run (so that the schedule files' paths are the same in
    every run), moves it to out/<name> and returns (result, report, keys, files)."""
    od = os.path.join(t.out, "run")
    shutil.rmtree(od, ignore_errors=True)
    o = (["-q"] if quiet else []) + ["-j", str(jobs)] + list(opts)
    if not fork:
        o.append("--no-fork-server")
    r = t.explore(target, prog_args=args, opts=o, out=od, timeout=240)
    rep = t.report(od, r)
    keys = sorted((f["kind"], f["fingerprint"], f["count"],
                   os.path.basename(f.get("schedule") or "")) for f in rep["findings"])
    files = {}
    sdir = os.path.join(od, "schedules")
    for n in sorted(os.listdir(sdir)) if os.path.isdir(sdir) else []:
        with open(os.path.join(sdir, n), "rb") as fh:
            files[n] = fh.read()
    dest = os.path.join(t.out, name)
    shutil.rmtree(dest, ignore_errors=True)
    shutil.move(od, dest)
    return r, rep, keys, files


# ---- 1 and 2: the same results, exact replays ------------------------------------------
SETS = [
    ("abba", t.case("lock_order_inverted_abba"), [], ["--schedules", "20"], "deadlock"),
    ("notify_one", t.case("prodcons_notify_one_bug"), [], ["--schedules", "40"], "deadlock"),
    ("cond_if", t.case("prodcons_cond_if_bug"), [], ["--schedules", "10"], "target-failure"),
    ("segv", prog, ["signal", "11"], ["--schedules", "10"], "target-failure"),
    ("exit3", prog, ["exit", "3"], ["--schedules", "10"], "target-failure"),
    ("spin", prog, ["spin"], ["--schedules", "5", "--max-steps", "500"], "hang"),
]
for name, target, args, opts, kind in SETS:
    opts = ["--seed", "5"] + opts
    rf, repf, kf, ff = explore(name + ".fork", target, args, opts, True)
    re_, repe, ke, fe = explore(name + ".exec", target, args, opts, False)
    rj, repj, kj, fj = explore(name + ".fork-j2", target, args, opts, True, jobs=2)
    t.check(rf.rc == 66 and any(k[0] == kind for k in kf),
            "%s: the fork server finds a %s" % (name, kind), rf, kf)
    t.check(kf == ke, "%s: fork server and exec give the same findings" % name, None,
            "fork: %s\nexec: %s" % (kf, ke))
    t.check(sorted(ff) == sorted(fe) and all(ff[n] == fe[n] for n in ff),
            "%s: fork server and exec give byte-identical schedule and trace files" % name,
            None, "fork: %s\nexec: %s\ndiffering: %s"
            % (sorted(ff), sorted(fe), [n for n in ff if n in fe and ff[n] != fe[n]]))
    t.check(kj == kf and fj == ff, "%s: the fork server with -j2 gives the same as -j1" % name,
            None, "-j1: %s\n-j2: %s" % (kf, kj))
    sched = [f["schedule"] for f in repf["findings"] if f["kind"] == kind and f.get("schedule")]
    if t.check(sched, "%s: the %s has a schedule file" % (name, kind), rf):
        path = os.path.join(t.out, name + ".fork", "schedules", os.path.basename(sched[0]))
        rr = t.replay(path, out=os.path.join(t.out, name + ".replay"))
        rrep = t.report(os.path.join(t.out, name + ".replay"), rr)
        t.check("lockstep: replay: exact:" in rr.err and not rrep["limits"],
                "%s: the schedule recorded with the fork server replays exactly" % name, rr,
                rrep["limits"])
        t.check(not any("diverged" in l for l in rrep["limits"]) and
                kind in t.kinds(rrep), "%s: the replay shows the %s again" % (name, kind), rr,
                (rrep["findings"], rrep["limits"]))

# ---- 3: exact wait statuses ----------------------------------------------------------------
for args, want in ((["exit", "0"], None), (["exit", "3"], "exited with status 3"),
                   (["exit", "255"], "exited with status 255"),
                   (["signal", "6"], "killed by signal 6 "), (["signal", "9"], "killed by signal 9 "),
                   (["signal", "11"], "killed by signal 11 ")):
    r, rep, keys, _ = explore("status-" + "-".join(args), prog, args, ["--schedules", "3"], True)
    if want is None:
        t.check(r.rc == 0 and not rep["findings"], "exit 0: no findings, explore exits 0", r,
                rep["findings"])
        continue
    tf = t.findings_of(rep, "target-failure")
    t.check(r.rc == 66 and len(tf) == 1 and tf[0]["count"] == 3 and want in tf[0]["message"],
            "%s: every schedule is a target-failure '%s'" % (" ".join(args), want.strip()), r,
            rep["findings"])

# ---- 4 and 5: the server is used; fallbacks --------------------------------------------------
r, rep, _, _ = explore("parent.fork", prog, ["parent"], ["--schedules", "6"], True, quiet=False)
t.check(r.out.count("parent: fork_server_prog\n") == 6,
        "the fork server forks every schedule (the parent is the target itself)", r)
t.check("fork server" not in r.err, "no fork-server line when it is used", r)
r, rep, _, _ = explore("parent.exec", prog, ["parent"], ["--schedules", "6"], False, quiet=False)
t.check(r.out.count("parent: lockstep\n") == 6 and "fork server" not in r.err,
        "--no-fork-server execs every schedule, silently", r)

r, rep, _, _ = explore("before-main", prog, ["thread-before-main"], ["--schedules", "6", "-j2"],
                       True, quiet=False)
t.check(r.rc == 0 and not rep["findings"], "thread before main: explore exits 0", r,
        rep["findings"])
t.check(r.err.count("fork server not used: the target runs threads before main") == 1,
        "thread before main: one line says the fork server is not used, and why", r)
t.check(r.out.count("parent: lockstep\n") == 6, "thread before main: every schedule is exec'd", r)

script = os.path.join(t.out, "wrapper.sh")
with open(script, "w") as fh:
    fh.write("#!/bin/sh\nexec %s parent\n" % prog)
os.chmod(script, 0o755)
r, rep, _, _ = explore("script", script, [], ["--schedules", "4"], True, quiet=False)
t.check(r.rc == 0 and "fork server not used: " in r.err and "is a script" in r.err,
        "a script: one line says the fork server is not used", r)
t.check(r.out.count("parent: lockstep\n") == 4, "a script: every schedule is exec'd", r)

# ---- 6: the timeout still kills a forked child ----------------------------------------------
r, rep, _, _ = explore("timeout", prog, ["block"], ["--schedules", "2", "--timeout", "1"], True)
hang = t.findings_of(rep, "hang")
t.check(r.rc == 66 and len(hang) == 1 and hang[0]["count"] == 2,
        "block with --timeout 1: both forked schedules are a hang", r, rep["findings"])
t.finish()
