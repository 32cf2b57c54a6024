/* cmd_run.c: `lockstep run [options] -- PROG [ARGS...]`: runs a program under the shim with
 * its threads free-running, then reports lock-order cycles, actual deadlocks and misuse in
 * DIR/report.json and as a text summary on stderr. Exit status: 66 (or --exitcode) when
 * there are findings, otherwise the target's own status; 2 for usage errors and bad input. */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "suppress.h"

static void usage(FILE *out)
{
    fputs("usage: lockstep run [-o DIR] [--timeout SEC] [--stall-ms MS] [--exitcode N] [-q]\n"
          "                    -- PROG [ARGS...]\n"
          "Runs PROG under the shim (threads free-running) and reports lock-order cycles,\n"
          "actual deadlocks and lock misuse.\n"
          "  -o, --output DIR   output directory (default lockstep-out)\n"
          "      --timeout SEC  stop the target after SEC seconds and report a hang (default 0: none)\n"
          "      --stall-ms MS  report a deadlock when every thread stays blocked MS ms (default 3000; 0: off)\n"
          "      --exitcode N   exit status when there are findings (default 66)\n"
          "      --max-cycles N stop enumerating lock-order cycles after N (default 100000)\n"
          "      --suppressions FILE  ThreadSanitizer-syntax suppressions, for TSan and for lockstep\n"
          "  -q, --quiet        no text report on stderr\n",
          out);
}

int lst_cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, 0, 'o'}, {"timeout", required_argument, 0, 't'},
        {"stall-ms", required_argument, 0, 's'}, {"exitcode", required_argument, 0, 'e'},
        {"max-cycles", required_argument, 0, 'm'}, {"quiet", no_argument, 0, 'q'},
        {"suppressions", required_argument, 0, 'S'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *outdir = "lockstep-out";
    long timeout = 0, stall = 3000, exitcode = LST_EXIT_FINDINGS, max_cycles = 100000;
    int quiet = 0, c;
    const char *supp_file = NULL;
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
        case 'e':
            dst = &exitcode;
            break;
        case 'm':
            dst = &max_cycles;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'S':
            supp_file = optarg;
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
    if (exitcode > 255) {
        lst_err("run", "--exitcode must be between 0 and 255");
        return LST_EXIT_USAGE;
    }
    char err[1024], prog[PATH_MAX], absout[PATH_MAX], abssupp[PATH_MAX];
    struct lst_suppressions *supp = NULL;
    if (supp_file && !(supp = lst_load_suppressions("run", supp_file, abssupp, sizeof abssupp)))
        return LST_EXIT_USAGE;
    if (lst_check_program(argv[optind], prog, sizeof prog, err, sizeof err) != 0) {
        lst_err("run", "%s", err);
        lst_suppressions_free(supp);
        return LST_EXIT_USAGE;
    }
    if (lst_prepare_outdir(outdir, err, sizeof err) != 0 || !realpath(outdir, absout)) {
        lst_err("run", "%s", err);
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
                      supp ? abssupp : NULL};
    lst_run_result res;
    if (lst_run_target(&o, &res, &r, err, sizeof err) != 0) {
        lst_err("run", "%s", err);
        free(targv);
        lst_report_free(&r);
        return LST_EXIT_USAGE;
    }
    free(targv);
    lst_collect(absout, &r, (unsigned)max_cycles);
    lst_add_exit_findings(&r, &res, 0);
    lst_suppress(supp, &r);
    lst_suppressions_free(supp);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/report.json", absout);
    if (lst_write_json(&r, path) != 0) {
        lst_err("run", "cannot write %s: %m", path);
        lst_report_free(&r);
        return LST_EXIT_INTERNAL;
    }
    if (!quiet)
        lst_write_text(&r, stderr, isatty(2) && !getenv("NO_COLOR"));
    int rc;
    if (r.nfindings)
        rc = (int)exitcode;
    else if (res.exit_signal)
        rc = 128 + res.exit_signal;
    else
        rc = res.exit_code;
    lst_report_free(&r);
    return rc;
}
