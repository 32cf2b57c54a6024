/* gate.h: what decides whether a lockstep command fails a CI build, shared by run, explore,
 * replay, merge and collect: --exitcode, --fail-on KINDS (which kinds fail; the others are
 * still reported), --baseline FILE (findings already known are marked baselined and do not
 * fail) and --suppressions FILE (findings that become notes). Runs in the lockstep process. */
#ifndef LST_GATE_H
#define LST_GATE_H

#include <limits.h>
#include <stdio.h>

#include "baseline.h"
#include "finding.h"
#include "suppress.h"

/* getopt_long values of the gate's options; each command adds LST_GATE_LONGOPTS to its
 * table and hands these to lst_gate_option. */
enum { LST_OPT_FAIL_ON = 0x1000, LST_OPT_BASELINE, LST_OPT_EXITCODE, LST_OPT_SUPPRESSIONS };
/* clang-format off */
#define LST_GATE_LONGOPTS                                                                          \
    {"fail-on", required_argument, 0, LST_OPT_FAIL_ON},                                            \
    {"baseline", required_argument, 0, LST_OPT_BASELINE},                                          \
    {"exitcode", required_argument, 0, LST_OPT_EXITCODE},                                          \
    {"suppressions", required_argument, 0, LST_OPT_SUPPRESSIONS}
/* The case labels of those options in a command's getopt switch, which hands them all to
 * lst_gate_option: `case LST_GATE_CASES: if (lst_gate_option(...)) ...`. */
#define LST_GATE_CASES                                                                             \
    LST_OPT_FAIL_ON:                                                                               \
    case LST_OPT_BASELINE:                                                                         \
    case LST_OPT_EXITCODE:                                                                         \
    case LST_OPT_SUPPRESSIONS
/* clang-format on */
/* The usage lines of those options. */
#define LST_GATE_USAGE                                                                             \
    "      --exitcode N     exit status when findings fail the build (default 66)\n"               \
    "      --fail-on KINDS  only these kinds fail the build: comma-separated kind names\n"         \
    "                       (lock-order-cycle,deadlock,...) or all (default)\n"                    \
    "      --baseline FILE  findings in FILE (a baseline file or a report.json) are\n"             \
    "                       marked baselined and do not fail the build\n"                          \
    "      --suppressions FILE  ThreadSanitizer-syntax suppressions: matching findings\n"          \
    "                       become notes (the file is passed to TSan too)\n"

typedef struct lst_gate {
    const char *cmd;              /* subcommand, for messages */
    long exitcode;                /* exit status when findings fail */
    unsigned kinds;               /* bit k set: kind k fails the build */
    const char *fail_on;          /* as given, or NULL (all) */
    const char *baseline_arg;     /* as given, or NULL */
    const char *supp_arg;         /* as given, or NULL */
    char baseline_path[PATH_MAX]; /* absolute, once loaded */
    char supp_path[PATH_MAX];     /* absolute, once loaded (for ThreadSanitizer) */
    lst_baseline baseline;
    int have_baseline;
    lst_suppressions *supp;
} lst_gate;

/* Starts with every kind failing and exit status 66. */
void lst_gate_init(lst_gate *g, const char *cmd);
/* Handles one of the gate's options (opt: LST_OPT_*). Returns 0, or LST_EXIT_USAGE after one
 * line naming the problem (a bad exit code, an unknown kind). */
int lst_gate_option(lst_gate *g, int opt, const char *arg);
/* Reads the --suppressions and --baseline files, each exactly once. Returns 0, or
 * LST_EXIT_USAGE after one line naming the file and the problem (missing, corrupt). */
int lst_gate_load(lst_gate *g);
/* The absolute path of the suppressions file, for ThreadSanitizer, or NULL. */
const char *lst_gate_supp_path(const lst_gate *g);
/* Applies the suppressions (findings become notes) and the baseline (findings are marked
 * and the report names the baseline file). */
void lst_gate_apply(const lst_gate *g, lst_report *r);
/* How many findings of r fail the build: of a --fail-on kind and not baselined. */
size_t lst_gate_failing(const lst_gate *g, const lst_report *r);
/* When --fail-on or --baseline is given and r has findings, prints one line saying how many
 * findings fail the build and why the others do not. */
void lst_gate_summary(const lst_gate *g, const lst_report *r, FILE *out);
void lst_gate_free(lst_gate *g);

#endif
