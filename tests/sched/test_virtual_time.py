#!/usr/bin/env python3
"""test_virtual_time.py: sleeps under the scheduler take virtual time only.

virtual_sleeps (this directory): four threads calling sleep(1) 2, 4, 6 and 8 times (20 s of
sleeping in all, created out of order). Over 10 schedules explore must take well under a
second of real time per schedule (< 0.5 s each, and < 3 s for all ten), the program's own
real-time measure must stay below 500 ms per schedule, and in every schedule the wakeups
must come in the order of the total sleep: woke 1, 2, 3, 4. Natively the same program
takes 8 s, which is checked too (once, in the background of nothing else: it is the
control that the sleeps are real sleeps outside lockstep).
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstest  # noqa: E402

N = 10
t = lstest.Test(__doc__)
prog = t.prog("virtual_sleeps")
od = t.outdir("explore")
r = t.explore(prog, opts=["--schedules", str(N)], out=od, timeout=120)
rep = t.report(od, r)
t.check(r.rc == 0 and not rep["findings"], "explore exits 0 with no findings", r)
t.note("%d schedules: %.2f s real, %.3f s per schedule" % (N, r.secs, r.secs / N))
t.check(r.secs / N < 0.5, "under 0.5 s of real time per schedule", r)
t.check(r.secs < 3, "under 3 s for all %d schedules (20 s of sleep each)" % N, r)
wakes = re.findall(r"^woke (\d)$", r.out, re.M)
t.check(len(wakes) == 4 * N, "every schedule printed its 4 wakeups", r, wakes)
orders = [wakes[i:i + 4] for i in range(0, len(wakes), 4)]
bad = [o for o in orders if o != ["1", "2", "3", "4"]]
t.check(not bad, "the wakeups follow the sleep durations (1, 2, 3, 4) in every schedule", r,
        bad)
ms = [int(x) for x in re.findall(r"^real_ms (\d+)$", r.out, re.M)]
t.check(len(ms) == N and max(ms) < 500, "the program measured < 500 ms real time each", r, ms)

n = t.run([prog], timeout=30)
t.check(n.rc == 0 and 7.5 <= n.secs < 20, "natively it really sleeps (8 s)", n)
t.check(re.findall(r"^woke (\d)$", n.out, re.M) == ["1", "2", "3", "4"],
        "natively the order is the same", n)
t.finish()
