#!/usr/bin/env python3
"""check_formats.py: end-to-end tests of the sarif, junit and html writers (reports/) through
`lockstep report --format ...` (harness/cli/cmd_report.c), on real output directories.

  check_formats.py setup OUT LOCKSTEP CASES WRITER SRC
        runs the cases under lockstep (run, explore, replay) into OUT/<name>/, adds the
        reports tests' rich fixture (OUT/fixture), a clean report (OUT/clean) and a hostile
        one (OUT/hostile: markup and quotes in every string), then renders every directory
        with `lockstep report --format all --source-root SRC`
  check_formats.py sarif-schema OUT SCHEMA    every report.sarif validates against SCHEMA
  check_formats.py sarif OUT SRC              rules, ruleIds, levels, locations[0] = the site
                                              that closes each finding, related locations
                                              linked from the message, fingerprints, flows
  check_formats.py junit OUT                  well-formed, one suite, unique testcase names
                                              carrying the fingerprints, failure bodies
  check_formats.py html OUT SRC               graphs, timelines, escaped source, summary
                                              table, nothing fetched from elsewhere
  check_formats.py html-builtin OUT LOCKSTEP  without Graphviz on PATH the graph is still drawn
  check_formats.py hostile OUT                target strings cannot inject markup anywhere
  check_formats.py text OUT LOCKSTEP SRC      report.txt of `all` equals the text rendering

Needs python3's jsonschema module (Debian: python3-jsonschema) for sarif-schema.
"""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

FAILURES = []

KINDS = ["lock-order-cycle", "deadlock", "self-deadlock", "lock-misuse", "data-race",
         "target-failure", "hang", "thread-leak", "signal-unsafe-call"]
ERROR_KINDS = {"deadlock", "self-deadlock", "data-race", "target-failure"}
FILES = ["report.txt", "report.json", "report.html", "report.sarif", "report.junit.xml"]


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL: " + what, file=sys.stderr)
    return cond


def finish():
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES), file=sys.stderr)
        sys.exit(1)
    print("ok")
    sys.exit(0)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def outputs(out):
    """The rendered output directories under OUT, by name."""
    return {d: os.path.join(out, d) for d in sorted(os.listdir(out))
            if os.path.isfile(os.path.join(out, d, "report.json"))}


# ------------------------------------------------------------------------------------------
# setup
# ------------------------------------------------------------------------------------------

def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=100, **kw)


def setup(out, lockstep, cases, writer, src):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    abba = os.path.join(cases, "lock_order_inverted_abba")
    selfdl = os.path.join(cases, "rlock_nested_plain_selfdeadlock")
    race = os.path.join(cases, "counter_unlocked_yield_race.tsan")
    jobs = [
        ("run-abba", [lockstep, "run", "-q", "-o", "@", "--", abba]),
        ("explore-abba", [lockstep, "explore", "-q", "--schedules", "40", "-j", "2", "-o", "@",
                          "--", abba]),
        ("run-selfdeadlock", [lockstep, "run", "-q", "-o", "@", "--", selfdl]),
    ]
    if os.path.exists(race):
        jobs.append(("explore-race", [lockstep, "explore", "-q", "--schedules", "6", "-j", "2",
                                      "-o", "@", "--", race]))
    else:
        print("note: %s is not built (no clang): no data-race case" % race)
    for name, cmd in jobs:
        d = os.path.join(out, name)
        p = run([d if a == "@" else a for a in cmd], cwd=src)
        check(p.returncode in (0, 66) and os.path.isfile(os.path.join(d, "report.json")),
              "%s: lockstep exited %d: %s" % (name, p.returncode, p.stderr.decode()[-400:]))
    # the replay of the explore's deadlock schedule: its trace is trace.txt
    ex = os.path.join(out, "explore-abba", "report.json")
    if os.path.isfile(ex):
        dl = [f for f in load(ex)["findings"] if f["kind"] == "deadlock"]
        if check(dl, "explore-abba found no deadlock in 40 schedules"):
            d = os.path.join(out, "replay-deadlock")
            p = run([lockstep, "replay", "-q", "-o", d, dl[0]["schedule"]], cwd=src)
            check(p.returncode in (0, 66), "replay exited %d: %s" % (p.returncode, p.stderr))
    # the fixtures: rich, clean, hostile
    fx = os.path.join(out, "fixtures-src")
    os.makedirs(fx)
    p = run([writer, fx])
    check(p.returncode == 0, "fixture writer failed: %s" % p.stderr)
    for name, src_name in (("fixture", "rich.json"), ("clean", "empty.json")):
        os.makedirs(os.path.join(out, name))
        shutil.copy(os.path.join(fx, src_name), os.path.join(out, name, "report.json"))
    make_hostile(os.path.join(fx, "rich.json"), os.path.join(out, "hostile"))
    for name, d in outputs(out).items():
        p = run([lockstep, "report", "--format", "all", "--source-root", src, d], cwd=src)
        check(p.returncode == 0 and p.stderr == b"",
              "%s: lockstep report --format all: %d %s" % (name, p.returncode, p.stderr))
        for f in FILES:
            check(os.path.getsize(os.path.join(d, f)) > 0, "%s/%s is empty" % (name, f))


EVIL = '</script><img src=x onerror="alert(1)">\'&amp;<!--]]>\x01'


def make_hostile(rich, d):
    """The rich fixture with markup, quotes and control characters in every string."""
    r = load(rich)
    r["target"]["argv"][0] = "./" + EVIL
    for f in r["findings"] + r["notes"]:
        f["message"] = "msg " + EVIL
        if f.get("reason"):
            f["reason"] = "why " + EVIL
        if f.get("variable"):
            f["variable"] = "var " + EVIL
        f["schedule"] = "/tmp/" + EVIL + ".schedule"
        for t in f["threads"]:
            t["name"] = "thr " + EVIL
        for l in f["locks"]:
            l["name"] = "lock " + EVIL
            l["type"] = "mutex"
        for s in f["stacks"]:
            s["role"] = "held" if s["role"] == "held" else s["role"]
            for fr in s["frames"]:
                if fr.get("function"):
                    fr["function"] = "fn " + EVIL
                if fr.get("file"):
                    fr["file"] = "/src/" + EVIL + ".c"
    r["limits"] = ["limit " + EVIL]
    os.makedirs(d)
    with open(os.path.join(d, "report.json"), "w", encoding="utf-8") as f:
        json.dump(r, f, indent=2)


# ------------------------------------------------------------------------------------------
# the expected primary site, as reports/sarif.c lst_finding_primary_stack computes it
# ------------------------------------------------------------------------------------------

def primary_stack(f):
    st = f["stacks"]

    def valid(i):
        return i is not None and 0 <= i < len(st)

    k = f["kind"]
    if k == "lock-order-cycle":
        for e in reversed(f["edges"]):
            if valid(e["acquire_stack"]):
                return e["acquire_stack"]
    elif k == "data-race":
        for a in f["accesses"]:
            if valid(a["stack"]):
                return a["stack"]
    elif k == "deadlock":
        for i, s in enumerate(st):
            if s["role"] == "blocked" and s["lock"] is not None:
                return i
        for i, s in enumerate(st):
            if s["role"] == "blocked":
                return i
    elif k == "self-deadlock":
        for i, s in enumerate(st):
            if s["role"] == "acquire":
                return i
    for i, s in enumerate(st):
        if s["frames"] and s["role"] != "created":
            return i
    for i, s in enumerate(st):
        if s["frames"]:
            return i
    return 0 if st else None


def site(stack):
    fr = stack["frames"]
    for f in fr:
        if f.get("file") and f.get("line"):
            return f
    for f in fr:
        if f.get("file"):
            return f
    return fr[0] if fr else None


def rel(path, src):
    src = os.path.realpath(src)
    p = os.path.realpath(path) if path.startswith("/") else path
    if p.startswith(src + "/"):
        return p[len(src) + 1:]
    return None


# ------------------------------------------------------------------------------------------
# SARIF
# ------------------------------------------------------------------------------------------

def sarif_schema(out, schema_path):
    try:
        import jsonschema
    except ImportError:
        if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") and \
                os.path.exists("/usr/bin/python3") and not os.environ.get("LST_SARIF_REEXEC"):
            os.environ["LST_SARIF_REEXEC"] = "1"
            os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
        check(False, "the python3 module 'jsonschema' is missing (Debian: python3-jsonschema)")
        return
    schema = load(schema_path)
    check(schema.get("id", "").endswith("/sarif-schema-2.1.0.json"), "not the SARIF 2.1.0 schema")
    jsonschema.Draft4Validator.check_schema(schema)
    v = jsonschema.Draft4Validator(schema)
    n = 0
    for name, d in outputs(out).items():
        doc = load(os.path.join(d, "report.sarif"))
        errs = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
        for e in errs[:5]:
            check(False, "%s: %s at %s" % (name, e.message[:300], "/".join(map(str, e.path))))
        n += 1
        # a broken copy must not validate: the validator is really looking
        bad = json.loads(json.dumps(doc))
        bad["runs"][0]["results"].append({"level": "fatal"})
        check(not v.is_valid(bad), "%s: a broken copy validates" % name)
    check(n >= 5, "only %d outputs to validate" % n)


def sarif(out, src):
    for name, d in outputs(out).items():
        rep = load(os.path.join(d, "report.json"))
        doc = load(os.path.join(d, "report.sarif"))
        check(doc["version"] == "2.1.0", name + ": version")
        runs = doc["runs"]
        check(len(runs) == 1, name + ": one run")
        run_ = runs[0]
        drv = run_["tool"]["driver"]
        check(drv["name"] == "lockstep" and drv.get("version") and drv.get("informationUri"),
              name + ": driver name/version/informationUri")
        rules = drv["rules"]
        check([r["id"] for r in rules] == ["lockstep/" + k for k in KINDS],
              name + ": one rule per kind, in kinds.def order: %s" % [r["id"] for r in rules])
        for r in rules:
            check(r["shortDescription"]["text"] and r["fullDescription"]["text"],
                  name + ": rule %s descriptions" % r["id"])
        check(run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] ==
              "file://" + os.path.realpath(src) + "/", name + ": %SRCROOT%")
        results = run_["results"]
        check(len(results) == len(rep["findings"]),
              name + ": %d results for %d findings" % (len(results), len(rep["findings"])))
        for f, res in zip(rep["findings"], results):
            what = "%s: %s %s" % (name, f["kind"], f["fingerprint"])
            check(res["ruleId"] == "lockstep/" + f["kind"], what + ": ruleId " + res["ruleId"])
            check(rules[res["ruleIndex"]]["id"] == res["ruleId"], what + ": ruleIndex")
            check(res["level"] == ("error" if f["kind"] in ERROR_KINDS else "warning"),
                  what + ": level " + res["level"])
            check(res["partialFingerprints"] == {"lockstep/v1": f["fingerprint"]},
                  what + ": partialFingerprints")
            check(res["occurrenceCount"] == max(1, f["count"]), what + ": occurrenceCount")
            # locations[0]: the site that closes the finding
            p = primary_stack(f)
            want = site(f["stacks"][p]) if p is not None else None
            loc = res["locations"][0]
            phys = loc.get("physicalLocation", {})
            if want and want.get("file"):
                r = rel(want["file"], src)
                uri = phys.get("artifactLocation", {}).get("uri", "")
                if r is not None and not re.search(r"[^A-Za-z0-9_./~-]", r):
                    check(uri == r and phys["artifactLocation"].get("uriBaseId") == "%SRCROOT%",
                          what + ": locations[0] uri %s, want %s" % (uri, r))
                elif r is None:
                    check(uri.startswith("file:///"), what + ": outside root: " + uri)
                if want.get("line"):
                    check(phys.get("region", {}).get("startLine") == want["line"],
                          what + ": locations[0] line %s, want %s" %
                          (phys.get("region", {}).get("startLine"), want["line"]))
            # related locations: ids 1..n, each linked from the message, no dangling link
            rel_ids = [l["id"] for l in res.get("relatedLocations", [])]
            check(rel_ids == list(range(1, len(rel_ids) + 1)), what + ": related ids %s" % rel_ids)
            text = res["message"]["text"]
            links = [int(m) for m in re.findall(r"(?<!\\)\]\((\d+)\)", text)]
            check(sorted(links) == rel_ids, what + ": message links %s, related %s" %
                  (links, rel_ids))
            nstacks = sum(1 for s in f["stacks"] if s["frames"])
            check(len(rel_ids) == max(0, nstacks - (1 if p is not None and
                                                    f["stacks"][p]["frames"] else 0)),
                  what + ": one related location per other stack")
            if f.get("message"):
                plain = re.sub(r"\\([\\\[\]])", r"\1", text)
                check(plain.startswith(f["message"]), what + ": message starts with the finding's")
            # thread flows: one per thread that has frames
            threads = {s["thread"] for s in f["stacks"] if s["frames"] and s["thread"] is not None}
            flows = res.get("codeFlows", [{"threadFlows": []}])[0]["threadFlows"]
            ids = [tf["id"] for tf in flows]
            check(len(ids) == len(set(ids)), what + ": threadFlow ids unique")
            check({"T%d" % t for t in threads} <= set(ids), what + ": flows %s for threads %s" %
                  (ids, sorted(threads)))
            nframes = sum(len(s["frames"]) for s in f["stacks"])
            check(sum(len(tf["locations"]) for tf in flows) == nframes,
                  what + ": every frame is in a thread flow")
        # notes and limits: notifications, not results
        inv = run_["invocations"][0]
        notes = inv.get("toolExecutionNotifications", [])
        check(len(notes) == len(rep["notes"]) + len(rep["limits"]),
              name + ": %d notifications for %d notes + %d limits" %
              (len(notes), len(rep["notes"]), len(rep["limits"])))
        for n, note in zip(notes, rep["notes"]):
            check(n["level"] == "note" and n["associatedRule"]["id"] == "lockstep/" +
                  note["kind"], name + ": note notification")
    # the real cases' sites, spelled out once
    od = outputs(out)
    if "run-selfdeadlock" in od:
        res = load(os.path.join(od["run-selfdeadlock"], "report.sarif"))["runs"][0]["results"][0]
        loc = res["locations"][0]["physicalLocation"]
        check(loc["artifactLocation"]["uri"] == "cases/rlock_nested_plain_selfdeadlock.c" and
              loc["region"]["startLine"] == 35,
              "self-deadlock: locations[0] is %s:%s, want the relock at line 35" %
              (loc["artifactLocation"]["uri"], loc["region"]["startLine"]))
    for name in ("run-abba", "explore-abba"):
        if name not in od:
            continue
        for res in load(os.path.join(od[name], "report.sarif"))["runs"][0]["results"]:
            loc = res["locations"][0]["physicalLocation"]
            want = {"lockstep/lock-order-cycle": (32, 44), "lockstep/deadlock": (32, 44)}
            if res["ruleId"] in want:
                check(loc["artifactLocation"]["uri"] == "cases/lock_order_inverted_abba.c" and
                      loc["region"]["startLine"] in want[res["ruleId"]],
                      "%s %s: locations[0] %s:%s is not a second acquisition" %
                      (name, res["ruleId"], loc["artifactLocation"]["uri"],
                       loc["region"]["startLine"]))
    if "explore-race" in od:
        res = load(os.path.join(od["explore-race"], "report.sarif"))["runs"][0]["results"]
        races = [r for r in res if r["ruleId"] == "lockstep/data-race"]
        if check(races, "explore-race: no data-race result"):
            loc = races[0]["locations"][0]["physicalLocation"]
            check(loc["artifactLocation"]["uri"] == "cases/counter_unlocked_yield_race.c",
                  "race: locations[0] uri " + loc["artifactLocation"]["uri"])


# ------------------------------------------------------------------------------------------
# JUnit
# ------------------------------------------------------------------------------------------

def junit(out):
    for name, d in outputs(out).items():
        rep = load(os.path.join(d, "report.json"))
        try:
            root = ET.parse(os.path.join(d, "report.junit.xml")).getroot()
        except ET.ParseError as e:
            check(False, "%s: report.junit.xml does not parse: %s" % (name, e))
            continue
        check(root.tag == "testsuites", name + ": root is <testsuites>")
        suites = root.findall("testsuite")
        check(len(suites) == 1 and suites[0].get("name") == "lockstep",
              name + ": one testsuite named lockstep")
        cases = suites[0].findall("testcase")
        names = [c.get("name") for c in cases]
        check(len(names) == len(set(names)), name + ": testcase names unique: %s" % names)
        fails = [c for c in cases if c.find("failure") is not None]
        check(suites[0].get("tests") == str(len(cases)) and
              suites[0].get("failures") == str(len(fails)), name + ": counts")
        if not rep["findings"]:
            argv0 = os.path.basename(rep["target"]["argv"][0]) if rep["target"]["argv"] else ""
            check(len(cases) == 1 and not fails and
                  names[0] == (argv0 or "target"), name + ": one passing testcase for a clean "
                  "target, got %s" % names)
            continue
        check(len(cases) == len(rep["findings"]) and len(fails) == len(cases),
              name + ": one failing testcase per finding")
        for f, c in zip(rep["findings"], cases):
            check(c.get("name").startswith("%s %s" % (f["kind"], f["fingerprint"])),
                  name + ": testcase name %s" % c.get("name"))
            fl = c.find("failure")
            check(fl.get("type") == f["kind"], name + ": failure type")
            if "\x01" not in (f.get("message") or ""):
                check(fl.get("message") == f["message"], name + ": failure message %r" %
                      fl.get("message"))
            check("[fingerprint %s" % f["fingerprint"] in (fl.text or ""),
                  name + ": failure body is the text rendering")


# ------------------------------------------------------------------------------------------
# HTML
# ------------------------------------------------------------------------------------------

class Tags(html.parser.HTMLParser):
    """Collects start tags (name, attrs) and checks nesting of the usual containers."""
    VOID = {"meta", "br", "img", "input", "link", "hr", "path", "ellipse", "rect", "polygon",
            "polyline", "line", "circle", "stop"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.stack = []
        self.errors = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else ""))
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def parse_html(text):
    p = Tags()
    p.feed(text)
    p.close()
    return p


def no_external(name, text, tags):
    check(not re.search(r"https?://", text, re.I), name + ": an http(s):// reference")
    for tag, a in tags.tags:
        for k in ("src", "href", "xlink:href", "action", "data", "poster"):
            v = a.get(k)
            if v is not None:
                check(v.startswith("#"), "%s: <%s %s=%r> points outside the page" %
                      (name, tag, k, v))
        check(tag not in ("link", "iframe", "object", "embed", "img", "image", "use",
                          "audio", "video", "source"), name + ": <%s> element" % tag)
        if tag == "script":
            check("src" not in a, name + ": external script")
    check(not re.search(r"url\((?!#)", re.sub(r"url\(#[^)]*\)", "", text)),
          name + ": a CSS url() that is not a fragment")
    check("@import" not in text and "@font-face" not in text, name + ": CSS import/font")


def html_checks(out, src):
    od = outputs(out)
    for name, d in od.items():
        rep = load(os.path.join(d, "report.json"))
        text = open(os.path.join(d, "report.html"), encoding="utf-8").read()
        tags = parse_html(text)
        check(not tags.errors, "%s: badly nested: %s" % (name, tags.errors[:3]))
        check(text.startswith("<!DOCTYPE html>"), name + ": doctype")
        no_external(name, text, tags)
        check(text.count("<script") == 1, name + ": one (inline) script")
        ids = [a["id"] for _, a in tags.tags if "id" in a]
        check(len(ids) == len(set(ids)), name + ": ids unique")
        for f in rep["findings"]:
            check('id="finding-%s"' % f["fingerprint"] in text,
                  "%s: no section finding-%s" % (name, f["fingerprint"]))
        rows = [a for t, a in tags.tags if t == "tr" and "finding-row" in a.get("class", "")]
        check(len(rows) == len(rep["findings"]), name + ": summary rows")
        if rep["findings"]:
            check('id="findings-table"' in text and 'id="kind-filter"' in text and
                  'data-type="num"' in text, name + ": sortable, filterable summary table")
    # a cycle and a deadlock: the graph, with the thread and line on the edges
    for name in ("run-abba", "explore-abba", "replay-deadlock"):
        if name not in od:
            continue
        text = open(os.path.join(od[name], "report.html"), encoding="utf-8").read()
        figs = re.findall(r'<figure class="cycle-graph"[^>]*>(.*?)</figure>', text, re.S)
        check(figs and all("<svg" in g for g in figs), name + ": no SVG lock graph")
        check(any("lock_a" in g and "lock_b" in g for g in figs), name + ": graph lacks locks")
        check(any(re.search(r"lock_order_inverted_abba\.c:(32|44)", g) for g in figs),
              name + ": graph edges lack the acquisition lines")
        check(any("thread1" in g or "T1" in g for g in figs), name + ": edges lack the thread")
        # the source of the acquisition, escaped
        check('<span class="line hl"><span class="ln">32</span>    pthread_mutex_lock(&amp;lock_b);'
              in text or 'pthread_mutex_lock(&amp;lock_b);' in text,
              name + ": escaped source line of the acquisition")
        check('printf(&quot;thread1 acquire both\\n&quot;);' in text,
              name + ": source lines with quotes are escaped")
    # explore and replay: the interleaving as swimlanes
    for name in ("explore-abba", "replay-deadlock", "explore-race"):
        if name not in od:
            continue
        text = open(os.path.join(od[name], "report.html"), encoding="utf-8").read()
        tl = re.findall(r'<table class="timeline" data-steps="(\d+)">(.*?)</table>', text, re.S)
        if not check(tl, name + ": no timeline"):
            continue
        for steps, body in tl:
            lanes = len(re.findall(r'<th class="lane"', body))
            rows = re.findall(r"<tr class=\"[^\"]*\"><td class=\"step\">", body)
            check(lanes >= 2 and len(rows) == min(int(steps), 2000),
                  "%s: timeline %s steps, %d rows, %d lanes" % (name, steps, len(rows), lanes))
        if name != "explore-race":
            check("blocked here" in text and re.search(r"<span class=\"op\">lock</span> "
                                                       r"<span class=\"obj\">lock_[ab]</span>",
                                                       text),
                  name + ": deadlock timeline shows lock steps and where threads block")
    if "replay-deadlock" in od:
        text = open(os.path.join(od["replay-deadlock"], "report.html"), encoding="utf-8").read()
        check("trace.txt" in text, "replay: the timeline comes from trace.txt")
    if "run-abba" in od:
        text = open(os.path.join(od["run-abba"], "report.html"), encoding="utf-8").read()
        check('class="timeline"' not in text, "run: a timeline without a trace")
    if "explore-abba" in od:
        text = open(os.path.join(od["explore-abba"], "report.html"), encoding="utf-8").read()
        check('data-layout="graphviz"' in text or not shutil.which("dot"),
              "dot is on PATH but the graph was not drawn by Graphviz")


def html_builtin(out, lockstep):
    od = outputs(out)
    env = dict(os.environ, PATH="/nonexistent-lockstep-test")
    for name in ("explore-abba", "run-selfdeadlock", "fixture"):
        if name not in od:
            continue
        p = run([lockstep, "report", "--format", "html", od[name]], env=env)
        check(p.returncode == 0, name + ": report without dot failed")
        text = p.stdout.decode("utf-8")
        figs = re.findall(r'<figure class="cycle-graph" data-layout="(\w+)">(.*?)</figure>',
                          text, re.S)
        check(figs and all(l == "builtin" and "<svg" in g and "<path" in g and "marker-end" in g
                           for l, g in figs), name + ": built-in graph missing")
        check(not tags_errors(text), name + ": built-in SVG badly nested")
        no_external(name + " (builtin)", text, parse_html(text))


def tags_errors(text):
    return parse_html(text).errors


def hostile(out):
    d = outputs(out).get("hostile")
    if not check(d, "no hostile output"):
        return
    text = open(os.path.join(d, "report.html"), encoding="utf-8").read()
    tags = parse_html(text)
    check(not [t for t, _ in tags.tags if t == "img"], "html: an injected <img>")
    check(text.count("<script") == 1 and text.count("</script>") == 1, "html: injected script")
    check("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text, "html: escaped form missing")
    check("\x01" not in text, "html: a raw control character")
    check(not tags.errors, "html: badly nested: %s" % tags.errors[:3])
    for t, a in tags.tags:
        for k in a:
            check(not k.startswith("on"), "html: an event handler attribute %s on <%s>" % (k, t))
    try:
        root = ET.parse(os.path.join(d, "report.junit.xml")).getroot()
        msgs = [c.find("failure").get("message") for c in root.iter("testcase")]
        check(all(m.startswith("msg </script><img") for m in msgs), "junit: message round trip")
    except ET.ParseError as e:
        check(False, "junit: hostile report does not parse: %s" % e)
    doc = load(os.path.join(d, "report.sarif"))
    for res in doc["runs"][0]["results"]:
        t = res["message"]["text"]
        links = re.findall(r"(?<!\\)\]\((\d+)\)", t)
        check(len(links) == len(res.get("relatedLocations", [])),
              "sarif: a bracket in a string made a link: %s" % t[:200])
        for l in res["locations"] + res.get("relatedLocations", []):
            uri = l.get("physicalLocation", {}).get("artifactLocation", {}).get("uri", "")
            check(not re.search(r"[ <>\"'\x00-\x1f]", uri), "sarif: unencoded uri %r" % uri)


def text(out, lockstep, src):
    for name, d in outputs(out).items():
        p = run([lockstep, "report", d], cwd=src)  # setup rendered from SRC: same relative paths
        with open(os.path.join(d, "report.txt"), "rb") as f:
            check(f.read() == p.stdout, name + ": report.txt differs from the text rendering")


def main():
    a = sys.argv[1:]
    if not a:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    cmd = a[0]
    if cmd == "setup":
        setup(*a[1:6])
    elif cmd == "sarif-schema":
        sarif_schema(a[1], a[2])
    elif cmd == "sarif":
        sarif(a[1], a[2])
    elif cmd == "junit":
        junit(a[1])
    elif cmd == "html":
        html_checks(a[1], a[2])
    elif cmd == "html-builtin":
        html_builtin(a[1], a[2])
    elif cmd == "hostile":
        hostile(a[1])
    elif cmd == "text":
        text(a[1], a[2], a[3])
    else:
        print("unknown command " + cmd, file=sys.stderr)
        sys.exit(2)
    finish()


if __name__ == "__main__":
    main()
