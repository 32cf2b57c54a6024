/* suppress.h: suppressions in ThreadSanitizer's syntax, applied to lockstep's own findings
 * too, so that one file serves both: one `type:pattern` per line, `#` comments. Types:
 * race, race_top (top frame only), deadlock (lock-order cycles, deadlocks, self-deadlocks),
 * mutex (lock misuse), thread (thread leaks), signal (signal-unsafe calls), called_from_lib
 * (any frame in a module whose name matches). A pattern matches a function, file or module
 * name, or a race's variable, as a substring; `*` is a wildcard, `^` and `$` anchor. */
#ifndef LST_SUPPRESS_H
#define LST_SUPPRESS_H

#include <stddef.h>

#include "finding.h"

typedef struct lst_suppressions lst_suppressions;

/* Reads a suppression file. Returns NULL with "FILE:LINE: problem" in err on a bad line
 * (unknown type, missing pattern) or an unreadable file. */
lst_suppressions *lst_suppressions_load(const char *path, char *err, size_t errlen);
void lst_suppressions_free(lst_suppressions *s);
/* 1 when pattern matches str with TSan's rules (substring, `*`, `^`, `$`). */
int lst_template_match(const char *pattern, const char *str);
/* Moves every suppressed finding of r to its notes, with the reason "suppressed by
 * FILE:LINE (type:pattern)". Returns how many were suppressed. */
size_t lst_suppress(const lst_suppressions *s, lst_report *r);

#endif
