/* write_fixture.c: writes the reports tests' rich report and an empty report as
 * OUTDIR/rich.json and OUTDIR/empty.json, for check_schema.py to validate against
 * docs/report.schema.json. Usage: test_reports_write_fixture OUTDIR. */
#include <stdio.h>

#include "fixture.h"
#include "report.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    char path[4096];
    lst_report r;
    lst_fixture_rich(&r, "/home/dev/lockstep");
    snprintf(path, sizeof path, "%s/rich.json", argv[1]);
    int rc = lst_write_json(&r, path);
    lst_report_free(&r);
    lst_report_init(&r);
    snprintf(path, sizeof path, "%s/empty.json", argv[1]);
    rc |= lst_write_json(&r, path);
    if (rc != 0) {
        perror("lst_write_json");
        return 1;
    }
    return 0;
}
