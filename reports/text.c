/* text.c: the human-readable report, shaped like ThreadSanitizer's: each finding between
 * "==================" rules, a header line with kind and fingerprint, then a layout that
 * depends on the kind (a cycle's edges, a deadlock's waiting threads, a race's accesses,
 * otherwise the message and stacks), every stack not shown yet, and where the threads were
 * created. Notes are one line each, limits are "lockstep: limit:" lines, and a summary line
 * closes the report. Only the lst_report is read; strings that came from the target (thread
 * names, paths) are printed with control characters escaped, so they cannot drive the
 * terminal. */
#define _GNU_SOURCE
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ANSI styles; empty strings when colour is off. */
typedef struct style {
    const char *bold, *red, *blue, *yellow, *green, *dim, *reset;
} style;

static const style colour_on = {"\033[1m",  "\033[1;31m", "\033[1;34m", "\033[33m",
                                "\033[32m", "\033[2m",    "\033[0m"};
static const style colour_off = {"", "", "", "", "", "", ""};

typedef struct tctx {
    FILE *out;
    const style *st;
    const char *cwd; /* made-relative prefix, or NULL */
    size_t cwdlen;
    const lst_finding *f;
    unsigned char *shown; /* per stack of f: already printed */
} tctx;

/* Writes s with control characters (and DEL) escaped as \xNN; "?" for NULL. */
static void put_safe(FILE *out, const char *s)
{
    if (!s) {
        fputc('?', out);
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
    }
}

/* Short words for the header's parenthesis. */
static const char *kind_label(lst_kind k)
{
    switch (k) {
    case LST_KIND_LOCK_ORDER_CYCLE:
        return "potential deadlock";
    case LST_KIND_DEADLOCK:
        return "threads blocked forever";
    case LST_KIND_SELF_DEADLOCK:
        return "a thread relocks a mutex it holds";
    case LST_KIND_LOCK_MISUSE:
        return "lock used against its contract";
    case LST_KIND_DATA_RACE:
        return "unsynchronized accesses";
    case LST_KIND_TARGET_FAILURE:
        return "the target failed";
    case LST_KIND_HANG:
        return "step or time bound exceeded";
    case LST_KIND_THREAD_LEAK:
        return "thread never joined";
    case LST_KIND_SIGNAL_UNSAFE:
        return "unsafe call in a signal handler";
    default:
        return NULL;
    }
}

/* "T1", "T0 (main)", "T2 (worker)": the id, plus the name when it says more. */
static void put_thread(tctx *c, int id)
{
    if (id < 0) {
        fputs("an unknown thread", c->out);
        return;
    }
    fprintf(c->out, "T%d", id);
    int i = lst_finding_thread_index(c->f, id);
    const char *name = i >= 0 ? c->f->threads[i].name : NULL;
    char deflt[32];
    snprintf(deflt, sizeof deflt, "T%d", id);
    if (name && *name && strcmp(name, deflt) != 0) {
        fputs(" (", c->out);
        put_safe(c->out, name);
        fputc(')', c->out);
    }
}

/* The lock's name, or "lock#ID" when it has none or is not in the finding. */
static void put_lock(tctx *c, int id)
{
    int i = lst_finding_lock_index(c->f, id);
    if (i >= 0 && c->f->locks[i].name && *c->f->locks[i].name)
        put_safe(c->out, c->f->locks[i].name);
    else if (id >= 0)
        fprintf(c->out, "lock#%d", id);
    else
        fputs("a lock", c->out);
}

static void put_file(tctx *c, const char *file)
{
    if (c->cwd && strncmp(file, c->cwd, c->cwdlen) == 0 && file[c->cwdlen] == '/' &&
        file[c->cwdlen + 1])
        file += c->cwdlen + 1;
    put_safe(c->out, file);
}

/* One frame: "#N function file:line", "#N function (module) 0xpc" or "#N 0xpc". */
static void put_frame(tctx *c, int indent, size_t n, const lst_frame *fr)
{
    fprintf(c->out, "%*s#%zu ", indent, "", n);
    if (fr->function)
        put_safe(c->out, fr->function);
    else
        fprintf(c->out, "0x%" PRIx64, fr->pc);
    if (fr->file) {
        fputc(' ', c->out);
        put_file(c, fr->file);
        if (fr->line > 0)
            fprintf(c->out, ":%d", fr->line);
    } else if (fr->module) {
        fputs(" (", c->out);
        put_file(c, fr->module);
        fputc(')', c->out);
        if (fr->function)
            fprintf(c->out, " %s0x%" PRIx64 "%s", c->st->dim, fr->pc, c->st->reset);
    }
    fputc('\n', c->out);
}

static int valid_stack(const tctx *c, int idx)
{
    return idx >= 0 && (size_t)idx < c->f->nstacks;
}

/* The frames of stack idx (marking it shown), or a placeholder line when there are none. */
static void put_frames(tctx *c, int indent, int idx)
{
    const lst_stack *s = &c->f->stacks[idx];
    c->shown[idx] = 1;
    if (s->nframes == 0)
        fprintf(c->out, "%*s%s(no frames)%s\n", indent, "", c->st->dim, c->st->reset);
    for (size_t i = 0; i < s->nframes; i++)
        put_frame(c, indent, i, &s->frames[i]);
}

static int role_is(const lst_stack *s, const char *role)
{
    return s->role && strcmp(s->role, role) == 0;
}

/* A stack under a header line saying what it is, by role. */
static void put_stack(tctx *c, int indent, int idx)
{
    const lst_stack *s = &c->f->stacks[idx];
    FILE *o = c->out;
    fprintf(o, "%*s%s", indent, "", c->st->blue);
    if (role_is(s, "held")) {
        put_lock(c, s->lock);
        fputs(" taken", o);
        if (s->thread >= 0) {
            fputs(" by ", o);
            put_thread(c, s->thread);
        }
        fputs(" at", o);
    } else if (role_is(s, "acquire")) {
        put_lock(c, s->lock);
        fputs(" requested", o);
        if (s->thread >= 0) {
            fputs(" by ", o);
            put_thread(c, s->thread);
        }
        fputs(" at", o);
    } else if (role_is(s, "blocked")) {
        fputs("Thread ", o);
        put_thread(c, s->thread);
        fputs(" blocked", o);
        if (s->lock >= 0) {
            fputs(" on ", o);
            put_lock(c, s->lock);
        }
        fputs(" at", o);
    } else if (role_is(s, "created")) {
        fputs("Thread ", o);
        put_thread(c, s->thread);
        fputs(" created at", o);
    } else if (role_is(s, "alloc")) {
        fputs("Heap block allocated", o);
        if (s->thread >= 0) {
            fputs(" by ", o);
            put_thread(c, s->thread);
        }
        fputs(" at", o);
    } else {
        /* another role: "Unlock of lock_c in T1 at", "Crash in T0 (main) at" */
        const char *role = s->role && *s->role ? s->role : "stack";
        if (role[0] >= 'a' && role[0] <= 'z') {
            fputc(role[0] - 'a' + 'A', o);
            put_safe(o, role + 1);
        } else {
            put_safe(o, role);
        }
        if (s->lock >= 0) {
            fputs(" of ", o);
            put_lock(c, s->lock);
        }
        if (s->thread >= 0) {
            fputs(" in ", o);
            put_thread(c, s->thread);
        }
        fputs(" at", o);
    }
    fprintf(o, "%s\n", c->st->reset);
    put_frames(c, indent + 2, idx);
}

/* Index of the first stack of that role (and thread/lock when >= 0) not shown yet, or -1. */
static int find_stack(const tctx *c, const char *role, int thread, int lock)
{
    for (size_t i = 0; i < c->f->nstacks; i++) {
        const lst_stack *s = &c->f->stacks[i];
        if (!c->shown[i] && role_is(s, role) && (thread < 0 || s->thread == thread) &&
            (lock < 0 || s->lock == lock))
            return (int)i;
    }
    return -1;
}

/* Writes the lock names of an edge chain "a -> b -> a" to a string (caller frees). */
static char *cycle_chain(tctx *c)
{
    const lst_finding *f = c->f;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return NULL;
    tctx mc = *c;
    mc.out = m;
    for (size_t i = 0; i < f->nedges; i++) {
        put_lock(&mc, f->edges[i].from_lock);
        fputs(" -> ", m);
    }
    put_lock(&mc, f->edges[0].from_lock);
    fclose(m);
    return buf;
}

/* "Cycle of N locks: a -> b -> a", when the edges chain into a cycle that the message does
 * not already spell out. */
static void put_cycle_line(tctx *c)
{
    const lst_finding *f = c->f;
    if (f->nedges == 0)
        return;
    for (size_t i = 1; i < f->nedges; i++)
        if (f->edges[i].from_lock != f->edges[i - 1].to_lock)
            return;
    if (f->edges[f->nedges - 1].to_lock != f->edges[0].from_lock)
        return;
    char *chain = cycle_chain(c);
    if (chain && !(f->message && strstr(f->message, chain)))
        fprintf(c->out, "  Cycle of %zu lock%s: %s\n", f->nedges, f->nedges == 1 ? "" : "s", chain);
    free(chain);
}

/* One block per edge: the lock held and where, the lock requested and where. only_new:
 * leave out stacks shown already (a deadlock's waiting threads showed them), and edges with
 * nothing left to show. */
static void put_edges(tctx *c, int only_new)
{
    const lst_finding *f = c->f;
    FILE *o = c->out;
    for (size_t i = 0; i < f->nedges; i++) {
        const lst_edge *e = &f->edges[i];
        int held_new = valid_stack(c, e->held_stack) && !c->shown[e->held_stack];
        int acq_new = valid_stack(c, e->acquire_stack) && !c->shown[e->acquire_stack];
        if (only_new && !held_new && !acq_new)
            continue;
        fprintf(o, "  %sEdge ", c->st->bold);
        put_lock(c, e->from_lock);
        fputs(" -> ", o);
        put_lock(c, e->to_lock);
        if (e->thread >= 0) {
            fputs(", thread ", o);
            put_thread(c, e->thread);
        }
        if (e->mode && strcmp(e->mode, "write") != 0) {
            fputs(", ", o);
            put_safe(o, e->mode);
            fputs(" acquisition", o);
        }
        fprintf(o, ":%s\n", c->st->reset);
        if (valid_stack(c, e->held_stack) && (!only_new || held_new)) {
            fprintf(o, "    %s", c->st->blue);
            put_lock(c, e->from_lock);
            fprintf(o, " taken at%s\n", c->st->reset);
            put_frames(c, 6, e->held_stack);
        }
        if (valid_stack(c, e->acquire_stack) && (!only_new || acq_new)) {
            fprintf(o, "    %s", c->st->blue);
            put_lock(c, e->to_lock);
            fprintf(o, " requested at%s\n", c->st->reset);
            put_frames(c, 6, e->acquire_stack);
        }
    }
}

static void put_deadlock(tctx *c)
{
    const lst_finding *f = c->f;
    FILE *o = c->out;
    for (size_t i = 0; i < f->nstacks; i++) {
        const lst_stack *s = &f->stacks[i];
        if (c->shown[i] || !role_is(s, "blocked"))
            continue;
        int held = s->lock >= 0 ? find_stack(c, "held", -1, s->lock) : -1;
        fprintf(o, "  %sThread ", c->st->bold);
        put_thread(c, s->thread);
        if (s->lock >= 0) {
            fputs(" waits for ", o);
            put_lock(c, s->lock);
            if (held >= 0) {
                fputs(", held by ", o);
                put_thread(c, f->stacks[held].thread);
            }
        } else {
            fputs(" is blocked", o);
        }
        fprintf(o, ":%s\n", c->st->reset);
        fprintf(o, "    %sblocked at%s\n", c->st->blue, c->st->reset);
        put_frames(c, 6, (int)i);
        if (held >= 0) {
            fprintf(o, "    %s", c->st->blue);
            put_lock(c, s->lock);
            fputs(" taken by ", o);
            put_thread(c, f->stacks[held].thread);
            fprintf(o, " at%s\n", c->st->reset);
            put_frames(c, 6, held);
        }
    }
}

/* The start of an access line: "Write", "Previous read", "Previous atomic write", ... */
static void put_access_head(tctx *c, size_t i, const lst_access *a)
{
    const char *type = a->type && *a->type ? a->type : "access";
    char head[96];
    snprintf(head, sizeof head, "%s%s%s", i ? "previous " : "", a->atomic ? "atomic " : "", type);
    if (head[0] >= 'a' && head[0] <= 'z')
        head[0] = (char)(head[0] - 'a' + 'A');
    fprintf(c->out, "  %s", c->st->blue);
    put_safe(c->out, head);
}

static void put_race_accesses(tctx *c)
{
    const lst_finding *f = c->f;
    FILE *o = c->out;
    for (size_t i = 0; i < f->naccesses; i++) {
        const lst_access *a = &f->accesses[i];
        put_access_head(c, i, a);
        fprintf(o, " of size %d by ", a->size);
        put_thread(c, a->thread);
        fprintf(o, ":%s\n", c->st->reset);
        if (valid_stack(c, a->stack))
            put_frames(c, 4, a->stack);
        else
            fprintf(o, "    %s(no stack)%s\n", c->st->dim, c->st->reset);
    }
    if (f->variable) {
        fputs("  Location is ", o);
        put_safe(o, f->variable);
        fputc('\n', o);
    }
    int alloc;
    while ((alloc = find_stack(c, "alloc", -1, -1)) >= 0)
        put_stack(c, 2, alloc);
}

/* Single-quotes s for a shell when it holds anything but plain path characters. */
static void put_shell_word(FILE *o, const char *s)
{
    int plain = *s != '\0';
    for (const char *p = s; *p && plain; p++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+,-",
                       *p) != NULL;
    if (plain) {
        fputs(s, o);
        return;
    }
    fputc('\'', o);
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            fputs("'\\''", o);
        else if ((unsigned char)*p < 0x20 || *p == 0x7f)
            fprintf(o, "\\x%02x", (unsigned char)*p);
        else
            fputc(*p, o);
    }
    fputc('\'', o);
}

static void put_finding(tctx *c, const lst_finding *f, int show_pid)
{
    FILE *o = c->out;
    const style *st = c->st;
    unsigned char *shown = calloc(f->nstacks + 1, 1);
    if (!shown) {
        fputs("lockstep: out of memory\n", stderr);
        abort();
    }
    c->f = f;
    c->shown = shown;

    fputs("==================\n", o);
    fprintf(o, "%slockstep: %s", st->red, lst_kind_name(f->kind));
    const char *label = kind_label(f->kind);
    if (label)
        fprintf(o, " (%s)", label);
    if (show_pid && f->process > 0)
        fprintf(o, " in process %d", f->process);
    fprintf(o, "%s  [fingerprint %s", st->reset, f->fingerprint[0] ? f->fingerprint : "none");
    if (f->count > 1)
        fprintf(o, ", seen %u times", f->count);
    if (f->baselined)
        fputs(", baselined", o);
    fputs("]\n", o);
    if (f->message && *f->message) {
        fputs("  ", o);
        put_safe(o, f->message);
        fputc('\n', o);
    }

    switch (f->kind) {
    case LST_KIND_LOCK_ORDER_CYCLE:
        put_cycle_line(c);
        put_edges(c, 0);
        break;
    case LST_KIND_DEADLOCK:
        put_cycle_line(c); /* a deadlock may carry its wait-for edges too */
        put_deadlock(c);
        put_edges(c, 1);
        break;
    case LST_KIND_DATA_RACE:
        put_race_accesses(c);
        break;
    default:
        put_cycle_line(c);
        put_edges(c, 0);
        if (f->naccesses)
            put_race_accesses(c);
        break;
    }

    /* every stack the layout above did not show, creation stacks last */
    for (size_t i = 0; i < f->nstacks; i++)
        if (!shown[i] && !role_is(&f->stacks[i], "created"))
            put_stack(c, 2, (int)i);
    for (size_t i = 0; i < f->nthreads; i++) {
        int cr = f->threads[i].created;
        if (valid_stack(c, cr) && !shown[cr]) {
            fprintf(o, "  %sThread ", st->blue);
            put_thread(c, f->threads[i].id);
            fprintf(o, " created at%s\n", st->reset);
            put_frames(c, 4, cr);
        }
    }
    for (size_t i = 0; i < f->nstacks; i++)
        if (!shown[i])
            put_stack(c, 2, (int)i);

    if (f->schedule) {
        fputs("  Replay: lockstep replay ", o);
        put_shell_word(o, f->schedule);
        fputc('\n', o);
    }
    fputs("==================\n", o);
    free(shown);
    c->f = NULL;
    c->shown = NULL;
}

static void put_note(tctx *c, const lst_finding *n)
{
    FILE *o = c->out;
    c->f = n;
    fprintf(o, "%slockstep: note:%s %s", c->st->yellow, c->st->reset, lst_kind_name(n->kind));
    if (n->nlocks) {
        fputs(" (", o);
        for (size_t i = 0; i < n->nlocks; i++) {
            if (i)
                fputs(", ", o);
            put_lock(c, n->locks[i].id);
        }
        fputc(')', o);
    }
    const char *why = n->reason ? n->reason : n->message;
    if (why) {
        fputs(": ", o);
        put_safe(o, why);
    }
    fputc('\n', o);
    c->f = NULL;
}

/* Writes the human-readable, TSan-like text report of r to out: each finding between
 * "==================" rules (header "lockstep: KIND (words)  [fingerprint X]", the message,
 * a per-kind layout, remaining stacks, thread creation stacks, and a "Replay:" line when the
 * finding has a schedule), then one "lockstep: note:" line per note, one "lockstep: limit:"
 * line per limit, a summary line counting findings by kind and notes, and "replay: lockstep
 * replay SCHEDULE" when r->schedule is set. Frame files under the current directory are shown
 * relative to it. color != 0 adds ANSI colours. Writes nothing else; errors are the stream's
 * (check ferror(out)). */
void lst_write_text(const lst_report *r, FILE *out, int color)
{
    tctx c = {out, color ? &colour_on : &colour_off, NULL, 0, NULL, NULL};
    char *cwd = getcwd(NULL, 0);
    if (cwd && strcmp(cwd, "/") != 0) {
        c.cwd = cwd;
        c.cwdlen = strlen(cwd);
    }

    /* pids only matter when the target forked: show them when findings differ in pid */
    int show_pid = 0;
    for (size_t i = 1; i < r->nfindings; i++)
        if (r->findings[i].process != r->findings[0].process)
            show_pid = 1;

    for (size_t i = 0; i < r->nfindings; i++)
        put_finding(&c, &r->findings[i], show_pid);
    for (size_t i = 0; i < r->nnotes; i++)
        put_note(&c, &r->notes[i]);
    for (size_t i = 0; i < r->nlimits; i++) {
        fprintf(out, "%slockstep: limit:%s ", c.st->yellow, c.st->reset);
        put_safe(out, r->limits[i]);
        fputc('\n', out);
    }

    fprintf(out, "%slockstep: ", r->nfindings ? c.st->bold : c.st->green);
    if (r->nfindings == 0) {
        fputs("no findings", out);
    } else {
        fprintf(out, "%zu finding%s (", r->nfindings, r->nfindings == 1 ? "" : "s");
        int first = 1;
        for (int k = 0; k < LST_KIND_COUNT; k++) {
            size_t n = 0;
            for (size_t i = 0; i < r->nfindings; i++)
                n += r->findings[i].kind == (lst_kind)k;
            if (n) {
                fprintf(out, "%s%zu %s", first ? "" : ", ", n, lst_kind_name((lst_kind)k));
                first = 0;
            }
        }
        fputc(')', out);
        size_t baselined = 0;
        for (size_t i = 0; i < r->nfindings; i++)
            baselined += (size_t)r->findings[i].baselined;
        if (baselined)
            fprintf(out, ", %zu baselined", baselined);
    }
    if (r->nnotes)
        fprintf(out, ", %zu note%s", r->nnotes, r->nnotes == 1 ? "" : "s");
    fprintf(out, "%s\n", c.st->reset);
    if (r->schedule) {
        fputs("replay: lockstep replay ", out);
        put_shell_word(out, r->schedule);
        fputc('\n', out);
    }
    free(cwd);
}
