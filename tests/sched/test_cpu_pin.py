#!/usr/bin/env python3
"""test_cpu_pin.py: explore keeps each schedule's process on one CPU, and --no-pin does not.

cpu_pin (this directory) prints the size of the affinity mask of its main thread, of a
thread it creates and of a child it forks. Under explore (2 schedules, with the fork server
and with --no-fork-server) the main thread and the thread must see 1 CPU and the forked
child, which runs free, the whole mask this test runs with. With --no-pin, and under
`lockstep run`, every one of them sees the whole mask.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstest  # noqa: E402

t = lstest.Test(__doc__)
prog = t.prog("cpu_pin")
full = len(os.sched_getaffinity(0))


def check(tag, r, n, main_cpus, od=None):
    t.check(r.rc == 0, "%s: exits 0" % tag, r)
    for who, want in (("main", main_cpus), ("thread", main_cpus), ("child", full)):
        line = "%s cpus %d\n" % (who, want)
        t.check(r.out.count(line) == n, "%s: %d x %r" % (tag, n, line), r)
    if od:
        rep = t.report(od, r)
        t.check(not rep["findings"], "%s: no findings" % tag, r, rep["findings"])


for tag, opts, main_cpus in (("pinned", [], 1), ("pinned-exec", ["--no-fork-server"], 1),
                             ("no-pin", ["--no-pin"], full)):
    od = t.outdir(tag)
    r = t.explore(prog, opts=["--schedules", "2"] + opts, out=od, timeout=60)
    check(tag, r, 2, main_cpus, od)
r = t.run([t.lockstep, "run", "-o", t.outdir("run"), "--", prog], timeout=60)
check("run", r, 1, full)
t.finish()
