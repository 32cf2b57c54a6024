/* test_text.c: unit tests of the text report (reports/text.c). The golden test renders the
 * rich fixture with its source files under a fresh current directory, so paths come out
 * relative and the output is the same on every machine; it is compared byte for byte with
 * golden/rich_report.txt (LST_UPDATE_GOLDEN=1 rewrites that file instead).
 * Usage: test_reports_text CASE [GOLDEN]. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fixture.h"
#include "report.h"

/* Renders r to a malloc'd string. */
static char *render(const lst_report *r, int color)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        abort();
    lst_write_text(r, out, color);
    fclose(out);
    return buf;
}

/* Removes ANSI CSI sequences (ESC [ ... letter) in place. */
static void strip_ansi(char *s)
{
    char *o = s;
    for (char *p = s; *p;) {
        if (p[0] == '\033' && p[1] == '[') {
            p += 2;
            while (*p && !((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
                p++;
            if (*p)
                p++;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
}

/* chdir into a fresh directory and build the rich report with sources under it. */
static void rich_here(lst_report *r)
{
    const char *dir = lst_fixture_tmpdir();
    if (chdir(dir) != 0)
        abort();
    char *cwd = getcwd(NULL, 0);
    lst_fixture_rich(r, cwd);
    free(cwd);
}

static int case_golden(const char *golden)
{
    if (!golden) {
        fprintf(stderr, "golden: needs the golden file's path\n");
        return lst_test_failures++;
    }
    lst_report r;
    rich_here(&r);
    char *text = render(&r, 0);
    lst_report_free(&r);
    const char *update = getenv("LST_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        CHECK(lst_fixture_spit(golden, text, strlen(text)) == 0);
        printf("golden: rewrote %s\n", golden);
        free(text);
        return 0;
    }
    size_t n;
    char *want = lst_fixture_slurp(golden, &n);
    CHECKF(want != NULL, "cannot read %s", golden);
    if (want && (n != strlen(text) || memcmp(want, text, n) != 0)) {
        lst_test_failures++;
        /* show the first differing line, then the whole output for a diff by eye */
        const char *a = want, *b = text;
        int line = 1;
        while (*a && *a == *b) {
            if (*a == '\n')
                line++;
            a++, b++;
        }
        fprintf(stderr, "text differs from %s at line %d; got:\n%s\n", golden, line, text);
        fprintf(stderr, "(rerun with LST_UPDATE_GOLDEN=1 if the change is intended)\n");
    }
    free(want);
    free(text);
    return 0;
}

static int case_colour(void)
{
    lst_report r;
    rich_here(&r);
    char *plain = render(&r, 0);
    char *col = render(&r, 1);
    lst_report_free(&r);
    CHECK(strchr(plain, '\033') == NULL);
    CHECK(strstr(col, "\033[") != NULL);
    strip_ansi(col);
    CHECK(strcmp(col, plain) == 0);
    free(plain);
    free(col);
    return 0;
}

static int case_layout(void)
{
    lst_report r;
    rich_here(&r);
    char *cwd = getcwd(NULL, 0);
    char *t = render(&r, 0);
    /* paths under the current directory are relative, others stay absolute */
    CHECK(strstr(t, cwd) == NULL);
    CHECK(strstr(t, "#0 thread1 cases/lock_order_inverted_abba.c:22\n") != NULL);
    CHECK(strstr(t, "#0 grab /usr/include/x86_64-linux-gnu/bits/x.h\n") != NULL);
    /* unknown file: module and pc; nothing known: the pc */
    CHECK(strstr(t, "#1 start_thread (/lib/x86_64-linux-gnu/libc.so.6) 0x7f3a12c8f1f4\n"));
    CHECK(strstr(t, "#2 0x7f3a12d0f6fc (/lib/x86_64-linux-gnu/libc.so.6)\n"));
    CHECK(strstr(t, "#1 0xffffffffffffffff\n"));
    /* headers, cycle, deadlock, race, notes, limits, summary */
    CHECK(strstr(t, "==================\nlockstep: lock-order-cycle (potential deadlock)"));
    CHECK(strstr(t, "  Cycle of 2 locks: lock_a -> lock_b -> lock_a\n"));
    CHECK(strstr(t, "  Thread T1 (worker-1) waits for mutex@0x7ffd12345678, held by T2:\n"));
    CHECK(strstr(t, "  Write of size 4 by T1:\n"));
    CHECK(strstr(t, "  Previous atomic read of size 4 by T0 (main):\n"));
    CHECK(strstr(t, "  Location is heap block of 16 bytes at offset 8\n"));
    CHECK(strstr(t, "lockstep: note: lock-order-cycle (lock_a, lock_b): guarded: every path "
                    "holds gate_lock first\n"));
    CHECK(strstr(t, "lockstep: note: data-race: racy read of a stop flag declared benign\n"));
    CHECK(strstr(t, "lockstep: limit: stacks cut at 64 frames\n"));
    CHECK(strstr(t, "lockstep: 6 findings (1 lock-order-cycle, 1 deadlock, 1 self-deadlock, "
                    "1 lock-misuse, 1 data-race, 1 target-failure), 2 notes\n"));
    CHECK(strstr(t, "\nreplay: lockstep replay lockstep-out/schedules/0007.sched\n"));
    /* a control character from the target is escaped, never written raw */
    CHECK(strstr(t, "\\x09and a tab") != NULL);
    CHECK(strchr(t, '\t') == NULL);
    /* the finding's pid shows because one finding came from a forked child */
    CHECK(strstr(t, "lockstep: data-race (unsynchronized accesses) in process 4243"));
    free(t);

    /* a schedule with spaces is quoted for the shell */
    free(r.schedule);
    r.schedule = strdup("my out/it's.sched");
    t = render(&r, 0);
    CHECK(strstr(t, "replay: lockstep replay 'my out/it'\\''s.sched'\n") != NULL);
    free(t);
    lst_report_free(&r);
    free(cwd);

    /* an empty report */
    lst_report_init(&r);
    t = render(&r, 0);
    CHECK(strcmp(t, "lockstep: no findings\n") == 0);
    free(t);
    /* one finding, one note: singular words */
    lst_finding *f = lst_report_add_finding(&r, LST_KIND_HANG);
    lst_finding_set_message(f, "no progress after 100000 steps");
    lst_report_add_note(&r, LST_KIND_DATA_RACE, "benign");
    t = render(&r, 0);
    CHECK(strstr(t, "lockstep: 1 finding (1 hang), 1 note\n") != NULL);
    CHECK(strstr(t, "[fingerprint none]") != NULL);
    free(t);
    lst_report_free(&r);
    return 0;
}

/* Findings whose indices or ids point nowhere (a detector bug) render without crashing. */
static int case_dangling(void)
{
    lst_report r;
    lst_report_init(&r);
    lst_finding *f = lst_report_add_finding(&r, LST_KIND_LOCK_ORDER_CYCLE);
    lst_finding_add_thread(f, 1, NULL, 42);
    lst_finding_add_edge(f, 7, 8, 9, 5, -3, NULL);
    lst_finding_add_stack(f, NULL, -1, -1);
    f = lst_report_add_finding(&r, LST_KIND_DATA_RACE);
    lst_finding_add_access(f, NULL, 0, -1, 99, 0);
    f = lst_report_add_finding(&r, LST_KIND_DEADLOCK);
    int s = lst_finding_add_stack(f, "blocked", 3, 77);
    lst_stack_add_frame(&f->stacks[s], 0, NULL, NULL, 0, NULL);
    char *t = render(&r, 1);
    CHECK(strstr(t, "Edge lock#7 -> lock#8, thread T9") != NULL);
    CHECK(strstr(t, "Thread T3 waits for lock#77:") != NULL);
    free(t);
    lst_report_free(&r);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s golden GOLDEN | colour | layout | dangling\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "golden") == 0)
        case_golden(argc > 2 ? argv[2] : NULL);
    else if (strcmp(argv[1], "colour") == 0)
        case_colour();
    else if (strcmp(argv[1], "layout") == 0)
        case_layout();
    else if (strcmp(argv[1], "dangling") == 0)
        case_dangling();
    else {
        fprintf(stderr, "unknown case %s\n", argv[1]);
        return 2;
    }
    if (lst_test_failures)
        fprintf(stderr, "%s: %d check(s) failed\n", argv[1], lst_test_failures);
    return lst_test_failures ? 1 : 0;
}
