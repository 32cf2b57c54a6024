/* test_baseline.c: the baseline module (detectors/baseline.c): a baseline file holds each
 * fingerprint once, sorted, with addresses masked in titles, so the same findings always give
 * the same bytes; it reads back to the same set; applying it marks exactly the findings it
 * holds; and bad files are refused with one line (a report.json is recognised as one). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"

static int failures;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c);                  \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static void add(lst_report *r, lst_kind k, const char *fp, const char *msg)
{
    lst_finding *f = lst_report_add_finding(r, k);
    snprintf(f->fingerprint, sizeof f->fingerprint, "%s", fp);
    lst_finding_set_message(f, "%s", msg);
}

static char *write_to_string(const lst_baseline *b)
{
    char *text = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&text, &n);
    CHECK(lst_baseline_write(b, m) == 0);
    fclose(m);
    return text;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

int main(void)
{
    char dir[] = "/tmp/lst-baseline.XXXXXX", path[64];
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/b.json", dir);

    lst_report r;
    lst_report_init(&r);
    add(&r, LST_KIND_DEADLOCK, "ffff000000000001", "deadlock: T1 waits on mutex@0x7ffd12ab");
    add(&r, LST_KIND_LOCK_MISUSE, "0000000000000002", "unlock of a lock that is not locked");
    add(&r, LST_KIND_DEADLOCK, "ffff000000000001", "the same fingerprint again");
    lst_report_add_note(&r, LST_KIND_LOCK_ORDER_CYCLE, "a note")->fingerprint[0] = 'a';

    lst_baseline b;
    lst_baseline_init(&b);
    lst_baseline_add_report(&b, &r);
    char *text = write_to_string(&b);
    const char *want =
        "{\n  \"lockstep_baseline\": 1,\n  \"findings\": [\n"
        "    {\"fingerprint\": \"0000000000000002\", \"kind\": \"lock-misuse\", \"title\": "
        "\"unlock of a lock that is not locked\"},\n"
        "    {\"fingerprint\": \"ffff000000000001\", \"kind\": \"deadlock\", \"title\": "
        "\"deadlock: T1 waits on mutex@0x*\"}\n  ]\n}\n";
    CHECK(text && strcmp(text, want) == 0);
    if (text && strcmp(text, want) != 0)
        fprintf(stderr, "got:\n%s", text);

    /* it reads back to the same set, and writes the same bytes again */
    spit(path, text ? text : "");
    lst_baseline back;
    char err[512];
    CHECK(lst_baseline_load(path, &back, err, sizeof err) == 0);
    CHECK(back.n == 2 && lst_baseline_contains(&back, "0000000000000002") &&
          lst_baseline_contains(&back, "ffff000000000001") &&
          !lst_baseline_contains(&back, "ffff000000000002"));
    char *again = write_to_string(&back);
    CHECK(again && text && strcmp(again, text) == 0);
    free(again);
    free(text);

    /* applying marks exactly the findings it holds */
    lst_report r2;
    lst_report_init(&r2);
    add(&r2, LST_KIND_LOCK_MISUSE, "0000000000000002", "known");
    add(&r2, LST_KIND_DATA_RACE, "1234567890abcdef", "new");
    CHECK(lst_baseline_apply(&back, &r2) == 1);
    CHECK(r2.findings[0].baselined && !r2.findings[1].baselined);

    /* an empty baseline is valid and marks nothing */
    lst_baseline empty;
    lst_baseline_init(&empty);
    char *etext = write_to_string(&empty);
    CHECK(etext && strcmp(etext, "{\n  \"lockstep_baseline\": 1,\n  \"findings\": []\n}\n") == 0);
    spit(path, etext ? etext : "");
    free(etext);
    CHECK(lst_baseline_load(path, &empty, err, sizeof err) == 0 && empty.n == 0);
    CHECK(lst_baseline_apply(&empty, &r2) == 0 && !r2.findings[0].baselined);

    /* a report.json is recognised; bad files give one line */
    spit(path, "{\"schema_version\": 1, \"tool\": {\"name\": \"lockstep\"}}");
    CHECK(lst_baseline_load(path, &empty, err, sizeof err) == 1);
    const char *bad[][2] = {
        {"{\"lockstep_baseline\": 2, \"findings\": []}", "newer than this lockstep"},
        {"{\"lockstep_baseline\": 1, \"findings\": [{\"fingerprint\": \"ABC\"}]}", "findings[0]"},
        {"{\"lockstep_baseline\": 1}", "findings: expected an array"},
        {"[1, 2]", "neither a lockstep baseline nor"},
        {"{\"lockstep_baseline\": 1, ", "line 1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        spit(path, bad[i][0]);
        err[0] = 0;
        CHECK(lst_baseline_load(path, &empty, err, sizeof err) == -1);
        CHECK(strstr(err, bad[i][1]) && !strchr(err, '\n'));
        if (!strstr(err, bad[i][1]))
            fprintf(stderr, "case %zu: %s\n", i, err);
    }
    unlink(path);
    CHECK(lst_baseline_load(path, &empty, err, sizeof err) == -1 && strstr(err, "No such file"));

    lst_baseline_free(&b);
    lst_baseline_free(&back);
    lst_report_free(&r);
    lst_report_free(&r2);
    rmdir(dir);
    if (!failures)
        puts("ok baseline");
    return failures != 0;
}
