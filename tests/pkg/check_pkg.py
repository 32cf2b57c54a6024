#!/usr/bin/env python3
"""check_pkg.py: lockstep as an installed package, end to end. Usage:
    check_pkg.py TEST_NAME SOURCE_DIR BUILD_DIR OUT_DIR WHICH_SHIM
Each TEST_NAME is one CTest test (tests/pkg/CMakeLists.txt). The install test puts the build
tree into OUT_DIR/prefix; the others use that prefix (CTest fixture lst_pkg_prefix). Every
command runs with a hard timeout."""
import json, os, re, shutil, subprocess, sys

NAME, SRC, BUILD, OUT, WHICH_SHIM = sys.argv[1:6]
PREFIX = os.path.join(OUT, "prefix")
SAMPLE = os.path.join(SRC, "tests", "pkg", "sample")
SCRATCH = os.path.join(OUT, "work", NAME)


def sh(args, timeout=300, ok=(0,), env=None, cwd=None):
    """Runs args; returns the CompletedProcess. Fails unless the exit status is in ok."""
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    if ok is not None and r.returncode not in ok:
        raise AssertionError("%s: exit %d\n%s\n%s" % (" ".join(args), r.returncode, r.stdout[-4000:],
                                                      r.stderr[-4000:]))
    return r


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def test_install_puts_cli_shim_header_and_packages_in_prefix():
    shutil.rmtree(PREFIX, ignore_errors=True)
    sh(["cmake", "--install", BUILD, "--prefix", PREFIX])
    for f in ["bin/lockstep", "lib/liblockstep.so", "include/lockstep.h",
              "lib/cmake/lockstep/lockstepConfig.cmake",
              "lib/cmake/lockstep/lockstepConfigVersion.cmake",
              "lib/cmake/lockstep/lockstepAddTest.cmake", "lib/pkgconfig/lockstep.pc"]:
        assert os.path.isfile(os.path.join(PREFIX, f)), "not installed: " + f
    assert os.access(os.path.join(PREFIX, "bin/lockstep"), os.X_OK)
    r = sh([os.path.join(PREFIX, "bin/lockstep"), "--version"])
    assert re.search(r"\b0\.\d+\.\d+", r.stdout + r.stderr), r.stdout + r.stderr
    # relocatable: nothing installed names the build or source tree
    for root, _, files in os.walk(PREFIX):
        for f in files:
            if f.endswith((".cmake", ".pc")):
                text = open(os.path.join(root, f)).read()
                assert BUILD not in text and PREFIX not in text, (f, "holds an absolute path")


def test_installed_cli_preloads_installed_shim():
    # The installed CLI finds ../lib/liblockstep.so next to itself, also after the prefix moves.
    moved = os.path.join(fresh(SCRATCH), "moved")
    shutil.copytree(PREFIX, moved, symlinks=True)
    env = {k: v for k, v in os.environ.items() if k != "LOCKSTEP_SHIM"}
    for prefix in (PREFIX, moved):
        r = sh([os.path.join(prefix, "bin/lockstep"), "run", "-o", os.path.join(SCRATCH, "out"),
                "--", WHICH_SHIM], env=env, timeout=60)
        got = r.stdout.strip()
        assert got == os.path.realpath(os.path.join(prefix, "lib/liblockstep.so")), (prefix, got)
    # and the build tree's CLI still preloads the build tree's shim
    r = sh([os.path.join(BUILD, "bin/lockstep"), "run", "-o", os.path.join(SCRATCH, "out"), "--",
            WHICH_SHIM], env=env, timeout=60)
    assert r.stdout.strip() == os.path.realpath(os.path.join(BUILD, "lib/liblockstep.so")), r.stdout


def configure_sample(build, extra=(), ok=(0,)):
    return sh(["cmake", "-S", SAMPLE, "-B", build, "-DCMAKE_PREFIX_PATH=" + PREFIX,
               "-DCMAKE_BUILD_TYPE=RelWithDebInfo", *extra], ok=ok, timeout=120)


def test_find_package_project_tests_pass_clean_and_fail_abba():
    build = os.path.join(fresh(SCRATCH), "build")
    configure_sample(build)
    sh(["cmake", "--build", build, "-j2"], timeout=300)
    # the tests lockstep_add_test registered: command, TIMEOUT and LABELS
    info = json.loads(sh(["ctest", "--show-only=json-v1"], cwd=build).stdout)
    tests = {t["name"]: t for t in info["tests"]}
    assert sorted(tests) == ["abba_explore", "counter_explore", "counter_run"], sorted(tests)
    props = {n: {p["name"]: p["value"] for p in t["properties"]} for n, t in tests.items()}
    assert props["counter_run"]["TIMEOUT"] == 300 and props["counter_explore"]["TIMEOUT"] == 900
    assert props["counter_run"]["LABELS"] == ["lockstep"], props["counter_run"]
    assert props["abba_explore"]["LABELS"] == ["lockstep", "sample"], props["abba_explore"]
    cmd = tests["abba_explore"]["command"]
    assert cmd[0] == os.path.join(PREFIX, "bin/lockstep") or \
        os.path.realpath(cmd[0]) == os.path.realpath(os.path.join(PREFIX, "bin/lockstep")), cmd
    assert cmd[1] == "explore" and "--schedules" in cmd and "--seed" in cmd, cmd
    assert cmd[cmd.index("--") + 1] == os.path.join(build, "abba"), cmd
    assert tests["counter_run"]["command"][1] == "run", tests["counter_run"]["command"]
    assert tests["counter_run"]["command"][-1] == "3", tests["counter_run"]["command"]

    r = sh(["ctest", "--output-on-failure", "-j2"], cwd=build, ok=(8,), timeout=500)
    out = r.stdout + r.stderr
    passed = set(re.findall(r"Test\s+#\d+: (\S+) \.+\s+Passed", out))
    failed = set(re.findall(r"Test\s+#\d+: (\S+) \.+\*+Failed", out))
    assert passed == {"counter_run", "counter_explore"}, (passed, out[-3000:])
    assert failed == {"abba_explore"}, (failed, out[-3000:])
    # lockstep's report is in the failing test's output, with a source line of abba.c
    assert "lockstep: lock-order-cycle (potential deadlock)" in out, out[-3000:]
    assert re.search(r"a_then_b \S*abba\.c:\d+", out), out[-3000:]
    assert re.search(r"lockstep: \d+ findings? \(", out), out[-3000:]
    # each test has its own output directory in the sample's build tree
    rep = json.load(open(os.path.join(build, "lockstep-out/abba_explore/report.json")))
    kinds = {f["kind"] for f in rep["findings"]}
    assert "lock-order-cycle" in kinds, kinds
    rep = json.load(open(os.path.join(build, "lockstep-out/counter_run/report.json")))
    assert rep["findings"] == [], rep["findings"]
    assert os.path.isfile(os.path.join(build, "lockstep-out/counter_explore/report.json"))


def test_add_test_rejects_bad_arguments():
    # A project whose lockstep_add_test call is wrong fails at configure time, naming it.
    proj = fresh(SCRATCH)
    cases = {
        "MODE fuzz": "MODE must be run or explore",
        "SCHEDULES ten": "SCHEDULES must be a number",
        "MODE run SEED 3": "SEED needs MODE explore",
        "BOGUS 1": "unknown arguments: BOGUS",
    }
    for i, (args, want) in enumerate(cases.items()):
        d = fresh(os.path.join(proj, "p%d" % i))
        open(os.path.join(d, "CMakeLists.txt"), "w").write(
            "cmake_minimum_required(VERSION 3.20)\nproject(bad C)\nfind_package(lockstep REQUIRED)\n"
            "enable_testing()\nlockstep_add_test(NAME t %s COMMAND /bin/true)\n" % args)
        r = sh(["cmake", "-S", d, "-B", os.path.join(d, "b"), "-DCMAKE_PREFIX_PATH=" + PREFIX],
               ok=(1,), timeout=120)
        assert want in r.stderr, (args, r.stderr)
    # and a version lockstep does not have is refused by find_package
    d = fresh(os.path.join(proj, "version"))
    open(os.path.join(d, "CMakeLists.txt"), "w").write(
        "cmake_minimum_required(VERSION 3.20)\nproject(v C)\nfind_package(lockstep 9.0 REQUIRED)\n")
    r = sh(["cmake", "-S", d, "-B", os.path.join(d, "b"), "-DCMAKE_PREFIX_PATH=" + PREFIX],
           ok=(1,), timeout=120)
    assert "lockstepConfigVersion.cmake" in r.stderr or "version" in r.stderr, r.stderr


def test_pkg_config_gives_header_and_paths():
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(PREFIX, "lib/pkgconfig"))
    r = sh(["pkg-config", "--cflags", "--libs", "lockstep"], env=env)
    flags = r.stdout.split()
    assert len(flags) == 1 and flags[0].startswith("-I"), flags
    assert os.path.realpath(flags[0][2:]) == os.path.realpath(os.path.join(PREFIX, "include")), flags
    for var, path in (("lockstep", "bin/lockstep"), ("shim", "lib/liblockstep.so")):
        got = sh(["pkg-config", "--variable=" + var, "lockstep"], env=env).stdout.strip()
        assert os.path.realpath(got) == os.path.realpath(os.path.join(PREFIX, path)), (var, got)
    ver = sh(["pkg-config", "--modversion", "lockstep"], env=env).stdout.strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+", ver), ver
    # the flags build a program that uses lockstep.h
    d = fresh(SCRATCH)
    exe = os.path.join(d, "counter")
    sh(["cc", *flags, "-o", exe, os.path.join(SAMPLE, "counter.c"), "-pthread"])
    r = sh([exe, "2"], timeout=60)
    assert r.stdout.strip() == "counter 100 of 100", r.stdout


if __name__ == "__main__":
    fn = globals().get("test_" + NAME)
    if not fn:
        sys.exit("check_pkg.py: no test named " + NAME)
    fn()
    print("ok", NAME)
