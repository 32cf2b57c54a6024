/* fuzz_schedule.c: libFuzzer target for the schedule file reader (harness/cli/
 * schedule_file.c). Any input must either be read or be rejected with a "FILE:LINE:
 * problem" message; a file that is read must survive being written and read again with
 * the same contents, because replay trusts it. */
#include "fuzz_util.h" /* first: it defines _GNU_SOURCE */

#include <string.h>

#include "schedule_file.h"

static char tmp_path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lst_schedule s, t;
    char err[256];
    memset(&s, 0, sizeof s);
    if (lst_schedule_read(lst_fuzz_file(data, size), &s, err, sizeof err) != 0) {
        if (!err[0])
            abort(); /* rejected without saying why */
        lst_schedule_free(&s);
        return 0;
    }
    if (!tmp_path[0])
        snprintf(tmp_path, sizeof tmp_path, "/tmp/lst_fuzz_schedule.%d", (int)getpid());
    if (lst_schedule_write(&s, tmp_path) != 0)
        abort();
    memset(&t, 0, sizeof t);
    if (lst_schedule_read(tmp_path, &t, err, sizeof err) != 0) {
        fprintf(stderr, "re-read of a written schedule failed: %s\n", err);
        abort();
    }
    unlink(tmp_path);
    if (t.argc != s.argc || t.nchoices != s.nchoices || t.seed != s.seed || t.steps != s.steps ||
        t.hash != s.hash || strcmp(t.program, s.program) != 0 ||
        (s.nchoices && memcmp(t.choices, s.choices, s.nchoices * sizeof *s.choices) != 0))
        abort();
    for (int i = 0; i < s.argc; i++)
        if (strcmp(t.argv[i], s.argv[i]) != 0)
            abort();
    lst_schedule_free(&t);
    lst_schedule_free(&s);
    return 0;
}
