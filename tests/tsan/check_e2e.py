#!/usr/bin/env python3
"""check_e2e.py: one end-to-end check of a ThreadSanitizer build under lockstep.

  --racy     `lockstep run` on a racy case gives a data-race finding whose two accesses'
             first frames in the case's source are the racing lines (read from the source,
             e.g. `counter = current + 1;` and `current = counter;`), with access types that
             fit those lines, and whose racing threads were created at the case's
             pthread_create line;
  --twin     `lockstep run` on a correct twin gives no data-race (and no other TSan finding);
  --explore  `lockstep explore --schedules 50` gives a data-race and a target-failure finding
             with the same schedule file, and `lockstep replay` of that file reproduces both
             and says "exact".
--racy and --twin also check that lockstep leaves the target alone: its stdout (thread
order and timing-dependent numbers aside) and its exit status are those of a native run of
the same binary with TSAN_OPTIONS=exitcode=0. They run the target under lockstep --runs
times (default 3), since some failures are intermittent, and check every run.

Usage: check_e2e.py --lockstep BIN --cases-src DIR --out DIR --case NAME --bin PROG
                    (--racy | --twin | --explore) [--runs N]
Exit status 0: passed, 1: a check failed (each failure is printed), 77: skipped.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

# Per racy case: the racing statements (text of the source line) and the access types each
# may show; `both`: the race must be between the two statements, not one with itself.
RACES = {
    "counter_unlocked_yield_race": dict(
        lines={"int current = counter;": {"read"}, "counter = current + 1;": {"write"}},
        both=False),
    "counter_class_increment_race": dict(
        lines={"self->x += 1; /* racy */": {"read", "write"}}, both=False),
    "try_count_unlocked_race": dict(
        lines={"count += 1; /* racy: load, add 1, store */": {"read", "write"},
               'printf("\\nIn thread: %s: count = %d\\n", a->name, count);': {"read"}},
        both=False),
    # the write is under the lock; the print's read is not: exactly that pair
    "try_count_locked_print_race": dict(
        lines={"count += 1;": {"write"},
               'printf("\\nIn thread: %s: count = %d\\n", a->name, count); /* racy read */':
                   {"read"}},
        both=True),
    "stop_flag_plain_race": dict(
        lines={"while (!stop_flag) {": {"read"}, "stop_flag = true;": {"write"}}, both=True),
}

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg, file=sys.stderr)
    return cond


def source_lines(src, text):
    """1-based numbers of the lines of src whose stripped text is `text`."""
    with open(src) as f:
        return [i + 1 for i, l in enumerate(f) if l.strip() == text]


def create_lines(src):
    with open(src) as f:
        return {i + 1 for i, l in enumerate(f) if "pthread_create(" in l}


def user_frame(stack, src_base):
    """The first frame of stack in the case's own source file, or None."""
    for fr in stack.get("frames", []):
        if fr.get("file") and os.path.basename(fr["file"]) == src_base:
            return fr
    return None


def fmt_stack(stack):
    return " < ".join("%s %s:%s" % (fr.get("function"), os.path.basename(fr.get("file") or "?"),
                                    fr.get("line")) for fr in stack.get("frames", [])) or "(no frames)"


def check_race(finding, case, src, where):
    """The racing lines, access types and creation sites of one data-race finding."""
    spec = RACES[case]
    base = os.path.basename(src)
    allowed = {}
    for text, types in spec["lines"].items():
        nums = source_lines(src, text)
        if not check(len(nums) == 1, "%s: the line '%s' is not in %s exactly once" %
                     (where, text, base)):
            return
        allowed[nums[0]] = types
    creates = create_lines(src)
    acc = finding.get("accesses", [])
    stacks = finding.get("stacks", [])
    if not check(len(acc) == 2, "%s: %d accesses, want 2" % (where, len(acc))):
        return
    seen = []
    for i, a in enumerate(acc):
        st = stacks[a["stack"]] if 0 <= a.get("stack", -1) < len(stacks) else None
        if not check(st is not None, "%s: access %d has no stack" % (where, i)):
            continue
        fr = user_frame(st, base)
        if not check(fr is not None, "%s: access %d (%s by T%s) has no frame in %s: %s" %
                     (where, i, a["type"], a["thread"], base, fmt_stack(st))):
            continue
        line = fr.get("line")
        seen.append(line)
        check(line in allowed, "%s: access %d (%s) is at %s:%s, not on a racing line %s" %
              (where, i, a["type"], base, line, sorted(allowed)))
        check(line not in allowed or a["type"] in allowed[line],
              "%s: access %d at %s:%s is a %s, want %s" %
              (where, i, base, line, a["type"], "/".join(sorted(allowed.get(line, [])))))
        if a["thread"] != 0:
            th = [t for t in finding.get("threads", []) if t["id"] == a["thread"]]
            cs = stacks[th[0]["created"]] if th and th[0].get("created") is not None and \
                0 <= th[0]["created"] < len(stacks) else None
            cf = user_frame(cs, base) if cs else None
            check(cf is not None and cf.get("line") in creates,
                  "%s: T%s (access %d) was created at [%s], want main's pthread_create at "
                  "%s:%s" % (where, a["thread"], i, fmt_stack(cs) if cs else "no creation stack",
                             base, "/".join(str(n) for n in sorted(creates))))
    check(any(a["type"] == "write" for a in acc), "%s: no write among the accesses" % where)
    if spec["both"] and len(seen) == 2:
        check(set(seen) == set(allowed), "%s: accesses at %s, want one at each of %s" %
              (where, sorted(seen), sorted(allowed)))


def normalize(out, racy):
    """Thread order aside (lines sorted), and what depends on timing left out: the stop-flag
    worker's progress lines (zero or more, depending on when the thread starts), and the
    numbers in a racy case (all but "Expected") or in the count a try_count thread prints
    after its sleep (whether the others have incremented yet depends on when they started,
    even with the lock)."""
    lines = []
    for l in out.splitlines():
        if not l.strip() or l == "Thread is doing some work...":
            continue
        if (racy and not l.startswith("Expected")) or l.startswith("In thread: "):
            l = re.sub(r"\d+", "N", l)
        lines.append(l)
    return sorted(lines)


def own_status(out):
    """The exit status the program's own output implies ("Expected: E" vs "Actual: A")."""
    e = re.search(r"^Expected:\s+(\d+)\s*$", out, re.M)
    a = re.search(r"^Actual:\s+(\d+)\s*$", out, re.M)
    return int(e.group(1) != a.group(1)) if e and a else None


def run(cmd, env=None, timeout=100):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, check=False)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def load_report(out):
    path = os.path.join(out, "report.json")
    if not check(os.path.exists(path), "no %s" % path):
        return None
    with open(path) as f:
        return json.load(f)


def tsan_log(out):
    d = os.path.join(out, "tsan")
    text = ""
    for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        with open(os.path.join(d, n), errors="replace") as f:
            text += f.read()
    return text


def evidence(out, rep):
    """On failure: what TSan wrote and what lockstep made of it."""
    print("--- raw TSan log (%s/tsan):" % out, file=sys.stderr)
    print(tsan_log(out) or "(empty)", file=sys.stderr)
    if rep is not None:
        print("--- report.json findings:", file=sys.stderr)
        print(json.dumps(rep.get("findings", []), indent=1)[:6000], file=sys.stderr)
        print("--- target: %s, limits: %s" % (rep.get("target"), rep.get("limits")),
              file=sys.stderr)


def run_case(args, racy):
    src = os.path.join(args.cases_src, args.case + ".c")
    env = dict(os.environ)
    env["TSAN_OPTIONS"] = "exitcode=0"
    nrc, nout, nerr = run([args.bin], env=env)
    check("ThreadSanitizer" not in nout, "native run: TSan wrote to stdout")
    for k in range(args.runs):
        check_lockstep_run(args, racy, src, k, nrc, nout)


def check_lockstep_run(args, racy, src, k, nrc, nout):
    """Run k of the target under `lockstep run`, against the native run (nrc, nout)."""
    env = dict(os.environ)
    env.pop("TSAN_OPTIONS", None)
    out = os.path.join(args.out, "run%d" % k)
    lrc, lout, lerr = run([args.lockstep, "run", "-q", "-o", out, "--", args.bin], env=env)
    rep = load_report(out)
    if rep is None:
        print(lerr, file=sys.stderr)
        return
    kinds = [f["kind"] for f in rep.get("findings", [])]
    races = [f for f in rep["findings"] if f["kind"] == "data-race"]
    before = len(failures)
    where = "lockstep run %d" % k
    if racy:
        if check(len(races) >= 1, "%s: no data-race finding (findings: %s)" % (where, kinds)):
            check(len(races) == 1, "%s: %d data-race findings, want 1" % (where, len(races)))
            for i, f in enumerate(races):
                check_race(f, args.case, src, "%s, data-race %d (%s)" %
                           (where, i, f.get("message")))
        check(lrc == 66, "%s exited %d, want 66 (findings)" % (where, lrc))
    else:
        tsan_kinds = {"data-race", "thread-leak", "signal-unsafe-call"}
        check(not any(k in tsan_kinds for k in kinds),
              "%s on a correct twin: findings %s" % (where, kinds))
        check(not tsan_log(out).strip(), "%s on a correct twin: TSan reported:\n%s" %
              (where, tsan_log(out)))
    # the target's own output and status, unchanged by lockstep
    target = rep.get("target", {})
    check(target.get("exit_signal") in (None, 0), "%s: the target died of signal %s" %
          (where, target.get("exit_signal")))
    check(normalize(lout, racy) == normalize(nout, racy),
          "%s: stdout differs from the native run:\n--- native:\n%s--- lockstep:\n%s" %
          (where, nout, lout))
    want_native, want_lockstep = own_status(nout), own_status(lout)
    if want_native is None:  # no Expected/Actual lines: the status is fixed
        check(target.get("exit_code") == nrc, "%s: exit status %s, %d natively" %
              (where, target.get("exit_code"), nrc))
    else:
        check(nrc == want_native, "native run: exit %d but its output says %d" %
              (nrc, want_native))
        check(target.get("exit_code") == want_lockstep,
              "%s: exit %s but the target's output says %s" %
              (where, target.get("exit_code"), want_lockstep))
    if not racy and not rep.get("findings"):
        check(lrc == nrc, "%s without findings exited %d, the target %d natively" %
              (where, lrc, nrc))
    if len(failures) != before:
        evidence(out, rep)


def run_explore(args):
    src = os.path.join(args.cases_src, args.case + ".c")
    env = dict(os.environ)
    env.pop("TSAN_OPTIONS", None)
    out = os.path.join(args.out, "explore")
    erc, eout, eerr = run([args.lockstep, "explore", "--schedules", "50", "-q", "-o", out, "--",
                           args.bin], env=env, timeout=110)
    rep = load_report(out)
    if rep is None:
        print(eerr, file=sys.stderr)
        return
    before = len(failures)
    race = [f for f in rep["findings"] if f["kind"] == "data-race"]
    fail = [f for f in rep["findings"] if f["kind"] == "target-failure"]
    check(race, "explore: no data-race finding (findings: %s)" %
          [f["kind"] for f in rep["findings"]])
    check(fail, "explore: no target-failure finding (findings: %s)" %
          [f["kind"] for f in rep["findings"]])
    for i, f in enumerate(race):
        check_race(f, args.case, src, "explore, data-race %d" % i)
    common = {f.get("schedule") for f in race} & {f.get("schedule") for f in fail} - {None}
    check(common, "explore: no schedule file shared by a data-race and a target-failure "
          "finding (data-race: %s, target-failure: %s)" %
          ([f.get("schedule") for f in race], [f.get("schedule") for f in fail]))
    if len(failures) != before:
        evidence(out, rep)
    if not common:
        return
    sched = sorted(common)[0]
    check(os.path.exists(sched), "explore: schedule %s does not exist" % sched)
    rout = os.path.join(args.out, "replay")
    rrc, rstdout, rstderr = run([args.lockstep, "replay", "-o", rout, sched], env=env)
    rrep = load_report(rout)
    if rrep is None:
        print(rstderr, file=sys.stderr)
        return
    before = len(failures)
    check(re.search(r"\bexact\b", rstderr + rstdout),
          "replay of %s did not say 'exact':\n%s" % (sched, rstderr))
    rkinds = [f["kind"] for f in rrep["findings"]]
    check("data-race" in rkinds and "target-failure" in rkinds,
          "replay of %s: findings %s, want data-race and target-failure" % (sched, rkinds))
    for f in rrep["findings"]:
        if f["kind"] == "data-race":
            check_race(f, args.case, src, "replay, data-race")
            check(f.get("schedule") == sched, "replay: the data-race's schedule is %s" %
                  f.get("schedule"))
    want = {(f["kind"], f["fingerprint"]) for f in rep["findings"] if f.get("schedule") == sched}
    have = {(f["kind"], f["fingerprint"]) for f in rrep["findings"]}
    check(want <= have, "replay: findings of the schedule %s in explore %s, replay %s" %
          (sched, sorted(want), sorted(have)))
    check(rrc == 66, "replay exited %d, want 66 (findings)" % rrc)
    if len(failures) != before:
        print(rstderr, file=sys.stderr)
        evidence(rout, rrep)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lockstep", required=True)
    ap.add_argument("--cases-src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--case", required=True)
    ap.add_argument("--bin", required=True)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--racy", action="store_true")
    mode.add_argument("--twin", action="store_true")
    mode.add_argument("--explore", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not os.path.exists(args.bin):
        print("SKIP: %s was not built" % args.bin, file=sys.stderr)
        return 77
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)
    if args.explore:
        run_explore(args)
    else:
        run_case(args, args.racy)
    if failures:
        print("%d check(s) failed" % len(failures), file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
