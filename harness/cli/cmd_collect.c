/* cmd_collect.c: `lockstep collect [options] DIR`, for the shim used without the CLI (a test
 * runner sets LD_PRELOAD=liblockstep.so and LOCKSTEP_OPTIONS=out=DIR). It analyses the raw
 * stores the shim left in DIR/stores/ (and ThreadSanitizer's reports in DIR/tsan/) with the
 * detectors `lockstep run` uses, writes DIR/report.json (replacing one that is there) and
 * prints the text report. Its exit status gates like run's: --exitcode (66) when findings
 * fail the build, 0 otherwise, 2 when DIR holds no stores. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "cli.h"
#include "gate.h"
#include "report.h"

static void usage(FILE *out)
{
    fputs("usage: lockstep collect [--max-cycles N] [--exitcode N] [--fail-on KINDS]\n"
          "                        [--baseline FILE] [--suppressions FILE] [-q] DIR\n"
          "Analyses the stores that liblockstep.so, preloaded without the CLI\n"
          "(LOCKSTEP_OPTIONS=out=DIR), left in DIR/stores/, writes DIR/report.json and prints\n"
          "the text report. Exit status 66 when findings fail the build, as for run.\n"
          "      --max-cycles N   stop enumerating lock-order cycles (default 100000)\n"
          /* clang-format off */
          LST_GATE_USAGE
          /* clang-format on */
          "  -q, --quiet          no text report on stderr\n",
          out);
}

/* The executable recorded in the first store of dir/stores (the report's target), written
 * to buf; returns the number of stores found. */
static size_t first_exe(const char *dir, char *buf, size_t n)
{
    char sdir[PATH_MAX + 16];
    snprintf(sdir, sizeof sdir, "%s/stores", dir);
    DIR *d = opendir(sdir);
    if (!d)
        return 0;
    size_t count = 0;
    long best_pid = -1;
    struct dirent *de;
    while ((de = readdir(d))) {
        long pid = 0, gen = 0;
        if (sscanf(de->d_name, "store.%ld.%ld", &pid, &gen) != 2)
            continue;
        count++;
        if (best_pid >= 0 && pid >= best_pid)
            continue;
        char path[PATH_MAX + 300], err[512];
        snprintf(path, sizeof path, "%s/%s", sdir, de->d_name);
        lst_store_view v;
        if (lst_store_open(path, &v, err, sizeof err) == 0) {
            snprintf(buf, n, "%.*s", (int)sizeof v.h->exe, v.h->exe);
            best_pid = pid;
            lst_store_close(&v);
        }
    }
    closedir(d);
    return count;
}

int lst_cmd_collect(int argc, char **argv)
{
    static const struct option longopts[] = {{"max-cycles", required_argument, 0, 'm'},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             LST_GATE_LONGOPTS,
                                             {0, 0, 0, 0}};
    long max_cycles = 100000;
    int quiet = 0, opt;
    lst_gate g;
    lst_gate_init(&g, "collect");
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'm':
            if ((max_cycles = lst_num_arg(optarg)) < 0) {
                lst_err("collect", "invalid value '%s' for --max-cycles", optarg);
                return LST_EXIT_USAGE;
            }
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case LST_GATE_CASES:
            if (lst_gate_option(&g, opt, optarg) != 0)
                return LST_EXIT_USAGE;
            break;
        default:
            return lst_bad_option("collect", argv, opt);
        }
    }
    if (optind != argc - 1) {
        lst_err("collect", "want one output directory (usage: lockstep collect [options] DIR)");
        return LST_EXIT_USAGE;
    }
    if (lst_gate_load(&g) != 0)
        return LST_EXIT_USAGE;
    char absdir[PATH_MAX], exe[PATH_MAX] = "";
    if (!realpath(argv[optind], absdir) || !first_exe(absdir, exe, sizeof exe)) {
        lst_err("collect",
                "%s has no stores/ to analyse (run the target with "
                "LD_PRELOAD=liblockstep.so LOCKSTEP_OPTIONS=out=%s)",
                argv[optind], argv[optind]);
        lst_gate_free(&g);
        return LST_EXIT_USAGE;
    }
    lst_report r;
    lst_report_init(&r);
    r.tool_version = strdup(LST_VERSION);
    r.mode = strdup("collect");
    if (*exe) {
        char *one[] = {exe};
        lst_report_set_argv(&r, 1, one);
    }
    lst_collect(absdir, &r, (unsigned)max_cycles);
    lst_gate_apply(&g, &r);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/report.json", absdir);
    if (lst_write_json(&r, path) != 0) {
        lst_err("collect", "cannot write %s: %s", path, strerror(errno));
        lst_report_free(&r);
        lst_gate_free(&g);
        return LST_EXIT_INTERNAL;
    }
    if (!quiet) {
        lst_write_text(&r, stderr, isatty(2) && !getenv("NO_COLOR"));
        lst_gate_summary(&g, &r, stderr);
    }
    int rc = lst_gate_failing(&g, &r) ? (int)g.exitcode : 0;
    lst_report_free(&r);
    lst_gate_free(&g);
    return rc;
}
