/* tsan_ingest.h: turns ThreadSanitizer's text reports (written with TSAN_OPTIONS log_path)
 * into findings, so that races land in the same report as lockstep's own findings. TSan's
 * text is not a contract: the parser is line-based and lenient, skips what it does not
 * understand, and is tested against real output from both clang and gcc. */
#ifndef LST_TSAN_INGEST_H
#define LST_TSAN_INGEST_H

#include <stddef.h>

#include "finding.h"

/* Parses every report in text[0..len) and adds one finding per report to r (data-race,
 * thread-leak, signal-unsafe-call, lock-misuse; lock-order inversions are lockstep's own
 * business and are skipped). pid is recorded as the findings' process when the report does
 * not name one. Returns the number of reports turned into findings. Never fails: malformed
 * input yields fewer findings, plus a limit line naming what was not understood. */
int lst_tsan_parse(const char *text, size_t len, lst_report *r, int pid);

/* (Re)writes a TSan finding's message from its title (the message's text before " on ")
 * and its symbolized stacks: call it again after lst_ctx_resolve(). */
void lst_tsan_describe(lst_finding *f);

/* Parses every log file in dir (TSan writes <log_path>.<pid>). Returns reports parsed. */
int lst_tsan_collect(const char *dir, lst_report *r);

#endif
