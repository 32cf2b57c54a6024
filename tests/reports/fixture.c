/* fixture.c: the rich report used by the reports tests, a deep comparison of reports, and
 * file helpers (temporary directories are removed when the test exits). */
#define _GNU_SOURCE
#include "fixture.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int lst_test_failures;

static char *dup_or_die(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

static void frame(lst_finding *f, int stack, uint64_t pc, const char *fn, const char *root,
                  const char *file, int line, const char *module)
{
    char path[512];
    if (file && file[0] != '/')
        snprintf(path, sizeof path, "%s/%s", root, file);
    lst_stack_add_frame(&f->stacks[stack], pc, fn, file ? (file[0] == '/' ? file : path) : NULL,
                        line, module);
}

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

static void add_cycle(lst_report *r, const char *root, const char *bin)
{
    lst_finding *f = lst_report_add_finding(r, LST_KIND_LOCK_ORDER_CYCLE);
    lst_finding_set_message(f, "lock_a and lock_b are taken in opposite orders by T1 and T2");
    f->schedule = dup_or_die("lockstep-out/schedules/0007.sched");
    f->process = 4242;
    f->count = 3;
    lst_finding_add_lock(f, 3, "lock_a", "mutex", 0x55d0c0a04040ULL);
    lst_finding_add_lock(f, 4, "lock_b", "mutex", 0x55d0c0a04080ULL);
    int s0 = lst_finding_add_stack(f, "held", 1, 3);
    frame(f, s0, 0x55d0c0801234ULL, "thread1", root, "cases/lock_order_inverted_abba.c", 22, bin);
    frame(f, s0, 0x7f3a12c8f1f4ULL, "start_thread", root, NULL, 0, LIBC);
    frame(f, s0, 0x7f3a12d0f6fcULL, NULL, root, NULL, 0, LIBC);
    int s1 = lst_finding_add_stack(f, "acquire", 1, 4);
    frame(f, s1, 0x55d0c0801250ULL, "thread1", root, "cases/lock_order_inverted_abba.c", 24, bin);
    int s2 = lst_finding_add_stack(f, "held", 2, 4);
    frame(f, s2, 0x55d0c0801300ULL, "thread2", root, "cases/lock_order_inverted_abba.c", 31, bin);
    int s3 = lst_finding_add_stack(f, "acquire", 2, 3);
    frame(f, s3, 0x55d0c0801320ULL, "thread2", root, "cases/lock_order_inverted_abba.c", 33, bin);
    frame(f, s3, 0xffffffffffffffffULL, NULL, root, NULL, 0, NULL);
    int c1 = lst_finding_add_stack(f, "created", 1, -1); /* thread: the created one */
    frame(f, c1, 0x55d0c0801400ULL, "main", root, "cases/lock_order_inverted_abba.c", 40, bin);
    int c2 = lst_finding_add_stack(f, "created", 2, -1);
    frame(f, c2, 0x55d0c0801410ULL, "main", root, "cases/lock_order_inverted_abba.c", 41, bin);
    lst_finding_add_thread(f, 1, "T1", c1);
    lst_finding_add_thread(f, 2, "T2", c2);
    lst_finding_add_edge(f, 3, 4, 1, s0, s1, "write");
    lst_finding_add_edge(f, 4, 3, 2, s2, s3, "write");
    lst_finding_fingerprint(f);
}

static void add_deadlock(lst_report *r, const char *root, const char *bin)
{
    lst_finding *f = lst_report_add_finding(r, LST_KIND_DEADLOCK);
    lst_finding_set_message(f, "T1 and T2 wait for each other");
    f->schedule = dup_or_die("lockstep-out/schedules/0011.sched");
    f->process = 4242;
    lst_finding_add_thread(f, 1, "worker-1", -1);
    lst_finding_add_thread(f, 2, "T2", -1);
    lst_finding_add_lock(f, 5, "rw_table", "rwlock", 0xffffffffffffffffULL);
    lst_finding_add_lock(f, 6, "mutex@0x7ffd12345678", "mutex", 0x7ffd12345678ULL);
    int b1 = lst_finding_add_stack(f, "blocked", 1, 6);
    frame(f, b1, 0x55d0c0802000ULL, "worker", root, "cases/deadlock_rw.c", 18, bin);
    int h2 = lst_finding_add_stack(f, "held", 2, 6);
    frame(f, h2, 0x55d0c0802100ULL, "other", root, "cases/deadlock_rw.c", 27, bin);
    int b2 = lst_finding_add_stack(f, "blocked", 2, 5);
    frame(f, b2, 0x55d0c0802120ULL, "other", root, "cases/deadlock_rw.c", 29, bin);
    int h1 = lst_finding_add_stack(f, "held", 1, 5);
    frame(f, h1, 0x55d0c0801fe0ULL, "worker", root, "cases/deadlock_rw.c", 16, bin);
    lst_finding_add_edge(f, 5, 6, 1, h1, b1, "read");
    lst_finding_add_edge(f, 6, 5, 2, h2, b2, "write");
    lst_finding_fingerprint(f);
}

static void add_race(lst_report *r, const char *root, const char *bin)
{
    lst_finding *f = lst_report_add_finding(r, LST_KIND_DATA_RACE);
    lst_finding_set_message(f, "data race on a heap block");
    f->variable = dup_or_die("heap block of 16 bytes at offset 8");
    f->process = 4243; /* a forked child */
    lst_finding_add_thread(f, 0, "main", -1);
    int w = lst_finding_add_stack(f, "write", 1, -1);
    frame(f, w, 0x55d0c0803000ULL, "bump", root, "cases/race_heap.c", 12, bin);
    frame(f, w, 0x55d0c0803100ULL, "worker", root, "cases/race_heap.c", 20, bin);
    int rd = lst_finding_add_stack(f, "read", 0, -1);
    frame(f, rd, 0x55d0c0803200ULL, "main", root, "cases/race_heap.c", 35, bin);
    int al = lst_finding_add_stack(f, "alloc", 0, -1);
    frame(f, al, 0x7f3a12c9a000ULL, "malloc", root, NULL, 0, LIBC);
    frame(f, al, 0x55d0c0803300ULL, "main", root, "cases/race_heap.c", 30, bin);
    int cr = lst_finding_add_stack(f, "created", 1, -1);
    frame(f, cr, 0x55d0c0803310ULL, "main", root, "cases/race_heap.c", 32, bin);
    lst_finding_add_thread(f, 1, NULL, cr); /* no name: a null field */
    lst_finding_add_access(f, "write", 4, 1, w, 0);
    lst_finding_add_access(f, "read", 4, 0, rd, 1);
    lst_finding_fingerprint(f);
}

static void add_misuse(lst_report *r, const char *root, const char *bin)
{
    lst_finding *f = lst_report_add_finding(r, LST_KIND_LOCK_MISUSE);
    lst_finding_set_message(f, "unlock of \"lock_c\" by T1, which does not hold it "
                               "\xe2\x80\x94 \xc3\xbcn\xc3\xaf"
                               "c\xc3\xb8" /* — ünïcø */
                               "d\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\x92\tand a tab");
    f->process = 4242;
    lst_finding_add_thread(f, 1, "T1", -1);
    lst_finding_add_thread(f, 2, "t\"quoted\\name", -1);
    lst_finding_add_lock(f, 7, "lock_c", "errorcheck-mutex", 0x55d0c0a040c0ULL);
    lst_finding_add_lock(f, 8, NULL, NULL, 0); /* name and type unknown */
    int u = lst_finding_add_stack(f, "unlock", 1, 7);
    frame(f, u, 0x55d0c0804000ULL, "release", root, "cases/misuse \"odd\" dir/unlock.c", 9, bin);
    int h = lst_finding_add_stack(f, "held", 2, 7);
    frame(f, h, 0x55d0c0804100ULL, "grab", root, "/usr/include/x86_64-linux-gnu/bits/x.h", 0, NULL);
    int d = lst_finding_add_stack(f, "destroy", -1, 8);
    (void)d; /* a stack with no frames */
    lst_finding_fingerprint(f);
}

static void add_failure_and_self(lst_report *r, const char *root, const char *bin)
{
    lst_finding *f = lst_report_add_finding(r, LST_KIND_TARGET_FAILURE);
    lst_finding_set_message(f, "the target aborted (SIGABRT): assertion `total == 200' failed");
    f->process = 4242;
    lst_finding_add_thread(f, 0, "main", -1);
    int s = lst_finding_add_stack(f, "crash", 0, -1);
    frame(f, s, 0x7f3a12c3c000ULL, "abort", root, NULL, 0, LIBC);
    frame(f, s, 0x55d0c0805000ULL, "main", root, "cases/assert_total.c", 44, bin);
    lst_finding_fingerprint(f);

    f = lst_report_add_finding(r, LST_KIND_SELF_DEADLOCK);
    lst_finding_set_message(f, "T0 relocks lock_d, which it already holds");
    f->process = 4242;
    lst_finding_add_thread(f, 0, "main", -1);
    lst_finding_add_lock(f, 9, "lock_d", "mutex", 0x55d0c0a04100ULL);
    int h = lst_finding_add_stack(f, "held", 0, 9);
    frame(f, h, 0x55d0c0806000ULL, "outer", root, "cases/self_relock.c", 10, bin);
    int a = lst_finding_add_stack(f, "acquire", 0, 9);
    frame(f, a, 0x55d0c0806100ULL, "inner", root, "cases/self_relock.c", 5, bin);
    frame(f, a, 0x55d0c0806010ULL, "outer", root, "cases/self_relock.c", 11, bin);
    lst_finding_fingerprint(f);
}

void lst_fixture_rich(lst_report *r, const char *root)
{
    char bin[512];
    snprintf(bin, sizeof bin, "%s/build/cases/abba", root);
    lst_report_init(r);
    r->tool_version = dup_or_die("0.1.0");
    r->mode = dup_or_die("explore");
    char *const argv[] = {"./build/cases/abba", "--iterations=3",
                          "quote \" back\\slash \t tab / slash",
                          "\xc3\xbcn\xc3\xaf"
                          "c\xc3\xb8"
                          "d\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac"};
    lst_report_set_argv(r, 4, argv);
    r->exit_code = -1;
    r->exit_signal = 6;
    r->schedule = dup_or_die("lockstep-out/schedules/0007.sched");
    r->schedules = 12;

    add_cycle(r, root, bin);
    add_deadlock(r, root, bin);
    add_race(r, root, bin);
    add_misuse(r, root, bin);
    add_failure_and_self(r, root, bin);

    lst_finding *n = lst_report_add_note(r, LST_KIND_LOCK_ORDER_CYCLE,
                                         "guarded: every path holds gate_lock first");
    lst_finding_set_message(n, "lock_a and lock_b in opposite orders, always under gate_lock");
    n->process = 4242;
    lst_finding_add_lock(n, 3, "lock_a", "mutex", 0x55d0c0a04040ULL);
    lst_finding_add_lock(n, 4, "lock_b", "mutex", 0x55d0c0a04080ULL);
    int s = lst_finding_add_stack(n, "held", 1, 3);
    frame(n, s, 0x55d0c0807000ULL, "gated", root, "cases/gate_lock.c", 14, bin);
    lst_finding_add_edge(n, 3, 4, 1, s, -1, "try");
    lst_finding_fingerprint(n);

    n = lst_report_add_note(r, LST_KIND_DATA_RACE, NULL); /* reason null: message is used */
    lst_finding_set_message(n, "racy read of a stop flag declared benign");
    lst_finding_fingerprint(n);

    lst_report_add_limit(r, "event store full at 1048576 events: raise --max-events");
    lst_report_add_limit(r, "stacks cut at 64 frames");
}

/* ---- comparison --------------------------------------------------------------------- */

static int str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

#define DIFF(cond, ...)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "reports differ: ");                                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            return 0;                                                                              \
        }                                                                                          \
    } while (0)

static int finding_equal(const char *what, size_t k, const lst_finding *a, const lst_finding *b)
{
    DIFF(a->kind == b->kind, "%s[%zu].kind", what, k);
    DIFF(str_eq(a->message, b->message), "%s[%zu].message", what, k);
    DIFF(strcmp(a->fingerprint, b->fingerprint) == 0, "%s[%zu].fingerprint", what, k);
    DIFF(a->count == b->count, "%s[%zu].count", what, k);
    DIFF(str_eq(a->reason, b->reason), "%s[%zu].reason", what, k);
    DIFF(str_eq(a->schedule, b->schedule), "%s[%zu].schedule", what, k);
    DIFF(str_eq(a->variable, b->variable), "%s[%zu].variable", what, k);
    DIFF(a->process == b->process, "%s[%zu].process", what, k);
    DIFF(a->nthreads == b->nthreads, "%s[%zu].nthreads", what, k);
    for (size_t i = 0; i < a->nthreads; i++) {
        const lst_thread *x = &a->threads[i], *y = &b->threads[i];
        DIFF(x->id == y->id && str_eq(x->name, y->name) && x->created == y->created,
             "%s[%zu].threads[%zu]", what, k, i);
    }
    DIFF(a->nlocks == b->nlocks, "%s[%zu].nlocks", what, k);
    for (size_t i = 0; i < a->nlocks; i++) {
        const lst_lock *x = &a->locks[i], *y = &b->locks[i];
        DIFF(x->id == y->id && str_eq(x->name, y->name) && str_eq(x->type, y->type) &&
                 x->addr == y->addr,
             "%s[%zu].locks[%zu]", what, k, i);
    }
    DIFF(a->nstacks == b->nstacks, "%s[%zu].nstacks", what, k);
    for (size_t i = 0; i < a->nstacks; i++) {
        const lst_stack *x = &a->stacks[i], *y = &b->stacks[i];
        DIFF(str_eq(x->role, y->role) && x->thread == y->thread && x->lock == y->lock &&
                 x->nframes == y->nframes,
             "%s[%zu].stacks[%zu]", what, k, i);
        for (size_t j = 0; j < x->nframes; j++) {
            const lst_frame *p = &x->frames[j], *q = &y->frames[j];
            DIFF(p->pc == q->pc && str_eq(p->function, q->function) && str_eq(p->file, q->file) &&
                     p->line == q->line && str_eq(p->module, q->module),
                 "%s[%zu].stacks[%zu].frames[%zu]", what, k, i, j);
        }
    }
    DIFF(a->nedges == b->nedges, "%s[%zu].nedges", what, k);
    for (size_t i = 0; i < a->nedges; i++) {
        const lst_edge *x = &a->edges[i], *y = &b->edges[i];
        DIFF(x->from_lock == y->from_lock && x->to_lock == y->to_lock && x->thread == y->thread &&
                 x->held_stack == y->held_stack && x->acquire_stack == y->acquire_stack &&
                 str_eq(x->mode, y->mode),
             "%s[%zu].edges[%zu]", what, k, i);
    }
    DIFF(a->naccesses == b->naccesses, "%s[%zu].naccesses", what, k);
    for (size_t i = 0; i < a->naccesses; i++) {
        const lst_access *x = &a->accesses[i], *y = &b->accesses[i];
        DIFF(str_eq(x->type, y->type) && x->size == y->size && x->thread == y->thread &&
                 x->stack == y->stack && !x->atomic == !y->atomic,
             "%s[%zu].accesses[%zu]", what, k, i);
    }
    return 1;
}

int lst_fixture_equal(const lst_report *a, const lst_report *b)
{
    DIFF(a->schema_version == b->schema_version, "schema_version");
    DIFF(str_eq(a->tool_version, b->tool_version), "tool_version");
    DIFF(str_eq(a->mode, b->mode), "mode");
    DIFF(a->argc == b->argc, "argc");
    for (size_t i = 0; i < a->argc; i++)
        DIFF(str_eq(a->argv[i], b->argv[i]), "argv[%zu]", i);
    DIFF(a->exit_code == b->exit_code, "exit_code %d vs %d", a->exit_code, b->exit_code);
    DIFF(a->exit_signal == b->exit_signal, "exit_signal");
    DIFF(str_eq(a->schedule, b->schedule), "schedule");
    DIFF(a->schedules == b->schedules, "schedules");
    DIFF(a->nfindings == b->nfindings, "nfindings");
    for (size_t i = 0; i < a->nfindings; i++)
        if (!finding_equal("findings", i, &a->findings[i], &b->findings[i]))
            return 0;
    DIFF(a->nnotes == b->nnotes, "nnotes");
    for (size_t i = 0; i < a->nnotes; i++)
        if (!finding_equal("notes", i, &a->notes[i], &b->notes[i]))
            return 0;
    DIFF(a->nlimits == b->nlimits, "nlimits");
    for (size_t i = 0; i < a->nlimits; i++)
        DIFF(str_eq(a->limits[i], b->limits[i]), "limits[%zu]", i);
    return 1;
}

/* ---- files -------------------------------------------------------------------------- */

char *lst_fixture_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = (n + 4096 + 1) * 2;
            char *nb = realloc(buf, cap);
            if (!nb)
                abort();
            buf = nb;
        }
        size_t got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int lst_fixture_spit(const char *path, const void *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int rc = fwrite(buf, 1, n, f) == n ? 0 : -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

static char *tmpdirs[16];
static int ntmpdirs;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    for (int i = 0; i < ntmpdirs; i++) {
        nftw(tmpdirs[i], rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(tmpdirs[i]);
    }
    ntmpdirs = 0;
}

const char *lst_fixture_tmpdir(void)
{
    /* tmpfs when there is one: the writers fsync every report, and the fuzz case writes
     * thousands, which costs tens of seconds on a busy disk */
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/lst-reports-test.XXXXXX", base);
    if (!mkdtemp(tmpl) || ntmpdirs == 16) {
        perror("mkdtemp");
        exit(1);
    }
    if (ntmpdirs == 0)
        atexit(cleanup);
    tmpdirs[ntmpdirs] = dup_or_die(tmpl);
    return tmpdirs[ntmpdirs++];
}
