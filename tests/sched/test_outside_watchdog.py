#!/usr/bin/env python3
"""test_outside_watchdog.py: a thread blocked outside the interceptors does not hang explore.

outside_pipe_read (this directory): a reader thread blocks in read() on a pipe while it
holds the scheduler's baton; the writer thread writes only after 100 pthread calls. In
shim_sched.c, the waiting threads' timed futex waits notice that no step happened for
outside_ms (default 1000 ms), take the baton over, mark the reader OUTSIDE (running free
until its next scheduling point) and set LST_SF_NOT_REPLAYABLE in the store; explore writes
that as "replayable no" in the schedule file of a schedule with findings (report.json has no
field for it). Checks:
  - explore (3 schedules) finishes, exit 0, no findings, the program's output complete;
  - with LOCKSTEP_OPTIONS=outside_ms=200 it finishes faster (the option is honoured);
  - with the program exiting 3 (so every schedule is a target-failure and is saved), every
    schedule file says "replayable no", while a schedule of the unsafe counter (no outside
    blocking) says "replayable yes";
  - replaying a "replayable no" schedule finishes too, and reports the target-failure.
"""
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstest  # noqa: E402

t = lstest.Test(__doc__)
prog = t.prog("outside_pipe_read")

od = t.outdir("clean")
r = t.explore(prog, opts=["--schedules", "3"], out=od, timeout=60)
rep = t.report(od, r)
t.check(r.rc == 0 and not rep["findings"], "explore exits 0 with no findings", r,
        rep["findings"])
t.check(r.out.count("reader got x (1)") == 3 and r.out.count("writer done 50") == 3,
        "all 3 schedules ran to the end (reader got the byte, writer finished)", r)
t.note("3 schedules with the default outside_ms: %.2f s" % r.secs)
default_secs = r.secs

env = dict(os.environ, LOCKSTEP_OPTIONS="outside_ms=200")
od = t.outdir("fast")
r = t.run([t.lockstep, "explore", "-q", "--schedules", "3", "-o", od, "--", prog],
          timeout=60, env=env)
t.check(not r.timed_out and r.rc == 0, "explore with outside_ms=200 exits 0", r)
t.note("3 schedules with outside_ms=200: %.2f s" % r.secs)
t.check(r.secs < default_secs, "outside_ms=200 is faster than the default 1000 ms", r,
        "%.2f s vs %.2f s" % (r.secs, default_secs))

od = t.outdir("failing")
r = t.explore(prog, prog_args=["3"], opts=["-q", "--schedules", "3"], out=od, timeout=60)
rep = t.report(od, r)
tf = t.findings_of(rep, "target-failure")
t.check(r.rc == 66 and tf and "exited with status 3" in tf[0]["message"],
        "with status 3: a target-failure (exited with status 3)", r, rep["findings"])
files = sorted(glob.glob(os.path.join(od, "schedules", "*.schedule")))
t.check(len(files) == 3, "all 3 schedules are saved", r, files)
for path in files:
    f = t.schedule_fields(path)
    t.check(f.get("replayable") == "no", "%s says 'replayable no'" % os.path.basename(path),
            None, "replayable %s" % f.get("replayable"))

od = t.outdir("control")
r = t.explore(t.case("counter_unlocked_yield_race"), opts=["-q", "--schedules", "1"], out=od)
f = t.schedule_fields(os.path.join(od, "schedules", "0.schedule")) \
    if os.path.exists(os.path.join(od, "schedules", "0.schedule")) else {}
t.check(f.get("replayable") == "yes", "control: the unsafe counter's schedule is replayable",
        r, f.get("replayable"))

if files:
    rr = t.replay(files[0], out=t.outdir("replay"), timeout=60)
    t.check(rr.rc == 66, "replay of a not-replayable schedule finishes with the finding", rr)
    t.check("reader got x (1)" in rr.out, "the replayed target ran to the end", rr)
    t.note("replay of the not-replayable schedule: %.2f s, %s" % (
        rr.secs, [l for l in rr.err.splitlines() if "replay:" in l][:1]))
t.finish()
