#!/usr/bin/env python3
"""test_replay_exact.py: a failing schedule of the unsafe counter replays exactly, every time.

Explores build/cases/counter_unlocked_yield_race (one schedule is enough: the lost update
shows in nearly every interleaving) to get a schedule file with a target-failure, then
replays it 20 times. Every replay must print "lockstep: replay: exact: N steps, event hash
H" with the N and H recorded in the file, print the same "Actual:" total as the recorded
run, report the same target-failure, and write a trace.txt byte-identical to the others
and to the trace explore saved next to the schedule.
The check must be able to fail: a copy of the schedule with another recorded event hash,
and one with a choice of a thread that does not exist, must each be reported as a
divergence (stderr and report.json's limits), with the exit status still 66.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstest  # noqa: E402

REPLAYS = 20
t = lstest.Test(__doc__)
prog = t.case("counter_unlocked_yield_race")
ex = t.outdir("explore")
r = t.explore(prog, opts=["--schedules", "1"], out=ex)
t.check(r.rc == 66, "explore of the unsafe counter exits 66 (findings)", r)
rep = t.report(ex, r)
tf = t.findings_of(rep, "target-failure")
if not t.check(tf and tf[0].get("schedule"), "explore reports a target-failure with a schedule",
               r, rep.get("findings")):
    t.finish()
sched = tf[0]["schedule"]
fields = t.schedule_fields(sched)
recorded_actual = re.findall(r"^Actual:\s+(\d+)$", r.out, re.M)
t.check(len(recorded_actual) == 1 and int(recorded_actual[0]) < 1000,
        "the recorded run printed one Actual: total below 1000", r, recorded_actual)
explore_trace = open(sched[:-len(".schedule")] + ".trace", "rb").read()

exact_re = re.compile(r"^lockstep: replay: exact: (\d+) steps, event hash ([0-9a-f]{16})$", re.M)
traces = []
for i in range(REPLAYS):
    od = t.outdir("replay%02d" % i)
    rr = t.replay(sched, out=od)
    m = exact_re.search(rr.err)
    t.check(m is not None, "replay %d prints 'lockstep: replay: exact'" % i, rr)
    if m:
        t.check(m.group(1) == fields["steps"] and m.group(2) == fields["hash"],
                "replay %d: exact with the recorded steps %s and hash %s"
                % (i, fields["steps"], fields["hash"]), rr)
    t.check("diverged" not in rr.err, "replay %d does not diverge" % i, rr)
    actual = re.findall(r"^Actual:\s+(\d+)$", rr.out, re.M)
    t.check(actual == recorded_actual,
            "replay %d prints the recorded Actual: total %s" % (i, recorded_actual), rr, actual)
    t.check(rr.rc == 66, "replay %d exits 66" % i, rr)
    rrep = t.report(od, rr)
    t.check(t.kinds(rrep) == ["target-failure"] and not rrep.get("limits"),
            "replay %d reports the target-failure and no limits" % i, rr,
            (t.kinds(rrep), rrep.get("limits")))
    try:
        traces.append(open(os.path.join(od, "trace.txt"), "rb").read())
    except OSError as e:
        t.check(False, "replay %d wrote trace.txt" % i, rr, e)
t.check(len(traces) == REPLAYS and len(set(traces)) == 1,
        "the %d trace.txt files are byte-identical" % REPLAYS, None,
        "%d distinct traces" % len(set(traces)))
if traces:
    t.check(traces[0] == explore_trace,
            "the replay's trace.txt equals the trace explore saved for the schedule")
    last = traces[0].decode().splitlines()[-1]
    t.check(last == "# steps %s hash %s" % (fields["steps"], fields["hash"]),
            "the trace ends with the recorded step count and hash", None, last)

# tampered copies: the exactness check must notice
text = open(sched).read()
for name, bad, fits in (
        ("hash", re.sub(r"^hash [0-9a-f]{16}$", "hash 0123456789abcdef", text, flags=re.M), True),
        ("choice", re.sub(r"^t \d+$", "t 99", text, count=3, flags=re.M), False)):
    path = os.path.join(t.out, "tampered-%s.schedule" % name)
    with open(path, "w") as fh:
        fh.write(bad)
    od = t.outdir("tampered-%s" % name)
    rr = t.replay(path, out=od)
    rrep = t.report(od, rr)
    lim = [l for l in rrep.get("limits", []) if l.startswith("replay: the target diverged")]
    t.check(rr.rc == 66, "tampered %s: exit status still 66" % name, rr)
    t.check("lockstep: replay: exact:" not in rr.err
            and "lockstep: replay: the target diverged" in rr.err,
            "tampered %s: stderr says the target diverged" % name, rr)
    t.check(len(lim) == 1, "tampered %s: one divergence line in report.json limits" % name, rr,
            rrep.get("limits"))
    if lim:
        t.check(("a recorded choice did not fit" in lim[0]) != fits,
                "tampered %s: the line %s 'a recorded choice did not fit'"
                % (name, "omits" if fits else "says"), None, lim[0])
t.finish()
