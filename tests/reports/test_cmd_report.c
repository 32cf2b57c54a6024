/* test_cmd_report.c: tests of `lockstep report` (harness/cli/cmd_report.c), called in-process
 * with stdout and stderr redirected to files: text and json output, DIR or file argument,
 * options after the DIR, html/sarif/junit to stdout or -o FILE (atomically), --source-root,
 * `all` writing the five files into DIR or -o DIR, usage errors and corrupt reports (one
 * "lockstep: report:" line, status 2), and colour only on a terminal without NO_COLOR.
 * Usage: test_reports_cmd CASE. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cmd_report.h"
#include "fixture.h"
#include "report.h"

static const char *dir;

static char *in_dir(const char *name)
{
    char *p;
    if (asprintf(&p, "%s/%s", dir, name) < 0)
        abort();
    return p;
}

typedef struct result {
    int rc;
    char *out, *err;
} result;

/* Runs lst_cmd_report on a NULL-terminated argument list, capturing stdout and stderr. */
static result run(const char *arg0, ...)
{
    char *args[32];
    int n = 0;
    va_list ap;
    va_start(ap, arg0);
    for (const char *a = arg0; a && n < 31; a = va_arg(ap, const char *))
        args[n++] = (char *)a;
    va_end(ap);
    args[n] = NULL;

    char *outp = in_dir("stdout.txt"), *errp = in_dir("stderr.txt");
    fflush(stdout);
    fflush(stderr);
    int save_out = dup(1), save_err = dup(2);
    int fo = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fo, 1);
    dup2(fe, 2);
    close(fo);
    close(fe);
    result r;
    r.rc = lst_cmd_report(n, args);
    fflush(stdout);
    fflush(stderr);
    dup2(save_out, 1);
    dup2(save_err, 2);
    close(save_out);
    close(save_err);
    r.out = lst_fixture_slurp(outp, NULL);
    r.err = lst_fixture_slurp(errp, NULL);
    free(outp);
    free(errp);
    return r;
}

static void done(result *r)
{
    free(r->out);
    free(r->err);
}

static int one_line(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[n - 1] == '\n' && strchr(s, '\n') == s + n - 1;
}

/* Writes the rich report to DIR/report.json and returns the expected text rendering. */
static char *setup(void)
{
    lst_report r;
    lst_fixture_rich(&r, "/src");
    char *p = in_dir("report.json");
    CHECK(lst_write_json(&r, p) == 0);
    free(p);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    lst_write_text(&r, m, 0);
    fclose(m);
    lst_report_free(&r);
    return buf;
}

static int case_text(void)
{
    char *want = setup();
    result r = run("report", dir, NULL);
    CHECKF(r.rc == 0, "rc %d: %s", r.rc, r.err);
    CHECK(strcmp(r.out, want) == 0); /* stdout is a file: no colour */
    CHECK(r.err[0] == '\0');
    done(&r);

    char *file = in_dir("report.json"), *out = in_dir("report.txt");
    r = run("report", file, "--format", "text", "-o", out, NULL);
    CHECKF(r.rc == 0, "rc %d: %s", r.rc, r.err);
    CHECK(r.out[0] == '\0');
    char *got = lst_fixture_slurp(out, NULL);
    CHECK(got && strcmp(got, want) == 0);
    free(got);
    done(&r);
    free(file);
    free(out);
    free(want);
    return 0;
}

static int case_json(void)
{
    free(setup());
    char *file = in_dir("report.json"), *out = in_dir("copy.json");
    char *orig = lst_fixture_slurp(file, NULL);
    /* options after DIR are accepted too */
    result r = run("report", dir, "--format=json", "--output", out, NULL);
    CHECKF(r.rc == 0, "rc %d: %s", r.rc, r.err);
    char *got = lst_fixture_slurp(out, NULL);
    CHECK(got && strcmp(got, orig) == 0);
    free(got);
    done(&r);

    r = run("report", "--format", "json", file, NULL);
    CHECKF(r.rc == 0, "rc %d: %s", r.rc, r.err);
    CHECK(strcmp(r.out, orig) == 0);
    done(&r);

    /* a report edited by hand (keys reordered, summary stale) comes out normalized */
    const char *edited = "{\"limits\": [], \"notes\": [], \"findings\": [], "
                         "\"summary\": {\"findings\": 9, \"notes\": 0, \"by_kind\": {}}, "
                         "\"schedules\": 0, \"schedule\": null, \"target\": {\"argv\": [\"a\"], "
                         "\"exit_code\": 0, \"exit_signal\": null}, \"mode\": \"run\", "
                         "\"tool\": {\"version\": \"0.1.0\", \"name\": \"lockstep\"}, "
                         "\"schema_version\": 1}";
    lst_fixture_spit(file, edited, strlen(edited));
    r = run("report", "-f", "json", file, NULL);
    CHECKF(r.rc == 0, "rc %d: %s", r.rc, r.err);
    CHECK(strncmp(r.out, "{\n  \"schema_version\": 1,\n  \"tool\": {\n", 37) == 0);
    CHECK(strstr(r.out, "\"findings\": 0,") != NULL);
    done(&r);
    free(orig);
    free(file);
    free(out);
    return 0;
}

static int case_errors(void)
{
    free(setup());
    struct {
        const char *what;
        const char *a[6];
        const char *expect;
    } usage[] = {
        {"no DIR", {"report", NULL}, "expected a DIR"},
        {"two DIRs", {"report", "a", "b", NULL}, "unexpected argument 'b'"},
        {"unknown format", {"report", "--format", "xml", "d", NULL}, "unknown format 'xml'"},
        {"unknown long option", {"report", "--frobnicate", "d", NULL}, "'--frobnicate'"},
        {"unknown short option", {"report", "-x", "d", NULL}, "'-x'"},
        {"missing argument", {"report", "d", "-o", NULL}, "'-o' needs an argument"},
        {"missing format", {"report", "d", "--format", NULL}, "'--format' needs an argument"},
        {"missing dir", {"report", "/nonexistent/lockstep-out", NULL}, "No such file"},
        {"missing source root", {"report", "--source-root", "/nonexistent/src", "d", NULL},
         "source root /nonexistent/src"},
        {"empty source root", {"report", "--source-root=", "d", NULL}, "--source-root needs"},
    };
    for (size_t i = 0; i < sizeof usage / sizeof usage[0]; i++) {
        const char **a = usage[i].a;
        result r = run(a[0], a[1], a[2], a[3], a[4], NULL);
        CHECKF(r.rc == 2, "%s: rc %d", usage[i].what, r.rc);
        CHECKF(one_line(r.err) && strncmp(r.err, "lockstep: report: ", 18) == 0 &&
                   strstr(r.err, usage[i].expect),
               "%s: stderr '%s'", usage[i].what, r.err);
        done(&r);
    }

    /* corrupt and truncated reports */
    char *file = in_dir("report.json");
    lst_fixture_spit(file, "{\n  \"schema_version\": 1,\n  \"tool\": {\n", 37);
    result r = run("report", dir, NULL);
    CHECK(r.rc == 2);
    CHECKF(one_line(r.err) && strstr(r.err, "report.json: line "), "%s", r.err);
    CHECK(r.out[0] == '\0');
    done(&r);
    lst_fixture_spit(file, "", 0);
    r = run("report", "--format", "json", dir, NULL);
    CHECK(r.rc == 2 && one_line(r.err) && r.out[0] == '\0');
    done(&r);

    /* an unwritable output */
    free(setup());
    r = run("report", dir, "-o", "/nonexistent/dir/out.txt", NULL);
    CHECK(r.rc == 2 && one_line(r.err) && strstr(r.err, "cannot write"));
    done(&r);

    r = run("report", "--help", NULL);
    CHECK(r.rc == 0 && strstr(r.out, "usage: lockstep report") && r.err[0] == '\0');
    done(&r);
    free(file);
    return 0;
}

/* Renders an empty report to a pseudo-terminal and reports whether it was coloured. */
static int coloured_on_tty(void)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0)
        return -1;
    char *slave = ptsname(m);
    result r = run("report", dir, "-o", slave, NULL);
    CHECKF(r.rc == 0, "rc %d: %s", r.rc, r.err);
    done(&r);
    char buf[4096];
    fcntl(m, F_SETFL, O_NONBLOCK);
    ssize_t n = read(m, buf, sizeof buf - 1);
    close(m);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    CHECK(strstr(buf, "no findings") != NULL);
    return strstr(buf, "\033[") != NULL;
}

static int case_colour(void)
{
    lst_report e;
    lst_report_init(&e);
    char *p = in_dir("report.json");
    CHECK(lst_write_json(&e, p) == 0);
    free(p);
    unsetenv("NO_COLOR");
    unsetenv("TERM");
    int c = coloured_on_tty();
    if (c < 0) {
        printf("colour: no pseudo-terminal here; only the non-terminal cases ran\n");
    } else {
        CHECK(c == 1);
        setenv("NO_COLOR", "1", 1);
        CHECK(coloured_on_tty() == 0);
        setenv("NO_COLOR", "", 1); /* empty means unset (no-color.org) */
        CHECK(coloured_on_tty() == 1);
        unsetenv("NO_COLOR");
    }
    return 0;
}

/* Names in dir that contain ".tmp." (left-over temporary files). */
static int leftovers(const char *d)
{
    DIR *dp = opendir(d);
    int n = 0;
    struct dirent *e;
    while (dp && (e = readdir(dp)))
        n += strstr(e->d_name, ".tmp.") != NULL;
    if (dp)
        closedir(dp);
    return n;
}

static int case_formats(void)
{
    /* the rich report with its sources "under" dir, so --source-root dir makes them relative */
    lst_report rep;
    lst_fixture_rich(&rep, dir);
    char *path = in_dir("report.json");
    CHECK(lst_write_json(&rep, path) == 0);
    free(path);
    static const struct {
        const char *fmt, *prefix, *file;
    } fmts[] = {{"html", "<!DOCTYPE html>\n", "out.html"},
                {"sarif", "{\n  \"$schema\": ", "out.sarif"},
                {"junit", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", "out.xml"}};
    for (size_t i = 0; i < 3; i++) {
        result r = run("report", "--format", fmts[i].fmt, "--source-root", dir, dir, NULL);
        CHECKF(r.rc == 0 && r.err[0] == '\0', "%s: rc %d: %s", fmts[i].fmt, r.rc, r.err);
        CHECKF(strncmp(r.out, fmts[i].prefix, strlen(fmts[i].prefix)) == 0, "%s: starts %.40s",
               fmts[i].fmt, r.out);
        /* -o FILE gets the same bytes, written atomically (no temporary file left) */
        char *file = in_dir(fmts[i].file);
        result w = run("report", dir, "-f", fmts[i].fmt, "-o", file, "--source-root", dir, NULL);
        CHECKF(w.rc == 0 && w.out[0] == '\0' && w.err[0] == '\0', "%s -o: rc %d %s",
               fmts[i].fmt, w.rc, w.err);
        char *got = lst_fixture_slurp(file, NULL);
        CHECKF(got && strcmp(got, r.out) == 0, "%s: -o FILE differs from stdout", fmts[i].fmt);
        CHECK(leftovers(dir) == 0);
        free(got);
        free(file);
        done(&w);
        if (strcmp(fmts[i].fmt, "sarif") == 0) {
            json_error_t je;
            json_t *doc = json_loads(r.out, 0, &je);
            CHECKF(doc != NULL, "sarif does not parse: %s", je.text);
            json_t *res = json_object_get(json_array_get(json_object_get(doc, "runs"), 0),
                                          "results");
            CHECK(json_array_size(res) == rep.nfindings);
            /* the cycle closes at the acquire stack of its last edge: line 33 */
            json_t *phys = json_object_get(json_array_get(json_object_get(json_array_get(res, 0),
                                                                          "locations"), 0),
                                           "physicalLocation");
            json_t *al = json_object_get(phys, "artifactLocation");
            CHECK(json_is_string(json_object_get(al, "uri")) &&
                  strcmp(json_string_value(json_object_get(al, "uri")),
                         "cases/lock_order_inverted_abba.c") == 0);
            CHECK(json_integer_value(json_object_get(json_object_get(phys, "region"),
                                                     "startLine")) == 33);
            json_decref(doc);
        }
        done(&r);
    }
    /* without --source-root, files outside the current directory are file:// URIs */
    result r = run("report", "--format", "sarif", dir, NULL);
    char want[4200];
    snprintf(want, sizeof want, "\"uri\": \"file://%s/cases/lock_order_inverted_abba.c\"", dir);
    CHECKF(r.rc == 0 && strstr(r.out, want), "no absolute uri %s", want);
    done(&r);
    /* --source-root must be a directory */
    char *json = in_dir("report.json");
    r = run("report", "--format", "sarif", "--source-root", json, dir, NULL);
    CHECK(r.rc == 2 && one_line(r.err) && strstr(r.err, "not a directory") && r.out[0] == '\0');
    done(&r);
    /* an unwritable output */
    r = run("report", "--format", "html", "-o", "/nonexistent/dir/out.html", dir, NULL);
    CHECK(r.rc == 2 && one_line(r.err) && strstr(r.err, "cannot write /nonexistent/dir/out.html"));
    done(&r);
    free(json);
    lst_report_free(&rep);
    return 0;
}

static int case_all(void)
{
    char *want_text = setup();
    char *json = in_dir("report.json");
    char *orig = lst_fixture_slurp(json, NULL);
    static const char *files[] = {"report.txt", "report.json", "report.html", "report.sarif",
                                  "report.junit.xml"};
    /* into DIR (given as DIR or as DIR/report.json), then into a new -o directory */
    for (int pass = 0; pass < 3; pass++) {
        char *outdir = pass == 2 ? in_dir("all-out") : strdup(dir);
        for (size_t i = 0; i < 5; i++) {
            char *p = NULL;
            if (asprintf(&p, "%s/%s", outdir, files[i]) >= 0 && strcmp(files[i], "report.json"))
                unlink(p);
            free(p);
        }
        result r = pass == 0   ? run("report", "--format", "all", dir, NULL)
                   : pass == 1 ? run("report", "-f", "all", json, NULL)
                               : run("report", "-f", "all", "-o", outdir, dir, NULL);
        CHECKF(r.rc == 0 && r.out[0] == '\0' && r.err[0] == '\0', "pass %d: rc %d: %s", pass,
               r.rc, r.err);
        done(&r);
        for (size_t i = 0; i < 5; i++) {
            char *p = NULL;
            if (asprintf(&p, "%s/%s", outdir, files[i]) < 0)
                abort();
            size_t len = 0;
            char *got = lst_fixture_slurp(p, &len);
            CHECKF(got && len > 100, "pass %d: %s missing or short", pass, p);
            if (got && i == 0)
                CHECKF(strcmp(got, want_text) == 0, "pass %d: report.txt is not the text", pass);
            if (got && i == 1)
                CHECKF(strcmp(got, orig) == 0, "pass %d: report.json changed", pass);
            free(got);
            free(p);
        }
        CHECK(leftovers(outdir) == 0);
        free(outdir);
    }
    result r = run("report", "--format", "all", "-o", "/nonexistent/dir/out", dir, NULL);
    CHECK(r.rc == 2 && one_line(r.err) && strstr(r.err, "/nonexistent/dir/out"));
    done(&r);
    free(orig);
    free(json);
    free(want_text);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s text|json|errors|colour|formats|all\n", argv[0]);
        return 2;
    }
    dir = lst_fixture_tmpdir();
    if (strcmp(argv[1], "text") == 0)
        case_text();
    else if (strcmp(argv[1], "json") == 0)
        case_json();
    else if (strcmp(argv[1], "errors") == 0)
        case_errors();
    else if (strcmp(argv[1], "colour") == 0)
        case_colour();
    else if (strcmp(argv[1], "formats") == 0)
        case_formats();
    else if (strcmp(argv[1], "all") == 0)
        case_all();
    else {
        fprintf(stderr, "unknown case %s\n", argv[1]);
        return 2;
    }
    if (lst_test_failures)
        fprintf(stderr, "%s: %d check(s) failed\n", argv[1], lst_test_failures);
    return lst_test_failures ? 1 : 0;
}
