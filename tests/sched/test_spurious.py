#!/usr/bin/env python3
"""test_spurious.py: spurious condition-variable wakeups (on by default in explore).

  - build/cases/prodcons_cond_if_bug (`if` instead of `while`, two consumers) is caught
    (target-failure) with spurious injection on;
  - its `while` twins, prodcons_cond_while and prodcons_cond_while_two_consumers, stay
    clean over 150 schedules with it on;
  - cond_single_waiter (this directory), where ONLY a spurious wakeup can break the `if`
    version (one waiter, one signal after the flag is set): "if" is caught with injection
    on (the default, and the schedule file says "spurious 1" and replays exactly) and clean
    over 150 schedules with --no-spurious; "while" is clean with injection on. So injection
    really happens, and only when asked for.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstest  # noqa: E402

N = "150"
t = lstest.Test(__doc__)


def explore(prog, args, opts, tag):
    od = t.outdir(tag)
    r = t.explore(prog, prog_args=args, opts=["-q", "-j2"] + opts, out=od)
    return r, t.report(od, r)


r, rep = explore(t.case("prodcons_cond_if_bug"), [], ["--stop-on-first", "--schedules", N],
                 "if_bug")
tf = t.findings_of(rep, "target-failure")
t.check(r.rc == 66 and tf, "prodcons_cond_if_bug: caught with spurious wakeups on", r,
        rep["findings"])
if tf:
    t.check(t.schedule_fields(tf[0]["schedule"]).get("spurious") == "1",
            "prodcons_cond_if_bug: its schedule says 'spurious 1'")

for case in ("prodcons_cond_while", "prodcons_cond_while_two_consumers"):
    r, rep = explore(t.case(case), [], ["--schedules", N], case)
    t.check(r.rc == 0 and not rep["findings"] and rep["schedules"] == int(N),
            "%s: clean over %s schedules with spurious wakeups on" % (case, N), r,
            rep["findings"])

prog = t.prog("cond_single_waiter")
r, rep = explore(prog, ["if"], ["--stop-on-first", "--schedules", N], "single_if")
tf = t.findings_of(rep, "target-failure")
t.check(r.rc == 66 and tf, "cond_single_waiter if: caught with spurious wakeups on", r,
        rep["findings"])
t.note("cond_single_waiter if: caught after %s schedules" % rep["schedules"])
if tf:
    f = t.schedule_fields(tf[0]["schedule"])
    t.check(f.get("spurious") == "1" and any(c.startswith("s ") for c in f["choice"]),
            "cond_single_waiter if: the schedule says 'spurious 1' and has 's' choices", None,
            f)
    rr = t.replay(tf[0]["schedule"], out=t.outdir("single_if_replay"))
    t.check(rr.rc == 66 and "lockstep: replay: exact:" in rr.err
            and "nothing is ready" in rr.out,
            "cond_single_waiter if: the spurious wakeup replays exactly", rr)

r, rep = explore(prog, ["if"], ["--no-spurious", "--schedules", N], "single_if_nospurious")
t.check(r.rc == 0 and not rep["findings"],
        "cond_single_waiter if: clean over %s schedules with --no-spurious" % N, r,
        rep["findings"])
r, rep = explore(prog, ["while"], ["--schedules", N], "single_while")
t.check(r.rc == 0 and not rep["findings"],
        "cond_single_waiter while: clean over %s schedules with spurious wakeups on" % N, r,
        rep["findings"])
t.finish()
