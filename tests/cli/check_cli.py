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


try:
    globals()["test_" + NAME]()
    print("ok", NAME)
finally:
    shutil.rmtree(TMP, ignore_errors=True)
