#!/usr/bin/env python3
"""test_other_binary.py: a schedule recorded for one build is refused for another.

Copies build/cases/lock_order_inverted_abba into the scratch directory, records a schedule
of the copy with explore, checks that its 'binary' line is the documented hash of the copy
(FNV-1a over the first 64 MiB, mixed with the size), and that it replays exactly. Then it
appends bytes to the copy (the program still runs the same): replay must exit 2 with one
line naming the file, the program and both hashes, and write no report.json; --force must
replay it anyway (exit 66, report.json written, still exact since the code is unchanged).
"""
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstest  # noqa: E402


def binary_hash(path):
    h = 0xcbf29ce484222325
    data = open(path, "rb").read()
    for b in data[:64 << 20]:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    h = ((h ^ len(data)) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % (h or 1)


t = lstest.Test(__doc__)
copy = os.path.join(t.out, "abba_copy")
shutil.copy2(t.case("lock_order_inverted_abba"), copy)
ex = t.outdir("explore")
r = t.explore(copy, opts=["-q", "--schedules", "1"], out=ex)
sched = os.path.join(ex, "schedules", "0.schedule")
if not t.check(r.rc == 66 and os.path.exists(sched), "explore of the copy saved a schedule", r):
    t.finish()
f = t.schedule_fields(sched)
old = binary_hash(copy)
t.check(f.get("binary") == old, "the schedule's binary line is the copy's hash", None,
        (f.get("binary"), old))
t.check(f.get("program") == os.path.abspath(copy), "the schedule names the copy", None,
        f.get("program"))
rr = t.replay(sched, out=t.outdir("before"))
t.check(rr.rc == 66 and "lockstep: replay: exact:" in rr.err, "before the change: replays exactly",
        rr)

with open(copy, "ab") as fh:
    fh.write(b"\0lockstep test: another build\0" * 4)
new = binary_hash(copy)
t.check(new != old, "the modified copy has another hash")

od = t.outdir("refused")
rr = t.replay(sched, out=od)
errlines = [l for l in rr.err.splitlines() if l.strip()]
t.check(rr.rc == 2, "replay of the modified copy exits 2", rr)
t.check(len(errlines) == 1, "one line on stderr", rr)
want = ("lockstep: replay: %s was recorded for another build of %s (binary hash %s, now %s); "
        "use --force to replay anyway" % (sched, os.path.abspath(copy), old, new))
t.check(errlines == [want], "the line names the file, the program and both hashes", rr, want)
t.check(not os.path.exists(os.path.join(od, "report.json")), "no report.json when refused")

od = t.outdir("forced")
rr = t.replay(sched, opts=["--force"], out=od)
t.check(rr.rc == 66, "replay --force exits 66 (the abba findings)", rr)
t.check("lockstep: replay: exact:" in rr.err, "replay --force is exact (same code)", rr)
t.check("another build" not in rr.err, "replay --force does not complain", rr)
rep = t.report(od, rr)
t.check("lock-order-cycle" in t.kinds(rep), "replay --force reports the lock-order cycle", rr)
t.check(os.path.exists(os.path.join(od, "trace.txt")), "replay --force writes trace.txt")
t.finish()
