#!/usr/bin/env python3
"""test_cpu_pin.py: explore keeps each schedule's process on one CPU, and the program does not see it.

cpu_pin (this directory) prints, for its main thread, a thread it creates and a child it
forks, the CPU count of its affinity mask as the program sees it and as the kernel has it
(raw system call). Under explore (2 schedules, with the fork server and with
--no-fork-server) the kernel must show 1 CPU for the main thread and the thread, and the
whole mask this test runs with for the forked child, which runs free; the program must see
the whole mask everywhere (sched_getaffinity and pthread_getaffinity_np agree). With
--no-pin, and under `lockstep run`, the kernel shows the whole mask too. With `cpu_pin set`
the program sets its own one-CPU mask and then sees that mask, not the hidden one.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstest  # noqa: E402

t = lstest.Test(__doc__)
prog = t.prog("cpu_pin")
full = len(os.sched_getaffinity(0))


def check(tag, r, n, real, od=None):
    t.check(r.rc == 0, "%s: exits 0" % tag, r)
    for who, want in (("main", real), ("thread", real), ("child", full)):
        line = "%s cpus %d real %d\n" % (who, full, want)
        t.check(r.out.count(line) == n, "%s: %d x %r" % (tag, n, line), r)
    t.check("but pthread_getaffinity_np" not in r.out,
            "%s: sched_getaffinity and pthread_getaffinity_np agree" % tag, r)
    if od:
        rep = t.report(od, r)
        t.check(not rep["findings"], "%s: no findings" % tag, r, rep["findings"])


for tag, opts, real in (("pinned", [], 1), ("pinned-exec", ["--no-fork-server"], 1),
                        ("no-pin", ["--no-pin"], full)):
    od = t.outdir(tag)
    r = t.explore(prog, opts=["--schedules", "2"] + opts, out=od, timeout=60)
    check(tag, r, 2, real, od)
r = t.run([t.lockstep, "run", "-o", t.outdir("run"), "--", prog], timeout=60)
check("run", r, 1, full)
r = t.explore(prog, prog_args=["set"], opts=["--schedules", "1"], out=t.outdir("set"), timeout=60)
t.check("set cpus 1 real 1\n" in r.out, "set: the program's own mask is what it sees", r)
t.finish()
