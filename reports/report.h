/* report.h: the report writers (and the JSON reader). Each renders an lst_report
 * (detectors/finding.h) and never sees raw events. report.json is the one source of truth:
 * every other format can be produced again from it with `lockstep report`. */
#ifndef LST_REPORT_H
#define LST_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "finding.h"

/* Writes r as report.json (schema: docs/report.schema.json) to path, atomically (a
 * temporary file renamed into place). Returns 0, or -1 with errno set. */
int lst_write_json(const lst_report *r, const char *path);
/* Reads a report.json into r (initialized by the call). Returns 0, or -1 with a one-line
 * reason in err (e.g. "report.json: line 3: unexpected token"). */
int lst_read_json(const char *path, lst_report *r, char *err, size_t errlen);
/* Writes the human-readable, TSan-like text report. color != 0 adds ANSI colours. */
void lst_write_text(const lst_report *r, FILE *out, int color);

#endif
