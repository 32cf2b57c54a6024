#!/usr/bin/env python3
"""check_run.py: runs one test program of tests/shim/ under `lockstep run` and checks the
outcome against the expectations written in the program's header comment.

Usage:
  check_run.py --lockstep BIN --source FILE --binary PROG --out DIR [-- LOCKSTEP-RUN-OPTIONS...]

DIR is emptied first. lockstep runs under a hard timeout (subprocess timeout, the whole
process group is killed), so no test can wedge ctest; it also gets `--timeout 30` unless the
extra options name one. lockstep's stdout and stderr are kept in DIR/lockstep.stdout and
DIR/lockstep.stderr and printed when a check fails.

Expectations: lines of the source that contain `lockstep-test:`; the words after it are one
directive; a trailing "(comment)" after two spaces is ignored. SUBJ below is a finding kind
(`lock-order-cycle`, `deadlock`, ...) to look at the findings of that kind, or `note:KIND` to
look at the notes of that kind.

  exit N                lockstep's exit status (default 0)
  target-exit N         report.json target.exit_code is N
  target-exit signal S  the target died of signal S (target.exit_signal)
  finding KIND N        exactly N findings of KIND. Every kind not named must have 0.
  note KIND REASON N    exactly N notes of KIND whose reason starts with REASON (e.g.
                        gate-lock). Every note not matched by such a line is an error.
  frame SUBJ ROLE @M    some item of SUBJ has a stack with role ROLE with a frame whose file
                        basename and line are those of marker @M (below)
  cycle-length SUBJ N   every item of SUBJ has a cycle of N locks (N edges)
  count SUBJ N          every item of SUBJ has "count" N (times it was seen)
  lock-name SUBJ NAME   some item of SUBJ names a lock NAME
  message SUBJ TEXT     some item of SUBJ has TEXT (the rest of the line) in its message
  process SUBJ NAME     every item of SUBJ has process == the pid the target printed on a
                        stdout line "@pid NAME PID"
  limits N              exactly N lines in report.json limits[] (default 0)
  stdout TEXT           lockstep's stdout (the target's) contains TEXT (rest of the line)
  same-as-native        the program, run without lockstep (hard timeout 10 s), has the same
                        stdout and exit status as under lockstep, and its stderr is what
                        lockstep's stderr starts with
  timeout SEC           the hard timeout for lockstep (default 45; keep it under ctest's 60)

Markers: a comment `/* @NAME */` or `// @NAME` on a line of the source, or of a file it
#includes with quotes from its own directory, names that line. Each name must be unique.

When docs/report.schema.json exists (found from the source's directory upwards) and the
python3 jsonschema module is installed, report.json is validated against it.

Exit status: 0 when every check passes, 1 otherwise (each failure is listed), 2 for a
malformed expectation.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys

DEFAULT_TIMEOUT = 45
NATIVE_TIMEOUT = 10
MARKER_RE = re.compile(r"(?:/\*\s*@(\w+)\s*\*/|//\s*@(\w+)\b)")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
PID_RE = re.compile(r"^@pid (\w+) (\d+)\s*$", re.M)


class BadSpec(Exception):
    pass


def read_markers(path, markers, seen):
    """Collects the markers of path and of the files it includes with quotes."""
    path = os.path.realpath(path)
    if path in seen:
        return
    seen.add(path)
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    for n, line in enumerate(lines, 1):
        for m in MARKER_RE.finditer(line):
            name = m.group(1) or m.group(2)
            if name in markers:
                raise BadSpec("marker @%s is defined twice" % name)
            markers[name] = (os.path.basename(path), n)
        inc = INCLUDE_RE.match(line)
        if inc:
            cand = os.path.join(os.path.dirname(path), inc.group(1))
            if os.path.exists(cand):
                read_markers(cand, markers, seen)


def read_spec(source):
    spec = []
    with open(source, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            i = line.find("lockstep-test:")
            if i < 0:
                continue
            text = line[i + len("lockstep-test:"):]
            text = re.sub(r"\*/\s*$", "", text)
            # a trailing comment after two spaces: "finding deadlock 0   (why)"
            text = re.sub(r"\s{2,}\(.*\)\s*$", "", text)
            words = text.split()
            if not words:
                raise BadSpec("line %d: empty directive" % n)
            spec.append((n, words))
    if not spec:
        raise BadSpec("%s has no 'lockstep-test:' lines" % source)
    return spec


def find_schema(start):
    d = os.path.abspath(start)
    while True:
        cand = os.path.join(d, "docs", "report.schema.json")
        if os.path.exists(cand):
            return cand
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def run_bounded(argv, timeout, env=None):
    """Runs argv in its own process group; kills the group on timeout.
    Returns (status, stdout, stderr, timed_out)."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    try:
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out, err, False
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
        return p.returncode, out, err, True


def to_int(words, i, n):
    try:
        return int(words[i])
    except (IndexError, ValueError):
        raise BadSpec("line %d: expected a number in %r" % (n, " ".join(words)))


def subject(report, subj):
    if subj.startswith("note:"):
        kind = subj[5:]
        return [x for x in report.get("notes", []) if x.get("kind") == kind]
    return [x for x in report.get("findings", []) if x.get("kind") == subj]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lockstep", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("extra", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    extra = a.extra[1:] if a.extra[:1] == ["--"] else a.extra

    try:
        spec = read_spec(a.source)
        markers = {}
        read_markers(a.source, markers, set())
    except (BadSpec, OSError) as e:
        print("check_run: bad test: %s" % e)
        return 2

    timeout = DEFAULT_TIMEOUT
    try:
        for n, w in spec:
            if w[0] == "timeout":
                timeout = to_int(w, 1, n)
    except BadSpec as e:
        print("check_run: bad test: %s" % e)
        return 2

    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    lockstep_opts = list(extra)
    if not any(o == "--timeout" or o.startswith("--timeout=") for o in lockstep_opts):
        lockstep_opts += ["--timeout", "30"]
    argv = [a.lockstep, "run", "-o", a.out] + lockstep_opts + ["--", a.binary]
    print("check_run: " + " ".join(argv))
    status, out, err, timed_out = run_bounded(argv, timeout)
    with open(os.path.join(a.out, "lockstep.stdout"), "wb") as fh:
        fh.write(out)
    with open(os.path.join(a.out, "lockstep.stderr"), "wb") as fh:
        fh.write(err)
    stdout = out.decode("utf-8", "replace")
    stderr = err.decode("utf-8", "replace")

    failures = []

    def fail(msg):
        failures.append(msg)

    def finish():
        if failures:
            print("---- lockstep stdout ----\n" + stdout)
            print("---- lockstep stderr ----\n" + stderr)
            print("---- failed checks (%s) ----" % os.path.basename(a.source))
            for f in failures:
                print("FAIL: " + f)
            return 1
        print("check_run: all %d expectations hold" % len(spec))
        return 0

    if timed_out:
        fail("lockstep did not finish within the hard timeout of %d s (killed)" % timeout)
        return finish()

    report_path = os.path.join(a.out, "report.json")
    try:
        with open(report_path, encoding="utf-8") as fh:
            report = json.load(fh)
    except (OSError, ValueError) as e:
        fail("cannot read %s: %s (lockstep exited %s)" % (report_path, e, status))
        return finish()

    schema_path = find_schema(os.path.dirname(os.path.abspath(a.source)))
    if schema_path:
        try:
            import jsonschema  # noqa: WPS433 (optional dependency)
        except ImportError:
            print("check_run: python3 jsonschema not installed; schema not checked")
        else:
            with open(schema_path, encoding="utf-8") as fh:
                schema = json.load(fh)
            v = jsonschema.Draft202012Validator(schema)
            for e in sorted(v.iter_errors(report), key=lambda e: list(e.path)):
                fail("report.json does not match %s at %s: %s" % (
                    os.path.basename(schema_path), "/".join(str(p) for p in e.path),
                    e.message[:300]))

    pids = {name: int(pid) for name, pid in PID_RE.findall(stdout)}
    findings = report.get("findings", [])
    notes = report.get("notes", [])
    want_exit = 0
    kinds_named = set()
    note_rules = []  # (kind, prefix, count, line)
    want_limits = 0

    try:
        for n, w in spec:
            d = w[0]
            if d == "exit":
                want_exit = to_int(w, 1, n)
            elif d == "timeout":
                pass
            elif d == "target-exit":
                tgt = report.get("target", {})
                if len(w) >= 3 and w[1] == "signal":
                    s = to_int(w, 2, n)
                    if tgt.get("exit_signal") != s:
                        fail("target.exit_signal is %r, expected %d" % (tgt.get("exit_signal"), s))
                else:
                    c = to_int(w, 1, n)
                    if tgt.get("exit_code") != c:
                        fail("target.exit_code is %r (signal %r), expected %d" % (
                            tgt.get("exit_code"), tgt.get("exit_signal"), c))
            elif d == "finding":
                if len(w) != 3:
                    raise BadSpec("line %d: want 'finding KIND N'" % n)
                kinds_named.add(w[1])
                got = len(subject(report, w[1]))
                if got != to_int(w, 2, n):
                    fail("%d %s finding(s), expected %s" % (got, w[1], w[2]))
            elif d == "note":
                if len(w) != 4:
                    raise BadSpec("line %d: want 'note KIND REASON N'" % n)
                note_rules.append((w[1], w[2], to_int(w, 3, n), n))
            elif d == "frame":
                if len(w) != 4 or not w[3].startswith("@"):
                    raise BadSpec("line %d: want 'frame SUBJ ROLE @MARKER'" % n)
                mk = w[3][1:]
                if mk not in markers:
                    raise BadSpec("line %d: no marker @%s in the source" % (n, mk))
                base, line = markers[mk]
                items = subject(report, w[1])
                stacks = [st for it in items for st in it.get("stacks", [])]
                frames = [(st.get("role"), os.path.basename(fr["file"]), fr.get("line"))
                          for st in stacks for fr in st.get("frames", []) if fr.get("file")]
                if (w[2], base, line) not in frames:
                    seen = sorted({"%s %s:%s" % f for f in frames})
                    fail("no %s stack of %s has a frame at %s:%d (@%s); frames seen: %s" % (
                        w[2], w[1], base, line, mk, ", ".join(seen) or "none"))
            elif d == "cycle-length":
                items = subject(report, w[1])
                k = to_int(w, 2, n)
                if not items:
                    fail("cycle-length %s: there is no %s" % (k, w[1]))
                for it in items:
                    if len(it.get("edges", [])) != k:
                        fail("%s has a cycle of %d edges, expected %d: %s" % (
                            w[1], len(it.get("edges", [])), k, it.get("message")))
            elif d == "count":
                items = subject(report, w[1])
                k = to_int(w, 2, n)
                if not items:
                    fail("count %s: there is no %s" % (k, w[1]))
                for it in items:
                    if it.get("count") != k:
                        fail("%s has count %r, expected %d: %s" % (
                            w[1], it.get("count"), k, it.get("message")))
            elif d == "lock-name":
                items = subject(report, w[1])
                if not any(lk.get("name") == w[2] for it in items for lk in it.get("locks", [])):
                    fail("no %s names lock %s (names: %s)" % (w[1], w[2], sorted(
                        {str(lk.get("name")) for it in items for lk in it.get("locks", [])})))
            elif d == "message":
                text = " ".join(w[2:])
                items = subject(report, w[1])
                if not any(text in (it.get("message") or "") for it in items):
                    fail("no %s message contains %r (messages: %s)" % (
                        w[1], text, [it.get("message") for it in items]))
            elif d == "process":
                if w[2] not in pids:
                    fail("the target printed no '@pid %s N' line" % w[2])
                    continue
                items = subject(report, w[1])
                if not items:
                    fail("process %s: there is no %s" % (w[2], w[1]))
                for it in items:
                    if it.get("process") != pids[w[2]]:
                        fail("%s is from process %r, expected %s (%d)" % (
                            w[1], it.get("process"), w[2], pids[w[2]]))
            elif d == "limits":
                want_limits = to_int(w, 1, n)
            elif d == "stdout":
                text = " ".join(w[1:])
                if text not in stdout:
                    fail("stdout does not contain %r" % text)
            elif d == "same-as-native":
                nst, nout, nerr, nto = run_bounded([a.binary], NATIVE_TIMEOUT)
                if nto:
                    fail("the native run did not finish within %d s" % NATIVE_TIMEOUT)
                    continue
                if nout != out:
                    fail("stdout differs from the native run:\n  native:   %r\n  lockstep: %r" % (
                        nout.decode("utf-8", "replace"), stdout))
                if report.get("target", {}).get("exit_code") != nst:
                    fail("target exit status %r differs from the native run's %d" % (
                        report.get("target", {}).get("exit_code"), nst))
                if not findings and status != nst:
                    fail("lockstep exited %d, the native run %d" % (status, nst))
                if not err.startswith(nerr):
                    fail("lockstep's stderr does not start with the native run's stderr %r" % (
                        nerr.decode("utf-8", "replace")))
            else:
                raise BadSpec("line %d: unknown directive %r" % (n, d))
    except BadSpec as e:
        print("check_run: bad test: %s" % e)
        return 2

    if status != want_exit:
        fail("lockstep exited %d, expected %d" % (status, want_exit))
    for f in findings:
        if f.get("kind") not in kinds_named:
            fail("unexpected %s finding: %s" % (f.get("kind"), f.get("message")))
    matched = [0] * len(note_rules)
    for x in notes:
        hit = None
        for i, (kind, prefix, _, _) in enumerate(note_rules):
            if x.get("kind") == kind and (x.get("reason") or "").startswith(prefix):
                hit = i
                break
        if hit is None:
            fail("unexpected %s note (%s): %s" % (x.get("kind"), x.get("reason"), x.get("message")))
        else:
            matched[hit] += 1
    for i, (kind, prefix, count, _) in enumerate(note_rules):
        if matched[i] != count:
            fail("%d %s note(s) with reason %s, expected %d" % (matched[i], kind, prefix, count))
    limits = report.get("limits", [])
    if len(limits) != want_limits:
        fail("%d limit line(s), expected %d: %s" % (len(limits), want_limits, limits))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
