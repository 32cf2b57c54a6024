/* main.c: the lockstep command line. Dispatches to the subcommands; each lives in its own
 * cmd_*.c file and returns the process exit status (see cli.h for the codes). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
    fputs("usage: lockstep <command> [options] ...\n"
          "Finds data races and deadlocks in pthreads programs and proves them with a\n"
          "replayable interleaving.\n\n"
          "commands:\n"
          "  run      run a program under the shim; report lock-order cycles, deadlocks, misuse\n"
          "  explore  run many schedules under the deterministic scheduler; save the failing ones\n"
          "  replay   re-execute a recorded schedule exactly\n"
          "  report   render an output directory again (text, json, html, sarif, junit)\n"
          "  merge    combine the reports of several output directories (explore shards)\n"
          "  collect  analyse the stores the shim left without the CLI into report.json\n"
          "  baseline write a report's findings as a baseline or a suppressions file\n"
          "  cases    list the notes' cases and their expected verdicts\n\n"
          "  lockstep <command> --help   shows a command's options\n"
          "  lockstep --version\n"
          "exit status: 0 no findings (run: the target's own status), 66 findings that fail\n"
          "             the build (--fail-on, --baseline),\n"
          "             2 usage error or bad input, 70 internal error\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return LST_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("lockstep %s\n", LST_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "run"))
        return lst_cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return lst_cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "cases"))
        return lst_cmd_cases(argc - 1, argv + 1);
    if (!strcmp(cmd, "explore"))
        return lst_cmd_explore(argc - 1, argv + 1);
    if (!strcmp(cmd, "replay"))
        return lst_cmd_replay(argc - 1, argv + 1);
    if (!strcmp(cmd, "baseline"))
        return lst_cmd_baseline(argc - 1, argv + 1);
    if (!strcmp(cmd, "merge"))
        return lst_cmd_merge(argc - 1, argv + 1);
    if (!strcmp(cmd, "collect"))
        return lst_cmd_collect(argc - 1, argv + 1);
    lst_err(NULL, "unknown command '%s' (see lockstep --help)", cmd);
    return LST_EXIT_USAGE;
}
