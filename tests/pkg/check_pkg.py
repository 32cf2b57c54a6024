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
    assert sorted(tests) == ["abba_baselined", "abba_explore", "abba_fail_on_races", "counter_explore",
                             "counter_run"], sorted(tests)
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
    cmd = tests["abba_baselined"]["command"]
    assert cmd[cmd.index("--baseline") + 1] == os.path.join(SAMPLE, "abba.baseline"), cmd
    cmd = tests["abba_fail_on_races"]["command"]
    assert cmd[cmd.index("--fail-on") + 1] == "data-race", cmd

    r = sh(["ctest", "--output-on-failure", "-j2"], cwd=build, ok=(8,), timeout=500)
    out = r.stdout + r.stderr
    passed = set(re.findall(r"Test\s+#\d+: (\S+) \.+\s+Passed", out))
    failed = set(re.findall(r"Test\s+#\d+: (\S+) \.+\*+Failed", out))
    assert passed == {"counter_run", "counter_explore", "abba_baselined", "abba_fail_on_races"}, \
        (passed, out[-3000:])
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
    # the abba tests passed because of BASELINE and FAIL_ON, not for lack of findings
    rep = json.load(open(os.path.join(build, "lockstep-out/abba_baselined/report.json")))
    assert rep["findings"] and all(f["baselined"] for f in rep["findings"]), rep["findings"]
    rep = json.load(open(os.path.join(build, "lockstep-out/abba_fail_on_races/report.json")))
    assert "lock-order-cycle" in {f["kind"] for f in rep["findings"] if not f["baselined"]}


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


GITHUB = os.path.join(SRC, "ci/github/lockstep.yml")
GITLAB = os.path.join(SRC, "ci/gitlab/lockstep.gitlab-ci.yml")


def load_yaml(path):
    import yaml
    return yaml.safe_load(open(path))


def bash_syntax_ok(script, what):
    r = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, (what, r.stderr, script)


def deps_packages():
    """The build packages ci/deps.sh installs (its first want=( ... ) list)."""
    text = open(os.path.join(SRC, "ci/deps.sh")).read()
    return re.search(r"want=\(([^)]*)\)", text).group(1).split()


def check_apt_line(script, what):
    # the templates install what ci/deps.sh installs to build lockstep (libtsan2 is gcc's
    # TSan runtime, which the templates do not use; coreutils is always there)
    for p in deps_packages():
        if p not in ("libtsan2", "coreutils"):
            assert re.search(r"(^|\s)%s(\s|$)" % re.escape(p), script), (what, "lacks package", p)


def github_runs(job):
    return [st.get("run", "") for st in job["steps"]]


def test_ci_templates_parse():
    gh = load_yaml(GITHUB)
    on = gh.get("on", gh.get(True))  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in on and "push" in on, on
    env, jobs = gh["env"], gh["jobs"]
    assert set(jobs) == {"explore", "merge"}, set(jobs)
    ex, mg = jobs["explore"], jobs["merge"]
    shards = ex["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(env["LOCKSTEP_SHARDS"]) + 1)), (shards, env)
    assert ex["strategy"]["fail-fast"] is False
    runs = github_runs(ex)
    check_apt_line(runs[0], "github explore")
    check_apt_line(github_runs(mg)[0], "github merge")
    for job in (ex, mg):
        for run in github_runs(job):
            bash_syntax_ok(re.sub(r"\$\{\{[^}]*\}\}", "1", run), "github " + run[:40])
        assert job["container"] == "debian:12" or job["container"]["image"] == "debian:12"
    assert gh["defaults"]["run"]["shell"] == "bash"
    explore = "\n".join(runs)
    assert "-fsanitize=thread" in explore and "CMAKE_C_COMPILER=clang" in explore
    assert 'lockstep explore --shard "${{ matrix.shard }}/$LOCKSTEP_SHARDS"' in explore, explore
    up = [st for st in ex["steps"] if st.get("uses", "").startswith("actions/upload-artifact")]
    assert len(up) == 1 and up[0]["if"] == "always()", up
    assert "lockstep-out/" in up[0]["with"]["path"] and "stores" in up[0]["with"]["path"]
    assert mg["needs"] == "explore" and mg["if"] == "always()", mg
    assert mg["permissions"]["security-events"] == "write"
    down = [st for st in mg["steps"] if st.get("uses", "").startswith("actions/download-artifact")]
    assert down and down[0]["with"]["pattern"] == "lockstep-shard-*", down
    merge = "\n".join(github_runs(mg))
    assert "lockstep merge -o lockstep-merged" in merge and "--baseline lockstep.baseline" in merge
    assert "lockstep report --format all lockstep-merged" in merge and "exit $status" in merge
    sarif = [st for st in mg["steps"] if st.get("uses", "").startswith("github/codeql-action/upload-sarif")]
    assert len(sarif) == 1 and sarif[0]["with"]["sarif_file"] == "lockstep-merged/report.sarif"
    assert sarif[0]["if"] == "always()"
    keep = [st for st in mg["steps"] if st.get("uses", "").startswith("actions/upload-artifact")]
    assert keep and "lockstep-merged/report.html" in keep[0]["with"]["path"], keep
    assert "lockstep-merged/report.junit.xml" in keep[0]["with"]["path"], keep

    gl = load_yaml(GITLAB)
    setup, ex, mg = gl[".lockstep-install"], gl["lockstep-explore"], gl["lockstep-merge"]
    assert ex["extends"] == mg["extends"] == ".lockstep-install"
    assert setup["image"] == "debian:12"
    before = "\n".join(setup["before_script"])
    check_apt_line(before, "gitlab before_script")
    assert isinstance(ex["parallel"], int) and ex["parallel"] >= 2, ex["parallel"]
    for what, lines in (("before_script", setup["before_script"]), ("explore", ex["script"]),
                        ("merge", mg["script"])):
        bash_syntax_ok("\n".join(lines), "gitlab " + what)
    script = "\n".join(ex["script"])
    assert 'lockstep explore --shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"' in script, script
    assert "-fsanitize=thread" in script and "CMAKE_C_COMPILER=clang" in script
    assert ex["artifacts"]["when"] == "always" and "lockstep-out/" in ex["artifacts"]["paths"]
    assert mg["needs"] == ["lockstep-explore"] and mg["when"] == "always"
    script = "\n".join(mg["script"])
    assert "lockstep merge -o lockstep-merged" in script and "--baseline lockstep.baseline" in script
    assert "lockstep report --format all lockstep-merged" in script
    art = mg["artifacts"]
    assert art["when"] == "always" and art["reports"]["junit"] == "lockstep-merged/report.junit.xml"
    assert {"lockstep-merged/report.html", "lockstep-merged/report.sarif"} <= set(art["paths"])
    # same variables in both templates
    assert set(gl["variables"]) <= set(env), (set(gl["variables"]), set(env))


README_MARK = re.compile(r"<!-- (same as|run by): (\S+) -->\n```[a-z]*\n(.*?)```\n", re.S)


def readme_blocks():
    return README_MARK.findall(open(os.path.join(SRC, "README.md")).read())


def test_readme_snippets_match_ci_files():
    blocks = readme_blocks()
    same = [(f, b) for kind, f, b in blocks if kind == "same as"]
    files = {f for f, _ in same}
    want = {"ci/github/lockstep.yml", "ci/gitlab/lockstep.gitlab-ci.yml",
            "tests/pkg/sample/CMakeLists.txt"}
    assert want <= files, ("README lacks snippets of", want - files)
    for f, block in same:
        text = open(os.path.join(SRC, f)).read()
        assert block in text, "README block differs from %s:\n%s" % (f, block)
    # every fenced block in "Use in CI" is marked, so none can drift unchecked
    readme = open(os.path.join(SRC, "README.md")).read()
    section = readme[readme.index("## Use in CI"):]
    section = section[:section.index("\n## ", 1)]
    fences = section.count("\n```") // 2
    assert fences == len(re.findall(r"<!-- (same as|run by): ", section)), fences
    # and the quick start stays two commands
    quick = readme[readme.index("## Quick start"):]
    quick = quick[:quick.index("\n## ", 1)]
    cmds = re.search(r"```\n(.*?)```", quick, re.S).group(1).strip().splitlines()
    assert [c.split("#")[0].strip() for c in cmds] == ["bash ci/run-cases.sh", "bash ci/test.sh"], cmds



def readme_steps():
    """The README's CI steps: the commands of the block marked `run by`, continuations joined."""
    blocks = [b for kind, _, b in readme_blocks() if kind == "run by"]
    assert len(blocks) == 1, blocks
    cmds, cur = [], ""
    for line in blocks[0].splitlines():
        if not cur and (not line.strip() or line.lstrip().startswith("#")):
            continue
        cur += line
        if cur.endswith("\\"):
            cur = cur[:-1]
            continue
        cmds.append(cur)
        cur = ""
    return cmds


def copy_sample(root):
    proj = os.path.join(fresh(root), "proj")
    shutil.copytree(SAMPLE, proj)
    return proj


def race_findings(report_dir):
    """(function, file basename) of the data races that count for the exit status."""
    rep = json.load(open(os.path.join(report_dir, "report.json")))
    out = set()
    for f in rep["findings"]:
        if f.get("baselined"):
            continue
        assert f["kind"] == "data-race", f["kind"]
        fr = f["stacks"][0]["frames"][0]
        out.add((fr["function"], os.path.basename(fr["file"])))
    return out


def bash_session(cmds, cwd, env, log):
    """Runs cmds in one bash, as a CI job would; returns each one's exit status."""
    status = os.path.join(log + ".status")
    script = "exec 3>%s\n" % status
    for c in cmds:
        script += "%s\necho $? >&3\n" % c
    with open(log, "w") as out:
        r = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, stdout=out,
                           stderr=subprocess.STDOUT, timeout=600)
    assert r.returncode == 0, (r.returncode, open(log).read()[-3000:])
    return [int(x) for x in open(status).read().split()]


def test_documented_ci_steps_gate_new_race_only():
    cmds = readme_steps()
    kinds = [c.split()[0] + " " + c.split()[1] for c in cmds]
    assert "cmake --install" in kinds and "lockstep baseline" in kinds, kinds
    gate = cmds[-1]
    assert gate.startswith("lockstep explore") and "--baseline" in gate, gate
    proj = copy_sample(SCRATCH)
    os.symlink(SRC, os.path.join(proj, "lockstep"))  # "lockstep's source tree in lockstep/"
    env = dict(os.environ)
    env.pop("LOCKSTEP_SHIM", None)
    log = os.path.join(SCRATCH, "steps.log")
    got = bash_session(cmds, proj, env, log)
    want = [66 if c.startswith("lockstep explore") and "--baseline" not in c else 0 for c in cmds]
    text = open(log).read()
    assert got == want, (list(zip(cmds, got)), text[-4000:])
    # the steps used the lockstep they installed, and found both races before the gate
    assert os.path.isfile(os.path.join(proj, ".lockstep/bin/lockstep"))
    assert os.path.isfile(os.path.join(proj, "lockstep.baseline"))
    assert "count_known" in text and "suppressed by" in text, text[-4000:]
    out = os.path.join(proj, "lockstep-out/races")
    assert race_findings(out) == set(), race_findings(out)

    path = dict(env, PATH=os.path.join(proj, ".lockstep/bin") + ":" + env["PATH"])
    # without the suppressions, the gate fails on the suppressed race only
    nosupp = gate.replace(" --suppressions lockstep.supp", "")
    assert nosupp != gate
    assert bash_session([nosupp], proj, path, log) == [66], open(log).read()[-3000:]
    assert race_findings(out) == {("count_stats", "races.c")}, race_findings(out)

    # a change that brings a new race: the gate fails, naming only the new race
    configure = [c for c in cmds if c.startswith("cmake -S . -B build-tsan")]
    build = [c for c in cmds if c.startswith("cmake --build build-tsan")]
    assert len(configure) == 1 and len(build) == 1, cmds
    got = bash_session([configure[0] + " -DSAMPLE_NEW_RACE=ON", build[0], gate], proj, path, log)
    text = open(log).read()
    assert got == [0, 0, 66], (got, text[-4000:])
    assert race_findings(out) == {("add_new", "races_new.c")}, race_findings(out)
    assert re.search(r"add_new \S*races_new\.c:\d+", text), text[-4000:]


def template_scripts():
    """The lockstep scripts of both templates: {name: (script, env)}."""
    gh, gl = load_yaml(GITHUB), load_yaml(GITLAB)
    named = {st.get("name", ""): st.get("run", "") for job in gh["jobs"].values()
             for st in job["steps"]}
    build = named["Build the tests with ThreadSanitizer"]
    explore = [v for k, v in named.items() if k.startswith("lockstep explore")]
    merge = [v for k, v in named.items() if k.startswith("lockstep merge")]
    assert len(explore) == 1 and len(merge) == 1, list(named)
    return gh["env"], build, explore[0], merge[0], gl


def test_ci_template_scripts_shard_merge_gate():
    env_vars, build, explore, merge, gl = template_scripts()
    proj = copy_sample(SCRATCH)
    temp = os.path.join(SCRATCH, "runner-temp")
    os.makedirs(temp)
    os.symlink(PREFIX, os.path.join(temp, "lockstep-prefix"))
    shards = int(env_vars["LOCKSTEP_SHARDS"])
    env = dict(os.environ, **{k: str(v) for k, v in env_vars.items()})
    env.pop("LOCKSTEP_SHIM", None)
    env.update(RUNNER_TEMP=temp, LOCKSTEP_SCHEDULES=str(2 * shards),
               PATH=os.path.join(PREFIX, "bin") + ":" + os.environ["PATH"])
    log = os.path.join(SCRATCH, "job.log")

    def job(script, extra=None):
        """One GitHub step: bash -eo pipefail, as `shell: bash` runs it; its exit status."""
        with open(log, "w") as out:
            r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                               cwd=proj, env=dict(env, **(extra or {})), stdout=out,
                               stderr=subprocess.STDOUT, timeout=600)
        return r.returncode

    def github_pipeline():
        shutil.rmtree(os.path.join(proj, "lockstep-out"), ignore_errors=True)
        for i in range(1, shards + 1):
            st = job(explore.replace("${{ matrix.shard }}", str(i)))
            assert st == 0, (i, open(log).read()[-3000:])
        # each shard ran its part of the schedules (2 of 2 * shards)
        for i in range(1, shards + 1):
            rep = json.load(open(os.path.join(proj, "lockstep-out/shard-%d/races/report.json" % i)))
            assert rep["schedules"] == 2, (i, rep["schedules"])
        return job(merge)

    def gitlab_pipeline():
        shutil.rmtree(os.path.join(proj, "lockstep-out"), ignore_errors=True)
        script = "\n".join(gl["lockstep-explore"]["script"][2:])  # after the TSan build
        for i in range(1, shards + 1):
            st = job(script, {"CI_NODE_INDEX": str(i), "CI_NODE_TOTAL": str(shards)})
            assert st == 0, (i, open(log).read()[-3000:])
        return job("\n".join(gl["lockstep-merge"]["script"]))

    assert job(build) == 0, open(log).read()[-3000:]
    merged = os.path.join(proj, "lockstep-merged")
    # first run, no baseline yet: the unsuppressed race fails the merge
    assert github_pipeline() == 66, open(log).read()[-3000:]
    for f in ("report.sarif", "report.junit.xml", "report.html", "report.json", "report.txt"):
        assert os.path.isfile(os.path.join(merged, f)), f
    assert race_findings(merged) == {("count_known", "races.c")}, race_findings(merged)
    sarif = json.load(open(os.path.join(merged, "report.sarif")))
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) >= 1
    rep = json.load(open(os.path.join(merged, "report.json")))
    assert rep["findings"][0]["count"] == 2 * shards, rep["findings"][0]["count"]
    # adopt: the baseline from the merged report; then the pipeline passes
    sh([os.path.join(PREFIX, "bin/lockstep"), "baseline", "-o",
        os.path.join(proj, "lockstep.baseline"), merged])
    assert github_pipeline() == 0, open(log).read()[-3000:]
    assert gitlab_pipeline() == 0, open(log).read()[-3000:]
    # a new race fails both pipelines, and only the new race counts
    sh(["cmake", "-S", proj, "-B", os.path.join(proj, "build-tsan"), "-DSAMPLE_NEW_RACE=ON"])
    sh(["cmake", "--build", os.path.join(proj, "build-tsan")])
    assert github_pipeline() == 66, open(log).read()[-3000:]
    assert race_findings(merged) == {("add_new", "races_new.c")}, race_findings(merged)
    junit = open(os.path.join(merged, "report.junit.xml")).read()
    assert "races_new.c" in junit, junit[:2000]
    assert gitlab_pipeline() == 66, open(log).read()[-3000:]
    assert race_findings(merged) == {("add_new", "races_new.c")}, race_findings(merged)


if __name__ == "__main__":
    fn = globals().get("test_" + NAME)
    if not fn:
        sys.exit("check_pkg.py: no test named " + NAME)
    fn()
    print("ok", NAME)
