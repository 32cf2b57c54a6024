/* json.c: report.json, the one source of truth of a lockstep run (schema: docs/report.schema.json,
 * prose: docs/report-schema.md). lst_write_json builds a jansson tree from an lst_report and
 * writes it atomically (temporary file in the same directory, fsync, rename), pretty-printed
 * with keys in a fixed order, so the same report always gives the same bytes.
 * lst_read_json parses and validates a file into an identical lst_report; whatever the input
 * (truncated, corrupt, foreign, newer), it fails with a one-line reason instead of crashing.
 * Mapping rules: thread/lock ids and stack indices of -1 are JSON null, exit_code -1 and
 * exit_signal 0 are null, line 0 is null, addresses and pcs are "0x..." strings. */
#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------------ */
/* Writing                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static void oom(void)
{
    fputs("lockstep: out of memory\n", stderr);
    abort();
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

static char *xstrdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 when it is not one (overlong
 * forms, surrogates and code points past U+10FFFF are not well formed, as for jansson). */
size_t lst_utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* A JSON string for s: null when s is NULL; bytes that are not valid UTF-8 (a target's argv
 * or a file name may hold any bytes) are replaced by U+FFFD so the file stays valid JSON. */
static json_t *jstr(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    size_t len = strlen(s);
    char *clean = xmalloc(len * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = lst_utf8_len((const unsigned char *)s + i);
        if (n == 0) {
            memcpy(clean + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        } else {
            memcpy(clean + o, s + i, n);
            o += n;
            i += n;
        }
    }
    clean[o] = '\0';
    j = json_string(clean);
    free(clean);
    return j;
}

static json_t *jhex(uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return json_string(buf);
}

/* An id or index where negative means "none". */
static json_t *jref(int v)
{
    return v < 0 ? json_null() : json_integer(v);
}

/* json_object_set_new that tolerates a NULL value (out of memory while building), which it
 * turns into a failed build: the whole tree is checked once at the end. */
static void set(json_t *obj, const char *key, json_t *value, int *failed)
{
    if (!obj || !value || json_object_set_new(obj, key, value) != 0)
        *failed = 1;
}

static void push(json_t *arr, json_t *value, int *failed)
{
    if (!arr || !value || json_array_append_new(arr, value) != 0)
        *failed = 1;
}

static json_t *frame_to_json(const lst_frame *fr, int *failed)
{
    json_t *o = json_object();
    set(o, "pc", jhex(fr->pc), failed);
    set(o, "function", jstr(fr->function), failed);
    set(o, "file", jstr(fr->file), failed);
    set(o, "line", fr->line > 0 ? json_integer(fr->line) : json_null(), failed);
    set(o, "module", jstr(fr->module), failed);
    return o;
}

static json_t *finding_to_json(const lst_finding *f, int is_note, int *failed)
{
    json_t *o = json_object();
    set(o, "kind", json_string(lst_kind_name(f->kind)), failed);
    set(o, "message", jstr(f->message), failed);
    if (f->fingerprint[0]) {
        set(o, "fingerprint", jstr(f->fingerprint), failed);
    } else {
        /* a detector forgot to fingerprint: compute it rather than write an invalid file */
        lst_finding tmp = *f;
        lst_finding_fingerprint(&tmp);
        set(o, "fingerprint", json_string(tmp.fingerprint), failed);
    }
    set(o, "count", json_integer(f->count), failed);
    set(o, "baselined", json_boolean(f->baselined), failed);
    if (is_note || f->reason)
        set(o, "reason", jstr(f->reason), failed);
    set(o, "schedule", jstr(f->schedule), failed);
    set(o, "variable", jstr(f->variable), failed);
    set(o, "process", json_integer(f->process), failed);

    json_t *threads = json_array();
    for (size_t i = 0; i < f->nthreads; i++) {
        const lst_thread *t = &f->threads[i];
        json_t *jt = json_object();
        set(jt, "id", json_integer(t->id), failed);
        set(jt, "name", jstr(t->name), failed);
        set(jt, "created", jref(t->created), failed);
        push(threads, jt, failed);
    }
    set(o, "threads", threads, failed);

    json_t *locks = json_array();
    for (size_t i = 0; i < f->nlocks; i++) {
        const lst_lock *l = &f->locks[i];
        json_t *jl = json_object();
        set(jl, "id", json_integer(l->id), failed);
        set(jl, "name", jstr(l->name), failed);
        set(jl, "type", jstr(l->type), failed);
        set(jl, "address", jhex(l->addr), failed);
        push(locks, jl, failed);
    }
    set(o, "locks", locks, failed);

    json_t *stacks = json_array();
    for (size_t i = 0; i < f->nstacks; i++) {
        const lst_stack *s = &f->stacks[i];
        json_t *js = json_object();
        set(js, "role", jstr(s->role), failed);
        set(js, "thread", jref(s->thread), failed);
        set(js, "lock", jref(s->lock), failed);
        json_t *frames = json_array();
        for (size_t j = 0; j < s->nframes; j++)
            push(frames, frame_to_json(&s->frames[j], failed), failed);
        set(js, "frames", frames, failed);
        push(stacks, js, failed);
    }
    set(o, "stacks", stacks, failed);

    json_t *edges = json_array();
    for (size_t i = 0; i < f->nedges; i++) {
        const lst_edge *e = &f->edges[i];
        json_t *je = json_object();
        set(je, "from", json_integer(e->from_lock), failed);
        set(je, "to", json_integer(e->to_lock), failed);
        set(je, "thread", jref(e->thread), failed);
        set(je, "held_stack", jref(e->held_stack), failed);
        set(je, "acquire_stack", jref(e->acquire_stack), failed);
        set(je, "mode", jstr(e->mode), failed);
        push(edges, je, failed);
    }
    set(o, "edges", edges, failed);

    json_t *accesses = json_array();
    for (size_t i = 0; i < f->naccesses; i++) {
        const lst_access *a = &f->accesses[i];
        json_t *ja = json_object();
        set(ja, "type", jstr(a->type), failed);
        set(ja, "size", json_integer(a->size), failed);
        set(ja, "thread", jref(a->thread), failed);
        set(ja, "stack", jref(a->stack), failed);
        set(ja, "atomic", json_boolean(a->atomic), failed);
        push(accesses, ja, failed);
    }
    set(o, "accesses", accesses, failed);
    return o;
}

/* The whole document, or NULL when out of memory. */
static json_t *report_to_json(const lst_report *r)
{
    int failed = 0;
    json_t *root = json_object();
    set(root, "schema_version", json_integer(r->schema_version), &failed);

    json_t *tool = json_object();
    set(tool, "name", json_string("lockstep"), &failed);
    set(tool, "version", jstr(r->tool_version), &failed);
    set(root, "tool", tool, &failed);
    set(root, "mode", jstr(r->mode), &failed);

    json_t *target = json_object();
    json_t *argv = json_array();
    for (size_t i = 0; i < r->argc; i++)
        push(argv, jstr(r->argv[i] ? r->argv[i] : ""), &failed);
    set(target, "argv", argv, &failed);
    set(target, "exit_code", r->exit_code >= 0 ? json_integer(r->exit_code) : json_null(), &failed);
    set(target, "exit_signal", r->exit_signal > 0 ? json_integer(r->exit_signal) : json_null(),
        &failed);
    set(root, "target", target, &failed);

    set(root, "schedule", jstr(r->schedule), &failed);
    set(root, "schedules", json_integer(r->schedules), &failed);
    json_t *shard = json_null();
    if (r->shards) {
        shard = json_object();
        set(shard, "index", json_integer(r->shard), &failed);
        set(shard, "count", json_integer(r->shards), &failed);
    }
    set(root, "shard", shard, &failed);
    set(root, "baseline", jstr(r->baseline), &failed);

    json_t *summary = json_object();
    set(summary, "findings", json_integer((json_int_t)r->nfindings), &failed);
    set(summary, "notes", json_integer((json_int_t)r->nnotes), &failed);
    json_t *by_kind = json_object();
    for (int k = 0; k < LST_KIND_COUNT; k++) {
        json_int_t n = 0;
        for (size_t i = 0; i < r->nfindings; i++)
            n += r->findings[i].kind == (lst_kind)k;
        if (n)
            set(by_kind, lst_kind_name((lst_kind)k), json_integer(n), &failed);
    }
    set(summary, "by_kind", by_kind, &failed);
    set(root, "summary", summary, &failed);

    json_t *findings = json_array();
    for (size_t i = 0; i < r->nfindings; i++)
        push(findings, finding_to_json(&r->findings[i], 0, &failed), &failed);
    set(root, "findings", findings, &failed);

    json_t *notes = json_array();
    for (size_t i = 0; i < r->nnotes; i++)
        push(notes, finding_to_json(&r->notes[i], 1, &failed), &failed);
    set(root, "notes", notes, &failed);

    json_t *limits = json_array();
    for (size_t i = 0; i < r->nlimits; i++)
        push(limits, jstr(r->limits[i] ? r->limits[i] : ""), &failed);
    set(root, "limits", limits, &failed);

    if (failed) {
        json_decref(root);
        return NULL;
    }
    return root;
}

static int write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fsyncs the directory holding path, so the rename itself survives a crash. Best effort. */
static void sync_parent_dir(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    const char *d = ".";
    if (slash == dir)
        d = "/";
    else if (slash) {
        *slash = '\0';
        d = dir;
    }
    int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Writes r as report.json to path, atomically: the document goes to "<path>.tmp.<pid>.<n>"
 * in the same directory (created with mode 0666 less the umask), is fsynced, then renamed
 * over path. The output is the jansson rendering with a 2-space indent and keys in the order
 * of docs/report-schema.md, plus a final newline: equal reports give equal bytes. Strings
 * that are not valid UTF-8 are written with U+FFFD in place of each bad byte. A finding
 * with an empty fingerprint gets one computed. Returns 0, or -1 with errno set (EINVAL for a
 * NULL argument, ENOMEM, or the error of open/write/fsync/rename); on failure path is
 * untouched and no temporary file is left behind. */
int lst_write_json(const lst_report *r, const char *path)
{
    if (!r || !path || !*path) {
        errno = EINVAL;
        return -1;
    }
    json_t *root = report_to_json(r);
    char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }

    size_t tlen = strlen(path) + 64;
    char *tmp = xmalloc(tlen);
    int fd = -1;
    for (unsigned n = 0; n < 1000 && fd < 0; n++) {
        snprintf(tmp, tlen, "%s.tmp.%ld.%u", path, (long)getpid(), n);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    int rc = -1, saved = 0;
    if (fd >= 0) {
        if (write_all(fd, text, strlen(text)) == 0 && write_all(fd, "\n", 1) == 0 &&
            fsync(fd) == 0) {
            if (close(fd) == 0) {
                fd = -1;
                if (rename(tmp, path) == 0)
                    rc = 0;
            }
        }
        saved = errno;
        if (fd >= 0)
            close(fd);
        if (rc != 0)
            unlink(tmp);
    } else {
        saved = errno;
    }
    free(text);
    free(tmp);
    if (rc == 0)
        sync_parent_dir(path);
    else
        errno = saved;
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Reading                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* A JSON path for error messages, e.g. "findings[0].stacks[2].frames[1].pc". */
typedef struct jpath {
    char s[256];
} jpath;

typedef struct rctx {
    const char *file;
    char *err;
    size_t errlen;
    int failed;
} rctx;

static void fail(rctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(rctx *c, const char *fmt, ...)
{
    if (c->failed)
        return; /* keep the first reason */
    c->failed = 1;
    if (!c->err || c->errlen == 0)
        return;
    int n = snprintf(c->err, c->errlen, "%s: ", c->file);
    if (n < 0 || (size_t)n >= c->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    /* one line: a control character in a quoted value must not break it */
    for (char *p = c->err; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
}

/* Marks a path that did not fit with a trailing "..." (paths are for messages only). */
static void path_fit(jpath *q, int n)
{
    if (n < 0 || (size_t)n >= sizeof q->s)
        memcpy(q->s + sizeof q->s - 4, "...", 4);
}

static jpath sub(const jpath *p, const char *key)
{
    jpath q;
    path_fit(&q, snprintf(q.s, sizeof q.s, "%s%s%s", p->s, p->s[0] ? "." : "", key));
    return q;
}

static jpath subi(const jpath *p, const char *key, size_t i)
{
    jpath q;
    path_fit(&q,
             snprintf(q.s, sizeof q.s, "%s%s%s[%zu]", p->s, p->s[0] && key[0] ? "." : "", key, i));
    return q;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

/* The member key of obj (p is obj's path), or NULL after failing when it is missing. */
static json_t *member(rctx *c, json_t *obj, const jpath *p, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        jpath q = sub(p, key);
        fail(c, "%s: missing", q.s);
    }
    return v;
}

static json_t *get_object(rctx *c, json_t *obj, const jpath *p, const char *key)
{
    json_t *v = member(c, obj, p, key);
    if (v && !json_is_object(v)) {
        jpath q = sub(p, key);
        fail(c, "%s: expected an object, found %s", q.s, type_name(v));
        return NULL;
    }
    return v;
}

static json_t *get_array(rctx *c, json_t *obj, const jpath *p, const char *key)
{
    json_t *v = member(c, obj, p, key);
    if (v && !json_is_array(v)) {
        jpath q = sub(p, key);
        fail(c, "%s: expected an array, found %s", q.s, type_name(v));
        return NULL;
    }
    return v;
}

/* A string member into *out (a copy; NULL for JSON null when nullable). */
static void get_string(rctx *c, json_t *obj, const jpath *p, const char *key, int nullable,
                       char **out)
{
    *out = NULL;
    json_t *v = member(c, obj, p, key);
    if (!v)
        return;
    if (json_is_null(v) && nullable)
        return;
    if (!json_is_string(v)) {
        jpath q = sub(p, key);
        fail(c, "%s: expected a string%s, found %s", q.s, nullable ? " or null" : "", type_name(v));
        return;
    }
    *out = xstrdup(json_string_value(v));
}

/* An integer member within [min, max] into *out; JSON null gives null_value when nullable. */
static void get_int(rctx *c, json_t *obj, const jpath *p, const char *key, long long min,
                    long long max, int nullable, long long null_value, long long *out)
{
    *out = null_value;
    json_t *v = member(c, obj, p, key);
    if (!v)
        return;
    if (json_is_null(v) && nullable)
        return;
    jpath q = sub(p, key);
    if (!json_is_integer(v)) {
        fail(c, "%s: expected an integer%s, found %s", q.s, nullable ? " or null" : "",
             type_name(v));
        return;
    }
    json_int_t n = json_integer_value(v);
    if (n < min || n > max) {
        fail(c, "%s: %lld is out of range [%lld, %lld]", q.s, (long long)n, min, max);
        return;
    }
    *out = n;
}

static int get_int_field(rctx *c, json_t *obj, const jpath *p, const char *key, long long min,
                         int nullable, int null_value)
{
    long long v;
    get_int(c, obj, p, key, min, INT_MAX, nullable, null_value, &v);
    return (int)v;
}

/* A "0x..." hex string of 1 to 16 digits into *out. */
static void get_hex(rctx *c, json_t *obj, const jpath *p, const char *key, uint64_t *out)
{
    *out = 0;
    json_t *v = member(c, obj, p, key);
    if (!v)
        return;
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    int ok = s && n >= 3 && n <= 18 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    uint64_t x = 0;
    for (size_t i = 2; ok && i < n; i++) {
        char ch = s[i];
        unsigned d;
        if (ch >= '0' && ch <= '9')
            d = (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            d = (unsigned)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F')
            d = (unsigned)(ch - 'A' + 10);
        else {
            ok = 0;
            break;
        }
        x = (x << 4) | d;
    }
    if (!ok) {
        jpath q = sub(p, key);
        fail(c, "%s: expected a hex string like \"0x4011a6\"", q.s);
        return;
    }
    *out = x;
}

/* An index into the finding's stacks (or null = -1); checked against nstacks. */
static int get_stack_index(rctx *c, json_t *obj, const jpath *p, const char *key, size_t nstacks)
{
    int v = get_int_field(c, obj, p, key, 0, 1, -1);
    if (!c->failed && v >= 0 && (size_t)v >= nstacks) {
        jpath q = sub(p, key);
        fail(c, "%s: stack index %d is out of range (the finding has %zu stacks)", q.s, v, nstacks);
        return -1;
    }
    return v;
}

static void read_finding(rctx *c, json_t *jf, const jpath *p, lst_finding *f)
{
    char *s;
    get_string(c, jf, p, "message", 1, &f->message);

    get_string(c, jf, p, "fingerprint", 0, &s);
    if (s) {
        size_t n = strlen(s);
        int ok = n == 16;
        for (size_t i = 0; ok && i < n; i++)
            ok = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
        if (ok)
            memcpy(f->fingerprint, s, 17);
        else {
            jpath q = sub(p, "fingerprint");
            fail(c, "%s: expected 16 lowercase hex digits", q.s);
        }
        free(s);
    }
    long long v;
    get_int(c, jf, p, "count", 0, UINT_MAX, 0, 0, &v);
    f->count = (unsigned)v;
    /* reason: required in notes (checked by the caller), optional in findings */
    free(f->reason);
    f->reason = NULL;
    if (json_object_get(jf, "reason"))
        get_string(c, jf, p, "reason", 1, &f->reason);
    /* baselined: absent in reports written before --baseline existed */
    json_t *bl = json_object_get(jf, "baselined");
    if (bl && !json_is_boolean(bl)) {
        jpath q = sub(p, "baselined");
        fail(c, "%s: expected a boolean, found %s", q.s, type_name(bl));
    }
    f->baselined = json_is_true(bl);
    get_string(c, jf, p, "schedule", 1, &f->schedule);
    get_string(c, jf, p, "variable", 1, &f->variable);
    f->process = get_int_field(c, jf, p, "process", 0, 0, 0);

    json_t *threads = get_array(c, jf, p, "threads");
    json_t *locks = get_array(c, jf, p, "locks");
    json_t *stacks = get_array(c, jf, p, "stacks");
    json_t *edges = get_array(c, jf, p, "edges");
    json_t *accesses = get_array(c, jf, p, "accesses");
    if (c->failed)
        return;
    size_t nstacks = json_array_size(stacks);
    size_t i;
    json_t *e;

    /* stacks first: the other arrays refer to them by index */
    json_array_foreach(stacks, i, e)
    {
        jpath q = subi(p, "stacks", i);
        if (!json_is_object(e)) {
            fail(c, "%s: expected an object, found %s", q.s, type_name(e));
            return;
        }
        char *role;
        get_string(c, e, &q, "role", 1, &role);
        int thread = get_int_field(c, e, &q, "thread", 0, 1, -1);
        int lock = get_int_field(c, e, &q, "lock", 0, 1, -1);
        json_t *frames = get_array(c, e, &q, "frames");
        if (c->failed) {
            free(role);
            return;
        }
        int si = lst_finding_add_stack(f, role, thread, lock); /* before indexing: it reallocs */
        lst_stack *st = &f->stacks[si];
        free(role);
        size_t j;
        json_t *jfr;
        json_array_foreach(frames, j, jfr)
        {
            jpath fq = subi(&q, "frames", j);
            if (!json_is_object(jfr)) {
                fail(c, "%s: expected an object, found %s", fq.s, type_name(jfr));
                return;
            }
            uint64_t pc;
            char *fn, *file, *module;
            get_hex(c, jfr, &fq, "pc", &pc);
            get_string(c, jfr, &fq, "function", 1, &fn);
            get_string(c, jfr, &fq, "file", 1, &file);
            int line = get_int_field(c, jfr, &fq, "line", 1, 1, 0);
            get_string(c, jfr, &fq, "module", 1, &module);
            if (!c->failed)
                lst_stack_add_frame(st, pc, fn, file, line, module);
            free(fn);
            free(file);
            free(module);
            if (c->failed)
                return;
        }
    }

    json_array_foreach(threads, i, e)
    {
        jpath q = subi(p, "threads", i);
        if (!json_is_object(e)) {
            fail(c, "%s: expected an object, found %s", q.s, type_name(e));
            return;
        }
        int id = get_int_field(c, e, &q, "id", 0, 0, 0);
        char *name;
        get_string(c, e, &q, "name", 1, &name);
        int created = get_stack_index(c, e, &q, "created", nstacks);
        if (!c->failed && lst_finding_thread_index(f, id) >= 0)
            fail(c, "%s.id: thread id %d appears twice", q.s, id);
        if (!c->failed)
            lst_finding_add_thread(f, id, name, created);
        free(name);
        if (c->failed)
            return;
    }

    json_array_foreach(locks, i, e)
    {
        jpath q = subi(p, "locks", i);
        if (!json_is_object(e)) {
            fail(c, "%s: expected an object, found %s", q.s, type_name(e));
            return;
        }
        int id = get_int_field(c, e, &q, "id", 0, 0, 0);
        char *name, *type;
        uint64_t addr;
        get_string(c, e, &q, "name", 1, &name);
        get_string(c, e, &q, "type", 1, &type);
        get_hex(c, e, &q, "address", &addr);
        if (!c->failed && lst_finding_lock_index(f, id) >= 0)
            fail(c, "%s.id: lock id %d appears twice", q.s, id);
        if (!c->failed)
            lst_finding_add_lock(f, id, name, type, addr);
        free(name);
        free(type);
        if (c->failed)
            return;
    }

    json_array_foreach(edges, i, e)
    {
        jpath q = subi(p, "edges", i);
        if (!json_is_object(e)) {
            fail(c, "%s: expected an object, found %s", q.s, type_name(e));
            return;
        }
        int from = get_int_field(c, e, &q, "from", 0, 0, 0);
        int to = get_int_field(c, e, &q, "to", 0, 0, 0);
        int thread = get_int_field(c, e, &q, "thread", 0, 1, -1);
        int held = get_stack_index(c, e, &q, "held_stack", nstacks);
        int acq = get_stack_index(c, e, &q, "acquire_stack", nstacks);
        char *mode;
        get_string(c, e, &q, "mode", 1, &mode);
        if (!c->failed)
            lst_finding_add_edge(f, from, to, thread, held, acq, mode);
        free(mode);
        if (c->failed)
            return;
    }

    json_array_foreach(accesses, i, e)
    {
        jpath q = subi(p, "accesses", i);
        if (!json_is_object(e)) {
            fail(c, "%s: expected an object, found %s", q.s, type_name(e));
            return;
        }
        char *type;
        get_string(c, e, &q, "type", 1, &type);
        int size = get_int_field(c, e, &q, "size", 0, 0, 0);
        int thread = get_int_field(c, e, &q, "thread", 0, 1, -1);
        int stack = get_stack_index(c, e, &q, "stack", nstacks);
        json_t *atomic = member(c, e, &q, "atomic");
        if (atomic && !json_is_boolean(atomic)) {
            jpath aq = sub(&q, "atomic");
            fail(c, "%s: expected a boolean, found %s", aq.s, type_name(atomic));
        }
        if (!c->failed)
            lst_finding_add_access(f, type, size, thread, stack, json_is_true(atomic));
        free(type);
        if (c->failed)
            return;
    }
}

/* Reads findings or notes (name) of root into r; entries of a kind this lockstep does not
 * know (written by a newer one) are skipped and counted in *skipped. */
static void read_findings(rctx *c, json_t *root, const char *name, lst_report *r, int notes,
                          size_t *skipped)
{
    jpath top = {""};
    json_t *arr = get_array(c, root, &top, name);
    if (c->failed)
        return;
    size_t i;
    json_t *jf;
    json_array_foreach(arr, i, jf)
    {
        jpath p = subi(&top, name, i);
        if (!json_is_object(jf)) {
            fail(c, "%s: expected an object, found %s", p.s, type_name(jf));
            return;
        }
        char *kname;
        get_string(c, jf, &p, "kind", 0, &kname);
        if (c->failed)
            return;
        int k = lst_kind_from_name(kname);
        free(kname);
        if (k < 0) {
            (*skipped)++;
            continue;
        }
        if (notes && !json_object_get(jf, "reason")) {
            jpath q = sub(&p, "reason");
            fail(c, "%s: missing", q.s);
            return;
        }
        lst_finding *f = notes ? lst_report_add_note(r, (lst_kind)k, NULL)
                               : lst_report_add_finding(r, (lst_kind)k);
        read_finding(c, jf, &p, f);
        if (c->failed)
            return;
    }
}

static void read_report(rctx *c, json_t *root, lst_report *r)
{
    jpath top = {""};
    if (!json_is_object(root)) {
        fail(c, "not a lockstep report (the top level is not an object)");
        return;
    }
    json_t *ver = json_object_get(root, "schema_version");
    json_t *tool = json_object_get(root, "tool");
    json_t *tname = json_is_object(tool) ? json_object_get(tool, "name") : NULL;
    if (!json_is_integer(ver) || !json_is_string(tname) ||
        strcmp(json_string_value(tname), "lockstep") != 0) {
        fail(c, "not a lockstep report (no schema_version and tool.name \"lockstep\")");
        return;
    }
    json_int_t v = json_integer_value(ver);
    if (v > LST_REPORT_SCHEMA_VERSION) {
        fail(c,
             "schema_version %lld is newer than this lockstep supports (%d): upgrade "
             "lockstep to read it",
             (long long)v, LST_REPORT_SCHEMA_VERSION);
        return;
    }
    if (v < 1) {
        fail(c, "schema_version: %lld is not a valid version", (long long)v);
        return;
    }
    r->schema_version = (int)v;

    jpath tp = sub(&top, "tool");
    get_string(c, tool, &tp, "version", 1, &r->tool_version);
    get_string(c, root, &top, "mode", 1, &r->mode);

    json_t *target = get_object(c, root, &top, "target");
    if (c->failed)
        return;
    jpath gp = sub(&top, "target");
    json_t *argv = get_array(c, target, &gp, "argv");
    r->exit_code = get_int_field(c, target, &gp, "exit_code", 0, 1, -1);
    r->exit_signal = get_int_field(c, target, &gp, "exit_signal", 1, 1, 0);
    if (c->failed)
        return;
    size_t i;
    json_t *a;
    json_array_foreach(argv, i, a)
    {
        if (!json_is_string(a)) {
            jpath q = subi(&gp, "argv", i);
            fail(c, "%s: expected a string, found %s", q.s, type_name(a));
            return;
        }
        char *const one[] = {(char *)json_string_value(a)};
        lst_report_set_argv(r, 1, one);
    }

    get_string(c, root, &top, "schedule", 1, &r->schedule);
    long long n;
    get_int(c, root, &top, "schedules", 0, UINT_MAX, 0, 0, &n);
    r->schedules = (unsigned)n;
    /* shard and baseline: absent in reports written before they existed */
    json_t *shard = json_object_get(root, "shard");
    if (shard && !json_is_null(shard)) {
        jpath hp = sub(&top, "shard");
        if (!json_is_object(shard)) {
            fail(c, "shard: expected an object or null, found %s", type_name(shard));
            return;
        }
        long long si, sn;
        get_int(c, shard, &hp, "index", 1, UINT_MAX, 0, 0, &si);
        get_int(c, shard, &hp, "count", 1, UINT_MAX, 0, 0, &sn);
        if (c->failed)
            return;
        if (si > sn) {
            fail(c, "shard: index %lld is greater than count %lld", si, sn);
            return;
        }
        r->shard = (unsigned)si;
        r->shards = (unsigned)sn;
    }
    if (json_object_get(root, "baseline"))
        get_string(c, root, &top, "baseline", 1, &r->baseline);

    /* summary is derived data (rewritten on every write): only its shape is checked, so a
     * report edited with jq (a finding deleted) still reads */
    json_t *summary = get_object(c, root, &top, "summary");
    if (c->failed)
        return;
    jpath sp = sub(&top, "summary");
    get_int(c, summary, &sp, "findings", 0, LLONG_MAX, 0, 0, &n);
    get_int(c, summary, &sp, "notes", 0, LLONG_MAX, 0, 0, &n);
    json_t *by_kind = get_object(c, summary, &sp, "by_kind");
    if (c->failed)
        return;
    const char *key;
    json_t *cnt;
    json_object_foreach(by_kind, key, cnt)
    {
        if (!json_is_integer(cnt) || json_integer_value(cnt) < 0) {
            jpath q = sub(&sp, "by_kind");
            fail(c, "%s.%s: expected a count", q.s, key);
            return;
        }
    }

    size_t skipped = 0;
    read_findings(c, root, "findings", r, 0, &skipped);
    read_findings(c, root, "notes", r, 1, &skipped);

    json_t *limits = get_array(c, root, &top, "limits");
    if (c->failed)
        return;
    json_array_foreach(limits, i, a)
    {
        if (!json_is_string(a)) {
            jpath q = subi(&top, "limits", i);
            fail(c, "%s: expected a string, found %s", q.s, type_name(a));
            return;
        }
        lst_report_add_limit(r, json_string_value(a));
    }
    if (skipped) {
        char line[160];
        snprintf(line, sizeof line,
                 "%zu finding(s) or note(s) of kinds unknown to this lockstep were skipped "
                 "(written by a newer version)",
                 skipped);
        lst_report_add_limit(r, line);
    }
}

/* Reads a report.json into r (initialized by the call). Accepts exactly what lst_write_json
 * writes (and any schema_version up to LST_REPORT_SCHEMA_VERSION); members it does not know
 * are ignored, summary is checked for shape only, and findings of unknown kinds are skipped
 * with a limit line saying so. Returns 0, or -1 with r empty (initialized) and a one-line
 * reason in err (NUL-terminated, truncated to errlen; err may be NULL): "PATH: line N: ..."
 * for JSON syntax errors, "PATH: findings[0].stacks[1].pc: ..." for a value of the wrong
 * type or range, "PATH: not a lockstep report (...)" for a foreign file, and a message
 * naming both versions for a newer schema_version. Never crashes on any input. */
int lst_read_json(const char *path, lst_report *r, char *err, size_t errlen)
{
    rctx c = {path ? path : "(null)", err, errlen, 0};
    if (err && errlen)
        err[0] = '\0';
    lst_report_init(r);
    if (!path) {
        fail(&c, "no path");
        return -1;
    }
    FILE *fp = fopen(path, "re");
    if (!fp) {
        fail(&c, "cannot open: %s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        fail(&c, "is a directory");
        return -1;
    }
    json_error_t je;
    json_t *root = json_loadf(fp, JSON_REJECT_DUPLICATES, &je);
    int rerr = ferror(fp);
    fclose(fp);
    if (!root) {
        if (rerr)
            fail(&c, "read error");
        else if (je.line > 0)
            fail(&c, "line %d: %s", je.line, je.text);
        else
            fail(&c, "%s", je.text);
        return -1;
    }
    read_report(&c, root, r);
    json_decref(root);
    if (c.failed) {
        lst_report_free(r);
        return -1;
    }
    return 0;
}
