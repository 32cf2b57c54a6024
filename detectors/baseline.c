/* baseline.c: accepted findings by fingerprint (see baseline.h). The baseline file is
 *
 *   {
 *     "lockstep_baseline": 1,
 *     "findings": [
 *       {"fingerprint": "188d35f8afbc24cd", "kind": "deadlock", "title": "deadlock: ..."}
 *     ]
 *   }
 *
 * one finding a line, sorted by fingerprint, titles without addresses: the same findings
 * always give the same bytes, so the committed file only changes when the findings do. */
#define _GNU_SOURCE
#include "baseline.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void lst_baseline_init(lst_baseline *b)
{
    memset(b, 0, sizeof *b);
}

void lst_baseline_free(lst_baseline *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->v[i].kind);
        free(b->v[i].title);
    }
    free(b->v);
    lst_baseline_init(b);
}

/* Index where fingerprint is, or where it would be inserted (*found says which). */
static size_t search(const lst_baseline *b, const char *fp, int *found)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(b->v[mid].fingerprint, fp);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

int lst_baseline_contains(const lst_baseline *b, const char *fingerprint)
{
    int found;
    search(b, fingerprint, &found);
    return found;
}

/* A copy of msg with every "0x<hex digits>" written as "0x*": heap lock names and other
 * addresses change from run to run, and a committed baseline should not. */
static char *mask_addresses(const char *msg)
{
    if (!msg)
        return strdup("");
    char *out = malloc(strlen(msg) + 1), *o = out;
    if (!out)
        return NULL;
    for (const char *p = msg; *p;) {
        if (p[0] == '0' && p[1] == 'x' && isxdigit((unsigned char)p[2])) {
            *o++ = '0';
            *o++ = 'x';
            *o++ = '*';
            p += 2;
            while (isxdigit((unsigned char)*p))
                p++;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
    return out;
}

/* Adds one entry unless its fingerprint is there; takes nothing from the caller. */
static void add(lst_baseline *b, const char *fp, const char *kind, const char *title)
{
    int found;
    size_t at = search(b, fp, &found);
    if (found)
        return;
    lst_baseline_entry *v = realloc(b->v, (b->n + 1) * sizeof *v);
    if (!v)
        return;
    b->v = v;
    memmove(&v[at + 1], &v[at], (b->n - at) * sizeof *v);
    memset(&v[at], 0, sizeof *v);
    snprintf(v[at].fingerprint, sizeof v[at].fingerprint, "%s", fp);
    v[at].kind = strdup(kind ? kind : "");
    v[at].title = mask_addresses(title);
    b->n++;
}

void lst_baseline_add_report(lst_baseline *b, const lst_report *r)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        const lst_finding *f = &r->findings[i];
        if (f->fingerprint[0])
            add(b, f->fingerprint, lst_kind_name(f->kind), f->message);
    }
}

size_t lst_baseline_apply(const lst_baseline *b, lst_report *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        lst_finding *f = &r->findings[i];
        f->baselined = f->fingerprint[0] && lst_baseline_contains(b, f->fingerprint);
        n += (size_t)f->baselined;
    }
    return n;
}

static int is_fingerprint(const char *s)
{
    if (!s || strlen(s) != 16)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

int lst_baseline_load(const char *path, lst_baseline *b, char *err, size_t errlen)
{
    lst_baseline_init(b);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    json_error_t je;
    json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    fclose(f);
    if (!root) {
        if (je.line <= 0)
            snprintf(err, errlen, "%s: %s", path, je.text);
        else
            snprintf(err, errlen, "%s: line %d: %s", path, je.line, je.text);
        return -1;
    }
    int rc = -1;
    json_t *ver = json_is_object(root) ? json_object_get(root, "lockstep_baseline") : NULL;
    json_t *findings = json_is_object(root) ? json_object_get(root, "findings") : NULL;
    if (!ver) {
        json_t *tool = json_is_object(root) ? json_object_get(root, "tool") : NULL;
        json_t *name = json_is_object(tool) ? json_object_get(tool, "name") : NULL;
        if (json_object_get(root, "schema_version") && json_is_string(name) &&
            !strcmp(json_string_value(name), "lockstep"))
            rc = 1;
        else
            snprintf(err, errlen, "%s: neither a lockstep baseline nor a lockstep report.json",
                     path);
        json_decref(root);
        return rc;
    }
    if (!json_is_integer(ver) || json_integer_value(ver) < 1) {
        snprintf(err, errlen, "%s: lockstep_baseline: expected a version number", path);
    } else if (json_integer_value(ver) > LST_BASELINE_VERSION) {
        snprintf(err, errlen, "%s: baseline version %lld is newer than this lockstep supports (%d)",
                 path, (long long)json_integer_value(ver), LST_BASELINE_VERSION);
    } else if (!json_is_array(findings)) {
        snprintf(err, errlen, "%s: findings: expected an array", path);
    } else {
        rc = 0;
        size_t i;
        json_t *e;
        json_array_foreach(findings, i, e)
        {
            json_t *fp = json_object_get(e, "fingerprint");
            json_t *kind = json_object_get(e, "kind");
            json_t *title = json_object_get(e, "title");
            if (!json_is_object(e) || !is_fingerprint(json_string_value(fp)) ||
                (kind && !json_is_string(kind)) || (title && !json_is_string(title))) {
                snprintf(err, errlen,
                         "%s: findings[%zu]: want an object with a 16-hex-digit fingerprint, "
                         "a kind and a title",
                         path, i);
                rc = -1;
                break;
            }
            add(b, json_string_value(fp), json_string_value(kind), json_string_value(title));
        }
    }
    json_decref(root);
    if (rc != 0)
        lst_baseline_free(b);
    return rc;
}

int lst_baseline_write(const lst_baseline *b, FILE *out)
{
    fprintf(out, "{\n  \"lockstep_baseline\": %d,\n  \"findings\": [", LST_BASELINE_VERSION);
    for (size_t i = 0; i < b->n; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "fingerprint", json_string(b->v[i].fingerprint));
        json_object_set_new(e, "kind", json_string(b->v[i].kind));
        /* json_string refuses invalid UTF-8: keep the entry, without its title */
        json_t *t = json_string(b->v[i].title);
        json_object_set_new(e, "title", t ? t : json_string(""));
        char *line = json_dumps(e, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
        json_decref(e);
        if (!line)
            return -1;
        fprintf(out, "%s\n    %s", i ? "," : "", line);
        free(line);
    }
    fputs(b->n ? "\n  ]\n}\n" : "]\n}\n", out);
    return ferror(out) ? -1 : 0;
}
