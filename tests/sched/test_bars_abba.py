#!/usr/bin/env python3
"""test_bars_abba.py: the issue's bar for build/cases/lock_order_inverted_abba with the
default strategy (random) and fewer than 200 schedules, for the default seed and seeds 2
and 3: a `deadlock` finding (and the lock-order cycle). The case reports its lock-order
cycle in every schedule, so --stop-on-first would stop there; each run is 199 schedules
(-j2) and the deadlock must be among them, with a schedule file of one of them.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstest  # noqa: E402

N = "199"
t = lstest.Test(__doc__)
SEEDS = [None, 2, 3]


def seed_opts(seed):
    return [] if seed is None else ["--seed", str(seed)]


for seed in SEEDS:
    case = "lock_order_inverted_abba"
    od = t.outdir("%s.%s" % (case, seed))
    r = t.explore(t.case(case), opts=["-q", "-j2", "--schedules", N] + seed_opts(seed), out=od)
    rep = t.report(od, r)
    what = "%s (seed %s)" % (case, seed or "default")
    t.check(r.rc == 66, "%s: explore exits 66" % what, r)
    dl = t.findings_of(rep, "deadlock")
    t.check(dl, "%s: reaches a deadlock within %s schedules" % (what, N), r,
            [(f["kind"], f["count"]) for f in rep["findings"]])
    t.check(t.findings_of(rep, "lock-order-cycle"), "%s: reports the lock-order cycle" % what)
    if dl:
        i = t.schedule_index(dl[0].get("schedule"))
        t.check(i is not None and i < int(N), "%s: the deadlock has a schedule file" % what,
                None, dl[0].get("schedule"))
        t.note("%s: first deadlock in schedule %s (%d of %s schedules deadlock)"
               % (what, i, dl[0]["count"], N))
t.finish()
