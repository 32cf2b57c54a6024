#!/usr/bin/env python3
"""test_bars.py: the issue's bars for `lockstep explore` with the default strategy (random)
and fewer than 200 schedules, for the default seed and seeds 2 and 3.

Buggy cases, each with --stop-on-first --schedules 199 (-j1, so report.json's `schedules`
is the number of schedules it took):
  counter_unlocked_yield_race  target-failure (the lost update: Actual below Expected)
  prodcons_notify_one_bug      deadlock (lost wakeup: all four workers wait)
  prodcons_cond_if_bug         target-failure (pop from an empty buffer)
(lock_order_inverted_abba is test_bars_abba.py.)
Correct cases, 199 schedules each, must be clean (exit 0, no findings):
  prodcons_cond_while, prodcons_cond_while_two_consumers, prodcons_bounded_queue.
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


for case, kind in (("counter_unlocked_yield_race", "target-failure"),
                   ("prodcons_notify_one_bug", "deadlock"),
                   ("prodcons_cond_if_bug", "target-failure")):
    for seed in SEEDS:
        od = t.outdir("%s.%s" % (case, seed))
        r = t.explore(t.case(case), opts=["-q", "--stop-on-first", "--schedules", N]
                      + seed_opts(seed), out=od)
        rep = t.report(od, r)
        what = "%s (seed %s)" % (case, seed or "default")
        t.check(r.rc == 66, "%s: explore exits 66" % what, r)
        t.check(t.findings_of(rep, kind), "%s: a %s within %s schedules" % (what, kind, N), r,
                [(f["kind"], f["message"]) for f in rep["findings"]])
        t.note("%s: first finding after %s schedules" % (what, rep.get("schedules")))
        if kind == "target-failure" and case.startswith("counter"):
            msg = t.findings_of(rep, kind)[0]["message"] if t.findings_of(rep, kind) else ""
            t.check("exited with status 1" in msg, "%s: the target exited 1 (lost update)"
                    % what, None, msg)

for case in ("prodcons_cond_while", "prodcons_cond_while_two_consumers",
             "prodcons_bounded_queue"):
    od = t.outdir(case)
    r = t.explore(t.case(case), opts=["-q", "-j2", "--schedules", N], out=od)
    rep = t.report(od, r)
    t.check(r.rc == 0, "%s: explore exits 0" % case, r)
    t.check(not rep["findings"] and rep["schedules"] == int(N),
            "%s: clean over %s schedules" % (case, N), r,
            [(f["kind"], f["message"]) for f in rep["findings"]])
t.finish()
