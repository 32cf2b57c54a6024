#!/usr/bin/env python3
"""capture_fixtures.py: (re)captures the real ThreadSanitizer logs in tests/tsan/fixtures/.

Runs the binaries that tests/tsan/CMakeLists.txt builds (BUILD/tests/tsan/clang/<name>.tsan
and gcc/<name>.tsan) natively with TSAN_OPTIONS log_path=... exitcode=0 detect_deadlocks=0
and symbolize=1 or symbolize=0, and the notes' racy cases also under `lockstep run` (which
forces symbolize=0 and puts the shim's frames into the stacks). Writes each log as
fixtures/<compiler>.<program>.<variant>.txt, the build ids of the binaries (the symbolize=0
logs are module offsets into exactly those binaries) into fixtures/BUILD-IDS, and one line
per fixture into fixtures/README.md.

A racy program does not always report the same pair of accesses. The symbolize=0 log and
the second run ("run2") of a program are retried until their racing accesses are the same
instructions (module offsets) as in its symbolize=1 log, so that they are the same race.

Usage: tests/tsan/capture_fixtures.py [BUILD]   (default: build, from the repository root)
After a capture, the expectations in test_tsan_ingest.c may need updating (thread numbers,
which access TSan calls "previous"): run `ctest -L tsan` and read the failures.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(HERE, "fixtures")
RACY = ["counter_unlocked_yield_race", "counter_class_increment_race",
        "try_count_unlocked_race", "try_count_locked_print_race", "stop_flag_plain_race"]
PROGRAMS = ["heap_race", "cxx_race", "thread_leak", "unlock_unlocked", "signal_unsafe",
            "inline_race", "lock_inversion"]
# programs captured twice more: the same race again, for the fingerprint tests
RUN2 = ["counter_unlocked_yield_race", "counter_class_increment_race", "heap_race", "inline_race",
        "cxx_race"]
TSAN_BASE = "exitcode=0 detect_deadlocks=0"
# lock_inversion exists to show TSan's lock-order report, which needs its deadlock detector
TSAN_BASE_OF = {"lock_inversion": "exitcode=0 detect_deadlocks=1"}


def tsan_base(binary):
    return TSAN_BASE_OF.get(os.path.basename(binary).split(".")[0], TSAN_BASE)


def run_native(binary, symbolize, args=()):
    """One native run; returns TSan's log text (all log files of the run, concatenated)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env["TSAN_OPTIONS"] = "log_path=%s/report %s symbolize=%d" % (tmp, tsan_base(binary),
                                                                    symbolize)
        subprocess.run([binary, *args], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120, check=False)
        return "".join(open(p).read() for p in sorted(glob.glob(tmp + "/report.*")))


def run_lockstep(lockstep, binary):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([lockstep, "run", "-q", "-o", tmp + "/out", "--", binary],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
                       check=False)
        return "".join(open(p).read() for p in sorted(glob.glob(tmp + "/out/tsan/report.*")))


ACCESS = re.compile(r"^\s*(?:Previous )?(?:[Aa]tomic )?(Read|Write|read|write) of size (\d+)")
FRAME0 = re.compile(r"^\s*#0 .*\(([^()+]+)\+0x([0-9a-f]+)\)")


def race_key(log):
    """The racing instructions of each report: [(title, sorted[(type, size, module+off)])]."""
    key, title, accesses, pending = [], None, [], None
    for line in log.splitlines():
        if line.startswith("WARNING: ThreadSanitizer: "):
            title = re.sub(r" \(pid=\d+\)", "", line)
            accesses = []
        elif line.startswith("SUMMARY: ") and title:
            key.append((title, tuple(sorted(accesses))))
            title = None
        m = ACCESS.match(line)
        if m:
            pending = (m.group(1).lower(), m.group(2))
            continue
        m = FRAME0.match(line)
        if m and pending:
            accesses.append(pending + ("%s+0x%s" % (m.group(1), m.group(2)),))
        pending = None
    return key


def capture_matching(produce, want, tries=30):
    """Calls produce() until its log has the race key `want`; returns the log."""
    for _ in range(tries):
        log = produce()
        if race_key(log) == want:
            return log
    sys.exit("capture_fixtures: no run reproduced %r in %d tries" % (want, tries))


def build_id(path):
    out = subprocess.run(["readelf", "-n", path], capture_output=True, text=True).stdout
    m = re.search(r"Build ID: ([0-9a-f]+)", out)
    return m.group(1) if m else "none"


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
    lockstep = os.path.join(build, "bin", "lockstep")
    bindir = os.path.join(build, "tests", "tsan")
    os.makedirs(FIXTURES, exist_ok=True)
    readme, ids = [], []

    def save(name, text, how):
        if "WARNING: ThreadSanitizer" not in text:
            sys.exit("capture_fixtures: %s: TSan reported nothing" % name)
        with open(os.path.join(FIXTURES, name), "w") as f:
            f.write(text)
        readme.append("- `%s`: %s" % (name, how))
        print("captured", name)

    for compiler in ("clang", "gcc"):
        cc = {"clang": "clang (cxx_race: clang++) 14, static TSan runtime",
              "gcc": "gcc (cxx_race: g++) 12, libtsan.so.2"}[compiler]
        for prog in RACY + PROGRAMS:
            binary = os.path.join(bindir, compiler, prog + ".tsan")
            if not os.path.exists(binary):
                sys.exit("capture_fixtures: %s is missing: build first" % binary)
            rel = os.path.relpath(binary, build)
            ids.append("%s %s" % (rel, build_id(binary)))
            base = "%s.%s" % (compiler, prog)
            native = "native run of BUILD/%s (%s), TSAN_OPTIONS='log_path=DIR/report %s symbolize=%%d'" % (
                rel, cc, tsan_base(binary))
            sym1 = run_native(binary, 1)
            want = race_key(sym1)
            save(base + ".sym1.txt", sym1, native % 1)
            save(base + ".sym0.txt", capture_matching(lambda: run_native(binary, 0), want),
                 native % 0 + "; the same racing instructions as .sym1")
            if prog in RUN2:
                save(base + ".sym1.run2.txt",
                     capture_matching(lambda: run_native(binary, 1), want),
                     native % 1 + "; a second run with the same racing instructions")
            if prog == "heap_race":
                save(base + ".spin.sym1.txt",
                     capture_matching(lambda: run_native(binary, 1, ["spin"]), want),
                     (native % 1).replace("native run of BUILD/%s" % rel,
                                          "native run of `BUILD/%s spin`" % rel) +
                     "; the same race without the \"As if synchronized via sleep\" section")
            if prog in RACY:
                save(base + ".lockstep.txt",
                     capture_matching(lambda: run_lockstep(lockstep, binary), want),
                     "the log TSan wrote under `BUILD/bin/lockstep run -q -o DIR -- BUILD/%s` "
                     "(DIR/tsan/report.PID; lockstep appends log_path=... exitcode=0 "
                     "detect_deadlocks=0 symbolize=0 to TSAN_OPTIONS); the same racing instructions as .sym1" % rel)

    with open(os.path.join(FIXTURES, "BUILD-IDS"), "w") as f:
        f.write("# BUILD-IDS: the ELF build id of each binary the logs here were captured from\n"
                "# (path in the build tree, build id), written by capture_fixtures.py.\n")
        f.write("\n".join(ids) + "\n")
    with open(os.path.join(FIXTURES, "README.md"), "w") as f:
        f.write("# tests/tsan/fixtures: real ThreadSanitizer logs\n\n"
                "Captured by `tests/tsan/capture_fixtures.py BUILD` (BUILD: the build tree) "
                "from the binaries that\ntests/tsan/CMakeLists.txt builds: the notes' racy "
                "cases (cases/*.c) and tests/tsan/programs/*,\neach with `-fsanitize=thread "
                "-g -O1` (clang adds `-fno-omit-frame-pointer`, as cases/ does).\n"
                "`BUILD-IDS` lists the ELF build ids of the binaries the logs came from: the "
                "symbolize=0 logs\nare module offsets into exactly those binaries, and the "
                "unit test resolves them only when\nthe build tree's binaries have the same "
                "ids. Do not edit the logs by hand.\n\n" + "\n".join(readme) + "\n")


if __name__ == "__main__":
    main()
