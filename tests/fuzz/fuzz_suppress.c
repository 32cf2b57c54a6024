/* fuzz_suppress.c: libFuzzer target for the suppressions file parser and matcher
 * (detectors/suppress.c). The input is loaded as a suppressions file and applied to a
 * small report with one finding of each kind a rule can name; its first line is also
 * matched, as a pattern, against the rest of the input with TSan's rules. */
#include "fuzz_util.h" /* first: it defines _GNU_SOURCE */

#include <string.h>

#include "suppress.h"

static void add_finding(lst_report *r, lst_kind k, const char *fn, const char *file,
                        const char *module)
{
    lst_finding *f = lst_report_add_finding(r, k);
    int t = lst_finding_add_thread(f, 1, "T1", -1);
    int s = lst_finding_add_stack(f, "access", 1, -1);
    lst_stack_add_frame(&f->stacks[s], 0x1234, fn, file, 42, module);
    lst_stack_add_frame(&f->stacks[s], 0x5678, "main", "/src/main.c", 7, "/usr/bin/prog");
    (void)t;
    lst_finding_set_message(f, "finding in %s", fn);
    f->variable = strdup("counter");
    lst_finding_fingerprint(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    lst_suppressions *s = lst_suppressions_load(lst_fuzz_file(data, size), err, sizeof err);
    if (s) {
        lst_report r;
        lst_report_init(&r);
        add_finding(&r, LST_KIND_DATA_RACE, "worker", "/src/worker.c", "/usr/lib/libfoo.so");
        add_finding(&r, LST_KIND_LOCK_ORDER_CYCLE, "take_ab", "abba.c", "/usr/bin/prog");
        add_finding(&r, LST_KIND_THREAD_LEAK, "spawn", NULL, NULL);
        size_t before = r.nfindings;
        size_t n = lst_suppress(s, &r);
        if (n > before || r.nfindings + n != before)
            abort();
        lst_report_free(&r);
        lst_suppressions_free(s);
    } else if (!err[0]) {
        abort(); /* rejected without saying why */
    }
    /* pattern = the first line, string = the rest, both NUL-terminated copies */
    const uint8_t *nl = memchr(data, '\n', size);
    size_t plen = nl ? (size_t)(nl - data) : size;
    char *pat = strndup((const char *)data, plen);
    char *str = strndup(nl ? (const char *)nl + 1 : "", nl ? size - plen - 1 : 0);
    (void)lst_template_match(pat, str);
    free(pat);
    free(str);
    return 0;
}
