/* test_fingerprint.c: fingerprints are what users baseline and suppress findings by, so they
 * must depend on the defect's source sites only: not on pcs, addresses, pids, thread or lock
 * ids, install paths or the lock the cycle was found from, and they must survive report.json.
 * A pinned value catches an accidental change of the algorithm.
 * Usage: test_reports_fingerprint CASE. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixture.h"
#include "report.h"

/* The rich fixture's lock-order-cycle, as computed when the format was fixed. */
#define PINNED_CYCLE "b124ba7f53ecb8b3"

/* Shifts every pc, lock address and pid, as ASLR and another run would. */
static void relocate(lst_report *r, uint64_t delta)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        lst_finding *f = &r->findings[i];
        f->process += 1000;
        for (size_t j = 0; j < f->nlocks; j++)
            f->locks[j].addr += delta;
        for (size_t j = 0; j < f->nstacks; j++)
            for (size_t k = 0; k < f->stacks[j].nframes; k++)
                f->stacks[j].frames[k].pc += delta;
        lst_finding_fingerprint(f);
    }
}

static int case_stable(void)
{
    lst_report a, b;
    lst_fixture_rich(&a, "/home/alice/src/app");
    lst_fixture_rich(&b, "/build/ci/workspace"); /* another machine: other absolute paths */
    relocate(&b, 0x1000);
    for (size_t i = 0; i < a.nfindings; i++) {
        CHECKF(strlen(a.findings[i].fingerprint) == 16 &&
                   strspn(a.findings[i].fingerprint, "0123456789abcdef") == 16,
               "finding %zu: '%s'", i, a.findings[i].fingerprint);
        CHECKF(strcmp(a.findings[i].fingerprint, b.findings[i].fingerprint) == 0,
               "finding %zu: %s vs %s", i, a.findings[i].fingerprint, b.findings[i].fingerprint);
        for (size_t j = 0; j < i; j++)
            CHECKF(strcmp(a.findings[i].fingerprint, a.findings[j].fingerprint) != 0,
                   "findings %zu and %zu collide", i, j);
    }
    /* pinned: changing this value breaks every user's baseline and suppressions */
    CHECKF(strcmp(a.findings[0].fingerprint, PINNED_CYCLE) == 0, "cycle fingerprint is %s",
           a.findings[0].fingerprint);
    lst_report_free(&a);
    lst_report_free(&b);
    return 0;
}

static int case_line(void)
{
    lst_report a;
    lst_fixture_rich(&a, "/p");
    lst_finding *f = &a.findings[0];
    char before[17];
    memcpy(before, f->fingerprint, 17);
    f->stacks[1].frames[0].line = 25; /* lock_b requested one line lower */
    lst_finding_fingerprint(f);
    CHECK(strcmp(before, f->fingerprint) != 0);
    f->stacks[1].frames[0].line = 24;
    lst_finding_fingerprint(f);
    CHECK(strcmp(before, f->fingerprint) == 0);
    /* another file with the same line */
    free(f->stacks[1].frames[0].file);
    f->stacks[1].frames[0].file = strdup("/p/cases/other.c");
    lst_finding_fingerprint(f);
    CHECK(strcmp(before, f->fingerprint) != 0);
    /* the creation stacks are context: moving thread creation keeps the fingerprint */
    lst_report_free(&a);
    lst_fixture_rich(&a, "/p");
    f = &a.findings[0];
    f->stacks[4].frames[0].line = 400;
    lst_finding_fingerprint(f);
    CHECK(strcmp(before, f->fingerprint) == 0);
    /* another variable of a race is another finding */
    f = &a.findings[2];
    memcpy(before, f->fingerprint, 17);
    free(f->variable);
    f->variable = strdup("heap block of 32 bytes at offset 8");
    lst_finding_fingerprint(f);
    CHECK(strcmp(before, f->fingerprint) != 0);
    lst_report_free(&a);
    return 0;
}

/* The same cycle found from lock_b instead of lock_a: edges and stacks in another order. */
static int case_rotation(void)
{
    lst_report a;
    lst_fixture_rich(&a, "/p");
    lst_finding *f = &a.findings[0];
    char before[17];
    memcpy(before, f->fingerprint, 17);
    lst_stack tmp[2];
    memcpy(tmp, &f->stacks[0], sizeof tmp);
    memmove(&f->stacks[0], &f->stacks[2], sizeof tmp);
    memcpy(&f->stacks[2], tmp, sizeof tmp);
    lst_edge e = f->edges[0];
    f->edges[0] = f->edges[1];
    f->edges[1] = e;
    lst_finding_fingerprint(f);
    CHECK(strcmp(before, f->fingerprint) == 0);
    lst_report_free(&a);
    return 0;
}

static int case_json(void)
{
    const char *dir = lst_fixture_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/report.json", dir);
    lst_report a, b;
    lst_fixture_rich(&a, "/p");
    CHECK(lst_write_json(&a, path) == 0);
    char err[256];
    CHECKF(lst_read_json(path, &b, err, sizeof err) == 0, "%s", err);
    for (size_t i = 0; i < a.nfindings && i < b.nfindings; i++) {
        CHECK(strcmp(a.findings[i].fingerprint, b.findings[i].fingerprint) == 0);
        /* recomputing from what was read gives the same value */
        lst_finding_fingerprint(&b.findings[i]);
        CHECK(strcmp(a.findings[i].fingerprint, b.findings[i].fingerprint) == 0);
    }
    lst_report_free(&a);
    lst_report_free(&b);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s stable|line|rotation|json\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "stable") == 0)
        case_stable();
    else if (strcmp(argv[1], "line") == 0)
        case_line();
    else if (strcmp(argv[1], "rotation") == 0)
        case_rotation();
    else if (strcmp(argv[1], "json") == 0)
        case_json();
    else {
        fprintf(stderr, "unknown case %s\n", argv[1]);
        return 2;
    }
    if (lst_test_failures)
        fprintf(stderr, "%s: %d check(s) failed\n", argv[1], lst_test_failures);
    return lst_test_failures ? 1 : 0;
}
