#!/usr/bin/env python3
"""check_chromium.py: opens the HTML report of a deadlock found by `lockstep explore` in
headless Chromium and checks that it works as a page, not just as text:

  check_chromium.py REPORT_HTML SCREENSHOT_PNG

 1. A probe copy of the page (two scripts added: one first in <head> that records errors,
    unhandled rejections and console.error calls; one last in <body> that exercises the page)
    is loaded with --dump-dom and --enable-logging=stderr. The test fails on any recorded
    error, any "Uncaught" or CONSOLE line Chromium logs, and any resource the page fetched
    (performance entries), and when the page's own script did not finish (data-ready), the
    deadlock's SVG graph or timeline is missing or has no size, sorting by a header does not
    order the rows, or the kind filter does not hide the other kinds.
 2. The unmodified page is rendered to SCREENSHOT_PNG at 1280x2000 (a CI artifact), which must
    be a PNG of that size that is not blank.

Chromium runs with a fresh --user-data-dir, no sandbox, no GPU, no QUIC, no background
networking, and a host resolver that resolves nothing, so the page could not fetch anything
even if it tried. Exits 77 (skipped) when no chromium binary is installed (ci/deps.sh test
installs Debian's chromium).
"""
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL: " + what, file=sys.stderr)
    return cond


HEAD_PROBE = """<script>
window.__lstErrors = [];
window.addEventListener('error', function (e) {
  window.__lstErrors.push('error: ' + (e.message || (e.target && e.target.outerHTML) || e));
}, true);
window.addEventListener('unhandledrejection', function (e) {
  window.__lstErrors.push('unhandled rejection: ' + e.reason);
});
(function () {
  var orig = console.error;
  console.error = function () {
    window.__lstErrors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
    return orig.apply(console, arguments);
  };
})();
</script>
"""

BODY_PROBE = """<pre id="lst-probe"></pre>
<script>
(function () {
  var r = {checks: {}, notes: []};
  function ok(name, cond) { r.checks[name] = !!cond; }
  function visible(el) {
    if (!el) return false;
    var b = el.getBoundingClientRect();
    return b.width > 40 && b.height > 40;
  }
  try {
    ok('page script finished', document.documentElement.getAttribute('data-ready') === '1');
    var dl = document.querySelector('section.finding[data-kind="deadlock"]');
    ok('deadlock section', dl);
    var svg = dl && dl.querySelector('figure.cycle-graph svg');
    ok('deadlock graph is an svg with a size', visible(svg));
    ok('graph has edges', svg && svg.querySelectorAll('path').length >= 2);
    var tl = dl && dl.querySelector('table.timeline');
    ok('deadlock timeline with rows', tl && tl.tBodies[0].rows.length >= 4 && visible(tl));
    ok('timeline has one lane per thread', tl && tl.tHead.rows[0].cells.length >= 3);
    ok('source excerpt shown', dl && visible(dl.querySelector('pre.source')));

    var table = document.getElementById('findings-table');
    var body = table.tBodies[0];
    function col(i) {
      return Array.prototype.map.call(body.rows, function (row) {
        var c = row.cells[i], v = c.getAttribute('data-value');
        return v === null ? c.textContent : v;
      });
    }
    var heads = table.tHead.rows[0].cells, countCol = -1, kindCol = -1;
    for (var i = 0; i < heads.length; i++) {
      if (heads[i].textContent.trim() === 'Count') countCol = i;
      if (heads[i].textContent.trim() === 'Kind') kindCol = i;
    }
    heads[countCol].querySelector('button').click();
    var up = col(countCol).map(Number);
    ok('count sorts ascending', up.every(function (v, j) { return !j || up[j - 1] <= v; }));
    ok('header shows the direction', heads[countCol].getAttribute('aria-sort') === 'ascending');
    heads[countCol].querySelector('button').click();
    var down = col(countCol).map(Number);
    ok('count sorts descending', down.every(function (v, j) { return !j || down[j - 1] >= v; }));
    heads[kindCol].querySelector('button').click();
    var kinds = col(kindCol);
    ok('kind sorts', kinds.every(function (v, j) { return !j || kinds[j - 1] <= v; }));
    r.notes.push('rows: ' + body.rows.length + ', counts ' + up.join(','));

    var sel = document.getElementById('kind-filter');
    sel.value = 'deadlock';
    sel.dispatchEvent(new Event('change'));
    var shownRows = Array.prototype.filter.call(body.rows, function (x) { return !x.hidden; });
    ok('filter keeps the deadlock rows', shownRows.length >= 1 && shownRows.every(
        function (x) { return x.getAttribute('data-kind') === 'deadlock'; }));
    var others = document.querySelectorAll('section.finding:not([data-kind="deadlock"])');
    ok('filter hides the other sections', others.length >= 1 &&
        Array.prototype.every.call(others, function (s) { return s.offsetHeight === 0; }));
    sel.value = '';
    sel.dispatchEvent(new Event('change'));
    ok('filter reset shows every row', Array.prototype.every.call(body.rows,
        function (x) { return !x.hidden; }));

    var fetched = performance.getEntriesByType('resource').map(function (e) { return e.name; });
    ok('nothing fetched', fetched.length === 0);
    if (fetched.length) r.notes.push('fetched: ' + fetched.join(' '));
  } catch (e) {
    window.__lstErrors.push('probe: ' + e + ' ' + (e.stack || ''));
  }
  r.errors = window.__lstErrors;
  document.getElementById('lst-probe').textContent = JSON.stringify(r);
})();
</script>
"""


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        p = shutil.which(name)
        if p:
            return p
    return None


def chromium(binary, profile, extra, url):
    cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--disable-extensions", "--disable-default-apps",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + profile] + extra + [url]
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90,
                          stdin=subprocess.DEVNULL)


def png_info(path):
    """(width, height, distinct byte values in the decompressed image data) of a PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    pos, idat, w, h = 8, b"", 0, 0
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    raw = zlib.decompress(idat)
    return w, h, len(set(raw[::97]))


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    report, shot = sys.argv[1], sys.argv[2]
    binary = chromium_binary()
    if not binary:
        print("SKIP: no chromium on PATH (ci/deps.sh test installs Debian's chromium)")
        return 77
    page = open(report, encoding="utf-8").read()
    if not check('data-kind="deadlock"' in page, report + " has no deadlock finding") or \
            not check(page.count("</body>") == 1 and "<head>" in page, "no <head>/<body>"):
        return 1

    work = tempfile.mkdtemp(prefix="lockstep-chromium.")
    try:
        probe = os.path.join(work, "probe.html")
        with open(probe, "w", encoding="utf-8") as f:
            f.write(page.replace("<head>", "<head>\n" + HEAD_PROBE, 1)
                        .replace("</body>", BODY_PROBE + "</body>", 1))
        p = chromium(binary, os.path.join(work, "profile-probe"),
                     ["--dump-dom", "--enable-logging=stderr", "--v=0",
                      "--window-size=1280,2000"], "file://" + probe)
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        check(p.returncode == 0, "chromium --dump-dom exited %d: %s" % (p.returncode, err[-800:]))
        for line in err.splitlines():
            check("Uncaught" not in line and "CONSOLE" not in line,
                  "chromium logged: " + line.strip()[:300])
        m = re.search(r'<pre id="lst-probe">(.*?)</pre>', out, re.S)
        if check(m and m.group(1).strip(), "the probe wrote no result (the page's scripts did "
                 "not run?)"):
            res = json.loads(html.unescape(m.group(1)))
            for name, passed in sorted(res["checks"].items()):
                check(passed, "in the browser: " + name)
            for e in res["errors"]:
                check(False, "in the browser: " + e)
            for n in res["notes"]:
                print("note: " + n)
            print("browser checks: %d, passed %d" % (len(res["checks"]),
                                                     sum(res["checks"].values())))

        os.makedirs(os.path.dirname(os.path.abspath(shot)), exist_ok=True)
        if os.path.exists(shot):
            os.unlink(shot)
        p = chromium(binary, os.path.join(work, "profile-shot"),
                     ["--screenshot=" + os.path.abspath(shot), "--window-size=1280,2000",
                      "--hide-scrollbars"], "file://" + os.path.abspath(report))
        check(p.returncode == 0 and os.path.isfile(shot),
              "chromium --screenshot failed (%d): %s" % (p.returncode,
                                                         p.stderr.decode()[-800:]))
        if os.path.isfile(shot):
            info = png_info(shot)
            check(info and info[0] == 1280 and info[1] == 2000,
                  "screenshot is not a 1280x2000 PNG: %s" % (info,))
            check(info and info[2] > 8, "screenshot looks blank")
            print("screenshot: " + os.path.abspath(shot))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES), file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
