/* sarif.c: the SARIF 2.1.0 writer, shaped for GitHub code scanning (and any SARIF viewer), and
 * the helpers the writers share (primary stack, stack descriptions, relative paths).
 * One run; tool.driver lists one rule per kind of kinds.def ("lockstep/lock-order-cycle"), in
 * kinds.def order so ruleIndex is the kind. One result per finding: level error for deadlocks,
 * self-deadlocks, data races and target failures, warning otherwise; locations[0] is the site
 * that closes the cycle or race (lst_finding_primary_stack); every other stack is a related
 * location that the message links as "[words](id)"; partialFingerprints carries the
 * finding's fingerprint under "lockstep/v1"; with a --baseline, baselineState is "unchanged"
 * for a baselined finding and "new" for the others; codeFlows has one threadFlow per thread with its
 * stacks' frames. Notes (patterns deliberately not reported) and capacity limits are not
 * results: they are toolExecutionNotifications of the invocation (level note / warning), so
 * code scanning never raises an alert for them. URIs are relative to the source root
 * (uriBaseId %SRCROOT%, declared in originalUriBaseIds); files outside it are file:// URIs. */
#define _GNU_SOURCE
#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef LST_INFORMATION_URI
#define LST_INFORMATION_URI "urn:lockstep:docs:reports"
#endif
#define LST_SARIF_SCHEMA                                                                           \
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#define LST_SRCROOT "%SRCROOT%"

/* ------------------------------------------------------------------------------------------ */
/* Shared helpers                                                                             */
/* ------------------------------------------------------------------------------------------ */

static int valid_stack(const lst_finding *f, int i)
{
    return i >= 0 && (size_t)i < f->nstacks;
}

static int role_is(const lst_stack *s, const char *role)
{
    return s->role && strcmp(s->role, role) == 0;
}

/* See report.h. */
int lst_finding_primary_stack(const lst_finding *f)
{
    switch (f->kind) {
    case LST_KIND_LOCK_ORDER_CYCLE:
        for (size_t i = f->nedges; i-- > 0;)
            if (valid_stack(f, f->edges[i].acquire_stack))
                return f->edges[i].acquire_stack;
        break;
    case LST_KIND_DATA_RACE:
        for (size_t i = 0; i < f->naccesses; i++)
            if (valid_stack(f, f->accesses[i].stack))
                return f->accesses[i].stack;
        break;
    case LST_KIND_DEADLOCK:
        for (size_t i = 0; i < f->nstacks; i++)
            if (role_is(&f->stacks[i], "blocked") && f->stacks[i].lock >= 0)
                return (int)i;
        for (size_t i = 0; i < f->nstacks; i++)
            if (role_is(&f->stacks[i], "blocked"))
                return (int)i;
        break;
    case LST_KIND_SELF_DEADLOCK:
        for (size_t i = 0; i < f->nstacks; i++)
            if (role_is(&f->stacks[i], "acquire"))
                return (int)i;
        break;
    default:
        break;
    }
    for (size_t i = 0; i < f->nstacks; i++)
        if (f->stacks[i].nframes && !role_is(&f->stacks[i], "created"))
            return (int)i;
    for (size_t i = 0; i < f->nstacks; i++)
        if (f->stacks[i].nframes)
            return (int)i;
    return f->nstacks ? 0 : -1;
}

/* See report.h. */
const lst_frame *lst_stack_site(const lst_stack *s)
{
    if (!s || s->nframes == 0)
        return NULL;
    for (size_t i = 0; i < s->nframes; i++)
        if (s->frames[i].file && *s->frames[i].file && s->frames[i].line > 0)
            return &s->frames[i];
    for (size_t i = 0; i < s->nframes; i++)
        if (s->frames[i].file && *s->frames[i].file)
            return &s->frames[i];
    return &s->frames[0];
}

/* See report.h. */
char *lst_thread_label(const lst_finding *f, int id)
{
    char *out = NULL;
    if (id < 0)
        return strdup("an unknown thread");
    int i = lst_finding_thread_index(f, id);
    const char *name = i >= 0 ? f->threads[i].name : NULL;
    char deflt[32];
    snprintf(deflt, sizeof deflt, "T%d", id);
    if (name && *name && strcmp(name, deflt) != 0) {
        if (asprintf(&out, "T%d (%s)", id, name) < 0)
            return NULL;
    } else if (asprintf(&out, "T%d", id) < 0) {
        return NULL;
    }
    return out;
}

/* See report.h. */
char *lst_lock_label(const lst_finding *f, int id)
{
    char *out = NULL;
    int i = lst_finding_lock_index(f, id);
    if (i >= 0 && f->locks[i].name && *f->locks[i].name)
        return strdup(f->locks[i].name);
    if (id < 0)
        return strdup("a lock");
    if (asprintf(&out, "lock#%d", id) < 0)
        return NULL;
    return out;
}

/* See report.h. */
char *lst_stack_describe(const lst_finding *f, int idx)
{
    if (!valid_stack(f, idx))
        return strdup("stack");
    const lst_stack *s = &f->stacks[idx];
    char *t = lst_thread_label(f, s->thread);
    char *l = lst_lock_label(f, s->lock);
    char *out = NULL;
    int rc = -1;
    if (!t || !l)
        goto done;
    if (role_is(s, "held")) {
        rc = asprintf(&out, "%s taken by %s", l, t);
    } else if (role_is(s, "acquire")) {
        rc = asprintf(&out, "%s requested by %s", l, t);
    } else if (role_is(s, "blocked")) {
        rc = s->lock >= 0 ? asprintf(&out, "%s blocked on %s", t, l)
                          : asprintf(&out, "%s blocked", t);
    } else if (role_is(s, "created")) {
        rc = asprintf(&out, "%s created", t);
    } else if (role_is(s, "alloc")) {
        rc = s->thread >= 0 ? asprintf(&out, "heap block allocated by %s", t)
                            : asprintf(&out, "heap block allocated");
    } else {
        const lst_access *a = NULL;
        for (size_t i = 0; i < f->naccesses && !a; i++)
            if (f->accesses[i].stack == idx)
                a = &f->accesses[i];
        const char *role = s->role && *s->role ? s->role : "stack";
        if (a)
            rc = asprintf(&out, "%s%s of size %d by %s", a->atomic ? "atomic " : "",
                          a->type && *a->type ? a->type : role, a->size, t);
        else if (s->lock >= 0 && s->thread >= 0)
            rc = asprintf(&out, "%s of %s in %s", role, l, t);
        else if (s->lock >= 0)
            rc = asprintf(&out, "%s of %s", role, l);
        else if (s->thread >= 0)
            rc = asprintf(&out, "%s in %s", role, t);
        else
            rc = asprintf(&out, "%s", role);
    }
done:
    free(t);
    free(l);
    return rc < 0 ? NULL : out;
}

/* Resolves "." and ".." and repeated slashes of an absolute path, lexically, in place. */
static void normalize_abs(char *p)
{
    char *out = p, *in = p;
    while (*in) {
        while (*in == '/')
            in++;
        char *seg = in;
        while (*in && *in != '/')
            in++;
        size_t n = (size_t)(in - seg);
        if (n == 0 || (n == 1 && seg[0] == '.'))
            continue;
        if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            while (out > p && *--out != '/')
                ;
            continue;
        }
        *out++ = '/';
        memmove(out, seg, n);
        out += n;
    }
    if (out == p)
        *out++ = '/';
    *out = '\0';
}

/* An absolute, resolved form of path (realpath when it exists, else lexical); caller frees. */
static char *absolute(const char *path)
{
    char *r = realpath(path, NULL);
    if (r)
        return r;
    char *out = NULL;
    if (path[0] == '/') {
        out = strdup(path);
    } else {
        char *cwd = getcwd(NULL, 0);
        if (!cwd || asprintf(&out, "%s/%s", cwd, path) < 0)
            out = NULL;
        free(cwd);
    }
    if (out)
        normalize_abs(out);
    return out;
}

/* See report.h. */
char *lst_relative_path(const char *file, const char *root)
{
    if (!file || !*file)
        return NULL;
    if (file[0] != '/') {
        while (file[0] == '.' && file[1] == '/')
            file += 2;
        return strdup(file);
    }
    char *r = absolute(root && *root ? root : ".");
    char *a = absolute(file);
    char *out = NULL;
    if (r && a) {
        size_t n = strlen(r);
        if (strcmp(r, "/") == 0)
            out = a[1] ? strdup(a + 1) : NULL;
        else if (strncmp(a, r, n) == 0 && a[n] == '/' && a[n + 1])
            out = strdup(a + n + 1);
        /* the frame's path as recorded may lie under root while its resolved form does not
         * (a symlinked checkout): accept the lexical match too */
        if (!out) {
            char *lex = strdup(file);
            if (lex) {
                normalize_abs(lex);
                if (strncmp(lex, r, n) == 0 && lex[n] == '/' && lex[n + 1])
                    out = strdup(lex + n + 1);
                free(lex);
            }
        }
    }
    free(r);
    free(a);
    return out;
}

/* ------------------------------------------------------------------------------------------ */
/* JSON building                                                                              */
/* ------------------------------------------------------------------------------------------ */

typedef struct sctx {
    const lst_report *r;
    char *root; /* absolute source root */
    int failed; /* out of memory somewhere while building */
} sctx;

/* A JSON string; bytes that are not UTF-8 become U+FFFD. NULL s gives "". */
static json_t *jstr(sctx *c, const char *s)
{
    if (!s)
        s = "";
    json_t *j = json_string(s);
    if (!j) {
        size_t len = strlen(s);
        char *clean = malloc(len * 3 + 1);
        if (clean) {
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
        }
    }
    if (!j)
        c->failed = 1;
    return j;
}

static void set(sctx *c, json_t *obj, const char *key, json_t *v)
{
    if (!obj || !v || json_object_set_new(obj, key, v) != 0)
        c->failed = 1;
}

static void push(sctx *c, json_t *arr, json_t *v)
{
    if (!arr || !v || json_array_append_new(arr, v) != 0)
        c->failed = 1;
}

static json_t *obj(sctx *c)
{
    json_t *o = json_object();
    if (!o)
        c->failed = 1;
    return o;
}

static json_t *arr(sctx *c)
{
    json_t *a = json_array();
    if (!a)
        c->failed = 1;
    return a;
}

static json_t *jint(sctx *c, long long v)
{
    json_t *j = json_integer(v);
    if (!j)
        c->failed = 1;
    return j;
}

/* {"text": s} */
static json_t *message(sctx *c, const char *s)
{
    json_t *m = obj(c);
    set(c, m, "text", jstr(c, s));
    return m;
}

/* Appends s to the growing buffer *b (a memstream), escaping the characters that SARIF's
 * message syntax gives a meaning to ('\', '[', ']'), so plain text stays plain text. */
static void put_msg_text(FILE *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\\' || *s == '[' || *s == ']')
            fputc('\\', b);
        fputc(*s, b);
    }
}

/* Percent-encodes a path for a URI: unreserved characters and '/' stay, everything else
 * (spaces, quotes, '%', non-ASCII bytes) becomes %XX. */
static char *pct_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = malloc(n * 3 + 1), *o = out;
    if (!out)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~' || *p == '/') {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

/* artifactLocation of a source file: relative to %SRCROOT% when under the root (or already
 * relative), else an absolute file:// URI. */
static json_t *artifact_location(sctx *c, const char *file)
{
    json_t *a = obj(c);
    char *rel = lst_relative_path(file, c->root);
    char *enc = NULL;
    if (rel) {
        enc = pct_encode(rel);
        set(c, a, "uri", jstr(c, enc));
        set(c, a, "uriBaseId", jstr(c, LST_SRCROOT));
    } else {
        char *abs = absolute(file);
        char *e = abs ? pct_encode(abs) : NULL;
        if (e && asprintf(&enc, "file://%s", e) < 0)
            enc = NULL;
        free(e);
        free(abs);
        set(c, a, "uri", jstr(c, enc));
    }
    free(enc);
    free(rel);
    return a;
}

/* A location for one frame: physicalLocation when it has a file, logicalLocations when it has
 * a function, an address otherwise. id >= 0 sets location.id; msg (may be NULL) its message. */
static json_t *frame_location(sctx *c, const lst_frame *fr, int id, const char *msg)
{
    json_t *loc = obj(c);
    if (id >= 0)
        set(c, loc, "id", jint(c, id));
    if (fr && fr->file && *fr->file) {
        json_t *phys = obj(c);
        set(c, phys, "artifactLocation", artifact_location(c, fr->file));
        if (fr->line > 0) {
            json_t *region = obj(c);
            set(c, region, "startLine", jint(c, fr->line));
            set(c, phys, "region", region);
        }
        set(c, loc, "physicalLocation", phys);
    } else if (fr && !fr->function) {
        json_t *phys = obj(c);
        json_t *addr = obj(c);
        set(c, addr, "absoluteAddress", jint(c, (long long)(fr->pc & 0x7fffffffffffffffULL)));
        set(c, addr, "kind", jstr(c, "instruction"));
        set(c, phys, "address", addr);
        set(c, loc, "physicalLocation", phys);
    }
    if (fr && fr->function) {
        json_t *ll = arr(c), *l = obj(c);
        set(c, l, "name", jstr(c, fr->function));
        set(c, l, "kind", jstr(c, "function"));
        push(c, ll, l);
        set(c, loc, "logicalLocations", ll);
    }
    if (msg)
        set(c, loc, "message", message(c, msg));
    return loc;
}

/* "file:line" (relative when under the root) of a frame, for messages; caller frees. */
static char *site_words(sctx *c, const lst_frame *fr)
{
    char *out = NULL;
    if (!fr)
        return strdup("an unknown site");
    if (fr->file && *fr->file) {
        char *rel = lst_relative_path(fr->file, c->root);
        const char *f = rel ? rel : fr->file;
        int rc = fr->line > 0 ? asprintf(&out, "%s:%d", f, fr->line) : asprintf(&out, "%s", f);
        free(rel);
        return rc < 0 ? NULL : out;
    }
    if (fr->function)
        return strdup(fr->function);
    if (asprintf(&out, "0x%llx", (unsigned long long)fr->pc) < 0)
        return NULL;
    return out;
}

static const char *level_of(lst_kind k)
{
    switch (k) {
    case LST_KIND_DEADLOCK:
    case LST_KIND_SELF_DEADLOCK:
    case LST_KIND_DATA_RACE:
    case LST_KIND_TARGET_FAILURE:
        return "error";
    default:
        return "warning";
    }
}

/* "LockOrderCycle" from "lock-order-cycle". */
static char *camel(const char *name)
{
    char *out = malloc(strlen(name) + 1), *o = out;
    if (!out)
        return NULL;
    int up = 1;
    for (const char *p = name; *p; p++) {
        if (*p == '-') {
            up = 1;
            continue;
        }
        *o++ = up ? (char)toupper((unsigned char)*p) : *p;
        up = 0;
    }
    *o = '\0';
    return out;
}

/* The rule of kind k: id, name, descriptions from kinds.def, default level, help, tags. */
static json_t *rule(sctx *c, lst_kind k)
{
    const char *name = lst_kind_name(k), *desc = lst_kind_desc(k);
    json_t *r = obj(c);
    char *id = NULL, *nm = camel(name), *shortd = NULL, *full = NULL, *help = NULL;
    if (asprintf(&id, "lockstep/%s", name) < 0)
        id = NULL;
    /* short: the description up to its colon, capitalized; full: all of it, as a sentence */
    const char *colon = strchr(desc, ':');
    size_t sl = colon ? (size_t)(colon - desc) : strlen(desc);
    if (asprintf(&shortd, "%c%.*s", toupper((unsigned char)desc[0]), (int)sl - 1, desc + 1) < 0)
        shortd = NULL;
    if (asprintf(&full, "%c%s.", toupper((unsigned char)desc[0]), desc + 1) < 0)
        full = NULL;
    if (asprintf(&help,
                 "%s\n\nlockstep reports a %s finding when %s. The result's message, related "
                 "locations and thread flows show every site involved; when the finding has "
                 "a schedule, `lockstep replay SCHEDULE` reproduces it exactly. The detection "
                 "rules are described in lockstep's docs/rules.md.",
                 full ? full : desc, name, desc) < 0)
        help = NULL;
    set(c, r, "id", jstr(c, id));
    set(c, r, "name", jstr(c, nm));
    json_t *sd = obj(c), *fd = obj(c), *h = obj(c), *cfg = obj(c), *props = obj(c),
           *tags = arr(c);
    set(c, sd, "text", jstr(c, shortd));
    set(c, fd, "text", jstr(c, full));
    set(c, h, "text", jstr(c, help));
    set(c, h, "markdown", jstr(c, help));
    set(c, cfg, "level", jstr(c, level_of(k)));
    push(c, tags, jstr(c, "concurrency"));
    push(c, tags, jstr(c, name));
    set(c, props, "tags", tags);
    set(c, r, "shortDescription", sd);
    set(c, r, "fullDescription", fd);
    set(c, r, "defaultConfiguration", cfg);
    set(c, r, "help", h);
    set(c, r, "properties", props);
    free(id);
    free(nm);
    free(shortd);
    free(full);
    free(help);
    return r;
}

/* threadFlowLocation kinds for a stack's role (SARIF's well-known values). */
static void role_kinds(sctx *c, json_t *kinds, const lst_stack *s, int primary)
{
    if (role_is(s, "held") || role_is(s, "acquire")) {
        push(c, kinds, jstr(c, "acquire"));
        push(c, kinds, jstr(c, "lock"));
    } else if (role_is(s, "blocked")) {
        push(c, kinds, jstr(c, "lock"));
    } else if (role_is(s, "unlock")) {
        push(c, kinds, jstr(c, "release"));
        push(c, kinds, jstr(c, "lock"));
    } else if (role_is(s, "read") || role_is(s, "write") || role_is(s, "alloc")) {
        push(c, kinds, jstr(c, "memory"));
    } else if (role_is(s, "created")) {
        push(c, kinds, jstr(c, "call"));
    }
    if (primary)
        push(c, kinds, jstr(c, "danger"));
}

/* Appends the frames of stack idx to a threadFlow's locations, outermost call first, the
 * innermost frame carrying the stack's description. */
static void flow_stack(sctx *c, json_t *locs, const lst_finding *f, int idx, int primary)
{
    const lst_stack *s = &f->stacks[idx];
    char *desc = lst_stack_describe(f, idx);
    for (size_t k = s->nframes; k-- > 0;) {
        const lst_frame *fr = &s->frames[k];
        json_t *tfl = obj(c);
        set(c, tfl, "location", frame_location(c, fr, -1, k == 0 ? desc : NULL));
        json_t *kinds = arr(c);
        if (k == 0)
            role_kinds(c, kinds, s, primary);
        else
            push(c, kinds, jstr(c, "call"));
        set(c, tfl, "kinds", kinds);
        set(c, tfl, "nestingLevel", jint(c, (long long)(s->nframes - 1 - k)));
        if (fr->module) {
            const char *slash = strrchr(fr->module, '/');
            set(c, tfl, "module", jstr(c, slash ? slash + 1 : fr->module));
        }
        set(c, tfl, "importance",
            jstr(c, k == 0 ? (primary ? "essential" : role_is(s, "created") ? "unimportant"
                                                                           : "important")
                           : "unimportant"));
        push(c, locs, tfl);
    }
    free(desc);
}

/* codeFlows: one threadFlow per thread (stacks with thread -1 go into a flow of their own),
 * creation stacks first, then the thread's other stacks in finding order. NULL when no stack
 * has frames. */
static json_t *code_flows(sctx *c, const lst_finding *f, int primary)
{
    json_t *tflows = arr(c);
    unsigned char *done = calloc(f->nstacks + 1, 1);
    if (!done) {
        c->failed = 1;
        return NULL;
    }
    for (size_t i = 0; i < f->nstacks; i++) {
        if (done[i])
            continue;
        int t = f->stacks[i].thread;
        json_t *locs = arr(c);
        for (int pass = 0; pass < 2; pass++)
            for (size_t j = i; j < f->nstacks; j++) {
                const lst_stack *s = &f->stacks[j];
                if (done[j] || s->thread != t || role_is(s, "created") != (pass == 0))
                    continue;
                done[j] = 1;
                flow_stack(c, locs, f, (int)j, (int)j == primary);
            }
        if (json_array_size(locs) == 0) {
            json_decref(locs);
            continue;
        }
        json_t *tf = obj(c);
        char id[32];
        if (t >= 0)
            snprintf(id, sizeof id, "T%d", t);
        else
            snprintf(id, sizeof id, "unknown-%zu", i);
        set(c, tf, "id", jstr(c, id));
        char *label = lst_thread_label(f, t);
        set(c, tf, "message", message(c, label));
        free(label);
        set(c, tf, "locations", locs);
        push(c, tflows, tf);
    }
    free(done);
    if (json_array_size(tflows) == 0) {
        json_decref(tflows);
        return NULL;
    }
    json_t *cf = obj(c), *cfs = arr(c);
    set(c, cf, "threadFlows", tflows);
    push(c, cfs, cf);
    return cfs;
}

/* The fallback location of a finding with no frame: the target binary. */
static json_t *target_location(sctx *c)
{
    const char *bin = c->r->argc ? c->r->argv[0] : NULL;
    lst_frame fr = {0};
    fr.file = (char *)(bin ? bin : "target");
    return frame_location(c, &fr, -1, NULL);
}

static json_t *result(sctx *c, const lst_finding *f)
{
    json_t *res = obj(c);
    char *rid = NULL;
    if (asprintf(&rid, "lockstep/%s", lst_kind_name(f->kind)) < 0)
        rid = NULL;
    set(c, res, "ruleId", jstr(c, rid));
    free(rid);
    set(c, res, "ruleIndex", jint(c, f->kind));
    set(c, res, "kind", jstr(c, "fail"));
    set(c, res, "level", jstr(c, level_of(f->kind)));
    /* compared with a --baseline: known findings are "unchanged", the others "new" */
    if (c->r->baseline)
        set(c, res, "baselineState", jstr(c, f->baselined ? "unchanged" : "new"));

    int primary = lst_finding_primary_stack(f);
    const lst_frame *site = valid_stack(f, primary) ? lst_stack_site(&f->stacks[primary]) : NULL;

    /* the message: the finding's own words, then a link to every related location */
    char *text = NULL;
    size_t tlen = 0;
    FILE *m = open_memstream(&text, &tlen);
    if (!m) {
        c->failed = 1;
        return res;
    }
    const char *base = f->message && *f->message ? f->message : lst_kind_desc(f->kind);
    put_msg_text(m, base);
    if (site) {
        char *d = lst_stack_describe(f, primary), *w = site_words(c, site);
        fputs(" (", m);
        put_msg_text(m, d);
        fputs(" at ", m);
        put_msg_text(m, w);
        fputc(')', m);
        free(d);
        free(w);
    }
    json_t *related = arr(c);
    int id = 1;
    /* every other stack with frames, thread creations last */
    for (size_t k = 0; k < 2 * f->nstacks; k++) {
        size_t i = k % f->nstacks;
        if ((int)i == primary || f->stacks[i].nframes == 0 ||
            role_is(&f->stacks[i], "created") != (k >= f->nstacks))
            continue;
        const lst_frame *fr = lst_stack_site(&f->stacks[i]);
        char *d = lst_stack_describe(f, (int)i), *w = site_words(c, fr);
        char *lm = NULL;
        if (asprintf(&lm, "%s at %s", d ? d : "stack", w ? w : "?") < 0)
            lm = NULL;
        push(c, related, frame_location(c, fr, id, lm));
        fputs(id == 1 ? ". Related: " : "; ", m);
        fputc('[', m);
        put_msg_text(m, lm);
        fprintf(m, "](%d)", id);
        free(lm);
        free(d);
        free(w);
        id++;
    }
    if (id > 1)
        fputc('.', m);
    if (f->schedule) {
        fputs(" Replay: lockstep replay ", m);
        put_msg_text(m, f->schedule);
    }
    fclose(m);
    set(c, res, "message", message(c, text));
    free(text);

    json_t *locs = arr(c);
    /* code scanning wants a file for every result: a site without one (a frame in a
     * library with no debug information) points at the target, named in words */
    if (site && site->file && *site->file) {
        push(c, locs, frame_location(c, site, -1, NULL));
    } else {
        json_t *tl = target_location(c);
        if (site && site->function) {
            json_t *ll = arr(c), *l = obj(c);
            set(c, l, "name", jstr(c, site->function));
            set(c, l, "kind", jstr(c, "function"));
            push(c, ll, l);
            set(c, tl, "logicalLocations", ll);
        }
        push(c, locs, tl);
    }
    set(c, res, "locations", locs);

    json_t *pf = obj(c);
    set(c, pf, "lockstep/v1", jstr(c, f->fingerprint));
    set(c, res, "partialFingerprints", pf);
    set(c, res, "occurrenceCount", jint(c, f->count ? f->count : 1));
    if (json_array_size(related))
        set(c, res, "relatedLocations", related);
    else
        json_decref(related);
    json_t *flows = code_flows(c, f, primary);
    if (flows)
        set(c, res, "codeFlows", flows);

    json_t *props = obj(c);
    set(c, props, "kind", jstr(c, lst_kind_name(f->kind)));
    set(c, props, "fingerprint", jstr(c, f->fingerprint));
    if (f->schedule)
        set(c, props, "schedule", jstr(c, f->schedule));
    if (f->variable)
        set(c, props, "variable", jstr(c, f->variable));
    if (f->process > 0)
        set(c, props, "process", jint(c, f->process));
    set(c, res, "properties", props);
    return res;
}

/* A note as a tool notification (level note) tied to its kind's rule. */
static json_t *note_notification(sctx *c, const lst_finding *n)
{
    json_t *no = obj(c);
    char *text = NULL;
    const char *why = n->reason ? n->reason : n->message;
    int rc = n->reason && n->message
                 ? asprintf(&text, "note: %s: %s (%s)", lst_kind_name(n->kind), n->reason,
                            n->message)
                 : asprintf(&text, "note: %s: %s", lst_kind_name(n->kind),
                            why ? why : "not reported");
    if (rc < 0)
        text = NULL;
    set(c, no, "message", message(c, text));
    free(text);
    set(c, no, "level", jstr(c, "note"));
    json_t *rule_ref = obj(c);
    char *rid = NULL;
    if (asprintf(&rid, "lockstep/%s", lst_kind_name(n->kind)) < 0)
        rid = NULL;
    set(c, rule_ref, "id", jstr(c, rid));
    set(c, rule_ref, "index", jint(c, n->kind));
    free(rid);
    set(c, no, "associatedRule", rule_ref);
    int p = lst_finding_primary_stack(n);
    const lst_frame *site = valid_stack(n, p) ? lst_stack_site(&n->stacks[p]) : NULL;
    if (site) {
        json_t *locs = arr(c);
        push(c, locs, frame_location(c, site, -1, NULL));
        set(c, no, "locations", locs);
    }
    json_t *props = obj(c);
    set(c, props, "fingerprint", jstr(c, n->fingerprint));
    set(c, no, "properties", props);
    return no;
}

/* Writes r as a SARIF 2.1.0 log to out. Returns 0, or -1 when out of memory (nothing written);
 * write errors are the stream's. */
int lst_write_sarif(const lst_report *r, FILE *out, const lst_render_opts *o)
{
    sctx c = {r, NULL, 0};
    c.root = absolute(o && o->source_root && *o->source_root ? o->source_root : ".");
    if (!c.root)
        return -1;

    json_t *root = obj(&c);
    set(&c, root, "$schema", jstr(&c, LST_SARIF_SCHEMA));
    set(&c, root, "version", jstr(&c, "2.1.0"));
    json_t *runs = arr(&c), *run = obj(&c);

    json_t *tool = obj(&c), *driver = obj(&c), *rules = arr(&c);
    set(&c, driver, "name", jstr(&c, "lockstep"));
    const char *ver = r->tool_version && *r->tool_version ? r->tool_version : "0.0.0";
    set(&c, driver, "version", jstr(&c, ver));
    set(&c, driver, "semanticVersion", jstr(&c, ver));
    set(&c, driver, "informationUri", jstr(&c, LST_INFORMATION_URI));
    for (int k = 0; k < LST_KIND_COUNT; k++)
        push(&c, rules, rule(&c, (lst_kind)k));
    set(&c, driver, "rules", rules);
    set(&c, tool, "driver", driver);
    set(&c, run, "tool", tool);

    /* the invocation: the target's command and fate, notes and limits */
    json_t *inv = obj(&c), *invs = arr(&c), *notes = arr(&c);
    set(&c, inv, "executionSuccessful", json_true());
    json_t *args = arr(&c);
    for (size_t i = 0; i < r->argc; i++)
        push(&c, args, jstr(&c, r->argv[i]));
    json_t *iprops = obj(&c);
    set(&c, iprops, "mode", jstr(&c, r->mode ? r->mode : "run"));
    set(&c, iprops, "targetArguments", args);
    if (r->exit_code >= 0)
        set(&c, iprops, "targetExitCode", jint(&c, r->exit_code));
    if (r->exit_signal > 0)
        set(&c, iprops, "targetExitSignal", jint(&c, r->exit_signal));
    if (r->schedules)
        set(&c, iprops, "schedules", jint(&c, r->schedules));
    if (r->schedule)
        set(&c, iprops, "schedule", jstr(&c, r->schedule));
    set(&c, inv, "properties", iprops);
    for (size_t i = 0; i < r->nnotes; i++)
        push(&c, notes, note_notification(&c, &r->notes[i]));
    for (size_t i = 0; i < r->nlimits; i++) {
        json_t *no = obj(&c);
        char *t = NULL;
        if (asprintf(&t, "limit: %s", r->limits[i]) < 0)
            t = NULL;
        set(&c, no, "message", message(&c, t));
        free(t);
        set(&c, no, "level", jstr(&c, "warning"));
        push(&c, notes, no);
    }
    if (json_array_size(notes))
        set(&c, inv, "toolExecutionNotifications", notes);
    else
        json_decref(notes);
    push(&c, invs, inv);
    set(&c, run, "invocations", invs);

    /* %SRCROOT%: an absolute file URI that ends with '/' */
    json_t *bases = obj(&c), *srcroot = obj(&c);
    char *enc = pct_encode(c.root), *uri = NULL;
    if (!enc || asprintf(&uri, "file://%s%s", enc, strcmp(c.root, "/") ? "/" : "") < 0)
        uri = NULL;
    free(enc);
    set(&c, srcroot, "uri", jstr(&c, uri));
    free(uri);
    set(&c, bases, LST_SRCROOT, srcroot);
    set(&c, run, "originalUriBaseIds", bases);

    json_t *results = arr(&c);
    for (size_t i = 0; i < r->nfindings; i++)
        push(&c, results, result(&c, &r->findings[i]));
    set(&c, run, "results", results);
    set(&c, run, "columnKind", jstr(&c, "unicodeCodePoints"));
    push(&c, runs, run);
    set(&c, root, "runs", runs);

    int rc = -1;
    if (!c.failed && json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0) {
        fputc('\n', out);
        rc = 0;
    }
    json_decref(root);
    free(c.root);
    if (rc != 0 && !errno)
        errno = ENOMEM;
    return rc;
}
