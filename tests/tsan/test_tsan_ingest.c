/* test_tsan_ingest.c: unit tests of detectors/tsan_ingest.c (and of lst_ctx_resolve() for
 * ThreadSanitizer's unsymbolized frames) on real TSan logs, captured from clang- and
 * gcc-built programs in fixtures/ (see fixtures/README.md and capture_fixtures.py).
 *
 * Usage: lst_tsan_ingest_test TEST FIXTURES_DIR BIN_DIR
 * BIN_DIR is build/tests/tsan, where the binaries the fixtures came from are rebuilt; the
 * symbolize=0 logs are resolved against them only when their build ids match fixtures/BUILD-IDS
 * (otherwise those tests exit 77, skipped).
 *
 * What a test expects is written down per fixture below, from the programs' sources: the
 * racing lines, which access TSan called "previous", the thread numbers and creation lines.
 * A "project frame" is a frame in cases/ or tests/tsan/programs/: the user's code. Every
 * check prints its failure and the test goes on, so one run shows every problem. */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze.h"
#include "tsan_ingest.h"

static const char *fix_dir, *bin_dir;
static int failures;

#define CHECK(cond, ...)                                                                         \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            failures++;                                                                          \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                 \
            fprintf(stderr, __VA_ARGS__);                                                        \
            fputc('\n', stderr);                                                                 \
        }                                                                                        \
    } while (0)

/* --- fixtures --------------------------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, k;
    char chunk[65536];
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (n + k + 1 > cap) {
            cap = (n + k + 1) * 2;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        memcpy(buf + n, chunk, k);
        n += k;
    }
    fclose(f);
    if (!buf)
        buf = calloc(1, 1);
    buf[n] = 0;
    *len = n;
    return buf;
}

static char *fixture(const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", fix_dir, name);
    char *t = slurp(path, len);
    if (!t) {
        fprintf(stderr, "FAIL: fixture %s is missing\n", path);
        exit(1);
    }
    return t;
}

/* Every index a finding holds points into its arrays. */
static int indices_ok(const lst_finding *f, char *why, size_t n)
{
    for (size_t i = 0; i < f->naccesses; i++)
        if (f->accesses[i].stack < 0 || (size_t)f->accesses[i].stack >= f->nstacks) {
            snprintf(why, n, "access %zu has stack %d of %zu", i, f->accesses[i].stack, f->nstacks);
            return 0;
        }
    for (size_t i = 0; i < f->nthreads; i++)
        if (f->threads[i].created < -1 || (f->threads[i].created >= 0 &&
                                           (size_t)f->threads[i].created >= f->nstacks)) {
            snprintf(why, n, "thread %zu has creation stack %d of %zu", i, f->threads[i].created,
                     f->nstacks);
            return 0;
        }
    for (size_t i = 0; i < f->nedges; i++)
        if (f->edges[i].held_stack < -1 || f->edges[i].held_stack >= (int)f->nstacks ||
            f->edges[i].acquire_stack < -1 || f->edges[i].acquire_stack >= (int)f->nstacks) {
            snprintf(why, n, "edge %zu has a stack out of range", i);
            return 0;
        }
    for (size_t i = 0; i < f->nstacks; i++)
        if (!f->stacks[i].role || (f->stacks[i].nframes && !f->stacks[i].frames)) {
            snprintf(why, n, "stack %zu is malformed", i);
            return 0;
        }
    if (strlen(f->fingerprint) != 16) {
        snprintf(why, n, "fingerprint '%s' is not 16 hex digits", f->fingerprint);
        return 0;
    }
    return 1;
}

static void check_indices(const lst_report *r, const char *what)
{
    char why[256];
    for (size_t i = 0; i < r->nfindings; i++)
        CHECK(indices_ok(&r->findings[i], why, sizeof why), "%s: finding %zu: %s", what, i, why);
}

static int parse_fixture(const char *name, lst_report *r)
{
    size_t len;
    char *text = fixture(name, &len);
    lst_report_init(r);
    int n = lst_tsan_parse(text, len, r, 0);
    free(text);
    check_indices(r, name);
    return n;
}

/* The nth finding (0-based) of kind k, or NULL. */
static lst_finding *nth(lst_report *r, lst_kind k, int n)
{
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i].kind == k && n-- == 0)
            return &r->findings[i];
    return NULL;
}

static int count_kind(const lst_report *r, lst_kind k)
{
    int n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        n += r->findings[i].kind == k;
    return n;
}

/* --- frames and sites ------------------------------------------------------------------------- */

static int project_frame(const lst_frame *fr)
{
    return fr->file && fr->line > 0 &&
           (strstr(fr->file, "/cases/") || strstr(fr->file, "/tests/tsan/programs/"));
}

static const char *base_name(const char *path)
{
    const char *b = path ? strrchr(path, '/') : NULL;
    return b ? b + 1 : path ? path : "?";
}

/* "file.c:35" of the k-th project frame of s (0-based), in buf; "" when there is none. */
static const char *site_k(const lst_stack *s, int k, char *buf, size_t n)
{
    buf[0] = 0;
    for (size_t i = 0; s && i < s->nframes; i++)
        if (project_frame(&s->frames[i]) && k-- == 0) {
            snprintf(buf, n, "%s:%d", base_name(s->frames[i].file), s->frames[i].line);
            break;
        }
    return buf;
}

/* The project frames of s, "a.h:10 < a.c:24 < ...", innermost first. */
static const char *chain(const lst_stack *s, char *buf, size_t n)
{
    buf[0] = 0;
    size_t used = 0;
    for (size_t i = 0; s && i < s->nframes && used + 1 < n; i++)
        if (project_frame(&s->frames[i]))
            used += (size_t)snprintf(buf + used, n - used, "%s%s:%d", used ? " < " : "",
                                     base_name(s->frames[i].file), s->frames[i].line);
    return buf;
}

static const lst_stack *stack_at(const lst_finding *f, int i)
{
    return i >= 0 && (size_t)i < f->nstacks ? &f->stacks[i] : NULL;
}

/* "write 4 T2 file.c:35" for access i of f. */
static const char *access_desc(const lst_finding *f, size_t i, char *buf, size_t n)
{
    const lst_access *a = &f->accesses[i];
    char site[256];
    site_k(stack_at(f, a->stack), 0, site, sizeof site);
    snprintf(buf, n, "%s %d T%d %s", a->type ? a->type : "?", a->size, a->thread,
             site[0] ? site : "-");
    return buf;
}

/* The first stack with this role whose project frames begin with `want`, or NULL. */
static const lst_stack *find_stack(const lst_finding *f, const char *role, const char *want)
{
    char buf[1024];
    for (size_t i = 0; i < f->nstacks; i++)
        if ((!role || strcmp(f->stacks[i].role, role) == 0) &&
            strncmp(chain(&f->stacks[i], buf, sizeof buf), want, strlen(want)) == 0)
            return &f->stacks[i];
    return NULL;
}

static void dump_finding(const lst_finding *f)
{
    char buf[1024];
    fprintf(stderr, "    finding %s: %s\n      variable: %s\n", lst_kind_name(f->kind),
            f->message ? f->message : "(none)", f->variable ? f->variable : "(none)");
    for (size_t i = 0; i < f->nstacks; i++)
        fprintf(stderr, "      stack %zu %s T%d: %zu frames, project frames [%s]\n", i,
                f->stacks[i].role, f->stacks[i].thread, f->stacks[i].nframes,
                chain(&f->stacks[i], buf, sizeof buf));
}

/* --- expectations: data races ------------------------------------------------------------------ */

typedef struct race_exp {
    const char *fixture;
    int index;              /* which data race of the log */
    const char *acc[2];     /* access_desc() of the current and the previous access */
    const char *chain[2];   /* when set: their project frames, innermost first */
    const char *variable;   /* a part the variable must contain */
    const char *created[3]; /* "T2 file.c:46": thread and its creation site ("-": no project frame) */
} race_exp;

#define CUYR "counter_unlocked_yield_race.c"
#define CCIR "counter_class_increment_race.c"
#define TCUR "try_count_unlocked_race.c"
#define TCLP "try_count_locked_print_race.c"
#define SFPR "stop_flag_plain_race.c"

static const race_exp clang_cases[] = {
    {"clang.counter_unlocked_yield_race.sym1.txt", 0,
     {"write 4 T1 " CUYR ":35", "read 4 T2 " CUYR ":33"}, {0}, "'counter'",
     {"T1 " CUYR ":46", "T2 " CUYR ":46"}},
    {"clang.counter_unlocked_yield_race.sym1.run2.txt", 0,
     {"write 4 T1 " CUYR ":35", "read 4 T3 " CUYR ":33"}, {0}, "'counter'",
     {"T1 " CUYR ":46", "T3 " CUYR ":46"}},
    {"clang.try_count_unlocked_race.sym1.txt", 0,
     {"write 4 T1 " TCUR ":37", "write 4 T2 " TCUR ":37"}, {0}, "'count'",
     {"T1 " TCUR ":49", "T2 " TCUR ":49"}},
    {"clang.try_count_locked_print_race.sym1.txt", 0,
     {"read 4 T1 " TCLP ":39", "write 4 T3 " TCLP ":36"}, {0}, "'count'",
     {"T1 " TCLP ":49", "T3 " TCLP ":49"}},
    {"clang.stop_flag_plain_race.sym1.txt", 0,
     {"write 1 T0 " SFPR ":49", "read 1 T1 " SFPR ":33"}, {0}, "'stop_flag'",
     {"T1 " SFPR ":45"}},
};

static const race_exp gcc_cases[] = {
    {"gcc.counter_unlocked_yield_race.sym1.txt", 0,
     {"read 4 T2 " CUYR ":33", "write 4 T1 " CUYR ":35"}, {0}, "'counter'",
     {"T2 " CUYR ":46", "T1 " CUYR ":46"}},
    {"gcc.counter_unlocked_yield_race.sym1.run2.txt", 0,
     {"write 4 T1 " CUYR ":35", "read 4 T2 " CUYR ":33"}, {0}, "'counter'",
     {"T1 " CUYR ":46", "T2 " CUYR ":46"}},
    {"gcc.try_count_unlocked_race.sym1.txt", 0,
     {"read 4 T2 " TCUR ":37", "write 4 T1 " TCUR ":37"}, {0}, "'count'",
     {"T2 " TCUR ":49", "T1 " TCUR ":49"}},
    {"gcc.try_count_locked_print_race.sym1.txt", 0,
     {"read 4 T1 " TCLP ":39", "write 4 T3 " TCLP ":36"}, {0}, "'count'",
     {"T1 " TCLP ":49", "T3 " TCLP ":49"}},
    {"gcc.stop_flag_plain_race.sym1.txt", 0,
     {"write 1 T0 " SFPR ":49", "read 1 T1 " SFPR ":33"}, {0}, "'stop_flag'",
     {"T1 " SFPR ":45"}},
};

/* counter_class_increment_race: `struct counter c` is a local variable of main. */
static const race_exp stack_races[] = {
    {"clang.counter_class_increment_race.sym1.txt", 0,
     {"write 4 T2 " CCIR ":37", "write 4 T1 " CCIR ":37"}, {0}, "stack of main thread",
     {"T2 " CCIR ":49", "T1 " CCIR ":48"}},
    {"clang.counter_class_increment_race.sym1.run2.txt", 0,
     {"write 4 T2 " CCIR ":37", "write 4 T1 " CCIR ":37"}, {0}, "stack of main thread",
     {"T2 " CCIR ":49", "T1 " CCIR ":48"}},
    {"gcc.counter_class_increment_race.sym1.txt", 0,
     {"read 4 T2 " CCIR ":37", "write 4 T1 " CCIR ":37"}, {0}, "stack of main thread",
     {"T2 " CCIR ":49", "T1 " CCIR ":48"}},
    {"gcc.counter_class_increment_race.sym1.run2.txt", 0,
     {"read 4 T2 " CCIR ":37", "write 4 T1 " CCIR ":37"}, {0}, "stack of main thread",
     {"T2 " CCIR ":49", "T1 " CCIR ":48"}},
};

static const race_exp heap_races[] = {
    {"clang.heap_race.sym1.txt", 0, {"read 4 T2 heap_race.c:40", "write 4 T1 heap_race.c:31"},
     {0}, "heap block of size 40", {"T2 heap_race.c:52", "T1 heap_race.c:51"}},
    {"clang.heap_race.sym1.run2.txt", 0, {"read 4 T2 heap_race.c:40", "write 4 T1 heap_race.c:31"},
     {0}, "heap block of size 40", {"T2 heap_race.c:52", "T1 heap_race.c:51"}},
    {"clang.heap_race.spin.sym1.txt", 0, {"read 4 T2 heap_race.c:40", "write 4 T1 heap_race.c:31"},
     {0}, "heap block of size 40", {"T2 heap_race.c:52", "T1 heap_race.c:51"}},
    {"gcc.heap_race.sym1.txt", 0, {"read 4 T2 heap_race.c:40", "write 4 T1 heap_race.c:31"},
     {0}, "heap block of size 40", {"T2 heap_race.c:52", "T1 heap_race.c:51"}},
    {"gcc.heap_race.sym1.run2.txt", 0, {"read 4 T2 heap_race.c:40", "write 4 T1 heap_race.c:31"},
     {0}, "heap block of size 40", {"T2 heap_race.c:52", "T1 heap_race.c:51"}},
    {"gcc.heap_race.spin.sym1.txt", 0, {"read 4 T2 heap_race.c:40", "write 4 T1 heap_race.c:31"},
     {0}, "heap block of size 40", {"T2 heap_race.c:52", "T1 heap_race.c:51"}},
};

/* std::thread's creation stacks hold no frame of main (libstdc++ is not instrumented). */
static const race_exp cxx_races[] = {
    {"clang.cxx_race.sym1.txt", 0, {"read 4 T2 cxx_race.cc:18", "write 4 T1 cxx_race.cc:17"},
     {"cxx_race.cc:18 < cxx_race.cc:36", "cxx_race.cc:17 < cxx_race.cc:33"},
     "heap block of size 32", {"T2 -", "T1 -"}},
    {"clang.cxx_race.sym1.txt", 1, {"write 8 T2 cxx_race.cc:24", "write 8 T1 cxx_race.cc:24"},
     {"cxx_race.cc:24 < cxx_race.cc:37", "cxx_race.cc:24 < cxx_race.cc:33"}, "'account'",
     {"T2 -", "T1 -"}},
    {"gcc.cxx_race.sym1.txt", 0, {"read 4 T2 cxx_race.cc:18", "write 4 T1 cxx_race.cc:17"},
     {"cxx_race.cc:18 < cxx_race.cc:36", "cxx_race.cc:17 < cxx_race.cc:33"},
     "heap block of size 32", {"T2 -", "T1 -"}},
    {"gcc.cxx_race.sym1.txt", 1, {"read 8 T2 cxx_race.cc:24", "write 8 T1 cxx_race.cc:24"},
     {"cxx_race.cc:24 < cxx_race.cc:37", "cxx_race.cc:24 < cxx_race.cc:33"}, "'account'",
     {"T2 -", "T1 -"}},
};

/* record_hit() (inline_race.h:10) is inlined into early() (line 16) and late() (line 24). */
static const race_exp inline_races[] = {
    {"clang.inline_race.sym1.txt", 0, {"write 8 T2 inline_race.h:10", "write 8 T1 inline_race.h:10"},
     {"inline_race.h:10 < inline_race.c:24", "inline_race.h:10 < inline_race.c:16"}, "'hits'",
     {"T2 inline_race.c:32", "T1 inline_race.c:31"}},
    {"clang.inline_race.sym1.run2.txt", 0,
     {"write 8 T2 inline_race.h:10", "write 8 T1 inline_race.h:10"},
     {"inline_race.h:10 < inline_race.c:24", "inline_race.h:10 < inline_race.c:16"}, "'hits'",
     {"T2 inline_race.c:32", "T1 inline_race.c:31"}},
    {"gcc.inline_race.sym1.txt", 0, {"read 8 T2 inline_race.h:10", "write 8 T1 inline_race.h:10"},
     {"inline_race.h:10 < inline_race.c:24", "inline_race.h:10 < inline_race.c:16"}, "'hits'",
     {"T2 inline_race.c:32", "T1 inline_race.c:31"}},
    {"gcc.inline_race.sym1.run2.txt", 0,
     {"read 8 T2 inline_race.h:10", "write 8 T1 inline_race.h:10"},
     {"inline_race.h:10 < inline_race.c:24", "inline_race.h:10 < inline_race.c:16"}, "'hits'",
     {"T2 inline_race.c:32", "T1 inline_race.c:31"}},
};

static const race_exp inversion_races[] = {
    {"clang.lock_inversion.sym1.txt", 0,
     {"write 4 T1 lock_inversion.c:17", "read 4 T0 lock_inversion.c:33"}, {0}, "'shared'",
     {"T1 lock_inversion.c:32"}},
    {"gcc.lock_inversion.sym1.txt", 0,
     {"read 4 T0 lock_inversion.c:33", "write 4 T1 lock_inversion.c:17"}, {0}, "'shared'",
     {"T1 lock_inversion.c:32"}},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* What check_race() looks at. */
enum { ACCESSES = 1, VARIABLE = 2, CREATED = 4, ALL = 7 };

/* Checks one symbolized data race against its expectation. */
static void check_race_parts(const race_exp *e, int what)
{
    lst_report r;
    parse_fixture(e->fixture, &r);
    lst_finding *f = nth(&r, LST_KIND_DATA_RACE, e->index);
    CHECK(f, "%s: no data race #%d among %zu findings", e->fixture, e->index, r.nfindings);
    if (!f) {
        lst_report_free(&r);
        return;
    }
    int before = failures;
    char buf[1024], site[256];
    CHECK(f->naccesses == 2, "%s: %zu accesses, want 2", e->fixture, f->naccesses);
    for (size_t i = 0; (what & ACCESSES) && i < 2 && i < f->naccesses; i++) {
        CHECK(strcmp(access_desc(f, i, buf, sizeof buf), e->acc[i]) == 0,
              "%s: access %zu is '%s', want '%s'", e->fixture, i, buf, e->acc[i]);
        const lst_stack *s = stack_at(f, f->accesses[i].stack);
        CHECK(s && strcmp(s->role, f->accesses[i].type) == 0, "%s: access %zu's stack role",
              e->fixture, i);
        if (e->chain[i])
            CHECK(strncmp(chain(s, buf, sizeof buf), e->chain[i], strlen(e->chain[i])) == 0,
                  "%s: access %zu's project frames are [%s], want [%s ...]", e->fixture, i, buf,
                  e->chain[i]);
        /* the message names both sites */
        site_k(s, 0, site, sizeof site);
        CHECK(site[0] && f->message && strstr(f->message, site),
              "%s: message '%s' does not name %s", e->fixture, f->message ? f->message : "",
              site);
    }
    if (what & VARIABLE)
        CHECK(f->variable && strstr(f->variable, e->variable),
              "%s: variable '%s', want '%s' in it", e->fixture,
              f->variable ? f->variable : "(none)", e->variable);
    for (size_t k = 0; (what & CREATED) && k < N(e->created) && e->created[k]; k++) {
        int tid = atoi(e->created[k] + 1);
        const char *want = strchr(e->created[k], ' ') + 1;
        int ti = lst_finding_thread_index(f, tid);
        CHECK(ti >= 0, "%s: thread T%d is not in the finding", e->fixture, tid);
        if (ti < 0)
            continue;
        const lst_stack *s = stack_at(f, f->threads[ti].created);
        CHECK(s && strcmp(s->role, "created") == 0 && s->nframes > 0,
              "%s: thread T%d has no creation stack", e->fixture, tid);
        if (!s)
            continue;
        site_k(s, 0, site, sizeof site);
        if (strcmp(want, "-") == 0)
            CHECK(site[0] == 0, "%s: T%d created at %s, want no project frame", e->fixture, tid,
                  site);
        else
            CHECK(strcmp(site, want) == 0, "%s: T%d created at '%s', want '%s'", e->fixture, tid,
                  site, want);
    }
    /* every accessing thread other than main has a creation stack */
    for (size_t i = 0; (what & CREATED) && i < f->naccesses; i++) {
        int ti = lst_finding_thread_index(f, f->accesses[i].thread);
        CHECK(f->accesses[i].thread == 0 || (ti >= 0 && f->threads[ti].created >= 0),
              "%s: access %zu's thread T%d has no creation stack", e->fixture, i,
              f->accesses[i].thread);
    }
    if (failures != before)
        dump_finding(f);
    lst_report_free(&r);
}

static void check_race(const race_exp *e)
{
    check_race_parts(e, ALL);
}

static void check_races(const race_exp *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        check_race(&e[i]);
}

/* --- tests: the parser on symbolized logs ------------------------------------------------------ */

static void t_clang_races(void)
{
    check_races(clang_cases, N(clang_cases));
}

static void t_gcc_races(void)
{
    check_races(gcc_cases, N(gcc_cases));
}

/* try_count_locked_print_race: the write is under the mutex, the print's read is not. */
static void t_unlocked_read_in_print(void)
{
    static const char *const fx[] = {"clang.try_count_locked_print_race.sym1.txt",
                                     "gcc.try_count_locked_print_race.sym1.txt"};
    for (size_t k = 0; k < N(fx); k++) {
        lst_report r;
        parse_fixture(fx[k], &r);
        lst_finding *f = nth(&r, LST_KIND_DATA_RACE, 0);
        CHECK(f && f->naccesses == 2, "%s: no data race with two accesses", fx[k]);
        if (f && f->naccesses == 2) {
            char site[256];
            int rd = strcmp(f->accesses[0].type, "read") == 0 ? 0 : 1;
            CHECK(strcmp(f->accesses[rd].type, "read") == 0 &&
                      strcmp(f->accesses[1 - rd].type, "write") == 0,
                  "%s: want one read and one write", fx[k]);
            CHECK(strcmp(site_k(stack_at(f, f->accesses[rd].stack), 0, site, sizeof site),
                         TCLP ":39") == 0,
                  "%s: the read is at '%s', want the print at " TCLP ":39", fx[k], site);
            CHECK(strcmp(site_k(stack_at(f, f->accesses[1 - rd].stack), 0, site, sizeof site),
                         TCLP ":36") == 0,
                  "%s: the write is at '%s', want " TCLP ":36", fx[k], site);
            /* the write's "(mutexes: write M0)" comes with the mutex's creation stack */
            CHECK(find_stack(f, "mutex", TCLP ":35"),
                  "%s: no mutex stack at " TCLP ":35 (pthread_mutex_lock)", fx[k]);
        }
        lst_report_free(&r);
    }
    check_race(&clang_cases[3]);
    check_race(&gcc_cases[3]);
}

static void t_main_stack_variable(void)
{
    check_races(stack_races, N(stack_races));
}

static void t_heap_block(void)
{
    check_races(heap_races, N(heap_races));
    static const char *const fx[] = {"clang.heap_race.sym1.txt", "gcc.heap_race.sym1.txt"};
    for (size_t k = 0; k < N(fx); k++) {
        lst_report r;
        parse_fixture(fx[k], &r);
        lst_finding *f = nth(&r, LST_KIND_DATA_RACE, 0);
        const lst_stack *a = f ? find_stack(f, "alloc", "heap_race.c:46") : NULL;
        CHECK(a, "%s: no allocation stack at heap_race.c:46", fx[k]);
        if (a) {
            CHECK(a->thread == 0, "%s: allocated by T%d, want main", fx[k], a->thread);
            CHECK(a->nframes >= 2 && a->frames[0].function &&
                      strcmp(a->frames[0].function, "calloc") == 0,
                  "%s: allocation frame 0 is not calloc", fx[k]);
        }
        lst_report_free(&r);
    }
}

static int has_function(const lst_stack *s, const char *fn)
{
    for (size_t i = 0; s && i < s->nframes; i++)
        if (s->frames[i].function && strcmp(s->frames[i].function, fn) == 0)
            return 1;
    return 0;
}

static void t_cxx_names(void)
{
    check_races(cxx_races, N(cxx_races));
    static const char *const fx[] = {"clang.cxx_race.sym1.txt", "gcc.cxx_race.sym1.txt"};
    for (size_t k = 0; k < N(fx); k++) {
        lst_report r;
        parse_fixture(fx[k], &r);
        CHECK(count_kind(&r, LST_KIND_DATA_RACE) == 2, "%s: %d data races, want 2", fx[k],
              count_kind(&r, LST_KIND_DATA_RACE));
        lst_finding *f = nth(&r, LST_KIND_DATA_RACE, 0), *g = nth(&r, LST_KIND_DATA_RACE, 1);
        if (f && f->naccesses == 2) {
            const lst_stack *rd = stack_at(f, f->accesses[0].stack);
            const lst_stack *wr = stack_at(f, f->accesses[1].stack);
            CHECK(rd && rd->nframes && rd->frames[0].function &&
                      strcmp(rd->frames[0].function, "Shelf<int>::peek(int) const") == 0,
                  "%s: read frame 0 is '%s'", fx[k],
                  rd && rd->nframes && rd->frames[0].function ? rd->frames[0].function : "");
            CHECK(wr && wr->nframes && wr->frames[0].function &&
                      strcmp(wr->frames[0].function, "Shelf<int>::put(int, int)") == 0,
                  "%s: write frame 0 is '%s'", fx[k],
                  wr && wr->nframes && wr->frames[0].function ? wr->frames[0].function : "");
            CHECK(f->message && strstr(f->message, "cxx_race.cc:18 (Shelf<int>::peek(int) const)"),
                  "%s: message '%s'", fx[k], f->message ? f->message : "");
            const lst_stack *a = find_stack(f, "alloc", "cxx_race.cc:16 < cxx_race.cc:32");
            CHECK(a && has_function(a, "operator new(unsigned long)") &&
                      has_function(a, "std::vector<int, std::allocator<int> >::vector(unsigned "
                                      "long, std::allocator<int> const&)"),
                  "%s: the allocation stack lacks operator new / std::vector<int, ...>::vector",
                  fx[k]);
            int ti = lst_finding_thread_index(f, 1);
            const lst_stack *c = ti >= 0 ? stack_at(f, f->threads[ti].created) : NULL;
            CHECK(c && has_function(c, "std::thread::_M_start_thread(std::unique_ptr<std::thread::"
                                       "_State, std::default_delete<std::thread::_State> >, void "
                                       "(*)())"),
                  "%s: T1's creation stack lacks std::thread::_M_start_thread(...)", fx[k]);
            for (size_t i = 0; c && i < c->nframes; i++)
                if (c->frames[i].function && strstr(c->frames[i].function, "_M_start_thread"))
                    CHECK(c->frames[i].file == NULL && c->frames[i].module &&
                              strcmp(c->frames[i].module, "libstdc++.so.6") == 0,
                          "%s: _M_start_thread frame: file '%s' module '%s'", fx[k],
                          c->frames[i].file ? c->frames[i].file : "",
                          c->frames[i].module ? c->frames[i].module : "");
        }
        if (g && g->naccesses == 2) {
            const lst_stack *s = stack_at(g, g->accesses[0].stack);
            CHECK(s && s->nframes && s->frames[0].function &&
                      strcmp(s->frames[0].function, "ledger::Account::deposit(long)") == 0,
                  "%s: deposit frame 0 is '%s'", fx[k],
                  s && s->nframes && s->frames[0].function ? s->frames[0].function : "");
            /* the lambda: clang "main::$_1::operator()() const", gcc "operator()" */
            const char *lambda = k == 0 ? "main::$_1::operator()() const" : "operator()";
            CHECK(s && s->nframes > 1 && s->frames[1].function &&
                      strcmp(s->frames[1].function, lambda) == 0,
                  "%s: frame 1 is '%s', want '%s'", fx[k],
                  s && s->nframes > 1 && s->frames[1].function ? s->frames[1].function : "",
                  lambda);
        }
        lst_report_free(&r);
    }
}

static void t_inlined(void)
{
    check_races(inline_races, N(inline_races));
}

/* The creation stacks of every symbolized race: TSan's pthread_create interceptor on top,
 * then the user's call (or std::thread's). */
static void t_creation_stacks(void)
{
    const race_exp *sets[] = {clang_cases, gcc_cases, stack_races, heap_races, inline_races,
                              inversion_races};
    size_t sizes[] = {N(clang_cases), N(gcc_cases), N(stack_races), N(heap_races),
                      N(inline_races), N(inversion_races)};
    for (size_t s = 0; s < N(sets); s++)
        for (size_t i = 0; i < sizes[s]; i++) {
            const race_exp *e = &sets[s][i];
            check_race_parts(e, CREATED);
            lst_report r;
            parse_fixture(e->fixture, &r);
            lst_finding *f = nth(&r, LST_KIND_DATA_RACE, e->index);
            for (size_t t = 0; f && t < f->nthreads; t++) {
                const lst_stack *c = stack_at(f, f->threads[t].created);
                if (!c)
                    continue;
                CHECK(c->thread == f->threads[t].id, "%s: creation stack of T%d says T%d",
                      e->fixture, f->threads[t].id, c->thread);
                CHECK(c->nframes >= 2 && c->frames[0].function &&
                          strcmp(c->frames[0].function, "pthread_create") == 0,
                      "%s: T%d's creation stack does not start at pthread_create", e->fixture,
                      f->threads[t].id);
            }
            lst_report_free(&r);
        }
}

static void t_thread_leak(void)
{
    static const char *const fx[] = {"clang.thread_leak.sym1.txt", "gcc.thread_leak.sym1.txt"};
    for (size_t k = 0; k < N(fx); k++) {
        lst_report r;
        int n = parse_fixture(fx[k], &r);
        CHECK(n == 2 && count_kind(&r, LST_KIND_THREAD_LEAK) == 2,
              "%s: %d reports, %d thread leaks, want 2", fx[k], n,
              count_kind(&r, LST_KIND_THREAD_LEAK));
        for (int i = 0; i < 2; i++) {
            lst_finding *f = nth(&r, LST_KIND_THREAD_LEAK, i);
            if (!f)
                continue;
            int before = failures;
            char want[64], site[256];
            snprintf(want, sizeof want, "thread_leak.c:%d", 17 + i);
            int ti = lst_finding_thread_index(f, i + 1);
            const lst_stack *c = ti >= 0 ? stack_at(f, f->threads[ti].created) : NULL;
            CHECK(c, "%s: leak %d: T%d has no creation stack", fx[k], i, i + 1);
            CHECK(strcmp(site_k(c, 0, site, sizeof site), want) == 0,
                  "%s: leak %d: created at '%s', want %s", fx[k], i, site, want);
            CHECK(f->message && strstr(f->message, want), "%s: leak %d: message '%s' lacks %s",
                  fx[k], i, f->message ? f->message : "", want);
            if (failures != before)
                dump_finding(f);
        }
        lst_report_free(&r);
    }
}

static void t_unlock_unlocked(void)
{
    static const char *const fx[] = {"clang.unlock_unlocked.sym1.txt",
                                     "gcc.unlock_unlocked.sym1.txt"};
    for (size_t k = 0; k < N(fx); k++) {
        lst_report r;
        parse_fixture(fx[k], &r);
        lst_finding *f = nth(&r, LST_KIND_LOCK_MISUSE, 0);
        CHECK(f && r.nfindings == 1, "%s: want one lock-misuse finding", fx[k]);
        if (!f) {
            lst_report_free(&r);
            continue;
        }
        int before = failures;
        /* the stack of the bad unlock: release() at line 12, called from main at line 19 */
        const lst_stack *u = find_stack(f, NULL, "unlock_unlocked.c:12 < unlock_unlocked.c:19");
        CHECK(u, "%s: no stack of the unlock (unlock_unlocked.c:12 < unlock_unlocked.c:19)", fx[k]);
        CHECK(u && u->nframes && u->frames[0].function &&
                  strcmp(u->frames[0].function, "pthread_mutex_unlock") == 0,
              "%s: the unlock stack does not start at pthread_mutex_unlock", fx[k]);
        CHECK(find_stack(f, "mutex", "unlock_unlocked.c:17"),
              "%s: no mutex creation stack at unlock_unlocked.c:17", fx[k]);
        CHECK(f->variable && strstr(f->variable, "'guard'"), "%s: variable '%s'", fx[k],
              f->variable ? f->variable : "(none)");
        CHECK(f->message && strstr(f->message, "unlock_unlocked.c:12"),
              "%s: message '%s' does not name the unlock at unlock_unlocked.c:12", fx[k],
              f->message ? f->message : "");
        if (failures != before)
            dump_finding(f);
        lst_report_free(&r);
    }
}

static void t_signal_unsafe(void)
{
    static const char *const fx[] = {"clang.signal_unsafe.sym1.txt", "gcc.signal_unsafe.sym1.txt"};
    for (size_t k = 0; k < N(fx); k++) {
        lst_report r;
        parse_fixture(fx[k], &r);
        lst_finding *f = nth(&r, LST_KIND_SIGNAL_UNSAFE, 0);
        CHECK(f && r.nfindings == 1, "%s: want one signal-unsafe-call finding", fx[k]);
        if (!f) {
            lst_report_free(&r);
            continue;
        }
        int before = failures;
        const lst_stack *s = find_stack(f, NULL, "signal_unsafe.c:18 < signal_unsafe.c:28");
        CHECK(s, "%s: no stack of the call (signal_unsafe.c:18 in the handler < :28 in main)",
              fx[k]);
        CHECK(s && s->nframes && s->frames[0].function &&
                  strcmp(s->frames[0].function, "malloc") == 0,
              "%s: the stack does not start at malloc", fx[k]);
        CHECK(f->message && strstr(f->message, "signal_unsafe.c:18"),
              "%s: message '%s' does not name signal_unsafe.c:18", fx[k],
              f->message ? f->message : "");
        if (failures != before)
            dump_finding(f);
        lst_report_free(&r);
    }
}

/* --- tests: unsymbolized logs ------------------------------------------------------------------- */

static const char *const progs[] = {
    "counter_unlocked_yield_race", "counter_class_increment_race", "try_count_unlocked_race",
    "try_count_locked_print_race", "stop_flag_plain_race", "heap_race", "cxx_race",
    "thread_leak", "unlock_unlocked", "signal_unsafe", "inline_race", "lock_inversion"};
static const char *const compilers[] = {"clang", "gcc"};

/* Sorted "type size module+0xoff" of the accesses' frame 0, for comparing two logs. */
static void access_keys(const lst_finding *f, char *buf, size_t n)
{
    char k[2][256] = {"", ""};
    for (size_t i = 0; i < f->naccesses && i < 2; i++) {
        const lst_stack *s = stack_at(f, f->accesses[i].stack);
        const lst_frame *fr = s && s->nframes ? &s->frames[0] : NULL;
        snprintf(k[i], sizeof k[i], "%s %d %s+0x%llx", f->accesses[i].type, f->accesses[i].size,
                 fr && fr->module ? base_name(fr->module) : "?",
                 fr ? (unsigned long long)fr->pc : 0ULL);
    }
    int swap = strcmp(k[0], k[1]) > 0;
    snprintf(buf, n, "%s | %s", k[swap], k[1 - swap]);
}

static void t_unsymbolized(void)
{
    for (size_t c = 0; c < N(compilers); c++)
        for (size_t p = 0; p < N(progs); p++) {
            char n0[256], n1[256], mod[256];
            snprintf(n0, sizeof n0, "%s.%s.sym0.txt", compilers[c], progs[p]);
            snprintf(n1, sizeof n1, "%s.%s.sym1.txt", compilers[c], progs[p]);
            snprintf(mod, sizeof mod, "%s.tsan", progs[p]);
            lst_report r0, r1;
            int k0 = parse_fixture(n0, &r0), k1 = parse_fixture(n1, &r1);
            CHECK(k0 == k1 && k0 > 0 && r0.nfindings == r1.nfindings,
                  "%s: %d findings, %s has %d", n0, k0, n1, k1);
            for (size_t i = 0; i < r0.nfindings && i < r1.nfindings; i++) {
                lst_finding *f = &r0.findings[i], *g = &r1.findings[i];
                CHECK(f->kind == g->kind, "%s: finding %zu is %s, want %s", n0, i,
                      lst_kind_name(f->kind), lst_kind_name(g->kind));
                for (size_t s = 0; s < f->nstacks; s++)
                    for (size_t j = 0; j < f->stacks[s].nframes; j++) {
                        const lst_frame *fr = &f->stacks[s].frames[j];
                        CHECK(!fr->function && !fr->file && fr->line == 0 && fr->module,
                              "%s: stack %zu frame %zu is not a bare module+offset", n0, s, j);
                    }
                if (f->kind != LST_KIND_DATA_RACE)
                    continue;
                char a0[600], a1[600];
                access_keys(f, a0, sizeof a0);
                access_keys(g, a1, sizeof a1);
                CHECK(strcmp(a0, a1) == 0, "%s: accesses [%s], symbolized log has [%s]", n0, a0,
                      a1);
                CHECK(strstr(a0, mod), "%s: access frames are not in %s: [%s]", n0, mod, a0);
                /* a global is kept as module+offset for lst_ctx_resolve() */
                if (g->variable && strstr(g->variable, "global '") &&
                    !strstr(g->variable, "'?\?'") && !strstr(g->variable, "'<null>'")) {
                    char want[300];
                    snprintf(want, sizeof want, "global@%s+0x", mod);
                    CHECK(f->variable && strncmp(f->variable, want, strlen(want)) == 0,
                          "%s: variable '%s', want '%s...'", n0,
                          f->variable ? f->variable : "(none)", want);
                }
            }
            lst_report_free(&r0);
            lst_report_free(&r1);
        }
}

/* The logs TSan wrote under `lockstep run`: unsymbolized, with the shim's thread trampoline
 * below the thread's function. */
static void t_under_lockstep(void)
{
    for (size_t c = 0; c < N(compilers); c++)
        for (size_t p = 0; p < 5; p++) {
            char name[256], mod[256];
            snprintf(name, sizeof name, "%s.%s.lockstep.txt", compilers[c], progs[p]);
            snprintf(mod, sizeof mod, "%s.tsan", progs[p]);
            lst_report r;
            parse_fixture(name, &r);
            lst_finding *f = nth(&r, LST_KIND_DATA_RACE, 0);
            CHECK(f && r.nfindings == 1 && f->naccesses == 2, "%s: want one data race", name);
            for (size_t i = 0; f && i < f->naccesses; i++) {
                const lst_stack *s = stack_at(f, f->accesses[i].stack);
                CHECK(s && s->nframes >= 1 && s->frames[0].module &&
                          strcmp(s->frames[0].module, mod) == 0,
                      "%s: access %zu frame 0 is not in %s", name, i, mod);
                int shim = 0;
                for (size_t j = 0; s && j < s->nframes; j++)
                    shim |= s->frames[j].module && !strcmp(s->frames[j].module, "liblockstep.so");
                CHECK(shim || f->accesses[i].thread == 0,
                      "%s: access %zu of T%d has no liblockstep.so frame", name, i,
                      f->accesses[i].thread);
            }
            lst_report_free(&r);
        }
}

static void t_skips_lock_order(void)
{
    for (size_t c = 0; c < N(compilers); c++)
        for (int sym = 0; sym < 2; sym++) {
            char name[256];
            snprintf(name, sizeof name, "%s.lock_inversion.sym%d.txt", compilers[c], sym);
            size_t len;
            char *text = fixture(name, &len);
            CHECK(strstr(text, "lock-order-inversion"), "%s: no lock-order report in it", name);
            free(text);
            lst_report r;
            int n = parse_fixture(name, &r);
            CHECK(n == 1 && r.nfindings == 1 && r.findings[0].kind == LST_KIND_DATA_RACE,
                  "%s: %d findings (want only the data race)", name, n);
            lst_report_free(&r);
        }
    check_races(inversion_races, N(inversion_races));
}

/* --- tests: fingerprints ------------------------------------------------------------------------ */

static void same_fingerprints(const char *a, const char *b)
{
    lst_report ra, rb;
    parse_fixture(a, &ra);
    parse_fixture(b, &rb);
    CHECK(ra.nfindings == rb.nfindings && ra.nfindings > 0, "%s: %zu findings, %s: %zu", a,
          ra.nfindings, b, rb.nfindings);
    for (size_t i = 0; i < ra.nfindings && i < rb.nfindings; i++) {
        int before = failures;
        CHECK(strcmp(ra.findings[i].fingerprint, rb.findings[i].fingerprint) == 0,
              "finding %zu: fingerprint %s in %s, %s in %s", i, ra.findings[i].fingerprint, a,
              rb.findings[i].fingerprint, b);
        if (failures != before) {
            dump_finding(&ra.findings[i]);
            dump_finding(&rb.findings[i]);
        }
    }
    lst_report_free(&ra);
    lst_report_free(&rb);
}

static void t_fp_seen_twice(void)
{
    static const char *const twice[] = {"counter_unlocked_yield_race", "counter_class_increment_race",
                                        "heap_race", "inline_race", "cxx_race"};
    for (size_t c = 0; c < N(compilers); c++)
        for (size_t p = 0; p < N(twice); p++) {
            char a[256], b[256];
            snprintf(a, sizeof a, "%s.%s.sym1.txt", compilers[c], twice[p]);
            snprintf(b, sizeof b, "%s.%s.sym1.run2.txt", compilers[c], twice[p]);
            same_fingerprints(a, b);
        }
}

/* "As if synchronized via sleep" depends on timing; the race is the same without it. */
static void t_fp_sleep_section(void)
{
    for (size_t c = 0; c < N(compilers); c++) {
        char a[256], b[256];
        snprintf(a, sizeof a, "%s.heap_race.sym1.txt", compilers[c]);
        snprintf(b, sizeof b, "%s.heap_race.spin.sym1.txt", compilers[c]);
        same_fingerprints(a, b);
    }
}

static void t_fp_leak_sites(void)
{
    for (size_t c = 0; c < N(compilers); c++) {
        char name[256];
        snprintf(name, sizeof name, "%s.thread_leak.sym1.txt", compilers[c]);
        lst_report r;
        parse_fixture(name, &r);
        lst_finding *a = nth(&r, LST_KIND_THREAD_LEAK, 0), *b = nth(&r, LST_KIND_THREAD_LEAK, 1);
        CHECK(a && b, "%s: want two thread leaks", name);
        if (a && b) {
            CHECK(strcmp(a->fingerprint, b->fingerprint) != 0,
                  "%s: leaks created at thread_leak.c:17 and :18 share fingerprint %s, so "
                  "lst_report_dedupe() merges them",
                  name, a->fingerprint);
            lst_report_dedupe(&r);
            CHECK(count_kind(&r, LST_KIND_THREAD_LEAK) == 2,
                  "%s: %d thread leaks after dedupe, want 2", name,
                  count_kind(&r, LST_KIND_THREAD_LEAK));
        }
        lst_report_free(&r);
    }
}

/* --- resolving symbolize=0 logs against the build tree's binaries ----------------------------- */

/* The ELF build id of path as hex, in buf; "" when there is none. */
static const char *elf_build_id(const char *path, char *buf, size_t n)
{
    buf[0] = 0;
    size_t len;
    char *img = slurp(path, &len);
    if (!img)
        return buf;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
    if (len < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shoff == 0 ||
        eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > len) {
        free(img);
        return buf;
    }
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum && !buf[0]; i++) {
        if (sh[i].sh_type != SHT_NOTE || sh[i].sh_offset + sh[i].sh_size > len)
            continue;
        const char *p = img + sh[i].sh_offset, *end = p + sh[i].sh_size;
        while (p + sizeof(Elf64_Nhdr) <= end) {
            const Elf64_Nhdr *nh = (const Elf64_Nhdr *)p;
            const char *name = p + sizeof *nh;
            const unsigned char *desc =
                (const unsigned char *)name + ((nh->n_namesz + 3) & ~3U);
            if ((const char *)desc + nh->n_descsz > end)
                break;
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && !memcmp(name, "GNU", 4)) {
                for (unsigned j = 0; j < nh->n_descsz && 2 * j + 2 < n; j++)
                    snprintf(buf + 2 * j, 3, "%02x", desc[j]);
                break;
            }
            p = (const char *)desc + ((nh->n_descsz + 3) & ~3U);
        }
    }
    free(img);
    return buf;
}

/* 1 when BIN_DIR/<compiler>/<prog>.tsan is the binary listed in fixtures/BUILD-IDS. */
static int binary_matches(const char *compiler, const char *prog, char *path, size_t n)
{
    snprintf(path, n, "%s/%s/%s.tsan", bin_dir, compiler, prog);
    char ids[4096], key[512], want[128] = "", have[128];
    snprintf(ids, sizeof ids, "%s/BUILD-IDS", fix_dir);
    snprintf(key, sizeof key, "tests/tsan/%s/%s.tsan", compiler, prog);
    FILE *f = fopen(ids, "r");
    char line[1024];
    while (f && fgets(line, sizeof line, f)) {
        char k[512], v[128];
        if (sscanf(line, "%511s %127s", k, v) == 2 && strcmp(k, key) == 0)
            snprintf(want, sizeof want, "%s", v);
    }
    if (f)
        fclose(f);
    elf_build_id(path, have, sizeof have);
    if (!want[0] || strcmp(want, have) != 0) {
        fprintf(stderr, "note: %s has build id '%s', the fixtures came from '%s'\n", path, have,
                want);
        return 0;
    }
    return 1;
}

static int find_lib(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    char **want = data; /* want[0]: base name to look for, want[1]: result */
    const char *b = base_name(info->dlpi_name);
    if (info->dlpi_name[0] && strcmp(b, want[0]) == 0 && !want[1])
        want[1] = strdup(info->dlpi_name);
    return 0;
}

/* Path of a library: loaded in this process, or next to libc. */
static char *lib_path(const char *base)
{
    char *want[2] = {(char *)base, NULL};
    dl_iterate_phdr(find_lib, want);
    if (want[1])
        return want[1];
    char *libc[2] = {(char *)"libc.so.6", NULL};
    dl_iterate_phdr(find_lib, libc);
    if (!libc[1])
        return NULL;
    char *slash = strrchr(libc[1], '/');
    char *p = NULL;
    if (slash && asprintf(&p, "%.*s/%s", (int)(slash - libc[1]), libc[1], base) < 0)
        p = NULL;
    free(libc[1]);
    struct stat st;
    if (p && stat(p, &st) != 0) {
        free(p);
        p = NULL;
    }
    return p;
}

/* A store holding only module records, as the shim would list them. TSan prints offsets from
 * each module's load bias, so any bias fits, as long as the modules do not overlap. */
static lst_store_hdr *fake_store(const char *const *paths, size_t n)
{
    lst_caps caps = {1, 1, 1, 1, 1, 1, 1, 1, 1, 16, 1, 1};
    lst_store_hdr proto;
    memset(&proto, 0, sizeof proto);
    lst_store_layout(&proto, &caps);
    lst_store_hdr *h = calloc(1, proto.size);
    if (!h)
        abort();
    memcpy(h, &proto, sizeof proto);
    uint32_t k = 0;
    for (size_t i = 0; i < n && k < caps.modules; i++) {
        if (!paths[i])
            continue;
        lst_module_rec *m = lst_st_module(h, k++);
        snprintf(m->path, sizeof m->path, "%s", paths[i]);
        m->bias = (uint64_t)k << 40;
        atomic_store(&m->valid, 1);
    }
    atomic_store(&h->nmodules, k);
    return h;
}

/* The parts of a race that do not depend on symbolization: "type size first-project-site"
 * of both accesses, sorted. */
static void stable_parts(const lst_finding *f, char *buf, size_t n)
{
    char k[2][300] = {"", ""}, site[256];
    for (size_t i = 0; i < f->naccesses && i < 2; i++)
        snprintf(k[i], sizeof k[i], "%s %d %s", f->accesses[i].type, f->accesses[i].size,
                 site_k(stack_at(f, f->accesses[i].stack), 0, site, sizeof site));
    int swap = strcmp(k[0], k[1]) > 0;
    snprintf(buf, n, "%s | %s", k[swap], k[1 - swap]);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "role: project frames" of every stack but the creation stacks, sorted, joined by "; ". */
static void stack_set(const lst_finding *f, char *buf, size_t n)
{
    char **items = calloc(f->nstacks + 1, sizeof *items), c[1024];
    size_t k = 0, used = 0;
    if (!items)
        abort();
    /* the roles that go into a fingerprint (finding.c): not the context of creation,
     * allocation, mutex creation or "synchronized via sleep" */
    for (size_t i = 0; i < f->nstacks; i++)
        if (strcmp(f->stacks[i].role, "created") != 0 && strcmp(f->stacks[i].role, "alloc") != 0 &&
            strcmp(f->stacks[i].role, "mutex") != 0 && strcmp(f->stacks[i].role, "sleep") != 0 &&
            asprintf(&items[k], "%s: %s", f->stacks[i].role,
                     chain(&f->stacks[i], c, sizeof c)) > 0)
            k++;
    qsort(items, k, sizeof *items, cmp_str);
    buf[0] = 0;
    for (size_t i = 0; i < k; i++) {
        if (used + 1 < n)
            used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? "; " : "", items[i]);
        free(items[i]);
    }
    free(items);
}

/* The variable's quoted name ("'counter'"), or its text up to " of size"/" at ". */
static void variable_name(const lst_finding *f, char *buf, size_t n)
{
    const char *v = f->variable ? f->variable : "";
    const char *q = strchr(v, '\'');
    const char *q2 = q ? strchr(q + 1, '\'') : NULL;
    if (q && q2)
        snprintf(buf, n, "%.*s", (int)(q2 - q + 1), q);
    else
        snprintf(buf, n, "%.*s", (int)strcspn(v, "@"), v);
}

/* A resolved symbolize=0 log against TSan's own symbolization of the same race: the stable
 * parts (kind, access sites, variable name) must match, and so should the fingerprint. */
static void compare_resolved(const char *resolved_name, lst_report *r0, const char *sym1_name,
                             lst_report *r1)
{
    CHECK(r0->nfindings == r1->nfindings, "%s: %zu findings, %s: %zu", resolved_name,
          r0->nfindings, sym1_name, r1->nfindings);
    for (size_t i = 0; i < r0->nfindings && i < r1->nfindings; i++) {
        lst_finding *f = &r0->findings[i], *g = &r1->findings[i];
        int before = failures;
        char a[2048], b[2048];
        CHECK(f->kind == g->kind, "%s: finding %zu kind", resolved_name, i);
        stable_parts(f, a, sizeof a);
        stable_parts(g, b, sizeof b);
        CHECK(strcmp(a, b) == 0, "%s: finding %zu: accesses [%s], symbolized by TSan [%s]",
              resolved_name, i, a, b);
        variable_name(f, a, sizeof a);
        variable_name(g, b, sizeof b);
        CHECK(strcmp(a, b) == 0, "%s: finding %zu: variable name [%s], symbolized by TSan [%s]",
              resolved_name, i, a, b);
        int stable_ok = failures == before;
        /* what else goes into the fingerprint: the whole variable and every site */
        CHECK((!f->variable && !g->variable) ||
                  (f->variable && g->variable && strcmp(f->variable, g->variable) == 0),
              "%s: finding %zu: variable \"%s\", symbolized by TSan \"%s\"", resolved_name, i,
              f->variable ? f->variable : "(none)", g->variable ? g->variable : "(none)");
        stack_set(f, a, sizeof a);
        stack_set(g, b, sizeof b);
        CHECK(strcmp(a, b) == 0, "%s: finding %zu: stacks {%s}, symbolized by TSan {%s}",
              resolved_name, i, a, b);
        CHECK(strcmp(f->fingerprint, g->fingerprint) == 0,
              "%s: finding %zu: fingerprint %s, symbolized by TSan (%s) %s%s", resolved_name, i,
              f->fingerprint, sym1_name, g->fingerprint,
              stable_ok ? " (the stable parts agree)" : "");
        if (failures != before) {
            fprintf(stderr, "  resolved %s:\n", resolved_name);
            dump_finding(f);
            fprintf(stderr, "  %s:\n", sym1_name);
            dump_finding(g);
        }
    }
}

static int t_fp_symbolize(const char *compiler)
{
    char *libs[] = {lib_path("libc.so.6"), lib_path("libstdc++.so.6"), lib_path("libtsan.so.2")};
    int tested = 0;
    for (size_t p = 0; p < N(progs); p++) {
        char exe[4096];
        if (!binary_matches(compiler, progs[p], exe, sizeof exe))
            continue;
        const char *paths[] = {exe, libs[0], libs[1], libs[2]};
        lst_store_hdr *h = fake_store(paths, N(paths));
        char n1[256];
        snprintf(n1, sizeof n1, "%s.%s.sym1.txt", compiler, progs[p]);
        lst_report r1;
        parse_fixture(n1, &r1);
        for (int v = 0; v < 2; v++) {
            if (v == 1 && p >= 5)
                break; /* only the notes' cases were captured under lockstep */
            char n0[256];
            snprintf(n0, sizeof n0, "%s.%s.%s.txt", compiler, progs[p], v ? "lockstep" : "sym0");
            lst_report r0;
            parse_fixture(n0, &r0);
            lst_ctx ctx;
            lst_ctx_init(&ctx, h);
            for (size_t i = 0; i < r0.nfindings; i++) {
                lst_ctx_resolve(&ctx, &r0.findings[i]);
                lst_tsan_describe(&r0.findings[i]);
                lst_finding_fingerprint(&r0.findings[i]);
            }
            lst_ctx_free(&ctx);
            check_indices(&r0, n0);
            compare_resolved(n0, &r0, n1, &r1);
            lst_report_free(&r0);
            tested++;
        }
        lst_report_free(&r1);
        free(h);
    }
    for (size_t i = 0; i < N(libs); i++)
        free(libs[i]);
    if (!tested) {
        fprintf(stderr, "SKIP: no %s binary in %s matches fixtures/BUILD-IDS (rebuild, or "
                        "recapture with capture_fixtures.py)\n", compiler, bin_dir);
        return 77;
    }
    return 0;
}

/* --- tests: damaged input ----------------------------------------------------------------------- */

static const char *const all_fixture_suffixes[] = {"sym1.txt", "sym0.txt", "sym1.run2.txt",
                                                   "spin.sym1.txt", "lockstep.txt"};

/* Calls fn(text, len, name) for every fixture that exists. */
static void each_fixture(void (*fn)(const char *, size_t, const char *))
{
    for (size_t c = 0; c < N(compilers); c++)
        for (size_t p = 0; p < N(progs); p++)
            for (size_t s = 0; s < N(all_fixture_suffixes); s++) {
                char name[256], path[4096];
                snprintf(name, sizeof name, "%s.%s.%s", compilers[c], progs[p],
                         all_fixture_suffixes[s]);
                snprintf(path, sizeof path, "%s/%s", fix_dir, name);
                size_t len;
                char *text = slurp(path, &len);
                if (!text)
                    continue;
                fn(text, len, name);
                free(text);
            }
}

/* Parses a private copy of exactly len bytes (no terminator: an overread is a bug). */
static void parse_copy(const char *text, size_t len, const char *what)
{
    char *copy = malloc(len ? len : 1);
    if (!copy)
        abort();
    memcpy(copy, text, len);
    lst_report r;
    lst_report_init(&r);
    lst_tsan_parse(copy, len, &r, 0);
    for (size_t i = 0; i < r.nfindings; i++)
        lst_tsan_describe(&r.findings[i]);
    check_indices(&r, what);
    lst_report_free(&r);
    free(copy);
}

static unsigned cuts;

static void truncate_one(const char *text, size_t len, const char *name)
{
    char what[512];
    for (size_t cut = 0; cut <= len; cut += 50) {
        snprintf(what, sizeof what, "%s cut at %zu", name, cut);
        parse_copy(text, cut, what);
        /* and the tail: a log whose beginning is lost */
        snprintf(what, sizeof what, "%s from %zu", name, cut);
        parse_copy(text + cut, len - cut, what);
        cuts++;
    }
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void garble_one(const char *text, size_t len, const char *name)
{
    /* bytes that matter to the parser, and any byte at all */
    static const char special[] = "\n\r #():'+0x<>TM\0";
    char *copy = malloc(len + 1);
    char what[512];
    if (!copy)
        abort();
    for (int round = 0; round < 200 && len; round++) {
        memcpy(copy, text, len);
        int flips = 1 + (int)(next_rand() % 16);
        for (int i = 0; i < flips; i++) {
            size_t at = (size_t)(next_rand() % len);
            uint64_t x = next_rand();
            copy[at] = (x & 1) ? special[(x >> 1) % (sizeof special - 1)] : (char)(x >> 8);
        }
        snprintf(what, sizeof what, "%s garbled (round %d)", name, round);
        parse_copy(copy, len, what);
        cuts++;
    }
    free(copy);
}

static void t_truncated(void)
{
    each_fixture(truncate_one);
    CHECK(cuts > 100, "only %u cuts made: fixtures missing?", cuts);
}

static void t_garbled(void)
{
    each_fixture(garble_one);
    CHECK(cuts > 100, "only %u garbled copies: fixtures missing?", cuts);
}

/* --- tests: messages ---------------------------------------------------------------------------- */

static void describe_twice(const char *text, size_t len, const char *name)
{
    lst_report r;
    lst_report_init(&r);
    lst_tsan_parse(text, len, &r, 0);
    for (size_t i = 0; i < r.nfindings; i++) {
        lst_finding *f = &r.findings[i];
        char *first = strdup(f->message ? f->message : "");
        lst_tsan_describe(f); /* as the runner does after lst_ctx_resolve() */
        CHECK(f->message && strcmp(first, f->message) == 0,
              "%s: finding %zu (%s): message '%s' becomes '%s' when described again", name, i,
              lst_kind_name(f->kind), first, f->message ? f->message : "");
        free(first);
        cuts++;
    }
    lst_report_free(&r);
}

/* lst_tsan_describe() is called by the parser and again by the runner once the frames are
 * resolved (tsan_ingest.h): the second call must not stack a second site onto the first. */
static void t_describe_idempotent(void)
{
    each_fixture(describe_twice);
    CHECK(cuts > 50, "only %u findings described: fixtures missing?", cuts);
}

/* --- main --------------------------------------------------------------------------------------- */

static int run_clang_fp(void)
{
    return t_fp_symbolize("clang");
}

static int run_gcc_fp(void)
{
    return t_fp_symbolize("gcc");
}

static const struct {
    const char *name;
    void (*fn)(void);
    int (*fn_rc)(void);
} tests[] = {
    {"parser_reads_clang_race_with_both_accesses", t_clang_races, NULL},
    {"parser_reads_gcc_race_with_both_accesses", t_gcc_races, NULL},
    {"parser_reads_unlocked_read_in_print", t_unlocked_read_in_print, NULL},
    {"parser_reads_race_on_main_stack_variable", t_main_stack_variable, NULL},
    {"parser_reads_heap_block_and_its_allocation", t_heap_block, NULL},
    {"parser_reads_cxx_names_with_templates_and_spaces", t_cxx_names, NULL},
    {"parser_reads_inlined_frames", t_inlined, NULL},
    {"parser_reads_thread_creation_stacks", t_creation_stacks, NULL},
    {"parser_reads_thread_leak", t_thread_leak, NULL},
    {"parser_reads_unlock_of_unlocked_mutex", t_unlock_unlocked, NULL},
    {"parser_reads_signal_unsafe_call", t_signal_unsafe, NULL},
    {"parser_reads_unsymbolized_frames_as_module_offsets", t_unsymbolized, NULL},
    {"parser_reads_logs_written_under_lockstep", t_under_lockstep, NULL},
    {"parser_skips_lock_order_inversion", t_skips_lock_order, NULL},
    {"fingerprint_same_race_seen_twice", t_fp_seen_twice, NULL},
    {"fingerprint_ignores_as_if_synchronized_via_sleep", t_fp_sleep_section, NULL},
    {"fingerprint_distinguishes_thread_leak_sites", t_fp_leak_sites, NULL},
    {"fingerprint_same_across_symbolize_0_and_1_clang", NULL, run_clang_fp},
    {"fingerprint_same_across_symbolize_0_and_1_gcc", NULL, run_gcc_fp},
    {"describe_again_keeps_the_message", t_describe_idempotent, NULL},
    {"truncated_input_never_crashes", t_truncated, NULL},
    {"garbled_input_never_crashes", t_garbled, NULL},
};

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s TEST FIXTURES_DIR BIN_DIR\n", argv[0]);
        return 2;
    }
    fix_dir = argv[2];
    bin_dir = argv[3];
    for (size_t i = 0; i < N(tests); i++) {
        if (strcmp(argv[1], tests[i].name) != 0)
            continue;
        int rc = 0;
        if (tests[i].fn)
            tests[i].fn();
        else
            rc = tests[i].fn_rc();
        if (failures) {
            fprintf(stderr, "%s: %d check(s) failed\n", argv[1], failures);
            return 1;
        }
        if (rc == 0)
            printf("%s: ok\n", argv[1]);
        return rc;
    }
    fprintf(stderr, "unknown test %s\n", argv[1]);
    return 2;
}
