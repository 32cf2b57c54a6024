#!/usr/bin/env python3
"""test_fork_exec.py: fork, and fork + exec of /bin/true, under explore.

fork_with_threads (this directory) has two worker threads sharing a mutex; one forks while
the other runs. Mode "fork": the child starts a thread of its own and exits 7; mode "exec":
the child execs /bin/true. The parent checks the child's status and the total. Over 20
schedules (-j2) each mode must run to completion in every schedule, print "child status 7"
(or 0) and "total 400", exit 0 with no findings, notes or limits. With an exit status
argument (5) every schedule must be a target-failure "exited with status 5": the status
is passed through exactly.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstest  # noqa: E402

t = lstest.Test(__doc__)
prog = t.prog("fork_with_threads")
for mode, child in (("fork", 7), ("exec", 0)):
    od = t.outdir(mode)
    r = t.explore(prog, prog_args=[mode], opts=["-j2", "--schedules", "20"], out=od,
                  timeout=120)
    rep = t.report(od, r)
    t.check(r.rc == 0, "%s: explore exits 0" % mode, r)
    t.check(not rep["findings"] and not rep["notes"] and not rep["limits"],
            "%s: no findings, notes or limits" % mode, r,
            (rep["findings"], rep["notes"], rep["limits"]))
    t.check(rep["schedules"] == 20, "%s: 20 schedules ran" % mode, r, rep["schedules"])
    t.check(r.out.count("child status %d\n" % child) == 20,
            "%s: every schedule saw the child exit %d" % (mode, child), r)
    t.check(r.out.count("total 400\n") == 20, "%s: every schedule counted to 400" % mode, r)

    od = t.outdir(mode + "-status")
    r = t.explore(prog, prog_args=[mode, "5"], opts=["-q", "-j2", "--schedules", "10"], out=od,
                  timeout=120)
    rep = t.report(od, r)
    tf = t.findings_of(rep, "target-failure")
    t.check(r.rc == 66 and t.kinds(rep) == ["target-failure"],
            "%s, status 5: only a target-failure" % mode, r, rep["findings"])
    t.check(tf and tf[0]["count"] == 10 and "exited with status 5" in tf[0]["message"],
            "%s, status 5: every schedule 'exited with status 5'" % mode, r, tf)
t.finish()
