/* fixture.h: test helpers shared by the reports tests: a rich report that uses every field
 * of the findings structure (cycle with edges, deadlock, data race with accesses, misuse,
 * target failure, notes, limits, unicode and quotes, null fields), a deep comparison of two
 * reports, and small file utilities. */
#ifndef LST_TEST_FIXTURE_H
#define LST_TEST_FIXTURE_H

#include <stddef.h>

#include "finding.h"

/* Fills r (initialized by the call) with the rich report. Source files are "<root>/cases/..."
 * so a test can place them under the current directory; system frames use fixed paths. */
void lst_fixture_rich(lst_report *r, const char *root);
/* Returns 1 when a and b hold the same data (every field, every string byte); otherwise
 * prints the first difference to stderr and returns 0. */
int lst_fixture_equal(const lst_report *a, const lst_report *b);
/* Reads a whole file into a NUL-terminated buffer (*len set); NULL when unreadable. */
char *lst_fixture_slurp(const char *path, size_t *len);
/* Writes n bytes to path; returns 0 or -1. */
int lst_fixture_spit(const char *path, const void *buf, size_t n);
/* Creates a fresh temporary directory and returns its path (static storage per call). */
const char *lst_fixture_tmpdir(void);

#endif
