/* baseline.h: the set of findings a project has accepted for now, by fingerprint, so CI
 * fails only on new ones. A baseline comes from an earlier report.json or from a baseline
 * file that `lockstep baseline` writes: a small versioned JSON document, one finding a line,
 * sorted by fingerprint so that it diffs well when committed. Applying a baseline marks the
 * findings it holds as baselined (finding.h): they stay in the report but do not fail the
 * build. Runs in the lockstep process. */
#ifndef LST_BASELINE_H
#define LST_BASELINE_H

#include <stddef.h>
#include <stdio.h>

#include "finding.h"

#define LST_BASELINE_VERSION 1

typedef struct lst_baseline_entry {
    char fingerprint[17];
    char *kind;  /* the kind's report name; a kind unknown to this lockstep is kept as is */
    char *title; /* the finding's message, with hex addresses masked ("mutex@0x*") */
} lst_baseline_entry;

typedef struct lst_baseline {
    lst_baseline_entry *v; /* sorted by fingerprint, no duplicates */
    size_t n;
} lst_baseline;

void lst_baseline_init(lst_baseline *b);
void lst_baseline_free(lst_baseline *b);
/* Adds the findings (not the notes) of r, keeping the set sorted and duplicate-free. */
void lst_baseline_add_report(lst_baseline *b, const lst_report *r);
/* 1 when fingerprint is in b. */
int lst_baseline_contains(const lst_baseline *b, const char *fingerprint);
/* Marks every finding of r whose fingerprint is in b as baselined; returns how many. */
size_t lst_baseline_apply(const lst_baseline *b, lst_report *r);

/* Reads a baseline file into b (initialized by the call). Returns 0; 1 when path is a
 * lockstep report.json rather than a baseline file (read it with lst_read_json and use
 * lst_baseline_add_report); -1 with a one-line reason in err for an unreadable, corrupt,
 * foreign or newer file. */
int lst_baseline_load(const char *path, lst_baseline *b, char *err, size_t errlen);
/* Writes b as a baseline file; the same set always gives the same bytes. Returns 0, or -1
 * when the stream failed. */
int lst_baseline_write(const lst_baseline *b, FILE *out);

#endif
