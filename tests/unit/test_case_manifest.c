/* test_case_manifest.c: unit test of harness/cli/case_manifest.c. It loads the real
 * cases/ directory (its path is argv[1]) and checks a few verdicts, the sort order, the
 * twin links and lst_case_check(); then it writes malformed case files into temporary
 * directories and checks that each is rejected with its file and line. Exits 0 when every
 * check passes; each failed check prints its line and what it saw. */
#define _GNU_SOURCE
#include "case_manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);         \
            failures++;                                                                      \
        }                                                                                    \
    } while (0)

#define CHECK_CONTAINS(haystack, needle)                                                     \
    do {                                                                                     \
        if (!strstr((haystack), (needle))) {                                                 \
            fprintf(stderr, "%s:%d: expected \"%s\" in \"%s\"\n", __FILE__, __LINE__, (needle), \
                    (haystack));                                                             \
            failures++;                                                                      \
        }                                                                                    \
    } while (0)

static unsigned kind_bit(const char *name)
{
    for (int k = 0; k < lst_case_kind_count(); k++)
        if (strcmp(lst_case_kind_name(k), name) == 0)
            return 1u << k;
    fprintf(stderr, "no kind named %s\n", name);
    exit(1);
}

static void test_real_cases(const char *dir)
{
    lst_case *cases;
    size_t n;
    char err[512] = "", why[512] = "";

    int rc = lst_cases_load(dir, &cases, &n, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "lst_cases_load(%s): %s\n", dir, err);
        failures++;
        return;
    }
    CHECK(n >= 40);
    for (size_t i = 1; i < n; i++)
        CHECK(strcmp(cases[i - 1].name, cases[i].name) < 0);

    /* The ABBA case: a cycle is required in both modes, the real deadlock only in explore. */
    const lst_case *abba = lst_case_find(cases, n, "lock_order_inverted_abba");
    CHECK(abba != NULL);
    if (abba) {
        const lst_case_expect *run = &abba->expect[LST_CASE_RUN];
        const lst_case_expect *explore = &abba->expect[LST_CASE_EXPLORE];
        CHECK(run->present && run->required == kind_bit("lock-order-cycle"));
        CHECK(run->optional == kind_bit("deadlock"));
        CHECK(explore->required == (kind_bit("lock-order-cycle") | kind_bit("deadlock")));
        CHECK(!abba->expect[LST_CASE_TSAN].present);
        CHECK(abba->native == LST_NATIVE_ANY);
        CHECK(strcmp(abba->twin, "lock_order_consistent") == 0);
        CHECK_CONTAINS(abba->path, "lock_order_inverted_abba.c");
        CHECK(!lst_case_is_clean(abba));

        const char *cycle[] = {"lock-order-cycle"};
        const char *cycle_deadlock[] = {"lock-order-cycle", "deadlock", "lock-order-cycle"};
        const char *with_race[] = {"lock-order-cycle", "data-race"};
        const char *bogus[] = {"lock-order-cycle", "no-such-kind"};
        CHECK(lst_case_check(abba, "run", cycle, 1, why, sizeof why) == 1);
        CHECK(lst_case_check(abba, "run", cycle_deadlock, 3, why, sizeof why) == 1);
        CHECK(lst_case_check(abba, "run", NULL, 0, why, sizeof why) == 0);
        CHECK_CONTAINS(why, "missing lock-order-cycle");
        CHECK(lst_case_check(abba, "run", with_race, 2, why, sizeof why) == 0);
        CHECK_CONTAINS(why, "not allowed data-race");
        CHECK(lst_case_check(abba, "explore", cycle, 1, why, sizeof why) == 0);
        CHECK_CONTAINS(why, "missing deadlock");
        CHECK(lst_case_check(abba, "run", bogus, 2, why, sizeof why) == 0);
        CHECK_CONTAINS(why, "no-such-kind");
        CHECK(lst_case_check(abba, "tsan", cycle, 1, why, sizeof why) == 0);
        CHECK_CONTAINS(why, "no 'lockstep-expect tsan:'");
        CHECK(lst_case_check(abba, "replay", cycle, 1, why, sizeof why) == 0);
        CHECK_CONTAINS(why, "unknown mode");
    }

    /* The consistent twin is clean everywhere. */
    const lst_case *consistent = lst_case_find(cases, n, "lock_order_consistent");
    CHECK(consistent && lst_case_is_clean(consistent));
    if (consistent) {
        const char *cycle[] = {"lock-order-cycle"};
        CHECK(lst_case_check(consistent, "run", NULL, 0, why, sizeof why) == 1);
        CHECK(lst_case_check(consistent, "run", cycle, 1, why, sizeof why) == 0);
        CHECK_CONTAINS(why, "lock_order_consistent: run: not allowed lock-order-cycle");
    }

    /* The unsafe counter as written: explore cannot split it, TSan must see it. */
    const lst_case *counter = lst_case_find(cases, n, "counter_unlocked_race");
    CHECK(counter != NULL);
    if (counter) {
        const char *race[] = {"data-race"}, *race_fail[] = {"data-race", "target-failure"};
        CHECK(counter->expect[LST_CASE_EXPLORE].present);
        CHECK(counter->expect[LST_CASE_EXPLORE].required == 0);
        CHECK(counter->expect[LST_CASE_TSAN].required == kind_bit("data-race"));
        CHECK(counter->expect[LST_CASE_TSAN].optional == kind_bit("target-failure"));
        CHECK(lst_case_check(counter, "tsan", race, 1, why, sizeof why) == 1);
        CHECK(lst_case_check(counter, "tsan", race_fail, 2, why, sizeof why) == 1);
        CHECK(lst_case_check(counter, "tsan", NULL, 0, why, sizeof why) == 0);
    }

    const lst_case *selfdl = lst_case_find(cases, n, "rlock_nested_plain_selfdeadlock");
    CHECK(selfdl && selfdl->native == LST_NATIVE_HANG);
    CHECK(selfdl && (selfdl->expect[LST_CASE_RUN].required & kind_bit("self-deadlock")));

    /* Twins: every named twin exists, every racy or deadlocking case has a clean twin. */
    CHECK(lst_cases_check_twins(cases, n, err, sizeof err) == 0);
    for (size_t i = 0; i < n; i++) {
        const lst_case *c = &cases[i];
        if (strcmp(c->twin, "none") == 0) {
            if (!lst_case_is_clean(c)) {
                fprintf(stderr, "%s: not clean but has no twin\n", c->name);
                failures++;
            }
            continue;
        }
        const lst_case *t = lst_case_find(cases, n, c->twin);
        if (!t) {
            fprintf(stderr, "%s: twin %s does not exist\n", c->name, c->twin);
            failures++;
        } else if (!lst_case_is_clean(c) && !lst_case_is_clean(t)) {
            fprintf(stderr, "%s: twin %s is not clean\n", c->name, c->twin);
            failures++;
        }
    }
    lst_cases_free(cases, n);
}

/* Writes one file into a fresh temporary directory; returns the directory (static). */
static const char *temp_case(const char *file, const char *text)
{
    static char dir[64];
    char path[128];

    snprintf(dir, sizeof dir, "/tmp/lst_case_manifest.XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    return dir;
}

static void remove_temp(const char *dir, const char *file)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    unlink(path);
    rmdir(dir);
}

#define HEADER(name, twin)                                                                   \
    "/* A test case.\n"                                                                      \
    " *\n"                                                                                   \
    " * lockstep-case: " name "\n"                                                           \
    " * lockstep-source: test\n"                                                             \
    " * lockstep-twin: " twin "\n"

/* Loads a one-file directory that must be rejected with `want` in the message. */
static void expect_rejected(const char *file, const char *text, const char *want)
{
    const char *dir = temp_case(file, text);
    lst_case *cases = (lst_case *)1;
    size_t n = 99;
    char err[512] = "";

    int rc = lst_cases_load(dir, &cases, &n, err, sizeof err);
    CHECK(rc == -1);
    CHECK(cases == NULL && n == 0);
    CHECK_CONTAINS(err, want);
    if (rc == 0)
        lst_cases_free(cases, n);
    remove_temp(dir, file);
}

static void test_malformed(void)
{
    expect_rejected("bad_kind.c",
                    HEADER("bad_kind", "none") " * lockstep-native: pass\n"
                                               " * lockstep-expect run: clean\n"
                                               " * lockstep-expect explore: deadlock lost\n"
                                               " */\n",
                    "bad_kind.c:8: unknown kind 'lost'");
    expect_rejected("bad_mode.c",
                    HEADER("bad_mode", "none") " * lockstep-native: pass\n"
                                               " * lockstep-expect replay: clean\n */\n",
                    "bad_mode.c:7: unknown mode 'replay'");
    expect_rejected("no_name.c", "/* lockstep-case:\n * lockstep-native: pass\n */\n",
                    "no_name.c:1: missing case name");
    expect_rejected("wrong_name.c", HEADER("other_name", "none"),
                    "wrong_name.c:3: case name 'other_name' must equal the file name");
    expect_rejected("no_case_line.c", "/* lockstep-native: pass */\n",
                    "no_case_line.c: missing 'lockstep-case:' line");
    expect_rejected("no_explore.c",
                    HEADER("no_explore", "none") " * lockstep-native: pass\n"
                                                 " * lockstep-expect run: clean\n */\n",
                    "no_explore.c: missing 'lockstep-expect explore:' line");
    expect_rejected("dup.c",
                    HEADER("dup", "none") " * lockstep-native: pass\n"
                                          " * lockstep-native: hang\n */\n",
                    "dup.c:7: duplicate 'lockstep-native:' line");
    expect_rejected("clean_mix.c",
                    HEADER("clean_mix", "none") " * lockstep-native: any\n"
                                                " * lockstep-expect run: clean deadlock\n */\n",
                    "clean_mix.c:7: 'clean' cannot be combined");
    expect_rejected("bad_native.c", HEADER("bad_native", "none") " * lockstep-native: flaky\n */\n",
                    "bad_native.c:6: unknown native verdict 'flaky'");
    expect_rejected("bad_directive.c",
                    HEADER("bad_directive", "none") " * lockstep-verdict: pass\n */\n",
                    "bad_directive.c:6: unknown verdict line 'lockstep-verdict:'");
}

/* A well-formed racy case whose twin does not exist loads, but fails the twin check. */
static void test_missing_twin(void)
{
    const char *file = "lonely_race.c";
    const char *dir = temp_case(file, HEADER("lonely_race", "lonely_fixed")
                                " * lockstep-native: any\n"
                                " * lockstep-expect run: target-failure?\n"
                                " * lockstep-expect explore: target-failure */\n"
                                "int main(void) { return 0; }\n");
    lst_case *cases;
    size_t n;
    char err[512] = "";

    CHECK(lst_cases_load(dir, &cases, &n, err, sizeof err) == 0);
    if (n == 1) {
        CHECK(cases[0].expect[LST_CASE_EXPLORE].required == kind_bit("target-failure"));
        CHECK(cases[0].expect[LST_CASE_RUN].optional == kind_bit("target-failure"));
        CHECK(lst_cases_check_twins(cases, n, err, sizeof err) == -1);
        CHECK_CONTAINS(err, "twin 'lonely_fixed' is not another case");
        lst_cases_free(cases, n);
    }
    remove_temp(dir, file);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <cases dir>\n", argv[0]);
        return 2;
    }
    test_real_cases(argv[1]);
    test_malformed();
    test_missing_twin();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("case_manifest: all checks passed\n");
    return 0;
}
