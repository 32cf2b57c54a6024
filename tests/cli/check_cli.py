#!/usr/bin/env python3
"""check_cli.py: end-to-end checks of the lockstep command line: bad input gets one line on
stderr, exit code 2 and no report; the public lockstep_yield() hint. Usage:
    check_cli.py LOCKSTEP BUILD_DIR TEST_NAME
Each TEST_NAME is one CTest test; every lockstep run has a hard timeout."""
import json, os, shutil, stat, subprocess, sys, tempfile

LOCKSTEP, BUILD, NAME = sys.argv[1], sys.argv[2], sys.argv[3]
TMP = tempfile.mkdtemp(prefix="lst-cli-")


def run(*args, timeout=120, **kw):
    return subprocess.run([LOCKSTEP, *args], capture_output=True, text=True, timeout=timeout, **kw)


def bad_input(args, want):
    """The command fails with exit 2, one stderr line containing want, and no report."""
    out = os.path.join(TMP, "out")
    r = run(*[a.replace("@OUT@", out) for a in args])
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert len(lines) == 1, lines
    assert want in lines[0], (want, lines[0])
    assert not os.path.exists(os.path.join(out, "report.json")), "a report was written"


def test_missing_program():
    bad_input(["run", "-o", "@OUT@", "--", "/nonexistent/prog"], "nonexistent")


def test_directory_as_program():
    bad_input(["run", "-o", "@OUT@", "--", "/tmp"], "is a directory")


def test_not_executable():
    p = os.path.join(TMP, "plain.txt")
    open(p, "w").write("hello\n")
    bad_input(["run", "-o", "@OUT@", "--", p], "not an executable")


def test_static_binary():
    src = os.path.join(TMP, "s.c")
    exe = os.path.join(TMP, "static_prog")
    open(src, "w").write("int main(void){return 0;}\n")
    subprocess.run(["cc", "-static", "-o", exe, src], check=True)
    bad_input(["run", "-o", "@OUT@", "--", exe], "statically linked")


def test_setuid_binary():
    exe = os.path.join(TMP, "suid_true")
    shutil.copy("/bin/true", exe)
    os.chmod(exe, 0o4755)
    bad_input(["run", "-o", "@OUT@", "--", exe], "setuid")


def test_unwritable_output():
    d = os.path.join(TMP, "ro")
    os.makedirs(d)
    open(os.path.join(d, "file"), "w").close()
    bad_input(["run", "-o", os.path.join(d, "file"), "--", "/bin/true"], "not a directory")


def test_bad_option_values():
    bad_input(["explore", "--schedules", "-1", "-o", "@OUT@", "--", "/bin/true"], "--schedules")
    bad_input(["explore", "--strategy", "nope", "-o", "@OUT@", "--", "/bin/true"], "nope")
    bad_input(["run", "--timeout", "x", "-o", "@OUT@", "--", "/bin/true"], "--timeout")


def test_unknown_command():
    r = run("frobnicate")
    assert r.returncode == 2 and "unknown command" in r.stderr, r


def test_exit_status_passes_through():
    """No findings: the target's own exit status and output are kept."""
    r = run("run", "-q", "-o", os.path.join(TMP, "o"), "--", "/bin/sh", "-c", "echo hi; exit 3")
    assert r.returncode == 3 and r.stdout == "hi\n", (r.returncode, r.stdout)


def test_yield_hint_finds_lost_update():
    exe = os.path.join(BUILD, "tests", "cli", "yield_hint")
    native = subprocess.run([exe], capture_output=True, text=True, timeout=30)
    assert native.returncode == 0 and "Actual:   100" in native.stdout, native
    out = os.path.join(TMP, "ex")
    r = run("explore", "-q", "--schedules", "20", "-o", out, "--", exe)
    assert r.returncode == 66, (r.returncode, r.stderr)
    rep = json.load(open(os.path.join(out, "report.json")))
    kinds = {f["kind"] for f in rep["findings"]}
    assert kinds == {"target-failure"}, kinds


def test_suppressions_move_findings_to_notes():
    supp = os.path.join(TMP, "supp.txt")
    open(supp, "w").write("# the inverted order is known\ndeadlock:thread2\n")
    out = os.path.join(TMP, "s")
    exe = os.path.join(BUILD, "cases", "lock_order_inverted_abba")
    run("run", "-q", "--suppressions", supp, "-o", out, "--", exe)
    rep = json.load(open(os.path.join(out, "report.json")))
    assert rep["findings"] == [], rep["findings"]
    reasons = {n["reason"] for n in rep["notes"] if n["kind"] == "lock-order-cycle"}
    assert any(r.startswith("suppressed by ") and "supp.txt:2 (deadlock:thread2)" in r
               for r in reasons), reasons


def test_bad_suppressions_file():
    supp = os.path.join(TMP, "bad.txt")
    open(supp, "w").write("race:ok\nbogus:x\n")
    bad_input(["run", "--suppressions", supp, "-o", "@OUT@", "--", "/bin/true"], "bad.txt:2:")


def test_every_case_renders_in_all_formats():
    """Every notes case, run under lockstep, renders in all five formats with the content each
    format promises (the writers' own tests check the details on a few cases)."""
    import xml.etree.ElementTree as ET
    import jsonschema
    schema_path = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "report.schema.json")
    schema = json.load(open(schema_path))
    bindir = os.path.join(BUILD, "cases")
    names = sorted(n for n in os.listdir(bindir)
                   if os.access(os.path.join(bindir, n), os.X_OK) and "." not in n
                   and os.path.isfile(os.path.join(bindir, n)))
    assert len(names) >= 40, names
    for name in names:
        out = os.path.join(TMP, name)
        run("run", "-q", "--timeout", "30", "--stall-ms", "2000", "-o", out, "--",
            os.path.join(bindir, name), timeout=120)
        rep = json.load(open(os.path.join(out, "report.json")))
        jsonschema.validate(rep, schema)
        r = run("report", "--format", "all", out)
        assert r.returncode == 0, (name, r.returncode, r.stderr)
        for ext in ("txt", "json", "html", "sarif", "junit.xml"):
            assert os.path.getsize(os.path.join(out, "report." + ext)) > 0, (name, ext)
        sarif = json.load(open(os.path.join(out, "report.sarif")))
        assert sarif["version"] == "2.1.0", name
        results = sarif["runs"][0]["results"]
        assert len(results) == len(rep["findings"]), (name, len(results), len(rep["findings"]))
        for res, f in zip(results, rep["findings"]):
            assert res["ruleId"] == "lockstep/" + f["kind"], (name, res["ruleId"])
            assert res["partialFingerprints"]["lockstep/v1"] == f["fingerprint"], name
        suite = ET.parse(os.path.join(out, "report.junit.xml")).getroot()
        cases_ = suite.iter("testcase")
        failures = sum(1 for c in cases_ if c.find("failure") is not None)
        assert failures == len(rep["findings"]), (name, failures)
        html = open(os.path.join(out, "report.html")).read()
        assert "http://" not in html and "https://" not in html, name
        for f in rep["findings"]:
            assert 'id="finding-%s"' % f["fingerprint"] in html, (name, f["fingerprint"])
            if f["kind"] == "lock-order-cycle":
                assert 'class="cycle-graph' in html, name
        text = open(os.path.join(out, "report.txt")).read()
        for f in rep["findings"]:
            assert f["fingerprint"] in text, (name, f["fingerprint"])


# ---- CI gating (issue #7): --fail-on, --baseline, lockstep baseline, --shard, merge, collect

GATE = os.path.join(BUILD, "tests", "cli", "gate_target")
SHIM = os.path.join(BUILD, "lib", "liblockstep.so")


def report(out):
    return json.load(open(os.path.join(out, "report.json")))


def fps(rep, key="findings"):
    return {f["fingerprint"]: f["kind"] for f in rep[key]}


def seq_run(name, *opts):
    """`lockstep run` of gate_target seq: a lock-order-cycle and a lock-misuse, target exit 0."""
    out = os.path.join(TMP, name)
    r = run("run", "-q", *opts, "-o", out, "--", GATE, "seq")
    return r, out


def test_fail_on_selects_the_kinds_that_fail():
    r, out = seq_run("all")
    assert r.returncode == 66, (r.returncode, r.stderr)
    assert sorted(fps(report(out)).values()) == ["lock-misuse", "lock-order-cycle"], report(out)
    # other kinds are still reported, but the status is the target's own (0)
    r, out = seq_run("race", "--fail-on", "data-race")
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert sorted(fps(report(out)).values()) == ["lock-misuse", "lock-order-cycle"]
    r, _ = seq_run("misuse", "--fail-on", "lock-misuse")
    assert r.returncode == 66, r.returncode
    r, _ = seq_run("list", "--fail-on", "data-race,lock-order-cycle", "--exitcode", "3")
    assert r.returncode == 3, r.returncode
    r, _ = seq_run("allkw", "--fail-on", "all")
    assert r.returncode == 66, r.returncode
    # the text report says why the build does not fail
    out = os.path.join(TMP, "text")
    r = run("run", "--fail-on", "deadlock", "-o", out, "--", GATE, "seq")
    assert r.returncode == 0, r.returncode
    assert "lockstep: gate: 0 of 2 findings fail the build; 2 not of a --fail-on kind (deadlock)" \
        in r.stderr, r.stderr
    # explore: only a deadlock fails; replay of a deadlocking schedule
    out = os.path.join(TMP, "ex")
    r = run("explore", "-q", "--schedules", "10", "--fail-on", "hang", "-o", out, "--",
            GATE, "explore")
    assert r.returncode == 0 and report(out)["findings"], (r.returncode, r.stderr)
    dl = [f for f in report(out)["findings"] if f["kind"] == "deadlock"]
    assert dl, report(out)["findings"]
    for kinds, want in (("deadlock", 66), ("target-failure,hang", 0)):
        r = run("replay", "-q", "--fail-on", kinds, "-o", os.path.join(TMP, "rp"),
                dl[0]["schedule"])
        assert r.returncode == want, (kinds, r.returncode, r.stderr)


def test_fail_on_unknown_kind_is_a_usage_error():
    sched = os.path.join(TMP, "none.schedule")
    for args in (["run", "--fail-on", "data-race,bogus", "-o", "@OUT@", "--", GATE],
                 ["explore", "--fail-on", "bogus", "-o", "@OUT@", "--", GATE],
                 ["replay", "--fail-on", "bogus", "-o", "@OUT@", sched],
                 ["merge", "--fail-on", "bogus", "-o", "@OUT@", TMP],
                 ["collect", "--fail-on", "bogus", TMP]):
        bad_input(args, "unknown finding kind 'bogus'")
    bad_input(["run", "--fail-on", ",", "-o", "@OUT@", "--", GATE], "--fail-on needs a kind")


def test_baseline_marks_known_findings():
    _, seq = seq_run("seq")
    bl = os.path.join(TMP, "bl.json")
    r = run("baseline", "-o", bl, seq)
    assert r.returncode == 0, r.stderr
    doc = json.load(open(bl))
    assert doc["lockstep_baseline"] == 1, doc
    got = [(e["fingerprint"], e["kind"]) for e in doc["findings"]]
    assert got == sorted(fps(report(seq)).items()), (got, report(seq))
    # stable: another run gives the same bytes, one finding a line
    _, seq2 = seq_run("seq2")
    again = run("baseline", seq2)
    assert again.returncode == 0 and again.stdout == open(bl).read(), again.stdout
    assert len(again.stdout.splitlines()) == 5 + len(got), again.stdout
    # explore finds the two known ones plus a deadlock and a target-failure: only the new fail
    out = os.path.join(TMP, "ex")
    r = run("explore", "--schedules", "20", "--baseline", bl, "-o", out, "--", GATE, "explore")
    assert r.returncode == 66, (r.returncode, r.stderr)
    rep = report(out)
    assert rep["baseline"] == os.path.realpath(bl), rep["baseline"]
    marked = {f["kind"]: f["baselined"] for f in rep["findings"]}
    assert marked == {"lock-order-cycle": True, "lock-misuse": True, "deadlock": False,
                      "target-failure": False}, marked
    assert "2 baselined" in r.stderr and ", baselined]" in r.stderr, r.stderr
    # known kinds only: nothing new fails
    r = run("explore", "-q", "--schedules", "20", "--baseline", bl, "--fail-on",
            "lock-order-cycle,lock-misuse", "-o", os.path.join(TMP, "ex2"), "--", GATE, "explore")
    assert r.returncode == 0, r.returncode
    # a report.json works as the baseline too
    r, out2 = seq_run("again", "--baseline", os.path.join(seq, "report.json"))
    assert r.returncode == 0 and all(f["baselined"] for f in report(out2)["findings"]), r
    # SARIF and JUnit
    sarif = json.loads(run("report", "--format", "sarif", out).stdout)
    states = {res["partialFingerprints"]["lockstep/v1"]: res["baselineState"]
              for res in sarif["runs"][0]["results"]}
    assert states == {f["fingerprint"]: "unchanged" if f["baselined"] else "new"
                      for f in rep["findings"]}, states
    import xml.etree.ElementTree as ET
    suite = ET.fromstring(run("report", "--format", "junit", out).stdout).find("testsuite")
    assert suite.get("failures") == "2" and suite.get("skipped") == "2", suite.attrib
    skipped = {c.get("name").split()[1] for c in suite.iter("testcase")
               if c.find("skipped") is not None}
    assert skipped == {f["fingerprint"] for f in rep["findings"] if f["baselined"]}, skipped


def test_bad_baseline_is_a_usage_error():
    cases = {"corrupt.json": "{\n", "foreign.json": '{"hello": 1}\n',
             "newer.json": '{"lockstep_baseline": 2, "findings": []}\n',
             "badfp.json": '{"lockstep_baseline": 1, "findings": [{"fingerprint": "xyz"}]}\n'}
    wants = {"corrupt.json": "corrupt.json: line", "foreign.json": "neither a lockstep baseline",
             "newer.json": "newer than this lockstep", "badfp.json": "findings[0]"}
    for name, text in cases.items():
        p = os.path.join(TMP, name)
        open(p, "w").write(text)
        bad_input(["run", "--baseline", p, "-o", "@OUT@", "--", GATE], wants[name])
    missing = os.path.join(TMP, "missing.json")
    bad_input(["run", "--baseline", missing, "-o", "@OUT@", "--", GATE], "missing.json")
    bad_input(["explore", "--baseline", missing, "-o", "@OUT@", "--", GATE], "missing.json")
    bad_input(["merge", "--baseline", missing, "-o", "@OUT@", TMP], "missing.json")
    bad_input(["baseline", "--format", "yaml", TMP], "unknown format 'yaml'")
    bad_input(["baseline", missing], "missing.json")


def test_suppressions_file_round_trip():
    """`lockstep baseline --format suppressions` suppresses exactly the findings it lists."""
    out = os.path.join(TMP, "ex")
    run("explore", "-q", "--schedules", "20", "-o", out, "--", GATE, "explore")
    rep = report(out)
    assert set(fps(rep).values()) == {"lock-order-cycle", "deadlock", "lock-misuse",
                                      "target-failure"}, rep["findings"]
    supp = os.path.join(TMP, "supp.txt")
    r = run("baseline", "--format", "suppressions", "-o", supp, out)
    assert r.returncode == 0, r.stderr
    text = open(supp).read()
    rules = [l for l in text.splitlines() if l and not l.startswith("#")]
    assert sorted(rules) == ["deadlock:^take_a_then_b$", "deadlock:^take_b_then_a$",
                             "mutex:^misuse_unlock$"], text
    for f in rep["findings"]:
        assert "# %s %s " % (f["kind"], f["fingerprint"]) in text, (f, text)
    out2 = os.path.join(TMP, "ex2")
    r = run("explore", "-q", "--schedules", "20", "--suppressions", supp, "-o", out2, "--",
            GATE, "explore")
    rep2 = report(out2)
    # target-failure has no stack: it stays, and the file said so
    assert [f["kind"] for f in rep2["findings"]] == ["target-failure"], rep2["findings"]
    assert r.returncode == 66, r.returncode
    suppressed = {n["fingerprint"] for n in rep2["notes"] if "suppressed by" in n["reason"]}
    assert suppressed == {fp for fp, k in fps(rep).items() if k != "target-failure"}, suppressed
    # exactly: a file made from the lock-misuse alone leaves the lock-order-cycle a finding
    _, seq = seq_run("seq")
    only = report(seq)
    only["findings"] = [f for f in only["findings"] if f["kind"] == "lock-misuse"]
    json.dump(only, open(os.path.join(TMP, "only.json"), "w"))
    supp2 = os.path.join(TMP, "supp2.txt")
    assert run("baseline", "--format", "suppressions", "-o", supp2,
               os.path.join(TMP, "only.json")).returncode == 0
    r, out3 = seq_run("seq3", "--suppressions", supp2)
    rep3 = report(out3)
    assert [f["kind"] for f in rep3["findings"]] == ["lock-order-cycle"], rep3["findings"]
    assert [n["kind"] for n in rep3["notes"]] == ["lock-misuse"], rep3["notes"]


def test_suppressed_deadlock_ended_by_the_shim_exits_zero():
    """The shim ends a real deadlock with status 66; suppressed, it must not fail the run."""
    out = os.path.join(TMP, "dl")
    r = run("run", "-q", "-o", out, "--", GATE, "deadlock")
    assert r.returncode == 66, r.returncode
    assert "deadlock" in fps(report(out)).values(), report(out)
    supp = os.path.join(TMP, "supp.txt")
    assert run("baseline", "--format", "suppressions", "-o", supp, out).returncode == 0
    out2 = os.path.join(TMP, "dl2")
    r = run("run", "-q", "--suppressions", supp, "-o", out2, "--", GATE, "deadlock")
    rep = report(out2)
    assert rep["findings"] == [] and rep["target"]["exit_code"] == 66, rep
    assert r.returncode == 0, r.returncode
    # the same through --fail-on and --baseline
    r = run("run", "-q", "--fail-on", "data-race", "-o", out2, "--", GATE, "deadlock")
    assert r.returncode == 0, r.returncode
    r = run("run", "-q", "--baseline", os.path.join(out, "report.json"), "-o", out2, "--",
            GATE, "deadlock")
    assert r.returncode == 0, r.returncode


def test_shards_merge_to_the_unsharded_exploration():
    n, seed = 24, "7"
    full = os.path.join(TMP, "full")
    r = run("explore", "-q", "--schedules", str(n), "--seed", seed, "-o", full, "--",
            GATE, "explore")
    assert r.returncode == 66, r.returncode
    whole = report(full)
    assert whole["shard"] is None and whole["schedules"] == n, whole["schedules"]
    assert len(whole["findings"]) >= 3, whole["findings"]
    shards = []
    for i in (1, 2, 3):
        d = os.path.join(TMP, "s%d" % i)
        r = run("explore", "-q", "--schedules", str(n), "--seed", seed, "--shard", "%d/3" % i,
                "-j", "2", "-o", d, "--", GATE, "explore")
        assert r.returncode == 66, (i, r.returncode, r.stderr)
        rep = report(d)
        assert rep["shard"] == {"index": i, "count": 3} and rep["schedules"] == n // 3, rep
        for name in os.listdir(os.path.join(d, "schedules")):
            if not name.endswith(".schedule"):
                continue
            lines = open(os.path.join(d, "schedules", name)).read().splitlines()
            index = int(name.split(".")[0])
            assert index % 3 == i - 1 and "index %d" % index in lines, (name, lines[:20])
            assert "shard %d/3" % i in lines, lines[:20]
            same = os.path.join(full, "schedules", name)
            if os.path.exists(same):  # the same schedule as unsharded: the same seed
                seedline = [l for l in lines if l.startswith("seed ")]
                assert seedline == [l for l in open(same).read().splitlines()
                                    if l.startswith("seed ")], name
        shards.append(d)
    out = os.path.join(TMP, "merged")
    r = run("merge", "-o", out, *shards)
    assert r.returncode == 66, (r.returncode, r.stderr)
    merged = report(out)
    assert fps(merged) == fps(whole), (fps(merged), fps(whole))
    assert merged["schedules"] == n and merged["limits"] == whole["limits"], merged["limits"]
    counts = {f["fingerprint"]: f["count"] for f in merged["findings"]}
    assert counts == {f["fingerprint"]: f["count"] for f in whole["findings"]}, counts
    # every schedule now lives in OUT/schedules and replays from there
    for f in merged["findings"]:
        assert f["schedule"].startswith(os.path.join(os.path.realpath(out), "schedules") + "/")
        assert os.path.exists(f["schedule"]), f["schedule"]
    dl = [f for f in merged["findings"] if f["kind"] == "deadlock"][0]
    r = run("replay", "-o", os.path.join(TMP, "rp"), dl["schedule"])
    assert r.returncode == 66 and "replay: exact" in r.stderr, (r.returncode, r.stderr)
    assert "deadlock" in fps(report(os.path.join(TMP, "rp"))).values()
    # merge gates like explore
    assert run("merge", "-q", "--fail-on", "hang", "-o", out, *shards).returncode == 0
    r = run("merge", "-q", "-o", os.path.join(TMP, "part"), shards[0], shards[2])
    assert "merge: shard 2/3 is missing: the report covers part of the exploration" in \
        report(os.path.join(TMP, "part"))["limits"], report(os.path.join(TMP, "part"))["limits"]


def test_merge_renames_clashing_schedules():
    a, b = os.path.join(TMP, "a"), os.path.join(TMP, "b")
    run("explore", "-q", "--schedules", "2", "-o", a, "--", GATE, "seq")
    hint = os.path.join(BUILD, "tests", "cli", "yield_hint")
    run("explore", "-q", "--schedules", "2", "-o", b, "--", hint)
    assert report(a)["findings"][0]["schedule"].endswith("/0.schedule")
    assert report(b)["findings"][0]["schedule"].endswith("/0.schedule")
    # the inputs moved (as CI artifacts do): the schedules are found next to report.json
    shutil.move(b, b + "-moved")
    out = os.path.join(TMP, "m")
    r = run("merge", "-q", "-o", out, a, b + "-moved")
    assert r.returncode == 66, (r.returncode, r.stderr)
    rep = report(out)
    by_kind = {f["kind"]: f["schedule"] for f in rep["findings"]}
    sdir = os.path.join(os.path.realpath(out), "schedules")
    assert by_kind["lock-misuse"] == os.path.join(sdir, "0.schedule"), by_kind
    assert by_kind["target-failure"] == os.path.join(sdir, "0-2.schedule"), by_kind
    assert os.path.exists(os.path.join(sdir, "0-2.trace"))
    assert any("ran another target" in l for l in rep["limits"]), rep["limits"]
    r = run("replay", "-q", "-o", os.path.join(TMP, "rp"), by_kind["target-failure"])
    assert r.returncode == 66, r.returncode
    assert fps(report(os.path.join(TMP, "rp"))) == {
        f["fingerprint"]: f["kind"] for f in report(b + "-moved")["findings"]}
    bad_input(["merge", "-o", a, a], "also an input")
    bad_input(["merge", "-o", "@OUT@", os.path.join(TMP, "nowhere")], "nowhere")


def test_bad_shard_values():
    for v in ("0/3", "4/3", "1/0", "x", "1/", "/3", "2/3x", "-1/3"):
        bad_input(["explore", "--shard", v, "-o", "@OUT@", "--", GATE], "--shard")
    # a shard with no schedule runs none and finds nothing
    out = os.path.join(TMP, "empty")
    r = run("explore", "-q", "--schedules", "2", "--shard", "3/3", "-o", out, "--", GATE, "seq")
    assert r.returncode == 0 and report(out)["schedules"] == 0, (r.returncode, report(out))


def test_collect_gates_the_shim_used_without_the_cli():
    out = os.path.join(TMP, "c")
    env = dict(os.environ, LD_PRELOAD=SHIM, LOCKSTEP_OPTIONS="out=" + out)
    native = subprocess.run([GATE, "seq"], capture_output=True, text=True, timeout=60)
    t = subprocess.run([GATE, "seq"], capture_output=True, text=True, timeout=60, env=env)
    assert (t.returncode, t.stdout) == (native.returncode, native.stdout), t
    r = run("report", out)
    assert r.returncode == 2 and "lockstep collect" in r.stderr, r.stderr
    r = run("collect", out)
    assert r.returncode == 66, (r.returncode, r.stderr)
    rep = report(out)
    assert rep["mode"] == "collect" and rep["target"]["argv"] == [os.path.realpath(GATE)], rep
    assert sorted(fps(rep).values()) == ["lock-misuse", "lock-order-cycle"], rep["findings"]
    assert run("collect", "-q", "--fail-on", "data-race", out).returncode == 0
    assert run("collect", "-q", "--baseline", os.path.join(out, "report.json"), out
               ).returncode == 0
    assert report(out)["baseline"], report(out)
    assert run("report", out).returncode == 0
    # a real deadlock: the shim ends the target (66) and collect reports it
    out2 = os.path.join(TMP, "c2")
    env["LOCKSTEP_OPTIONS"] = "out=" + out2
    t = subprocess.run([GATE, "deadlock"], capture_output=True, text=True, timeout=60, env=env)
    assert t.returncode == 66, t
    assert run("collect", "-q", out2).returncode == 66
    assert "deadlock" in fps(report(out2)).values()
    bad_input(["collect", TMP], "has no stores/")


def test_cli_flags_override_lockstep_options():
    """The CLI appends its keys after the user's LOCKSTEP_OPTIONS, so its flags win."""
    env_out, cli_out = os.path.join(TMP, "envout"), os.path.join(TMP, "cliout")
    env = dict(os.environ, LOCKSTEP_OPTIONS="out=%s:stack_depth=8" % env_out)
    r = subprocess.run([LOCKSTEP, "run", "-q", "-o", cli_out, "--", GATE, "seq"],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 66, (r.returncode, r.stderr)
    assert not os.path.exists(env_out), os.listdir(env_out)
    assert sorted(fps(report(cli_out)).values()) == ["lock-misuse", "lock-order-cycle"]
    # explore's scheduler keys win over the user's: the same findings and counts
    plain, over = os.path.join(TMP, "plain"), os.path.join(TMP, "over")
    run("explore", "-q", "--schedules", "10", "-o", plain, "--", GATE, "explore")
    env["LOCKSTEP_OPTIONS"] = "sched=0:seed=99:strategy=pct:out=" + env_out
    subprocess.run([LOCKSTEP, "explore", "-q", "--schedules", "10", "-o", over, "--", GATE,
                    "explore"], capture_output=True, text=True, timeout=120, env=env)
    counts = lambda d: {f["fingerprint"]: f["count"] for f in report(d)["findings"]}
    assert counts(over) == counts(plain), (counts(over), counts(plain))
    assert not os.path.exists(env_out)


def test_suppressions_file_is_read_once():
    """A suppressions FIFO can be read only once: explore and replay must not open it twice
    (they used to load the file to check it, then again to apply it)."""
    import threading

    def fifo(name, text):
        path = os.path.join(TMP, name)
        os.mkfifo(path)

        def feed():
            with open(path, "w") as f:  # blocks until lockstep opens it
                f.write(text)
        threading.Thread(target=feed, daemon=True).start()
        return path

    out = os.path.join(TMP, "ex")
    r = run("explore", "-q", "--schedules", "4", "--suppressions",
            fifo("f1", "mutex:^misuse_unlock$\n"), "-o", out, "--", GATE, "seq", timeout=60)
    rep = report(out)
    assert [f["kind"] for f in rep["findings"]] == ["lock-order-cycle"], rep["findings"]
    assert [n["kind"] for n in rep["notes"]] == ["lock-misuse"], rep["notes"]
    assert r.returncode == 66, r.returncode
    sched = rep["findings"][0]["schedule"]
    r = run("replay", "-q", "--suppressions", fifo("f2", "deadlock:^take_a_then_b$\n"), "-o",
            os.path.join(TMP, "rp"), sched, timeout=60)
    rep = report(os.path.join(TMP, "rp"))
    assert [f["kind"] for f in rep["findings"]] == ["lock-misuse"], rep["findings"]
    assert r.returncode == 66, r.returncode


try:
    globals()["test_" + NAME]()
    print("ok", NAME)
finally:
    shutil.rmtree(TMP, ignore_errors=True)
