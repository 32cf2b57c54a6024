/* test_json.c: unit tests of report.json (reports/json.c): round trip of every field,
 * byte-identical rewrites, layout, atomic writes, and a reader that refuses corrupt,
 * truncated, foreign, mistyped and newer files with a one-line reason and never crashes.
 * Usage: test_reports_json CASE (one CTest test per case). */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include "check.h"
#include "fixture.h"
#include "report.h"

static const char *dir;
static char path_buf[1024];

static const char *in_dir(const char *name)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s", dir, name);
    return path_buf;
}

/* Writes the rich report to DIR/name and returns its bytes (caller frees). */
static char *write_rich(const char *name, size_t *len)
{
    lst_report r;
    lst_fixture_rich(&r, "/home/dev/lockstep");
    const char *p = in_dir(name);
    CHECK(lst_write_json(&r, p) == 0);
    lst_report_free(&r);
    return lst_fixture_slurp(p, len);
}

/* Reads text (written to a file) and expects failure; returns err for further checks. */
static const char *expect_reject(const char *text, size_t n, const char *what)
{
    static char err[512];
    const char *p = in_dir("bad.json");
    lst_fixture_spit(p, text, n);
    lst_report r;
    memset(err, 'x', sizeof err);
    int rc = lst_read_json(p, &r, err, sizeof err);
    CHECKF(rc == -1, "%s: accepted", what);
    CHECKF(strchr(err, '\n') == NULL, "%s: reason is not one line: %s", what, err);
    CHECKF(strncmp(err, p, strlen(p)) == 0, "%s: reason does not name the file: %s", what, err);
    CHECKF(r.nfindings == 0 && r.nnotes == 0 && r.argc == 0 && r.tool_version == NULL,
           "%s: report not left empty", what);
    lst_report_free(&r);
    return err;
}

static int case_roundtrip(void)
{
    lst_report a, b;
    lst_fixture_rich(&a, "/home/dev/lockstep");
    const char *p = in_dir("report.json");
    CHECK(lst_write_json(&a, p) == 0);
    char err[256];
    CHECKF(lst_read_json(p, &b, err, sizeof err) == 0, "%s", err);
    CHECK(lst_fixture_equal(&a, &b));
    /* spot checks of the mapping rules */
    CHECK(b.exit_code == -1 && b.exit_signal == 6);
    CHECK(b.findings[1].locks[0].addr == 0xffffffffffffffffULL);
    CHECK(b.findings[0].stacks[3].frames[1].pc == 0xffffffffffffffffULL);
    CHECK(b.findings[0].stacks[0].frames[2].function == NULL);
    CHECK(b.findings[0].stacks[0].frames[1].line == 0);
    CHECK(b.findings[2].threads[1].name == NULL);
    CHECK(b.findings[2].accesses[1].atomic == 1);
    CHECK(b.findings[0].reason == NULL && b.notes[1].reason == NULL);
    CHECK(b.notes[0].edges[0].acquire_stack == -1);
    CHECK(b.findings[3].locks[1].name == NULL && b.findings[3].locks[1].type == NULL);
    CHECK(strcmp(b.argv[3], a.argv[3]) == 0);
    lst_report_free(&a);
    lst_report_free(&b);

    /* an empty report (as lst_report_init leaves it) round-trips too */
    lst_report_init(&a);
    CHECK(lst_write_json(&a, p) == 0);
    CHECKF(lst_read_json(p, &b, err, sizeof err) == 0, "%s", err);
    CHECK(lst_fixture_equal(&a, &b));
    lst_report_free(&a);
    lst_report_free(&b);

    /* exit code 0 and no signal */
    lst_report_init(&a);
    a.exit_code = 0;
    a.exit_signal = 0;
    a.mode = strdup("run");
    CHECK(lst_write_json(&a, p) == 0);
    CHECKF(lst_read_json(p, &b, err, sizeof err) == 0, "%s", err);
    CHECK(lst_fixture_equal(&a, &b));
    lst_report_free(&a);
    lst_report_free(&b);
    return 0;
}

static int case_rewrite(void)
{
    size_t n1, n2, n3;
    char *first = write_rich("a.json", &n1);
    lst_report r;
    char err[256];
    CHECKF(lst_read_json(in_dir("a.json"), &r, err, sizeof err) == 0, "%s", err);
    CHECK(lst_write_json(&r, in_dir("b.json")) == 0);
    lst_report_free(&r);
    char *second = lst_fixture_slurp(in_dir("b.json"), &n2);
    CHECK(first && second && n1 == n2 && memcmp(first, second, n1) == 0);
    /* and again, from the copy */
    CHECKF(lst_read_json(in_dir("b.json"), &r, err, sizeof err) == 0, "%s", err);
    CHECK(lst_write_json(&r, in_dir("c.json")) == 0);
    lst_report_free(&r);
    char *third = lst_fixture_slurp(in_dir("c.json"), &n3);
    CHECK(third && n3 == n1 && memcmp(first, third, n1) == 0);
    free(first);
    free(second);
    free(third);
    return 0;
}

static int case_layout(void)
{
    size_t n;
    char *text = write_rich("report.json", &n);
    CHECK(text != NULL);
    if (!text)
        return 0;
    CHECK(strncmp(text, "{\n  \"schema_version\": 1,\n  \"tool\": {\n    \"name\": \"lockstep\",\n",
                  61) == 0);
    CHECK(n > 2 && text[n - 1] == '\n' && text[n - 2] == '}');
    /* top-level keys in the documented order */
    const char *keys[] = {"\n  \"schema_version\"", "\n  \"tool\"",     "\n  \"mode\"",
                          "\n  \"target\"",         "\n  \"schedule\"", "\n  \"schedules\"",
                          "\n  \"summary\"",        "\n  \"findings\"", "\n  \"notes\"",
                          "\n  \"limits\""};
    const char *prev = text;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *at = strstr(text, keys[i]);
        CHECKF(at && at >= prev, "key %s out of order", keys[i] + 4);
        if (at)
            prev = at;
    }
    /* finding keys in order */
    const char *fkeys[] = {"\"kind\"",     "\"message\"",  "\"fingerprint\"", "\"count\"",
                           "\"schedule\"", "\"variable\"", "\"process\"",     "\"threads\"",
                           "\"locks\"",    "\"stacks\"",   "\"edges\"",       "\"accesses\""};
    const char *f0 = strstr(text, "\"findings\": [");
    prev = f0;
    for (size_t i = 0; f0 && i < sizeof fkeys / sizeof fkeys[0]; i++) {
        const char *at = strstr(prev, fkeys[i]);
        CHECKF(at != NULL, "finding key %s missing", fkeys[i]);
        if (at)
            prev = at;
    }
    /* UTF-8 is written as is, addresses as hex strings */
    CHECK(strstr(text, "\xe2\x9c\x93") != NULL);
    CHECK(strstr(text, "\"address\": \"0xffffffffffffffff\"") != NULL);
    CHECK(strstr(text, "\"pc\": \"0x55d0c0801234\"") != NULL);

    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    CHECK(root != NULL);
    json_t *summary = json_object_get(root, "summary");
    CHECK(json_integer_value(json_object_get(summary, "findings")) == 6);
    CHECK(json_integer_value(json_object_get(summary, "notes")) == 2);
    json_t *by = json_object_get(summary, "by_kind");
    CHECK(json_object_size(by) == 6);
    CHECK(json_integer_value(json_object_get(by, "deadlock")) == 1);
    CHECK(json_integer_value(json_object_get(by, "data-race")) == 1);
    /* by_kind keys in kinds.def order */
    const char *k0 = strstr(text, "\"by_kind\": {\n      \"lock-order-cycle\": 1,\n      "
                                  "\"deadlock\": 1,\n      \"self-deadlock\": 1,");
    CHECK(k0 != NULL);
    json_t *f = json_array_get(json_object_get(root, "findings"), 0);
    CHECK(json_object_get(f, "reason") == NULL); /* omitted in findings */
    json_t *note = json_array_get(json_object_get(root, "notes"), 1);
    CHECK(json_is_null(json_object_get(note, "reason"))); /* always present in notes */
    json_t *t = json_object_get(root, "target");
    CHECK(json_is_null(json_object_get(t, "exit_code")));
    CHECK(json_integer_value(json_object_get(t, "exit_signal")) == 6);
    json_decref(root);
    free(text);
    return 0;
}

static int case_atomic(void)
{
    lst_report r;
    lst_fixture_rich(&r, "/x");
    mode_t old = umask(022);
    const char *p = in_dir("out.json");
    lst_fixture_spit(p, "old contents", 12);
    CHECK(lst_write_json(&r, p) == 0);
    struct stat st;
    CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0644);
    size_t n;
    char *text = lst_fixture_slurp(p, &n);
    CHECK(text && text[0] == '{');
    free(text);

    /* a missing directory: ENOENT, nothing created */
    errno = 0;
    CHECK(lst_write_json(&r, in_dir("missing/report.json")) == -1 && errno == ENOENT);
    /* a directory in the way: the rename fails, the temporary file is removed */
    mkdir(in_dir("adir"), 0755);
    errno = 0;
    CHECK(lst_write_json(&r, in_dir("adir")) == -1 && errno != 0);
    /* bad arguments */
    errno = 0;
    CHECK(lst_write_json(NULL, p) == -1 && errno == EINVAL);
    CHECK(lst_write_json(&r, "") == -1 && errno == EINVAL);
    umask(old);

    DIR *d = opendir(dir);
    struct dirent *e;
    int leftovers = 0;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp."))
            leftovers++;
    if (d)
        closedir(d);
    CHECKF(leftovers == 0, "%d temporary files left", leftovers);
    lst_report_free(&r);
    return 0;
}

static int case_corrupt(void)
{
    static const struct {
        const char *text;
        const char *what;
    } bad[] = {
        {"", "empty file"},
        {"   \n\n  ", "only whitespace"},
        {"{", "open brace"},
        {"{\"schema_version\": 1,", "cut after a member"},
        {"{\"schema_version\": 1}}", "extra brace"},
        {"{\"schema_version\": 1, \"schema_version\": 1}", "duplicate key"},
        {"{\"schema_version\": 1,\n\"tool\": {\"name\": \"lockstep\"\n}\n,,}", "double comma"},
        {"{\"a\": \"\\u0000\"}", "escaped NUL"},
        {"{\"a\": \"\xff\xfe\"}", "invalid UTF-8"},
        {"{\"a\": 99999999999999999999999}", "integer overflow"},
        {"{'a': 1}", "single quotes"},
        {"{\"a\": NaN}", "NaN"},
        {"\xef\xbb\xbf{}", "byte order mark"},
        {"{\"a\": \"unterminated", "unterminated string"},
        {"PK\x03\x04\x14\x00\x06\x00", "a zip file"},
        {"#!/bin/sh\necho hi\n", "a script"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *err = expect_reject(bad[i].text, strlen(bad[i].text), bad[i].what);
        CHECKF(strstr(err, ": line ") != NULL, "%s: no line number in: %s", bad[i].what, err);
    }
    /* a NUL byte inside the file */
    const char *err = expect_reject("{\"a\": 1}\0{}", 11, "NUL byte");
    CHECKF(strstr(err, ": line ") != NULL, "NUL byte: %s", err);

    /* deep nesting: refused by jansson's depth limit, no stack overflow */
    size_t depth = 200000;
    char *deep = malloc(depth * 2 + 1);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[depth * 2] = '\0';
    expect_reject(deep, depth * 2, "deep nesting");
    free(deep);

    /* unreadable paths */
    lst_report r;
    char e2[256];
    CHECK(lst_read_json(in_dir("does-not-exist.json"), &r, e2, sizeof e2) == -1);
    CHECKF(strstr(e2, "No such file") != NULL, "%s", e2);
    CHECK(lst_read_json(dir, &r, e2, sizeof e2) == -1);
    CHECKF(strstr(e2, "directory") != NULL, "%s", e2);
    CHECK(lst_read_json(NULL, &r, e2, sizeof e2) == -1);
    /* err may be NULL or tiny */
    CHECK(lst_read_json(in_dir("does-not-exist.json"), &r, NULL, 0) == -1);
    char tiny[4];
    CHECK(lst_read_json(in_dir("does-not-exist.json"), &r, tiny, sizeof tiny) == -1);
    CHECK(strlen(tiny) < sizeof tiny);
    return 0;
}

static int case_truncated(void)
{
    size_t n;
    char *text = write_rich("report.json", &n);
    CHECK(text != NULL);
    if (!text)
        return 0;
    /* prefixes that cut the document (the last byte is its newline): every one near both
     * ends, every 7th in between, which keeps the test fast under sanitizers */
    size_t bad_reasons = 0;
    for (size_t len = 0; len + 1 < n; len += (len < 4096 || len + 1024 > n) ? 1 : 7) {
        char what[64];
        snprintf(what, sizeof what, "truncated at %zu of %zu", len, n);
        const char *err = expect_reject(text, len, what);
        if (!strstr(err, ": line "))
            bad_reasons++;
    }
    CHECKF(bad_reasons == 0, "%zu truncations without a line number", bad_reasons);
    free(text);
    return 0;
}

/* Loads the rich report as a jansson tree, for mutation. */
static json_t *rich_tree(void)
{
    size_t n;
    char *text = write_rich("report.json", &n);
    json_error_t je;
    json_t *root = text ? json_loads(text, 0, &je) : NULL;
    free(text);
    if (!root) {
        fprintf(stderr, "cannot load the rich report\n");
        exit(1);
    }
    return root;
}

/* Writes tree to bad.json and reads it; returns rc and copies err. */
static int read_tree(json_t *tree, lst_report *r, char *err, size_t errlen)
{
    char *text = json_dumps(tree, JSON_INDENT(2));
    lst_fixture_spit(in_dir("bad.json"), text, strlen(text));
    free(text);
    return lst_read_json(in_dir("bad.json"), r, err, errlen);
}

static json_t *finding0(json_t *root)
{
    return json_array_get(json_object_get(root, "findings"), 0);
}

static json_t *frame00(json_t *root)
{
    json_t *s = json_array_get(json_object_get(finding0(root), "stacks"), 0);
    return json_array_get(json_object_get(s, "frames"), 0);
}

static int case_types(void)
{
    struct mutation {
        const char *what;
        const char *expect; /* substring of the reason */
    };
    static const struct mutation m[] = {
        {"pc is an integer", "findings[0].stacks[0].frames[0].pc"},
        {"pc is not hex", "findings[0].stacks[0].frames[0].pc"},
        {"pc has 17 digits", "findings[0].stacks[0].frames[0].pc"},
        {"line is a string", "findings[0].stacks[0].frames[0].line"},
        {"line is zero", "findings[0].stacks[0].frames[0].line"},
        {"created out of range", "findings[0].threads[0].created"},
        {"held_stack negative", "findings[0].edges[0].held_stack"},
        {"count negative", "findings[0].count"},
        {"count a real", "findings[0].count"},
        {"kind an integer", "findings[0].kind"},
        {"fingerprint short", "findings[0].fingerprint"},
        {"fingerprint upper case", "findings[0].fingerprint"},
        {"edges an object", "findings[0].edges"},
        {"stacks missing", "findings[0].stacks"},
        {"exit_code a string", "target.exit_code"},
        {"exit_signal zero", "target.exit_signal"},
        {"argv holds a number", "target.argv[1]"},
        {"duplicate thread id", "findings[0].threads[1].id"},
        {"note without reason", "notes[0].reason"},
        {"summary an array", "summary"},
        {"by_kind count a string", "summary.by_kind"},
        {"finding a string", "findings[2]"},
        {"atomic an integer", "findings[2].accesses[0].atomic"},
        {"thread id too big", "findings[0].threads[0].id"},
        {"limits hold null", "limits[0]"},
        {"schedules a boolean", "schedules"},
        {"mode an object", "mode"},
        {"tool.version missing", "tool.version"},
        {"address missing", "findings[0].locks[0].address"},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        json_t *root = rich_tree();
        json_t *f = finding0(root);
        json_t *fr = frame00(root);
        switch (i) {
        case 0:
            json_object_set_new(fr, "pc", json_integer(4096));
            break;
        case 1:
            json_object_set_new(fr, "pc", json_string("0xZZ"));
            break;
        case 2:
            json_object_set_new(fr, "pc", json_string("0x10000000000000000"));
            break;
        case 3:
            json_object_set_new(fr, "line", json_string("22"));
            break;
        case 4:
            json_object_set_new(fr, "line", json_integer(0));
            break;
        case 5:
            json_object_set_new(json_array_get(json_object_get(f, "threads"), 0), "created",
                                json_integer(99));
            break;
        case 6:
            json_object_set_new(json_array_get(json_object_get(f, "edges"), 0), "held_stack",
                                json_integer(-1));
            break;
        case 7:
            json_object_set_new(f, "count", json_integer(-1));
            break;
        case 8:
            json_object_set_new(f, "count", json_real(1.5));
            break;
        case 9:
            json_object_set_new(f, "kind", json_integer(1));
            break;
        case 10:
            json_object_set_new(f, "fingerprint", json_string("abc"));
            break;
        case 11:
            json_object_set_new(f, "fingerprint", json_string("ABCDEF0123456789"));
            break;
        case 12:
            json_object_set_new(f, "edges", json_object());
            break;
        case 13:
            json_object_del(f, "stacks");
            break;
        case 14:
            json_object_set_new(json_object_get(root, "target"), "exit_code", json_string("1"));
            break;
        case 15:
            json_object_set_new(json_object_get(root, "target"), "exit_signal", json_integer(0));
            break;
        case 16:
            json_array_set_new(json_object_get(json_object_get(root, "target"), "argv"), 1,
                               json_integer(3));
            break;
        case 17:
            json_object_set_new(json_array_get(json_object_get(f, "threads"), 1), "id",
                                json_integer(1));
            break;
        case 18:
            json_object_del(json_array_get(json_object_get(root, "notes"), 0), "reason");
            break;
        case 19:
            json_object_set_new(root, "summary", json_array());
            break;
        case 20:
            json_object_set_new(json_object_get(json_object_get(root, "summary"), "by_kind"),
                                "deadlock", json_string("1"));
            break;
        case 21:
            json_array_set_new(json_object_get(root, "findings"), 2, json_string("race"));
            break;
        case 22: {
            json_t *f2 = json_array_get(json_object_get(root, "findings"), 2);
            json_object_set_new(json_array_get(json_object_get(f2, "accesses"), 0), "atomic",
                                json_integer(0));
            break;
        }
        case 23:
            json_object_set_new(json_array_get(json_object_get(f, "threads"), 0), "id",
                                json_integer(1LL << 40));
            break;
        case 24:
            json_array_set_new(json_object_get(root, "limits"), 0, json_null());
            break;
        case 25:
            json_object_set_new(root, "schedules", json_true());
            break;
        case 26:
            json_object_set_new(root, "mode", json_object());
            break;
        case 27:
            json_object_del(json_object_get(root, "tool"), "version");
            break;
        case 28:
            json_object_del(json_array_get(json_object_get(f, "locks"), 0), "address");
            break;
        }
        lst_report r;
        char err[512];
        int rc = read_tree(root, &r, err, sizeof err);
        CHECKF(rc == -1, "%s: accepted", m[i].what);
        CHECKF(rc == -1 && strstr(err, m[i].expect) != NULL, "%s: reason '%s' lacks '%s'",
               m[i].what, err, m[i].expect);
        CHECKF(strchr(err, '\n') == NULL, "%s: not one line", m[i].what);
        lst_report_free(&r);
        json_decref(root);
    }
    return 0;
}

static int case_foreign(void)
{
    static const char *foreign[] = {
        "{\"name\": \"lockstep\", \"version\": \"1.0.0\", \"dependencies\": {}}\n",
        "[]",
        "{}",
        "{\"tool\": {\"name\": \"lockstep\"}}",
        "{\"schema_version\": 1}",
        "{\"schema_version\": 1, \"tool\": {\"name\": \"other-tool\", \"version\": \"1\"}}",
        "{\"schema_version\": \"1\", \"tool\": {\"name\": \"lockstep\"}}",
        "{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\", \"type\": \"object\"}",
    };
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "foreign #%zu", i);
        const char *err = expect_reject(foreign[i], strlen(foreign[i]), what);
        CHECKF(strstr(err, "not a lockstep report") != NULL, "%s: %s", what, err);
    }
    /* schema_version 0 */
    json_t *root = rich_tree();
    json_object_set_new(root, "schema_version", json_integer(0));
    lst_report r;
    char err[512];
    CHECK(read_tree(root, &r, err, sizeof err) == -1 && strstr(err, "schema_version"));
    json_decref(root);
    return 0;
}

static int case_newer(void)
{
    json_t *root = rich_tree();
    json_object_set_new(root, "schema_version", json_integer(LST_REPORT_SCHEMA_VERSION + 1));
    /* a newer version may change anything: the version must be the reason given */
    json_object_set_new(root, "findings", json_string("moved elsewhere in v2"));
    lst_report r;
    char err[512], v_new[16], v_old[16];
    CHECK(read_tree(root, &r, err, sizeof err) == -1);
    snprintf(v_new, sizeof v_new, "%d", LST_REPORT_SCHEMA_VERSION + 1);
    snprintf(v_old, sizeof v_old, "(%d)", LST_REPORT_SCHEMA_VERSION);
    CHECKF(strstr(err, "newer") && strstr(err, v_new) && strstr(err, v_old), "%s", err);
    json_decref(root);
    return 0;
}

static int case_unknown_fields(void)
{
    json_t *root = rich_tree();
    json_object_set_new(root, "added_in_1_1", json_pack("{s:[i,i]}", "x", 1, 2));
    json_object_set_new(finding0(root), "confidence", json_real(0.9));
    json_object_set_new(frame00(root), "column", json_integer(7));
    json_object_set_new(json_object_get(root, "tool"), "commit", json_string("abc"));
    lst_report got, want;
    char err[512];
    CHECKF(read_tree(root, &got, err, sizeof err) == 0, "%s", err);
    lst_fixture_rich(&want, "/home/dev/lockstep");
    CHECK(lst_fixture_equal(&want, &got));
    lst_report_free(&got);
    lst_report_free(&want);
    json_decref(root);
    return 0;
}

static int case_unknown_kind(void)
{
    json_t *root = rich_tree();
    json_object_set_new(json_array_get(json_object_get(root, "findings"), 1), "kind",
                        json_string("priority-inversion"));
    lst_report r;
    char err[512];
    CHECKF(read_tree(root, &r, err, sizeof err) == 0, "%s", err);
    CHECK(r.nfindings == 5);
    CHECK(r.nfindings == 5 && r.findings[1].kind == LST_KIND_DATA_RACE);
    CHECK(r.nlimits == 3 && strstr(r.limits[2], "unknown") != NULL);
    lst_report_free(&r);
    json_decref(root);
    return 0;
}

static int case_fuzz(void)
{
    size_t n;
    char *text = write_rich("report.json", &n);
    char *buf = malloc(n + 1);
    unsigned seed = 12345;
    int accepted = 0, rejected = 0;
    static const char noise[] = "{}[],:\"\\0123456789abcdefxnulltrue-+.eE \n\t\x80\xff";
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(buf, text, n);
        int edits = 1 + (int)(rand_r(&seed) % 4);
        size_t len = n;
        for (int e = 0; e < edits; e++) {
            size_t at = (size_t)rand_r(&seed) % len;
            switch (rand_r(&seed) % 3) {
            case 0: /* replace a byte */
                buf[at] = noise[(size_t)rand_r(&seed) % (sizeof noise - 1)];
                break;
            case 1: /* delete a byte */
                memmove(buf + at, buf + at + 1, len - at - 1);
                len--;
                break;
            default: /* duplicate a byte */
                buf[at] = buf[(size_t)rand_r(&seed) % len];
                break;
            }
        }
        lst_fixture_spit(in_dir("fuzz.json"), buf, len);
        lst_report r;
        char err[512];
        if (lst_read_json(in_dir("fuzz.json"), &r, err, sizeof err) == 0) {
            accepted++;
            /* whatever was accepted can be written and read again */
            CHECK(lst_write_json(&r, in_dir("fuzz-out.json")) == 0);
            lst_report r2;
            CHECKF(lst_read_json(in_dir("fuzz-out.json"), &r2, err, sizeof err) == 0, "%s", err);
            lst_report_free(&r2);
            lst_report_free(&r);
        } else {
            rejected++;
            CHECK(strchr(err, '\n') == NULL && err[0] != '\0');
        }
    }
    printf("fuzz: %d accepted, %d rejected\n", accepted, rejected);
    CHECK(rejected > 0);
    free(buf);
    free(text);
    return 0;
}

static int case_invalid_utf8(void)
{
    lst_report a, b;
    lst_report_init(&a);
    char *const argv[] = {"ok", "bad \xff\xfe end", "overlong \xc0\xaf", "cut \xe2\x82",
                          "surrogate \xed\xa0\x80"};
    lst_report_set_argv(&a, 5, argv);
    lst_finding *f = lst_report_add_finding(&a, LST_KIND_HANG);
    lst_finding_set_message(f, "name \x80!");
    lst_finding_fingerprint(f);
    const char *p = in_dir("utf8.json");
    CHECK(lst_write_json(&a, p) == 0);
    char err[256];
    CHECKF(lst_read_json(p, &b, err, sizeof err) == 0, "%s", err);
    if (b.argc == 5) {
        CHECK(strcmp(b.argv[0], "ok") == 0);
        CHECK(strcmp(b.argv[1], "bad \xef\xbf\xbd\xef\xbf\xbd end") == 0);
        CHECK(strcmp(b.argv[2], "overlong \xef\xbf\xbd\xef\xbf\xbd") == 0);
        CHECK(strcmp(b.argv[3], "cut \xef\xbf\xbd\xef\xbf\xbd") == 0);
        CHECK(strcmp(b.argv[4], "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") == 0);
        CHECK(strcmp(b.findings[0].message, "name \xef\xbf\xbd!") == 0);
    } else {
        CHECK(b.argc == 5);
    }
    lst_report_free(&a);
    lst_report_free(&b);
    return 0;
}

static int case_missing_fingerprint(void)
{
    lst_report a, b;
    lst_fixture_rich(&a, "/p");
    char want[17];
    memcpy(want, a.findings[0].fingerprint, 17);
    a.findings[0].fingerprint[0] = '\0';
    const char *p = in_dir("fp.json");
    CHECK(lst_write_json(&a, p) == 0);
    char err[256];
    CHECKF(lst_read_json(p, &b, err, sizeof err) == 0, "%s", err);
    CHECK(b.nfindings > 0 && strcmp(b.findings[0].fingerprint, want) == 0);
    lst_report_free(&a);
    lst_report_free(&b);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(void);
    } cases[] = {
        {"roundtrip", case_roundtrip},
        {"rewrite", case_rewrite},
        {"layout", case_layout},
        {"atomic", case_atomic},
        {"corrupt", case_corrupt},
        {"truncated", case_truncated},
        {"types", case_types},
        {"foreign", case_foreign},
        {"newer", case_newer},
        {"unknown_fields", case_unknown_fields},
        {"unknown_kind", case_unknown_kind},
        {"fuzz", case_fuzz},
        {"invalid_utf8", case_invalid_utf8},
        {"missing_fingerprint", case_missing_fingerprint},
    };
    if (argc != 2) {
        fprintf(stderr, "usage: %s CASE\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (strcmp(argv[1], cases[i].name) == 0) {
            dir = lst_fixture_tmpdir();
            cases[i].fn();
            if (lst_test_failures)
                fprintf(stderr, "%s: %d check(s) failed\n", argv[1], lst_test_failures);
            return lst_test_failures ? 1 : 0;
        }
    }
    fprintf(stderr, "unknown case %s\n", argv[1]);
    return 2;
}
