/* cmd_run.c: `lockstep run [options] -- PROG [ARGS...]`: runs a program under the shim with
 * its threads free-running, then reports lock-order cycles, actual deadlocks and misuse in
 * DIR/report.json and as a text summary on stderr. Exit status: 66 (or --exitcode) when
 * findings fail the build (gate.h: --fail-on, --baseline), otherwise the target's own status
 * (0 when lockstep ended the target); 2 for usage errors and bad input. */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gate.h"
#include "report.h"
#include "suppress.h"

static void usage(FILE *out)
{
    fputs("usage: lockstep run [-o DIR] [--timeout SEC] [--stall-ms MS] [--max-cycles N]\n"
          "                    [--exitcode N] [--fail-on KINDS] [--baseline FILE]\n"
          "                    [--suppressions FILE] [-q] -- PROG [ARGS...]\n"
          "Runs PROG under the shim (threads free-running) and reports lock-order cycles,\n"
          "actual deadlocks and lock misuse.\n"
          "  -o, --output DIR     output directory (default lockstep-out)\n"
          "      --timeout SEC    stop the target after SEC seconds and report a hang (default 0: none)\n"
          "      --stall-ms MS    report a deadlock when every thread stays blocked MS ms (default 3000; 0: off)\n"
          "      --max-cycles N   stop enumerating lock-order cycles after N (default 100000)\n"
          /* clang-format off */
          LST_GATE_USAGE
          /* clang-format on */
          "  -q, --quiet          no text report on stderr\n",
          out);
}

int lst_cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, 0, 'o'}, {"timeout", required_argument, 0, 't'},
        {"stall-ms", required_argument, 0, 's'}, {"max-cycles", required_argument, 0, 'm'},
        {"quiet", no_argument, 0, 'q'}, LST_GATE_LONGOPTS,
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *outdir = "lockstep-out";
    long timeout = 0, stall = 3000, max_cycles = 100000;
    int quiet = 0, c;
    lst_gate g;
    lst_gate_init(&g, "run");
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:o:qh", longopts, NULL)) != -1) {
        long *dst = NULL;
        switch (c) {
        case 'o':
            outdir = optarg;
            break;
        case 't':
            dst = &timeout;
            break;
        case 's':
            dst = &stall;
            break;
        case 'm':
            dst = &max_cycles;
            break;
        case 'q':
            quiet = 1;
            break;
        case LST_GATE_CASES:
            if (lst_gate_option(&g, c, optarg) != 0)
                return LST_EXIT_USAGE;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            return lst_bad_option("run", argv, c);
        }
        if (dst && (*dst = lst_num_arg(optarg)) < 0) {
            const char *name = "?";
            for (const struct option *lo = longopts; lo->name; lo++)
                if (lo->val == c)
                    name = lo->name;
            lst_err("run", "invalid value '%s' for --%s", optarg, name);
            return LST_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        lst_err("run", "no program given (usage: lockstep run [options] -- PROG [ARGS...])");
        return LST_EXIT_USAGE;
    }
    char err[1024], prog[PATH_MAX], absout[PATH_MAX];
    if (lst_gate_load(&g) != 0) {
        lst_gate_free(&g);
        return LST_EXIT_USAGE;
    }
    if (lst_check_program(argv[optind], prog, sizeof prog, err, sizeof err) != 0 ||
        lst_prepare_outdir(outdir, err, sizeof err) != 0 || !realpath(outdir, absout)) {
        lst_err("run", "%s", err);
        lst_gate_free(&g);
        return LST_EXIT_USAGE;
    }
    int targc = argc - optind;
    char **targv = calloc((size_t)targc + 1, sizeof *targv);
    targv[0] = prog;
    for (int i = 1; i < targc; i++)
        targv[i] = argv[optind + i];
    lst_report r;
    lst_report_init(&r);
    r.tool_version = strdup(LST_VERSION);
    r.mode = strdup("run");
    lst_report_set_argv(&r, targc, argv + optind);
    lst_run_opts o = {"run", absout, targv, (unsigned)timeout, (unsigned)stall, NULL, 0, 0,
                      lst_gate_supp_path(&g)};
    lst_run_result res;
    if (lst_run_target(&o, &res, &r, err, sizeof err) != 0) {
        lst_err("run", "%s", err);
        free(targv);
        lst_report_free(&r);
        lst_gate_free(&g);
        return LST_EXIT_USAGE;
    }
    free(targv);
    lst_collect(absout, &r, (unsigned)max_cycles);
    lst_add_exit_findings(&r, &res, 0);
    lst_gate_apply(&g, &r);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/report.json", absout);
    if (lst_write_json(&r, path) != 0) {
        lst_err("run", "cannot write %s: %m", path);
        lst_report_free(&r);
        lst_gate_free(&g);
        return LST_EXIT_INTERNAL;
    }
    if (!quiet) {
        lst_write_text(&r, stderr, isatty(2) && !getenv("NO_COLOR"));
        lst_gate_summary(&g, &r, stderr);
    }
    /* Findings that fail the build give --exitcode. Otherwise the target's own status,
     * except when lockstep ended it (a deadlock the shim stopped, a stall, the timeout):
     * that status is lockstep's, not the target's, so it is 0. */
    int rc;
    if (lst_gate_failing(&g, &r))
        rc = (int)g.exitcode;
    else if (res.ended_by_shim || res.stalled || res.timed_out)
        rc = 0;
    else if (res.exit_signal)
        rc = 128 + res.exit_signal;
    else
        rc = res.exit_code;
    lst_report_free(&r);
    lst_gate_free(&g);
    return rc;
}
