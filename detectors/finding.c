/* finding.c: construction, destruction and fingerprinting of the findings structure
 * (finding.h). Runs in the lockstep process only; it allocates freely and aborts on
 * out-of-memory, as a CLI may. */
#define _GNU_SOURCE
#include "finding.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
#define X(e, name, desc) name,
#include "kinds.def"
#undef X
};
static const char *const kind_descs[] = {
#define X(e, name, desc) desc,
#include "kinds.def"
#undef X
};

const char *lst_kind_name(lst_kind k)
{
    return (unsigned)k < LST_KIND_COUNT ? kind_names[k] : "unknown";
}

const char *lst_kind_desc(lst_kind k)
{
    return (unsigned)k < LST_KIND_COUNT ? kind_descs[k] : "unknown";
}

int lst_kind_from_name(const char *name)
{
    for (int k = 0; k < LST_KIND_COUNT; k++)
        if (name && strcmp(kind_names[k], name) == 0)
            return k;
    return -1;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("lockstep: out of memory\n", stderr);
        abort();
    }
    return q;
}

static char *xstrdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n), s, n);
}

/* Grows *arr (of *n elements of size sz) by one zeroed element and returns its index. */
static size_t grow(void **arr, size_t *n, size_t sz)
{
    *arr = xrealloc(*arr, (*n + 1) * sz);
    memset((char *)*arr + *n * sz, 0, sz);
    return (*n)++;
}

void lst_report_init(lst_report *r)
{
    memset(r, 0, sizeof *r);
    r->schema_version = LST_REPORT_SCHEMA_VERSION;
    r->exit_code = -1;
}

void lst_finding_release(lst_finding *f)
{
    free(f->message);
    free(f->reason);
    free(f->schedule);
    free(f->variable);
    for (size_t i = 0; i < f->nthreads; i++)
        free(f->threads[i].name);
    for (size_t i = 0; i < f->nlocks; i++) {
        free(f->locks[i].name);
        free(f->locks[i].type);
    }
    for (size_t i = 0; i < f->nstacks; i++) {
        lst_stack *s = &f->stacks[i];
        for (size_t j = 0; j < s->nframes; j++) {
            free(s->frames[j].function);
            free(s->frames[j].file);
            free(s->frames[j].module);
        }
        free(s->frames);
        free(s->role);
    }
    for (size_t i = 0; i < f->nedges; i++)
        free(f->edges[i].mode);
    for (size_t i = 0; i < f->naccesses; i++)
        free(f->accesses[i].type);
    free(f->threads);
    free(f->locks);
    free(f->stacks);
    free(f->edges);
    free(f->accesses);
    memset(f, 0, sizeof *f);
}

void lst_report_free(lst_report *r)
{
    for (size_t i = 0; i < r->nfindings; i++)
        lst_finding_release(&r->findings[i]);
    for (size_t i = 0; i < r->nnotes; i++)
        lst_finding_release(&r->notes[i]);
    for (size_t i = 0; i < r->argc; i++)
        free(r->argv[i]);
    for (size_t i = 0; i < r->nlimits; i++)
        free(r->limits[i]);
    free(r->findings);
    free(r->notes);
    free(r->argv);
    free(r->limits);
    free(r->tool_version);
    free(r->mode);
    free(r->schedule);
    free(r->baseline);
    lst_report_init(r);
}

lst_finding *lst_report_add_finding(lst_report *r, lst_kind k)
{
    size_t i = grow((void **)&r->findings, &r->nfindings, sizeof *r->findings);
    lst_finding *f = &r->findings[i];
    f->kind = k;
    f->count = 1;
    return f;
}

lst_finding *lst_report_add_note(lst_report *r, lst_kind k, const char *reason)
{
    size_t i = grow((void **)&r->notes, &r->nnotes, sizeof *r->notes);
    lst_finding *f = &r->notes[i];
    f->kind = k;
    f->count = 1;
    f->reason = xstrdup(reason);
    return f;
}

lst_finding *lst_report_take(lst_report *dst, lst_finding *src, int note)
{
    lst_finding *f = note ? lst_report_add_note(dst, src->kind, NULL)
                          : lst_report_add_finding(dst, src->kind);
    *f = *src;
    memset(src, 0, sizeof *src);
    return f;
}

lst_finding *lst_report_find(lst_report *r, lst_kind k, const char *fingerprint, int note)
{
    lst_finding *v = note ? r->notes : r->findings;
    size_t n = note ? r->nnotes : r->nfindings;
    for (size_t i = 0; i < n; i++)
        if (v[i].kind == k && strcmp(v[i].fingerprint, fingerprint) == 0)
            return &v[i];
    return NULL;
}

void lst_report_add_limit(lst_report *r, const char *line)
{
    for (size_t i = 0; i < r->nlimits; i++)
        if (strcmp(r->limits[i], line) == 0)
            return;
    size_t i = grow((void **)&r->limits, &r->nlimits, sizeof(char *));
    r->limits[i] = xstrdup(line);
}

void lst_report_set_argv(lst_report *r, int argc, char *const argv[])
{
    for (int i = 0; i < argc; i++) {
        size_t j = grow((void **)&r->argv, &r->argc, sizeof(char *));
        r->argv[j] = xstrdup(argv[i]);
    }
}

int lst_finding_add_thread(lst_finding *f, int id, const char *name, int created_stack)
{
    int i = lst_finding_thread_index(f, id);
    if (i >= 0)
        return i;
    i = (int)grow((void **)&f->threads, &f->nthreads, sizeof *f->threads);
    f->threads[i].id = id;
    f->threads[i].name = xstrdup(name);
    f->threads[i].created = created_stack;
    return i;
}

int lst_finding_add_lock(lst_finding *f, int id, const char *name, const char *type, uint64_t addr)
{
    int i = lst_finding_lock_index(f, id);
    if (i >= 0)
        return i;
    i = (int)grow((void **)&f->locks, &f->nlocks, sizeof *f->locks);
    f->locks[i].id = id;
    f->locks[i].name = xstrdup(name);
    f->locks[i].type = xstrdup(type);
    f->locks[i].addr = addr;
    return i;
}

int lst_finding_add_stack(lst_finding *f, const char *role, int thread, int lock)
{
    int i = (int)grow((void **)&f->stacks, &f->nstacks, sizeof *f->stacks);
    f->stacks[i].role = xstrdup(role);
    f->stacks[i].thread = thread;
    f->stacks[i].lock = lock;
    return i;
}

void lst_stack_add_frame(lst_stack *s, uint64_t pc, const char *function, const char *file,
                         int line, const char *module)
{
    size_t i = grow((void **)&s->frames, &s->nframes, sizeof *s->frames);
    lst_frame *fr = &s->frames[i];
    fr->pc = pc;
    fr->function = xstrdup(function);
    fr->file = xstrdup(file);
    fr->line = line;
    fr->module = xstrdup(module);
}

int lst_finding_add_edge(lst_finding *f, int from_lock, int to_lock, int thread, int held_stack,
                         int acquire_stack, const char *mode)
{
    int i = (int)grow((void **)&f->edges, &f->nedges, sizeof *f->edges);
    lst_edge *e = &f->edges[i];
    e->from_lock = from_lock;
    e->to_lock = to_lock;
    e->thread = thread;
    e->held_stack = held_stack;
    e->acquire_stack = acquire_stack;
    e->mode = xstrdup(mode);
    return i;
}

int lst_finding_add_access(lst_finding *f, const char *type, int size, int thread, int stack,
                           int atomic)
{
    int i = (int)grow((void **)&f->accesses, &f->naccesses, sizeof *f->accesses);
    lst_access *a = &f->accesses[i];
    a->type = xstrdup(type);
    a->size = size;
    a->thread = thread;
    a->stack = stack;
    a->atomic = atomic;
    return i;
}

void lst_finding_set_message(lst_finding *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) {
        fputs("lockstep: out of memory\n", stderr);
        abort();
    }
    va_end(ap);
    free(f->message);
    f->message = s;
}

int lst_finding_thread_index(const lst_finding *f, int id)
{
    for (size_t i = 0; i < f->nthreads; i++)
        if (f->threads[i].id == id)
            return (int)i;
    return -1;
}

int lst_finding_lock_index(const lst_finding *f, int id)
{
    for (size_t i = 0; i < f->nlocks; i++)
        if (f->locks[i].id == id)
            return (int)i;
    return -1;
}

uint64_t lst_fnv1a(uint64_t h, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The user's site of a stack: its first frame with a source file outside the system's
 * headers and libraries (std::mutex::lock inlines libstdc++ code above the user's line). */
static const lst_frame *site_frame(const lst_stack *s)
{
    const lst_frame *any = NULL;
    for (size_t i = 0; i < s->nframes; i++) {
        const lst_frame *fr = &s->frames[i];
        if (!fr->file || fr->line <= 0)
            continue;
        if (strncmp(fr->file, "/usr/", 5) != 0 && !strstr(fr->file, "libsanitizer/") &&
            !strstr(fr->file, "sanitizer_common/"))
            return fr;
        if (!any)
            any = fr;
    }
    return any ? any : s->nframes ? &s->frames[0] : NULL;
}

void lst_finding_fingerprint(lst_finding *f)
{
    uint64_t *sites = xrealloc(NULL, (f->nstacks + 1) * sizeof *sites);
    size_t n = 0;
    for (size_t i = 0; i < f->nstacks; i++) {
        const lst_stack *s = &f->stacks[i];
        if ((strcmp(s->role, "created") == 0 && f->kind != LST_KIND_THREAD_LEAK) ||
            strcmp(s->role, "alloc") == 0 || strcmp(s->role, "sleep") == 0 ||
            strcmp(s->role, "mutex") == 0)
            continue; /* context (or timing), not the defect's own site */
        const lst_frame *fr = site_frame(s);
        uint64_t h = lst_fnv1a(LST_FNV_INIT, s->role, strlen(s->role));
        if (fr) {
            const char *file = fr->file ? fr->file : "";
            const char *base = strrchr(file, '/');
            base = base ? base + 1 : file;
            h = lst_fnv1a(h, base, strlen(base));
            h = lst_fnv1a(h, &fr->line, sizeof fr->line);
            if (fr->function)
                h = lst_fnv1a(h, fr->function, strlen(fr->function));
        }
        sites[n++] = h;
    }
    qsort(sites, n, sizeof *sites, cmp_u64);
    uint64_t h = lst_fnv1a(LST_FNV_INIT, lst_kind_name(f->kind), strlen(lst_kind_name(f->kind)));
    for (size_t i = 0; i < n; i++)
        if (i == 0 || sites[i] != sites[i - 1])
            h = lst_fnv1a(h, &sites[i], sizeof sites[i]);
    if (f->variable)
        h = lst_fnv1a(h, f->variable, strlen(f->variable));
    if (n == 0 && f->message) /* no source site (a crash, an exit status): the message says it */
        h = lst_fnv1a(h, f->message, strlen(f->message));
    snprintf(f->fingerprint, sizeof f->fingerprint, "%016llx", (unsigned long long)h);
    free(sites);
}
