/* report.h: the report writers (and the JSON reader). Each renders an lst_report
 * (detectors/finding.h) and never sees raw events. report.json is the one source of truth:
 * every other format can be produced again from it with `lockstep report`. Formats: text
 * (TSan-like), json, sarif (SARIF 2.1.0 for code scanning), junit (JUnit XML for CI test
 * views) and html (one self-contained page with graphs and the interleaving); docs/reports.md
 * describes them. */
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

/* Options of the sarif, junit and html writers. A zeroed struct (or NULL) means defaults. */
typedef struct lst_render_opts {
    const char *source_root; /* SARIF URIs are relative to it, HTML looks for relative source
                                files under it; NULL: the current directory */
    const char *report_dir;  /* the directory of report.json: where a replay's trace.txt and
                                moved schedules/ are looked for; NULL: none */
    int no_dot;              /* html: never run Graphviz; always draw the built-in layout */
} lst_render_opts;

/* Writes r as a SARIF 2.1.0 log (one run, one rule per kind, one result per finding; notes
 * and limits are tool notifications). Returns 0, or -1 when out of memory; write errors are
 * the stream's (check ferror(out)). */
int lst_write_sarif(const lst_report *r, FILE *out, const lst_render_opts *o);
/* Writes r as JUnit XML: one testsuite "lockstep", one failing testcase per finding named
 * "KIND FINGERPRINT", or one passing testcase named after the target when r is clean. */
void lst_write_junit(const lst_report *r, FILE *out, const lst_render_opts *o);
/* Writes r as one self-contained HTML page (no external resources): a sortable, filterable
 * summary table, then per finding its lock graph (SVG), its interleaving (from the finding's
 * trace file, when there is one), its stacks with source excerpts and its text rendering. */
void lst_write_html(const lst_report *r, FILE *out, const lst_render_opts *o);

/* Helpers the writers share. */

/* Index of the stack that "closes" the finding, where a viewer should point first: the
 * acquire stack of the last edge (cycles), the first access (races), a blocked stack that
 * waits on a lock (deadlocks), the re-acquisition (self-deadlock), else the first stack that
 * has frames and is not a thread creation. -1 when the finding has no stacks. */
int lst_finding_primary_stack(const lst_finding *f);
/* The frame to show for a stack: the first one with a file and a line, else the first one
 * with a file, else frames[0]; NULL when the stack has no frames. */
const lst_frame *lst_stack_site(const lst_stack *s);
/* The text rendering (lst_write_text, no colour) of one finding, without the summary line;
 * the caller frees it. NULL when out of memory. */
char *lst_finding_text(const lst_finding *f);
/* What stack idx of f shows, in words: "lock_a taken by T1 (worker)", "T2 blocked on lock_b",
 * "write of size 4 by T1", "T3 created". The caller frees it; NULL when out of memory. */
char *lst_stack_describe(const lst_finding *f, int idx);
/* "T1 (worker)" for thread id, like the text report; the caller frees it. */
char *lst_thread_label(const lst_finding *f, int id);
/* The lock's name, or "lock#ID"; the caller frees it. */
char *lst_lock_label(const lst_finding *f, int id);
/* file relative to root (an absolute directory; NULL: the current directory), after resolving
 * symbolic links and "..", or NULL when file is not under root. Relative files are returned
 * as they are (without a leading "./"). The caller frees it. */
char *lst_relative_path(const char *file, const char *root);
/* Length (1..4) of the well-formed UTF-8 sequence at s, or 0 when it is not one (overlong
 * forms, surrogates and code points above U+10FFFF are not well-formed). */
size_t lst_utf8_len(const unsigned char *s);

#endif
