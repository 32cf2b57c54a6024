/* case_manifest.h: reads the verdict lines of lockstep's cases (cases/<name>.c) and checks
 * findings against them. Every case states in its header comment what lockstep must
 * report for it, one line each:
 *
 *   lockstep-case: <name>          lockstep-native: pass|fail|hang|any
 *   lockstep-source: <free text>   lockstep-expect run|explore|tsan: clean | <kind>[?] ...
 *   lockstep-twin: <name>|none
 *
 * A kind without '?' must be reported, a kind with '?' may be, and any other kind must not
 * be. The kind names are those of detectors/kinds.def, so kind bit k below is lst_kind k of
 * finding.h. This runs in the CLI process: it uses malloc and stdio freely. */
#ifndef LST_CASE_MANIFEST_H
#define LST_CASE_MANIFEST_H

#include <stddef.h>

typedef enum lst_case_mode {
    LST_CASE_RUN,
    LST_CASE_EXPLORE,
    LST_CASE_TSAN,
    LST_CASE_MODE_COUNT
} lst_case_mode;

typedef enum lst_case_native {
    LST_NATIVE_PASS, /* always exits 0 */
    LST_NATIVE_FAIL, /* always exits non-zero */
    LST_NATIVE_HANG, /* always deadlocks natively */
    LST_NATIVE_ANY   /* timing-dependent */
} lst_case_native;

/* What one mode must and may report, as kind bitmasks (bit k: lst_case_kind_name(k)).
 * present is 0 when the case has no line for this mode (e.g. no tsan build). "clean" is
 * present with both masks 0. */
typedef struct lst_case_expect {
    int present;
    int line; /* line of the verdict in the source, 0 when absent */
    unsigned required;
    unsigned optional;
} lst_case_expect;

typedef struct lst_case {
    char *name;   /* file name without .c */
    char *path;   /* dir/name.c as passed to lst_cases_load() */
    char *source; /* which notes file and example it ports (free text) */
    char *twin;   /* the twin case's name, or "none" */
    lst_case_native native;
    lst_case_expect expect[LST_CASE_MODE_COUNT];
} lst_case;

/* Reads every *.c file in dir, sorted by name, into a new array of cases (*out, *n).
 * Returns 0 on success. On error returns -1, frees everything it allocated, leaves *out
 * NULL and *n 0, and writes a one-line message into err, "file:line: what" when a verdict
 * line is malformed (unknown directive, mode or kind, missing name, a name that is not the
 * file's, duplicate line) and "file: missing ..." when a required line is absent. */
int lst_cases_load(const char *dir, lst_case **out, size_t *n, char *err, size_t errlen);

/* Frees an array returned by lst_cases_load(); NULL is fine. */
void lst_cases_free(lst_case *c, size_t n);

/* Returns 1 when the kinds seen in one mode ("run", "explore" or "tsan") satisfy the case's
 * verdict: every required kind was seen, and every kind seen is required or optional.
 * Duplicates in kinds_seen are fine. Otherwise returns 0 and writes a one-line reason into
 * why (an unknown mode, or a mode the case has no verdict for, also returns 0). */
int lst_case_check(const lst_case *c, const char *mode, const char *const *kinds_seen,
                   size_t nseen, char *why, size_t whylen);

/* Returns the case named name, or NULL. */
const lst_case *lst_case_find(const lst_case *c, size_t n, const char *name);

/* Returns 1 when the case is correct: native pass and every mode present is clean. */
int lst_case_is_clean(const lst_case *c);

/* Checks the twin links of a loaded set: every twin other than "none" names an existing
 * case other than itself, and every case that is not clean names a twin that is clean.
 * Returns 0 when all hold, else -1 with the first problem in err. */
int lst_cases_check_twins(const lst_case *c, size_t n, char *err, size_t errlen);

/* Names: the kind of bit k (NULL when k is out of range), the number of kinds, a mode's
 * and a native verdict's name as written in the verdict lines. */
const char *lst_case_kind_name(int k);
int lst_case_kind_count(void);
const char *lst_case_mode_name(lst_case_mode m);
const char *lst_case_native_name(lst_case_native v);

#endif
