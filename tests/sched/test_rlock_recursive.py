#!/usr/bin/env python3
"""test_rlock_recursive.py: build/cases/rlock_nested_recursive (a recursive mutex taken
three times by its owner) is clean over 1000 schedules with -j2: exit 0, no findings, no
notes, no limits, 1000 schedules counted, and its buggy twin with a plain mutex
(rlock_nested_plain_selfdeadlock) is a self-deadlock in its first schedule, so that the
clean result is not a scheduler that does nothing.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstest  # noqa: E402

t = lstest.Test(__doc__)
od = t.outdir("recursive")
r = t.explore(t.case("rlock_nested_recursive"), opts=["-q", "-j2", "--schedules", "1000"],
              out=od, timeout=250)
rep = t.report(od, r)
t.check(r.rc == 0, "rlock_nested_recursive: explore exits 0", r)
t.check(rep["schedules"] == 1000, "1000 schedules ran", r, rep["schedules"])
t.check(not rep["findings"] and not rep["notes"] and not rep["limits"],
        "no findings, notes or limits", r,
        (rep["findings"], rep["notes"], rep["limits"]))
od = t.outdir("plain")
r = t.explore(t.case("rlock_nested_plain_selfdeadlock"),
              opts=["-q", "--stop-on-first", "--schedules", "5"], out=od)
rep = t.report(od, r)
t.check(r.rc == 66 and t.findings_of(rep, "self-deadlock") and rep["schedules"] == 1,
        "the plain-mutex twin is a self-deadlock in schedule 0", r,
        ([f["kind"] for f in rep["findings"]], rep["schedules"]))
t.finish()
