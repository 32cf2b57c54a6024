#!/usr/bin/env python3
"""test_bad_schedules.py: `lockstep replay` refuses every damaged schedule file cleanly.

A good schedule of build/cases/lock_order_inverted_abba is recorded with explore and then
damaged in many ways: empty, blank or comment-only; truncated at EVERY byte offset before
its final 'end' (header only, inside the header, in the middle of the choices, missing
'end', cut inside a line); corrupt (bad numbers, unknown lines, bad choice letters, values
out of range, text after 'end', the header not first); foreign (random text, a report.json,
an ELF binary, a directory, a missing file); other format versions. Each must give exit
status 2, exactly one line on stderr, "lockstep: replay: FILE:LINE: problem" with the
expected LINE (and problem, where the format page names it), and no report.json.
The undamaged file must replay (exit 66) so that the rejections are not a broken reader.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstest  # noqa: E402

t = lstest.Test(__doc__)
prog = t.case("lock_order_inverted_abba")
ex = t.outdir("explore")
r = t.explore(prog, opts=["-q", "--schedules", "1"], out=ex)
good_path = os.path.join(ex, "schedules", "0.schedule")
if not t.check(os.path.exists(good_path), "explore saved schedules/0.schedule", r):
    t.finish()
good = open(good_path, "rb").read()
L = good.decode().splitlines(keepends=True)
idx = {l.split(" ", 1)[0].strip(): i for i, l in reversed(list(enumerate(L)))}
nchoices = int(L[idx["choices"]].split()[1])
t.check(L[-1] == "end\n" and nchoices >= 4, "the schedule has >= 4 choices and ends with 'end'",
        None, good.decode())
first_choice = idx["choices"] + 1  # 0-based index of the first choice line

bad_dir = os.path.join(t.out, "bad")
os.makedirs(bad_dir, exist_ok=True)
counter = [0]


def replace(i, text):
    """L with line i (0-based) replaced by text (a full line with its newline)."""
    return "".join(L[:i] + [text] + L[i + 1:])


def try_bad(name, content, line, problem=None, path=None):
    """Writes content (str or bytes) to a file and replays it: must be refused."""
    if path is None:
        counter[0] += 1
        path = os.path.join(bad_dir, "%03d-%s.schedule" % (counter[0], name))
        with open(path, "wb") as fh:
            fh.write(content.encode() if isinstance(content, str) else content)
    od = os.path.join(t.out, "rout", name)
    rr = t.run([t.lockstep, "replay", "-o", od, path], timeout=30)
    errlines = [l for l in rr.err.splitlines() if l.strip()]
    ok = t.check(rr.rc == 2, "%s: exit status 2" % name, rr)
    ok &= t.check(len(errlines) == 1, "%s: exactly one line on stderr" % name, rr)
    if line is not None and errlines:
        want = "lockstep: replay: %s:%d: " % (path, line)
        ok &= t.check(errlines[0].startswith(want), "%s: the line starts with '%s'" % (name, want),
                      rr)
        if problem:
            ok &= t.check(errlines[0].endswith(problem), "%s: names the problem '%s'"
                          % (name, problem), rr)
    elif errlines:
        ok &= t.check(errlines[0].startswith("lockstep: replay: %s" % path),
                      "%s: the line names the file" % name, rr)
    t.check(not os.path.exists(os.path.join(od, "report.json")), "%s: no report.json" % name,
            rr)
    return ok


# the good file replays, and so does a copy of it (the reader is not what fails below)
rr = t.replay(good_path, out=os.path.join(t.out, "good"))
t.check(rr.rc == 66 and "lockstep: replay: exact:" in rr.err, "the good schedule replays exactly",
        rr)

# empty and nearly empty
try_bad("empty", "", 0, "empty file, or not a lockstep schedule file")
try_bad("blank-lines", "\n\n\n", 3, "empty file, or not a lockstep schedule file")
try_bad("comment-only", L[0], 1, "empty file, or not a lockstep schedule file")

# truncated: named points
try_bad("header-only", "".join(L[:idx["lockstep-schedule"] + 1]), idx["lockstep-schedule"] + 1,
        "truncated: no 'choices' line")
try_bad("before-choices", "".join(L[:idx["choices"]]), idx["choices"],
        "truncated: no 'choices' line")
try_bad("choices-line-only", "".join(L[:first_choice]), first_choice,
        "truncated: fewer choices than announced")
mid = first_choice + nchoices // 2
try_bad("mid-choices", "".join(L[:mid]), mid, "truncated: fewer choices than announced")
try_bad("mid-choice-line", "".join(L[:mid]) + L[mid][0], mid + 1,
        "malformed choice (want 't N', 'w N', 's N' or 'o N')")
try_bad("missing-end", "".join(L[:-1]), len(L) - 1, "truncated: no 'end' line")
try_bad("missing-end-and-choice", "".join(L[:-2]), len(L) - 2,
        "truncated: fewer choices than announced")

# truncated at every byte offset before the final 'end' is complete: always refused, at the
# last line of what is left
end_at = len(good) - len("end\n")
cut_fail = 0
for n in range(0, end_at + 2):  # up to 'en': 'end' itself is still missing
    pre = good[:n]
    lines = pre.count(b"\n") + (0 if pre.endswith(b"\n") or not pre else 1)
    if not try_bad("cut-%04d" % n, pre, lines):
        cut_fail += 1
t.note("truncations tried: %d, refused as expected: %d" % (end_at + 2, end_at + 2 - cut_fail))

# corrupt
i_seed, i_steps, i_hash = idx["seed"], idx["steps"], idx["hash"]
try_bad("bad-seed", replace(i_seed, "seed 12x\n"), i_seed + 1, "bad number")
try_bad("negative-seed", replace(i_seed, "seed -5\n"), i_seed + 1, "bad number")
try_bad("seed-too-big", replace(i_seed, "seed 4294967296\n"), i_seed + 1, "bad number")
try_bad("seed-leading-space", replace(i_seed, "seed  5\n"), i_seed + 1, "bad number")
try_bad("bad-depth", replace(idx["depth"], "depth three\n"), idx["depth"] + 1, "bad number")
try_bad("bad-steps", replace(i_steps, "steps 1e3\n"), i_steps + 1, "bad step count")
try_bad("bad-hash", replace(i_hash, "hash xyz\n"), i_hash + 1, "bad event hash")
try_bad("bad-binary", replace(idx["binary"], "binary 0x\n"), idx["binary"] + 1,
        "bad binary hash")
try_bad("bad-replayable", replace(idx["replayable"], "replayable maybe\n"),
        idx["replayable"] + 1, "replayable must be yes or no")
try_bad("bad-strategy", replace(idx["strategy"], "strategy dfs\n"), idx["strategy"] + 1,
        "unknown strategy")
try_bad("bad-argc", replace(idx["argc"], "argc many\n"), idx["argc"] + 1, "bad argc")
try_bad("bad-choice-count", replace(idx["choices"], "choices -1\n"), idx["choices"] + 1,
        "bad choice count")
try_bad("unknown-line", "".join(L[:5] + ["frobnicate 3\n"] + L[5:]), 6, "unknown line")
try_bad("unknown-line-after-choices", "".join(L[:-1] + ["frobnicate 3\n"] + L[-1:]), len(L),
        "unknown line")
p = idx["program"]
try_bad("duplicate-program", "".join(L[:p + 1] + [L[p]] + L[p + 1:]), p + 2, "duplicate line")
try_bad("second-choices-line", "".join(L[:-1] + ["choices 0\n"] + L[-1:]), len(L),
        "duplicate line")
for name, text in (("letter-x", "x 1\n"), ("letter-T", "T 1\n"), ("no-space", "t1\n"),
                   ("two-spaces", "t  1\n"), ("negative", "t -1\n"), ("hex", "t 0x1\n"),
                   ("too-big", "t 16777216\n"), ("no-value", "t\n"), ("word", "thread 1\n")):
    try_bad("choice-" + name, replace(mid, text), mid + 1,
            "malformed choice (want 't N', 'w N', 's N' or 'o N')")
try_bad("text-after-end", good.decode() + "t 1\n", len(L) + 1, "text after 'end'")
try_bad("header-not-first", "".join(L[:1] + L[2:3] + L[1:2] + L[3:]), 2,
        "not a lockstep schedule file (no 'lockstep-schedule' header)")
try_bad("crlf", good.replace(b"\n", b"\r\n"), 2,
        "not a lockstep schedule file (no 'lockstep-schedule' header)")

# wrong version
v = idx["lockstep-schedule"]
for ver in ("0", "2", "10"):
    try_bad("version-" + ver, replace(v, "lockstep-schedule %s\n" % ver), v + 1,
            "unsupported schedule format version")
try_bad("version-missing", replace(v, "lockstep-schedule\n"), v + 1,
        "not a lockstep schedule file (no 'lockstep-schedule' header)")

# foreign files
try_bad("random-text", "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit.\n", 1,
        "not a lockstep schedule file (no 'lockstep-schedule' header)")
rep_path = os.path.join(ex, "report.json")
try_bad("report-json", None, 1, "not a lockstep schedule file (no 'lockstep-schedule' header)",
        path=rep_path)
try_bad("trace-file", None, 2,  # its first line is a comment "not a lockstep schedule file (no 'lockstep-schedule' header)",
        path=os.path.join(ex, "schedules", "0.trace"))
try_bad("elf-binary", None, 1, "not a lockstep schedule file (no 'lockstep-schedule' header)",
        path=prog)
try_bad("random-bytes", bytes((i * 97 + 13) % 256 for i in range(3000)), None)
try_bad("directory", None, None, path=bad_dir)
try_bad("missing-file", None, None, path=os.path.join(bad_dir, "no-such.schedule"))
t.finish()
