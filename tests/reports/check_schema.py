#!/usr/bin/env python3
"""check_schema.py: keeps docs/report.schema.json honest.

  check_schema.py kinds SCHEMA KINDS_DEF      the schema is a valid draft 2020-12 schema and its
                                              kind enum equals detectors/kinds.def, in order
  check_schema.py validate SCHEMA WRITER      WRITER (test_reports_write_fixture) writes a rich
                                              and an empty report; both validate, use no member
                                              the schema does not declare, and broken copies of
                                              them do not validate
  check_schema.py update-kinds SCHEMA KINDS_DEF   regenerates the kind enum from kinds.def

Needs the jsonschema module (Debian: python3-jsonschema); without it the tests fail, loudly.
"""
import copy
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    # a python3 earlier in PATH (pyenv, venv) may lack the Debian module: try the system one
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") and \
            os.path.exists("/usr/bin/python3") and not os.environ.get("LST_SCHEMA_REEXEC"):
        os.environ["LST_SCHEMA_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("FAIL: the python3 module 'jsonschema' is missing: install Debian's python3-jsonschema "
          "(apt-get install python3-jsonschema)", file=sys.stderr)
    sys.exit(1)

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL: " + what, file=sys.stderr)


def kinds_from_def(path):
    text = open(path, encoding="utf-8").read()
    return [m.group(2) for m in re.finditer(r'^X\(\s*(\w+)\s*,\s*"([^"]+)"', text, re.M)]


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def validator(schema):
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    return cls(schema, format_checker=None)


def strict(schema):
    """A copy where every object schema with properties forbids undeclared members."""
    s = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(s)
    return s


def errors(v, doc):
    return sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))


def cmd_kinds(schema_path, kinds_path):
    schema = load(schema_path)
    try:
        validator(schema)
    except jsonschema.exceptions.SchemaError as e:
        check(False, "the schema is not a valid draft 2020-12 schema: %s" % e.message)
    want = kinds_from_def(kinds_path)
    got = schema.get("$defs", {}).get("kind", {}).get("enum")
    check(len(want) > 0, "no kinds parsed from " + kinds_path)
    check(got == want, "schema kind enum %s != kinds.def %s (run: %s update-kinds %s %s)"
          % (got, want, sys.argv[0], schema_path, kinds_path))


def cmd_update_kinds(schema_path, kinds_path):
    schema = load(schema_path)
    schema["$defs"]["kind"]["enum"] = kinds_from_def(kinds_path)
    with open(schema_path, "w", encoding="utf-8") as f:
        f.write(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    print("updated", schema_path)


def mutations(doc):
    """(description, broken copy) pairs that the schema must reject."""
    def m(what, fn):
        d = copy.deepcopy(doc)
        fn(d)
        return what, d

    f0 = lambda d: d["findings"][0]
    fr = lambda d: d["findings"][0]["stacks"][0]["frames"][0]
    return [
        m("schema_version missing", lambda d: d.pop("schema_version")),
        m("schema_version 2", lambda d: d.__setitem__("schema_version", 2)),
        m("tool.name other", lambda d: d["tool"].__setitem__("name", "other")),
        m("findings missing", lambda d: d.pop("findings")),
        m("limits holds a number", lambda d: d["limits"].append(3)),
        m("unknown kind", lambda d: f0(d).__setitem__("kind", "bogus")),
        m("fingerprint short", lambda d: f0(d).__setitem__("fingerprint", "abc")),
        m("fingerprint upper case", lambda d: f0(d).__setitem__("fingerprint", "ABCDEF0123456789")),
        m("count negative", lambda d: f0(d).__setitem__("count", -1)),
        m("count a string", lambda d: f0(d).__setitem__("count", "1")),
        m("message missing", lambda d: f0(d).pop("message")),
        m("pc an integer", lambda d: fr(d).__setitem__("pc", 4096)),
        m("pc too long", lambda d: fr(d).__setitem__("pc", "0x10000000000000000")),
        m("line zero", lambda d: fr(d).__setitem__("line", 0)),
        m("frame without module", lambda d: fr(d).pop("module")),
        m("created negative", lambda d: f0(d)["threads"][0].__setitem__("created", -1)),
        m("edge mode a number", lambda d: f0(d)["edges"][0].__setitem__("mode", 1)),
        m("atomic an integer",
          lambda d: d["findings"][2]["accesses"][0].__setitem__("atomic", 0)),
        m("note without reason", lambda d: d["notes"][0].pop("reason")),
        m("by_kind unknown kind", lambda d: d["summary"]["by_kind"].__setitem__("bogus", 1)),
        m("by_kind zero", lambda d: d["summary"]["by_kind"].__setitem__("hang", 0)),
        m("exit_signal zero", lambda d: d["target"].__setitem__("exit_signal", 0)),
        m("argv a string", lambda d: d["target"].__setitem__("argv", "a b")),
    ]


def cmd_validate(schema_path, writer):
    schema = load(schema_path)
    v = validator(schema)
    sv = validator(strict(schema))
    with tempfile.TemporaryDirectory(prefix="lst-schema-") as tmp:
        subprocess.run([writer, tmp], check=True)
        docs = {name: load(os.path.join(tmp, name)) for name in ("rich.json", "empty.json")}
    for name, doc in docs.items():
        for e in errors(v, doc):
            check(False, "%s: %s: %s" % (name, "/".join(map(str, e.absolute_path)), e.message))
        for e in errors(sv, doc):
            check(False, "%s: member not declared in the schema: %s: %s"
                  % (name, "/".join(map(str, e.absolute_path)), e.message))
    rich = docs["rich.json"]
    check(len(rich["findings"]) >= 5 and len(rich["notes"]) >= 2, "the rich report is not rich")
    for what, broken in mutations(rich):
        check(not v.is_valid(broken), "the schema accepts a broken report: " + what)
    # additive changes keep the version: an unknown member still validates
    extra = copy.deepcopy(rich)
    extra["added_later"] = {"x": 1}
    extra["findings"][0]["confidence"] = 0.5
    check(v.is_valid(extra), "the schema rejects unknown members (they must be allowed)")


def main(argv):
    if len(argv) == 4 and argv[1] == "kinds":
        cmd_kinds(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "validate":
        cmd_validate(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "update-kinds":
        cmd_update_kinds(argv[2], argv[3])
        return 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES), file=sys.stderr)
        return 1
    try:
        from importlib.metadata import version
        ver = version("jsonschema")
    except Exception:  # an old or unusual install: the version is only informative
        ver = "?"
    print("ok (jsonschema %s, %s)" % (ver, sys.executable))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
