#!/usr/bin/env python3
"""check_bad_input.py: bad input to lockstep costs nothing that was there before.

Usage: check_bad_input.py --lockstep BIN --cases DIR --out DIR COMMAND

First an output directory is filled by real runs of build/cases/lock_order_inverted_abba
(explore: report.json and schedules/; replay: trace.txt too). Then COMMAND (run, explore,
replay, report, or unwritable_output) is given one bad input after another, each pointed at
that directory. Each must:
  - exit with status 2 (usage error or bad input), within a hard timeout;
  - print exactly one line on stderr, starting "lockstep: COMMAND: " and naming the problem;
  - leave every file of the directory byte-for-byte as it was (no half-written or new
    report.json, no schedule, trace or store deleted), with no temporary file left behind.
The tests of tests/cli/ (no report when there was none) and tests/sched/ (every kind of
damaged schedule file, the line and problem it names) cover the rest.
"""
import argparse
import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("--lockstep", required=True)
ap.add_argument("--cases", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("command")
A = ap.parse_args()
OUT = os.path.abspath(A.out)
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)
os.chmod(OUT, 0o755)
PROG = os.path.join(os.path.abspath(A.cases), "lock_order_inverted_abba")
failures = []
nbad = [0]


def check(cond, what, evidence=None):
    if not cond:
        msg = "FAIL: " + what + ("\n  " + str(evidence).replace("\n", "\n  ")
                                 if evidence is not None else "")
        print(msg, flush=True)
        failures.append(what)
    return cond


def run(argv, timeout=120, preexec=None):
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=preexec)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        return 124, out.decode(errors="replace"), err.decode(errors="replace") + "(TIMED OUT)"
    return p.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def snapshot(d):
    """{relative path: sha1} of every file under d (directories as 'dir'; big files by size
    and modification time)."""
    snap = {}
    for root, dirs, files in os.walk(d):
        for x in dirs:
            snap[os.path.relpath(os.path.join(root, x), d)] = "dir"
        for x in files:
            p = os.path.join(root, x)
            st = os.stat(p)
            if st.st_size > (1 << 20):  # the sparse stores (280 MB apparent): size and mtime
                snap[os.path.relpath(p, d)] = (st.st_size, st.st_mtime_ns)
                continue
            with open(p, "rb") as fh:
                snap[os.path.relpath(p, d)] = hashlib.sha1(fh.read()).hexdigest()
    return snap


def bad(cmd, args, want, outdir, preexec=None):
    """lockstep CMD ARGS must fail cleanly, naming want, leaving outdir as it was."""
    nbad[0] += 1
    before = snapshot(outdir)
    rc, out, err = run([A.lockstep, cmd] + args, preexec=preexec)
    lines = [l for l in err.splitlines() if l.strip()]
    what = "%s %s" % (cmd, " ".join(args))
    ev = "exit status %s\nstderr:\n%s" % (rc, err[-2000:])
    check(rc == 2, "%s: exit status 2" % what, ev)
    check(len(lines) == 1, "%s: exactly one line on stderr" % what, ev)
    if lines:
        check(lines[0].startswith("lockstep: %s: " % cmd) and want in lines[0],
              "%s: the line names the problem (%r)" % (what, want), lines[0])
    after = snapshot(outdir)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    check(not changed, "%s: the output directory is unchanged" % what, changed)


def fill_explore(d):
    rc, _, err = run([A.lockstep, "explore", "-q", "--schedules", "3", "-o", d, "--", PROG])
    ok = check(rc == 66 and os.path.exists(os.path.join(d, "schedules", "0.schedule")),
               "setup: explore saved schedules", err)
    return os.path.join(d, "schedules", "0.schedule") if ok else None


def tmpfile(name, content, mode=0o644):
    p = os.path.join(OUT, "inputs", name)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as fh:
        fh.write(content)
    os.chmod(p, mode)
    return p


def program_inputs():
    """(path, problem) pairs of programs lockstep must refuse."""
    plain = tmpfile("plain.txt", b"hello\n")
    noexec = tmpfile("noexec", open(PROG, "rb").read(), 0o644)
    suid = tmpfile("suid_true", open("/bin/true", "rb").read(), 0o755)
    os.chmod(suid, 0o4755)
    src = tmpfile("static.c", b"int main(void){return 0;}\n")
    static = os.path.join(OUT, "inputs", "static_prog")
    subprocess.run(["cc", "-static", "-o", static, src], check=True)
    return [("/nonexistent/prog", "No such file or directory"), ("/tmp", "is a directory"),
            (plain, "not an executable"), (noexec, "not an executable"),
            (static, "statically linked"), (suid, "setuid"),
            ("no-such-program-in-path-xyz", "not found")]


def test_run():
    d = os.path.join(OUT, "o")
    rc, _, err = run([A.lockstep, "run", "-q", "-o", d, "--", PROG])
    check(rc == 66 and os.path.exists(os.path.join(d, "report.json")), "setup: run wrote a report",
          err)
    for prog, problem in program_inputs():
        bad("run", ["-o", d, "--", prog], problem, d)
    for opt, val in (("--timeout", "x"), ("--timeout", "-1"), ("--stall-ms", "-1"),
                     ("--max-cycles", "1e3"), ("--exitcode", "256"), ("--exitcode", "-1")):
        bad("run", [opt, val, "-o", d, "--", PROG], opt, d)
    bad("run", ["--frobnicate", "-o", d, "--", PROG], "unknown option '--frobnicate'", d)
    bad("run", ["-o", d, "--timeout"], "option '--timeout' needs a value", d)
    bad("run", ["-o", d], "no program", d)
    bad("run", ["--suppressions", "/nonexistent/supp.txt", "-o", d, "--", PROG],
        "/nonexistent/supp.txt", d)
    bad("run", ["-o", os.path.join(d, "report.json"), "--", PROG], "not a directory", d)


def test_explore():
    d = os.path.join(OUT, "o")
    if not fill_explore(d):
        return
    for prog, problem in program_inputs():
        bad("explore", ["-o", d, "--", prog], problem, d)
    for opt, val in (("--schedules", "-1"), ("--schedules", "0"), ("--schedules", "1x"),
                     ("--schedules", "99999999999999999999"), ("--strategy", "nope"),
                     ("-j", "0"), ("--jobs", "-2"), ("--seed", "-1"), ("--depth", "0"),
                     ("--pct-steps", "0"), ("--max-steps", "0"), ("--timeout", "0"),
                     ("--time-budget", "x"), ("--exitcode", "300")):
        bad("explore", [opt, val, "-o", d, "--", PROG], val if opt == "--strategy" else
            opt.lstrip("-") if opt != "-j" else "jobs", d)
    bad("explore", ["--frobnicate", "-o", d, "--", PROG], "unknown option '--frobnicate'", d)
    bad("explore", ["-o", d, "--schedules"], "option '--schedules' needs a value", d)
    bad("explore", ["-o", d], "no program", d)


def test_replay():
    d = os.path.join(OUT, "o")
    sched = fill_explore(d)
    if not sched:
        return
    rd = os.path.join(OUT, "r")
    rc, _, err = run([A.lockstep, "replay", "-q", "-o", rd, sched])
    check(rc == 66 and os.path.exists(os.path.join(rd, "trace.txt")),
          "setup: replay wrote report.json and trace.txt", err)
    good = open(sched, "rb").read()
    lines = good.decode().splitlines(keepends=True)
    inputs = [
        (tmpfile("empty.schedule", b""), "empty file"),
        (tmpfile("truncated.schedule", good[:len(good) // 2]), "truncated"),
        (tmpfile("corrupt.schedule", "".join(
            l if not l.startswith("seed ") else "seed 12x\n" for l in lines).encode()),
         "bad number"),
        (tmpfile("foreign.schedule", b"\x7fELF\x02\x01\x01\0" + bytes(range(256)) * 8),
         "not a lockstep schedule file"),
        (os.path.join(d, "report.json"), "not a lockstep schedule file"),
        ("/nonexistent/0.schedule", "No such file or directory"),
        (os.path.join(d, "schedules"), "Is a directory"),
    ]
    # a schedule recorded for another build of the program
    copy = os.path.join(OUT, "inputs", "abba_copy")
    shutil.copy2(PROG, copy)
    cd = os.path.join(OUT, "copy")
    rc, _, err = run([A.lockstep, "explore", "-q", "--schedules", "1", "-o", cd, "--", copy])
    if check(rc == 66, "setup: explore of a copy", err):
        with open(copy, "ab") as fh:
            fh.write(b"\0another build\0")
        inputs.append((os.path.join(cd, "schedules", "0.schedule"),
                       "was recorded for another build of"))
    for path, problem in inputs:
        bad("replay", ["-o", rd, path], problem, rd)
        bad("replay", ["-o", rd, path], problem, d)  # d holds the schedules themselves
    bad("replay", ["--timeout", "x", "-o", rd, sched], "--timeout", rd)
    bad("replay", ["--bogus", "-o", rd, sched], "unknown option '--bogus'", rd)
    bad("replay", ["-o", rd, sched, sched], "want exactly one schedule file", rd)
    bad("replay", ["-o", rd], "want exactly one schedule file", rd)


def test_report():
    d = os.path.join(OUT, "o")
    if not fill_explore(d):
        return
    bad("report", ["--format", "nope", d], "unknown format 'nope'", d)
    bad("report", [os.path.join(OUT, "nonexistent")], "No such file or directory", d)
    corrupt = tmpfile("corrupt/report.json", b'{"schema_version": 1, "findings": [')
    bad("report", [corrupt], "corrupt/report.json", d)
    foreign = tmpfile("foreign/report.json", b'{"hello": "world"}\n')
    bad("report", [foreign], "foreign/report.json", d)
    bad("report", ["--format", "json", "-o", os.path.join(OUT, "no", "such", "dir", "r.json"),
                   d], "no/such/dir", d)


def test_unwritable_output():
    """An output directory lockstep may not write to: refused before the target runs, the
    earlier report kept. As root, permissions do not apply, so the commands run as nobody
    (setpriv) on a directory they may read but not write; and a path under /sys, which no
    one may create."""
    d = os.path.join(OUT, "o")
    sched = fill_explore(d)
    if not sched:
        return
    for root, dirs, files in os.walk(OUT):
        for x in dirs + files:
            p = os.path.join(root, x)
            os.chmod(p, os.stat(p).st_mode | stat.S_IROTH | (stat.S_IXOTH if x in dirs or
                                                               os.access(p, os.X_OK) else 0))
    os.chmod(d, 0o555)
    bad("run", ["-o", "/sys/lockstep-out", "--", PROG], "/sys/lockstep-out", d)
    bad("explore", ["-o", "/sys/lockstep-out", "--", PROG], "/sys/lockstep-out", d)
    if os.geteuid() == 0 and shutil.which("setpriv"):
        def nobody():
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
        for cmd, args in (("run", ["--", PROG]), ("explore", ["--", PROG]), ("replay", [sched])):
            bad(cmd, ["-o", d] + args, "not writable", d, preexec=nobody)
            bad(cmd, ["-o", os.path.join(d, "sub")] + args, "sub", d, preexec=nobody)
    elif os.geteuid() != 0:
        for cmd, args in (("run", ["--", PROG]), ("explore", ["--", PROG]), ("replay", [sched])):
            bad(cmd, ["-o", d] + args, "not writable", d)
    os.chmod(d, 0o755)


globals()["test_" + A.command]()
print("%d bad inputs tried" % nbad[0])
if failures:
    print("\n%d checks failed" % len(failures))
    sys.exit(1)
print("ok", A.command)
