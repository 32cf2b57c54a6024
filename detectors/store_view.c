/* store_view.c: opening a store read-only, and the builders that copy its threads, locks and
 * stacks into a finding with symbolized frames. Shared by every detector in analyze.h. */
#define _GNU_SOURCE
#include "analyze.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int lst_store_open(const char *path, lst_store_view *v, char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    snprintf(v->path, sizeof v->path, "%s", path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(lst_store_hdr)) {
        snprintf(err, errlen, "%s: not a lockstep store (too small)", path);
        close(fd);
        return -1;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    lst_store_hdr *h = m;
    const char *why = NULL;
    if (h->magic != LST_STORE_MAGIC)
        why = "not a lockstep store (bad magic)";
    else if (h->version != LST_STORE_VERSION)
        why = "store written by another lockstep version";
    else if (h->size != (uint64_t)st.st_size || h->hdr_size != sizeof(lst_store_hdr))
        why = "store has an inconsistent size";
    else if (h->caps.depth > LST_MAX_FRAMES || h->caps.threads == 0 || h->caps.held == 0)
        why = "store has inconsistent capacities";
    if (why) {
        snprintf(err, errlen, "%s: %s", path, why);
        munmap(m, (size_t)st.st_size);
        return -1;
    }
    v->h = h;
    v->size = (size_t)st.st_size;
    return 0;
}

void lst_store_close(lst_store_view *v)
{
    if (v->h)
        munmap(v->h, v->size);
    v->h = NULL;
}

void lst_ctx_init(lst_ctx *ctx, lst_store_hdr *h)
{
    ctx->h = h;
    ctx->sym = NULL; /* made on first use: most runs of an exploration have nothing to show */
}

/* The symbolizer for the store's modules, created the first time it is needed. */
static lst_symbolizer *sym_of(lst_ctx *ctx)
{
    if (ctx->sym)
        return ctx->sym;
    lst_store_hdr *h = ctx->h;
    ctx->sym = lst_symbolizer_new();
    uint32_t n = atomic_load(&h->nmodules);
    for (uint32_t i = 0; i < n && i < h->caps.modules && ctx->sym; i++) {
        lst_module_rec *m = lst_st_module(h, i);
        if (!atomic_load(&m->valid))
            continue;
        char path[LST_PATH_MAX + 1];
        memcpy(path, m->path, LST_PATH_MAX);
        path[LST_PATH_MAX] = 0;
        lst_symbolizer_add_module(ctx->sym, path, m->bias);
    }
    return ctx->sym;
}

void lst_ctx_free(lst_ctx *ctx)
{
    if (ctx->sym)
        lst_symbolizer_free(ctx->sym);
    ctx->sym = NULL;
}

static int runtime_frame(const char *fn)
{
    return fn && (strncmp(fn, "__interceptor_", 14) == 0 || strncmp(fn, "___interceptor_", 15) == 0 ||
                  strncmp(fn, "__tsan", 6) == 0 || strncmp(fn, "__sanitizer", 11) == 0);
}

/* Frames of lockstep's own shim (its thread trampoline) say nothing about the target. */
static int shim_frame(const char *module)
{
    const char *base = module ? strrchr(module, '/') : NULL;
    return base && strcmp(base + 1, "liblockstep.so") == 0;
}

/* The C library's thread and process entry: below the target's own first frame. */
static int bottom_frame(const char *fn)
{
    return fn && (strcmp(fn, "start_thread") == 0 || strcmp(fn, "clone3") == 0 ||
                  strcmp(fn, "clone") == 0 || strcmp(fn, "__libc_start_call_main") == 0 ||
                  strcmp(fn, "__libc_start_main_impl") == 0 || strcmp(fn, "_start") == 0);
}

/* Appends the frames of one address (nc, innermost first: inlined code stands for several)
 * to out, leaving out lockstep's own frames and a TSan interceptor above the caller's first
 * frame. Returns 1 once the C library's thread or process entry is reached: stop there. */
static int append_chain(lst_stack *out, uint64_t pc, const lst_sym *chain, int nc)
{
    for (int j = 0; j < nc; j++) {
        const lst_sym *sym = &chain[j];
        if (out->nframes == 0 && runtime_frame(sym->function))
            continue; /* ThreadSanitizer's interceptor between the caller and the shim */
        if (shim_frame(sym->module))
            continue;
        if (out->nframes > 0 && bottom_frame(sym->function))
            return 1;
        lst_stack_add_frame(out, pc, sym->function, sym->file, sym->line, sym->module);
    }
    return 0;
}

int lst_ctx_stack(lst_ctx *ctx, lst_finding *f, const char *role, uint32_t stack, int thread,
                  int lock)
{
    lst_store_hdr *h = ctx->h;
    if (stack == 0 || stack >= atomic_load(&h->nstacks) || stack >= h->caps.stacks)
        return -1;
    lst_stack_rec *s = lst_st_stack(h, stack);
    if (!atomic_load(&s->valid))
        return -1;
    int idx = lst_finding_add_stack(f, role, thread, lock);
    for (uint32_t i = 0; i < s->n && i < LST_MAX_FRAMES; i++) {
        lst_sym chain[16];
        int nc = sym_of(ctx) ? lst_symbolize_inlined(ctx->sym, s->pcs[i], 1, chain, 16) : -1;
        if (nc <= 0) {
            memset(chain, 0, sizeof chain[0]);
            nc = 1;
        }
        if (append_chain(&f->stacks[idx], s->pcs[i], chain, nc))
            break;
    }
    return idx;
}

int lst_ctx_thread(lst_ctx *ctx, lst_finding *f, uint32_t t)
{
    lst_store_hdr *h = ctx->h;
    if (lst_finding_thread_index(f, (int)t) >= 0 || t >= h->caps.threads)
        return (int)t;
    lst_thread_rec *r = lst_st_thread(h, t);
    char name[64];
    char raw[17];
    memcpy(raw, r->name, 16);
    raw[16] = 0;
    const char *fn = NULL;
    lst_sym sym;
    if (r->start_fn && sym_of(ctx) && lst_symbolize(ctx->sym, r->start_fn, 0, &sym) == 0)
        fn = sym.function;
    /* a name the program set wins; otherwise the start routine's name */
    int default_name = raw[0] == 'T' && raw[1] >= '0' && raw[1] <= '9';
    if (fn && default_name)
        snprintf(name, sizeof name, "%s", fn);
    else
        snprintf(name, sizeof name, "%s", raw[0] ? raw : "?");
    int created = -1;
    int i = lst_finding_add_thread(f, (int)t, name, -1);
    if (r->create_stack)
        created = lst_ctx_stack(ctx, f, "created", r->create_stack, (int)t, -1);
    f->threads[i].created = created;
    return (int)t;
}

/* The load bias of the store's module whose file name is base (a path's last part). */
static int module_bias(lst_ctx *ctx, const char *base, uint64_t *bias)
{
    lst_store_hdr *h = ctx->h;
    uint32_t n = atomic_load(&h->nmodules);
    for (uint32_t i = 0; i < n && i < h->caps.modules; i++) {
        lst_module_rec *m = lst_st_module(h, i);
        const char *b = strrchr(m->path, '/');
        b = b ? b + 1 : m->path;
        if (atomic_load(&m->valid) && !strncmp(b, base, LST_PATH_MAX) &&
            strlen(base) <= LST_PATH_MAX) {
            *bias = m->bias;
            return 0;
        }
    }
    return -1;
}

/* Frees a stack's frames (not the stack itself). */
static void drop_frames(lst_stack *s)
{
    for (size_t i = 0; i < s->nframes; i++) {
        free(s->frames[i].function);
        free(s->frames[i].file);
        free(s->frames[i].module);
    }
    free(s->frames);
    s->frames = NULL;
    s->nframes = 0;
}

static void resolve_stack(lst_ctx *ctx, lst_stack *s)
{
    lst_stack out;
    memset(&out, 0, sizeof out);
    int changed = 0;
    for (size_t i = 0; i < s->nframes; i++) {
        lst_frame *fr = &s->frames[i];
        uint64_t bias;
        const char *mod = fr->module;
        const char *base = mod ? strrchr(mod, '/') : NULL;
        base = base ? base + 1 : mod;
        if (fr->function || fr->file || !base || module_bias(ctx, base, &bias) != 0 || !sym_of(ctx)) {
            lst_stack_add_frame(&out, fr->pc, fr->function, fr->file, fr->line, fr->module);
            continue;
        }
        lst_sym chain[16];
        /* TSan prints return addresses as module offsets; frame 0 is the access itself */
        int nc = lst_symbolize_inlined(ctx->sym, bias + fr->pc, i > 0, chain, 16);
        if (nc <= 0) {
            lst_stack_add_frame(&out, fr->pc, NULL, NULL, 0, fr->module);
            continue;
        }
        changed = 1;
        if (append_chain(&out, bias + fr->pc, chain, nc))
            break;
    }
    /* keep whichever of the two frame lists is the answer, free the other */
    if (!changed) {
        drop_frames(&out);
        return;
    }
    drop_frames(s);
    *s = (lst_stack){.role = s->role, .thread = s->thread, .lock = s->lock,
                     .frames = out.frames, .nframes = out.nframes};
}

/* Replaces a TSan creation stack by lockstep's own for the thread with kernel id tid: gcc's
 * TSan, called through the shim, records the shim as the creator. Returns 1 if done. */
static int own_creation_stack(lst_ctx *ctx, lst_stack *s, int tid)
{
    lst_store_hdr *h = ctx->h;
    uint32_t n = atomic_load(&h->nthreads);
    for (uint32_t i = n < h->caps.threads ? n : h->caps.threads; i-- > 0;) {
        lst_thread_rec *r = lst_st_thread(h, i);
        if (r->tid != tid || !r->create_stack)
            continue;
        lst_finding tmp;
        memset(&tmp, 0, sizeof tmp);
        int k = lst_ctx_stack(ctx, &tmp, "created", r->create_stack, -1, -1);
        if (k < 0 || tmp.stacks[k].nframes == 0) {
            lst_finding_release(&tmp);
            return 0;
        }
        lst_stack mine = tmp.stacks[k];
        tmp.stacks[k].frames = s->frames; /* the old frames go with tmp */
        tmp.stacks[k].nframes = s->nframes;
        s->frames = mine.frames;
        s->nframes = mine.nframes;
        lst_finding_release(&tmp);
        return 1;
    }
    return 0;
}

void lst_ctx_resolve(lst_ctx *ctx, lst_finding *f)
{
    for (size_t i = 0; i < f->nstacks; i++) {
        lst_stack *s = &f->stacks[i];
        if (!strcmp(s->role, "created") && s->lock > 0) {
            int tid = s->lock;
            s->lock = -1;
            if (own_creation_stack(ctx, s, tid))
                continue;
        }
        resolve_stack(ctx, s);
    }
    if (f->variable && !strncmp(f->variable, "global@", 7)) {
        char *plus = strstr(f->variable, "+0x");
        uint64_t bias, off = plus ? strtoull(plus + 3, NULL, 16) : 0;
        if (plus)
            *plus = 0;
        const char *var = NULL;
        uint64_t at = 0;
        if (plus && module_bias(ctx, f->variable + 7, &bias) == 0 && sym_of(ctx))
            var = lst_symbolize_data(ctx->sym, bias + off, &at);
        char *v = NULL;
        if (var && at)
            asprintf(&v, "global '%s' (+%llu)", var, (unsigned long long)at);
        else if (var)
            asprintf(&v, "global '%s'", var);
        else
            asprintf(&v, "a global in %s", f->variable + 7);
        free(f->variable);
        f->variable = v;
    }
}

static const char *lock_type(uint32_t kind)
{
    switch (kind) {
    case LST_LOCK_RECURSIVE:
        return "recursive-mutex";
    case LST_LOCK_ERRORCHECK:
        return "errorcheck-mutex";
    case LST_LOCK_RWLOCK:
        return "rwlock";
    case LST_LOCK_SPIN:
        return "spinlock";
    default:
        return "mutex";
    }
}

char *lst_ctx_lock_name(lst_ctx *ctx, uint32_t lock)
{
    lst_lock_rec *l = lst_st_lock(ctx->h, lock);
    uint64_t off = 0;
    const char *var = sym_of(ctx) ? lst_symbolize_data(ctx->sym, l->addr, &off) : NULL;
    char *s = NULL;
    int rc;
    if (var && off == 0)
        rc = asprintf(&s, "%s", var);
    else if (var)
        rc = asprintf(&s, "%s+%llu", var, (unsigned long long)off);
    else
        rc = asprintf(&s, "%s@0x%llx", lock_type(l->kind), (unsigned long long)l->addr);
    return rc < 0 ? NULL : s;
}

int lst_ctx_lock(lst_ctx *ctx, lst_finding *f, uint32_t lock)
{
    if (lst_finding_lock_index(f, (int)lock) >= 0)
        return (int)lock;
    lst_lock_rec *l = lst_st_lock(ctx->h, lock);
    char *name = lst_ctx_lock_name(ctx, lock);
    lst_finding_add_lock(f, (int)lock, name, lock_type(l->kind), l->addr);
    free(name);
    return (int)lock;
}

void lst_detect_limits(lst_ctx *ctx, lst_report *r)
{
    static const struct {
        uint32_t bit;
        const char *text;
    } limits[] = {
        {LST_LIMIT_THREADS, "threads: the thread table was full (LOCKSTEP_OPTIONS=max_threads=N)"},
        {LST_LIMIT_HELD, "held locks: a thread held more locks than max_held"},
        {LST_LIMIT_LOCK_SLOTS, "lock addresses: the address table was full (lock_slots)"},
        {LST_LIMIT_LOCKS, "locks: the lock instance table was full (max_locks)"},
        {LST_LIMIT_CHAINS, "lock chains: the chain table was full; some lock orders were not seen (max_chains, chain_slots)"},
        {LST_LIMIT_STACKS, "stacks: the stack depot was full; some stacks are missing (max_stacks)"},
        {LST_LIMIT_STACK_SLOTS, "stack index: the stack depot's index was full; equal stacks were stored again (stack_slots)"},
        {LST_LIMIT_EVENTS, "events: the event table was full; some misuse was not recorded (max_events)"},
        {LST_LIMIT_MODULES, "modules: too many loaded modules (max_modules)"},
        {LST_LIMIT_TRACE, "trace: too many scheduler choices to record; the schedule is not replayable (max_trace)"},
    };
    uint32_t hit = atomic_load(&ctx->h->limits_hit);
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
        if (hit & limits[i].bit)
            lst_report_add_limit(r, limits[i].text);
}

void lst_report_dedupe(lst_report *r)
{
    size_t out = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        size_t j = 0;
        while (j < out && !(r->findings[j].kind == r->findings[i].kind &&
                            strcmp(r->findings[j].fingerprint, r->findings[i].fingerprint) == 0))
            j++;
        if (j < out) {
            r->findings[j].count += r->findings[i].count;
            lst_finding_release(&r->findings[i]);
            continue;
        }
        if (out != i)
            r->findings[out] = r->findings[i];
        out++;
    }
    r->nfindings = out;
}
