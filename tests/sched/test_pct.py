#!/usr/bin/env python3
"""test_pct.py: the PCT strategy finds the ABBA deadlock and the counter's lost update within
200 schedules (default seed, and seeds 2 and 3).

  - lock_order_inverted_abba, --strategy pct --schedules 200 -j2: a `deadlock` finding whose
    first schedule is one of the 200 (the lock-order cycle is in every schedule, so
    --stop-on-first cannot be used to count);
  - counter_unlocked_yield_race, --strategy pct --stop-on-first --schedules 200: a
    target-failure (exit status 1: Actual below Expected).
The saved schedules say "strategy pct" and replay exactly.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstest  # noqa: E402

t = lstest.Test(__doc__)
for seed in (None, 2, 3):
    sopt = [] if seed is None else ["--seed", str(seed)]
    tag = "seed %s" % (seed or "default")

    od = t.outdir("abba.%s" % seed)
    r = t.explore(t.case("lock_order_inverted_abba"),
                  opts=["-q", "-j2", "--strategy", "pct", "--schedules", "200"] + sopt, out=od)
    rep = t.report(od, r)
    dl = t.findings_of(rep, "deadlock")
    t.check(r.rc == 66 and dl, "abba, pct, %s: a deadlock within 200 schedules" % tag, r,
            [(f["kind"], f["count"]) for f in rep["findings"]])
    if dl:
        sched = dl[0]["schedule"]
        t.note("abba, pct, %s: first deadlock in schedule %s, %d of 200 deadlock"
               % (tag, t.schedule_index(sched), dl[0]["count"]))
        t.check(t.schedule_fields(sched).get("strategy") == "pct",
                "abba, pct, %s: the schedule says 'strategy pct'" % tag)
        rr = t.replay(sched, out=t.outdir("abba-replay.%s" % seed))
        rrep = t.report(os.path.join(t.out, "abba-replay.%s" % seed), rr)
        t.check("lockstep: replay: exact:" in rr.err and t.findings_of(rrep, "deadlock"),
                "abba, pct, %s: the deadlock replays exactly" % tag, rr)

    od = t.outdir("counter.%s" % seed)
    r = t.explore(t.case("counter_unlocked_yield_race"),
                  opts=["-q", "--strategy", "pct", "--stop-on-first", "--schedules", "200"]
                  + sopt, out=od)
    rep = t.report(od, r)
    tf = t.findings_of(rep, "target-failure")
    t.check(r.rc == 66 and tf and "exited with status 1" in tf[0]["message"],
            "counter, pct, %s: the lost update (exit 1) within 200 schedules" % tag, r,
            rep["findings"])
    t.note("counter, pct, %s: found after %s schedules" % (tag, rep["schedules"]))
    if tf:
        rr = t.replay(tf[0]["schedule"], out=t.outdir("counter-replay.%s" % seed))
        t.check("lockstep: replay: exact:" in rr.err and rr.rc == 66,
                "counter, pct, %s: replays exactly" % tag, rr)
t.finish()
