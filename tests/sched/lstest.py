"""lstest.py: helpers shared by the tests of tests/sched/ (the deterministic scheduler:
explore, replay, schedule files).

Every test script takes the same options:

  --lockstep BIN   the lockstep CLI (build/bin/lockstep)
  --cases DIR      the built notes' cases (build/cases)
  --progs DIR      the test programs of this directory, built (build/tests/sched)
  --out DIR        a scratch directory of its own, emptied first

Each lockstep command runs under a hard timeout in its own session; on expiry the whole
process group is killed and the test fails, so no test can wedge ctest. Checks collect
their failures; finish() prints them (with the evidence each check attached) and exits 1
if there were any, 0 otherwise.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time


class Result:
    def __init__(self, argv, rc, out, err, secs, timed_out):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err
        self.secs, self.timed_out = secs, timed_out

    def evidence(self):
        def tail(s, n=25):
            lines = s.splitlines()
            return "\n".join(("    " + l) for l in lines[-n:])

        return ("  command: %s\n  exit status: %s%s, %.2f s\n  stdout (tail):\n%s\n"
                "  stderr (tail):\n%s" % (" ".join(self.argv), self.rc,
                                          " (TIMED OUT)" if self.timed_out else "",
                                          self.secs, tail(self.out), tail(self.err)))


class Test:
    def __init__(self, description=""):
        ap = argparse.ArgumentParser(description=description)
        ap.add_argument("--lockstep", required=True)
        ap.add_argument("--cases", required=True)
        ap.add_argument("--progs", required=True)
        ap.add_argument("--out", required=True)
        self.args = ap.parse_args()
        self.lockstep = os.path.abspath(self.args.lockstep)
        self.out = os.path.abspath(self.args.out)
        shutil.rmtree(self.out, ignore_errors=True)
        os.makedirs(self.out)
        self.failures = []
        self.nchecks = 0

    # ---- paths ---------------------------------------------------------------------
    def case(self, name):
        p = os.path.join(os.path.abspath(self.args.cases), name)
        if not os.access(p, os.X_OK):
            self.fatal("case %s is not built (%s); build with cmake --build build" % (name, p))
        return p

    def prog(self, name):
        p = os.path.join(os.path.abspath(self.args.progs), name)
        if not os.access(p, os.X_OK):
            self.fatal("test program %s is not built (%s)" % (name, p))
        return p

    def outdir(self, name):
        d = os.path.join(self.out, name)
        shutil.rmtree(d, ignore_errors=True)
        return d

    # ---- running -------------------------------------------------------------------
    def run(self, argv, timeout=120, cwd=None, env=None):
        argv = [str(a) for a in argv]
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL, cwd=cwd, env=env,
                             start_new_session=True)
        timed_out = False
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            out, err = p.communicate()
        secs = time.monotonic() - t0
        return Result(argv, p.returncode, out.decode("utf-8", "replace"),
                      err.decode("utf-8", "replace"), secs, timed_out)

    def explore(self, prog, prog_args=(), opts=(), out=None, timeout=240):
        argv = [self.lockstep, "explore"] + list(opts)
        if out:
            argv += ["-o", out]
        argv += ["--", prog] + list(prog_args)
        r = self.run(argv, timeout=timeout)
        self.check(not r.timed_out, "explore did not finish within %d s" % timeout, r)
        return r

    def replay(self, schedule, opts=(), out=None, timeout=120):
        argv = [self.lockstep, "replay"] + list(opts)
        if out:
            argv += ["-o", out]
        argv.append(schedule)
        r = self.run(argv, timeout=timeout)
        self.check(not r.timed_out, "replay did not finish within %d s" % timeout, r)
        return r

    # ---- reading -------------------------------------------------------------------
    def report(self, outdir, result=None):
        path = os.path.join(outdir, "report.json")
        try:
            with open(path, encoding="utf-8") as fh:
                return json.load(fh)
        except (OSError, ValueError) as e:
            self.check(False, "cannot read %s: %s" % (path, e), result)
            return {"findings": [], "notes": [], "limits": [], "schedules": 0,
                    "summary": {"by_kind": {}}}

    @staticmethod
    def kinds(rep):
        return sorted({f["kind"] for f in rep.get("findings", [])})

    @staticmethod
    def findings_of(rep, kind):
        return [f for f in rep.get("findings", []) if f["kind"] == kind]

    @staticmethod
    def schedule_fields(path):
        """The key/value lines of a schedule file (choices as a list under 'choice')."""
        fields = {"choice": []}
        with open(path, encoding="utf-8") as fh:
            in_choices = False
            for line in fh.read().splitlines():
                if line.startswith("#") or not line:
                    continue
                if line == "end":
                    break
                key, _, val = line.partition(" ")
                if in_choices and len(key) == 1:
                    fields["choice"].append(line)
                    continue
                fields[key] = val
                in_choices = key == "choices"
        return fields

    @staticmethod
    def schedule_index(path):
        """The schedule number i of a DIR/schedules/<i>.schedule path."""
        m = re.search(r"/(\d+)\.schedule$", path or "")
        return int(m.group(1)) if m else None

    # ---- checks --------------------------------------------------------------------
    def check(self, cond, what, result=None, extra=None):
        self.nchecks += 1
        if not cond:
            msg = "FAIL: " + what
            if extra:
                msg += "\n  " + str(extra).replace("\n", "\n  ")
            if result is not None:
                msg += "\n" + result.evidence()
            self.failures.append(msg)
            print(msg, flush=True)
        return cond

    def note(self, text):
        print(text, flush=True)

    def fatal(self, what):
        print("FATAL: " + what, flush=True)
        sys.exit(1)

    def finish(self):
        if self.failures:
            print("\n%d of %d checks failed:" % (len(self.failures), self.nchecks))
            for f in self.failures:
                print(f.splitlines()[0])
            sys.exit(1)
        print("all %d checks passed" % self.nchecks)
        sys.exit(0)
