/* fuzz_report.c: libFuzzer target for the report.json reader (lst_read_json in
 * reports/json.c), which `lockstep report` runs on files users hand it. Any input is either
 * read or rejected with a one-line reason; a report that is read is rendered by every
 * writer (text, SARIF, JUnit, HTML), written back as JSON, and that JSON must read again and be
 * written identically. */
#include "fuzz_util.h" /* first: it defines _GNU_SOURCE */

#include <string.h>

#include "report.h"

static char tmp_path[64];

/* The whole file at path (malloc'd, *n bytes), or NULL. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *n = 0;
    for (;;) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
        }
        size_t k = fread(buf + *n, 1, cap - *n, f);
        if (k == 0)
            break;
        *n += k;
    }
    fclose(f);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lst_report r, again;
    char err[512];
    size_t n1, n2;
    if (lst_read_json(lst_fuzz_file(data, size), &r, err, sizeof err) != 0) {
        if (!err[0] || r.nfindings || r.nnotes)
            abort(); /* rejected without a reason, or not left empty */
        lst_report_free(&r);
        return 0;
    }
    FILE *out = fopen("/dev/null", "w");
    if (out) {
        lst_render_opts o;
        memset(&o, 0, sizeof o);
        o.no_dot = 1; /* no Graphviz child per input */
        lst_write_text(&r, out, 1);
        lst_write_sarif(&r, out, &o);
        lst_write_junit(&r, out, &o);
        lst_write_html(&r, out, &o);
        fclose(out);
    }
    if (!tmp_path[0])
        snprintf(tmp_path, sizeof tmp_path, "/tmp/lst_fuzz_report.%d.json", (int)getpid());
    if (lst_write_json(&r, tmp_path) != 0)
        abort();
    if (lst_read_json(tmp_path, &again, err, sizeof err) != 0) {
        fprintf(stderr, "re-read of a written report failed: %s\n", err);
        abort();
    }
    /* and the second write is byte for byte the first: nothing is lost or changed */
    char *first = slurp(tmp_path, &n1);
    if (lst_write_json(&again, tmp_path) != 0)
        abort();
    char *second = slurp(tmp_path, &n2);
    unlink(tmp_path);
    if (again.nfindings != r.nfindings || again.nnotes != r.nnotes || !first || !second ||
        n1 != n2 || memcmp(first, second, n1) != 0) {
        fprintf(stderr, "report.json changed when written again\n");
        abort();
    }
    free(first);
    free(second);
    lst_report_free(&again);
    lst_report_free(&r);
    return 0;
}
