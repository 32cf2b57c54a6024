/* fuzz_tsan.c: libFuzzer target for the ThreadSanitizer report parser (detectors/
 * tsan_ingest.c). TSan's text is not a contract, so the parser must take anything: the
 * input is given as a buffer that is not NUL-terminated (as lst_tsan_collect reads a log),
 * and every finding it yields goes through what run does with it next: the message is
 * rewritten, the fingerprint computed, and the report rendered as text. */
#include "fuzz_util.h" /* first: it defines _GNU_SOURCE */

#include <string.h>

#include "report.h"
#include "tsan_ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1); /* exactly size bytes: ASan sees any over-read */
    memcpy(copy, data, size);
    lst_report r;
    lst_report_init(&r);
    int n = lst_tsan_parse(copy, size, &r, 1234);
    if (n < 0 || (size_t)n > r.nfindings + r.nnotes + size)
        abort();
    for (size_t i = 0; i < r.nfindings; i++) {
        lst_tsan_describe(&r.findings[i]);
        lst_finding_fingerprint(&r.findings[i]);
    }
    FILE *out = fopen("/dev/null", "w");
    if (out) {
        lst_write_text(&r, out, 0);
        fclose(out);
    }
    lst_report_free(&r);
    free(copy);
    return 0;
}
