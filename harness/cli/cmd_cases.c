/* cmd_cases.c: `lockstep cases`: lists the notes' cases (the C files of cases/) with the verdicts their
 * headers declare, and with --run MODE runs each case under lockstep in that mode, writes
 * its reports to OUT/<case>/<mode>/, and checks what was found against the verdict. This is
 * the main job of the README and of our own CI gate. Exit 0 when every checked case matches
 * its verdict, 1 when one does not, 2 for usage errors. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "case_manifest.h"
#include "cli.h"
#include "report.h"

static const char *const mode_names[LST_CASE_MODE_COUNT] = {"run", "explore", "tsan"};
static const char *const native_names[] = {"pass", "fail", "hang", "any"};

/* "clean" or "kind kind? ..." for one mode's verdict. */
static void verdict_text(const lst_case_expect *e, char *buf, size_t n)
{
    size_t at = 0;
    buf[0] = 0;
    if (!e->present) {
        snprintf(buf, n, "-");
        return;
    }
    if (!e->required && !e->optional) {
        snprintf(buf, n, "clean");
        return;
    }
    for (int k = 0; lst_case_kind_name(k); k++) {
        if (!((e->required | e->optional) & (1u << k)))
            continue;
        at += (size_t)snprintf(buf + at, at < n ? n - at : 0, "%s%s%s", at ? " " : "",
                               lst_case_kind_name(k), (e->optional & (1u << k)) ? "?" : "");
        if (at >= n)
            break;
    }
}

static void list_cases(const lst_case *c, size_t n, int tsv)
{
    char v[LST_CASE_MODE_COUNT][256];
    if (!tsv)
        printf("%-38s %-6s %-34s %-34s %s\n", "case", "native", "run", "explore", "tsan");
    for (size_t i = 0; i < n; i++) {
        for (int m = 0; m < LST_CASE_MODE_COUNT; m++)
            verdict_text(&c[i].expect[m], v[m], sizeof v[m]);
        if (tsv)
            printf("%s\t%s\t%s\t%s\t%s\t%s\n", c[i].name, native_names[c[i].native], v[0], v[1],
                   v[2], c[i].twin);
        else
            printf("%-38s %-6s %-34s %-34s %s\n", c[i].name, native_names[c[i].native], v[0],
                   v[1], v[2]);
    }
}

/* Runs `lockstep <sub> ... -- bin` for one case with its output in dir/output.txt; returns
 * the exit status, or -1 when it could not run or took longer than limit_s. */
static int run_lockstep(const char *sub, const char *dir, const char *bin, unsigned schedules,
                        unsigned limit_s)
{
    char self[PATH_MAX], out[PATH_MAX + 160], sched[32];
    ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    if (k <= 0)
        return -1;
    self[k] = 0;
    snprintf(out, sizeof out, "%s/output.txt", dir);
    snprintf(sched, sizeof sched, "%u", schedules);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        setenv("NO_COLOR", "1", 1);
        if (!strcmp(sub, "explore"))
            execl(self, self, "explore", "--schedules", sched, "--timeout", "30", "-o", dir, "--",
                  bin, (char *)NULL);
        else
            execl(self, self, "run", "--timeout", "30", "--stall-ms", "2000", "-o", dir, "--", bin,
                  (char *)NULL);
        _exit(127);
    }
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int st;
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            break;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec > (time_t)limit_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -1;
        }
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs one case in one mode and checks its verdict. Returns 1 when it matches. */
static int check_case(const lst_case *c, int mode, const char *bindir, const char *outdir,
                      unsigned schedules, int verbose)
{
    char bin[PATH_MAX + 64], dir[PATH_MAX + 128], err[1024], why[512], want[256], got[512];
    snprintf(bin, sizeof bin, "%s/%s%s", bindir, c->name, mode == LST_CASE_TSAN ? ".tsan" : "");
    snprintf(dir, sizeof dir, "%s/%s/%s", outdir, c->name, mode_names[mode]);
    verdict_text(&c->expect[mode], want, sizeof want);
    if (access(bin, X_OK) != 0) {
        printf("%-38s %-8s %-30s %-30s FAIL (no binary %s)\n", c->name, mode_names[mode], want, "-", bin);
        return 0;
    }
    if (lst_prepare_outdir(dir, err, sizeof err) != 0) {
        printf("%-38s %-8s FAIL (%s)\n", c->name, mode_names[mode], err);
        return 0;
    }
    int rc = run_lockstep(mode == LST_CASE_EXPLORE ? "explore" : "run", dir, bin, schedules, 600);
    char path[PATH_MAX + 160];
    snprintf(path, sizeof path, "%s/report.json", dir);
    lst_report r;
    if (rc < 0 || rc == LST_EXIT_USAGE || rc == LST_EXIT_INTERNAL ||
        lst_read_json(path, &r, err, sizeof err) != 0) {
        printf("%-38s %-8s %-30s %-30s FAIL (lockstep exit %d; see %s/output.txt)\n", c->name,
               mode_names[mode], want, "-", rc, dir);
        return 0;
    }
    const char **kinds = calloc(r.nfindings + 1, sizeof *kinds);
    size_t at = 0;
    got[0] = 0;
    for (size_t i = 0; i < r.nfindings; i++) {
        kinds[i] = lst_kind_name(r.findings[i].kind);
        if (!strstr(got, kinds[i]))
            at += (size_t)snprintf(got + at, at < sizeof got ? sizeof got - at : 0, "%s%s",
                                   at ? " " : "", kinds[i]);
    }
    if (!r.nfindings)
        snprintf(got, sizeof got, "clean");
    int ok = lst_case_check(c, mode_names[mode], kinds, r.nfindings, why, sizeof why);
    printf("%-38s %-8s %-30s %-30s %s%s%s\n", c->name, mode_names[mode], want, got, ok ? "ok" : "FAIL",
           ok ? "" : ": ", ok ? "" : why);
    if (!ok && verbose)
        lst_write_text(&r, stdout, 0);
    free(kinds);
    lst_report_free(&r);
    return ok;
}

static void usage(FILE *out)
{
    fputs("usage: lockstep cases [--dir DIR] [--tsv]\n"
          "       lockstep cases --run MODE [--bin DIR] [-o OUT] [--only NAME] [--schedules N] [-v]\n"
          "Lists the notes' cases and their expected verdicts, or runs them under lockstep in\n"
          "MODE (run, explore or tsan) and checks each verdict.\n"
          "  --dir DIR        directory of the case sources (default: the source tree's cases/)\n"
          "  --bin DIR        directory of the built cases (default: ../cases next to this binary)\n"
          "  -o, --output OUT reports go to OUT/<case>/<mode>/ (default lockstep-out/cases)\n"
          "  --only NAME      only this case (repeatable)\n"
          "  --schedules N    explore: schedules per case (default 100)\n"
          "  -v, --verbose    print the report of a case whose verdict does not match\n",
          out);
}

int lst_cmd_cases(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"dir", required_argument, 0, 'd'},      {"bin", required_argument, 0, 'b'},
        {"run", required_argument, 0, 'r'},      {"output", required_argument, 0, 'o'},
        {"only", required_argument, 0, 'O'},     {"schedules", required_argument, 0, 's'},
        {"tsv", no_argument, 0, 't'},            {"verbose", no_argument, 0, 'v'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
    const char *dir = LST_SOURCE_DIR "/cases", *bindir = NULL, *outdir = "lockstep-out/cases";
    const char *run = NULL;
    const char *only[64];
    int nonly = 0, tsv = 0, verbose = 0, opt;
    long schedules = 100;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'd':
            dir = optarg;
            break;
        case 'b':
            bindir = optarg;
            break;
        case 'r':
            run = optarg;
            break;
        case 'o':
            outdir = optarg;
            break;
        case 'O':
            if (nonly < 64)
                only[nonly++] = optarg;
            break;
        case 's':
            if ((schedules = lst_num_arg(optarg)) <= 0) {
                lst_err("cases", "invalid value '%s' for --schedules", optarg);
                return LST_EXIT_USAGE;
            }
            break;
        case 't':
            tsv = 1;
            break;
        case 'v':
            verbose = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return LST_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        lst_err("cases", "unexpected argument '%s'", argv[optind]);
        return LST_EXIT_USAGE;
    }
    lst_case *cases;
    size_t n;
    char err[1024];
    if (lst_cases_load(dir, &cases, &n, err, sizeof err) != 0) {
        lst_err("cases", "%s", err);
        return LST_EXIT_USAGE;
    }
    for (int i = 0; i < nonly; i++)
        if (!lst_case_find(cases, n, only[i])) {
            lst_err("cases", "no case named '%s' in %s", only[i], dir);
            lst_cases_free(cases, n);
            return LST_EXIT_USAGE;
        }
    if (!run) {
        list_cases(cases, n, tsv);
        lst_cases_free(cases, n);
        return 0;
    }
    int mode = -1;
    for (int m = 0; m < LST_CASE_MODE_COUNT; m++)
        if (!strcmp(run, mode_names[m]))
            mode = m;
    if (mode < 0) {
        lst_err("cases", "unknown mode '%s' (want run, explore or tsan)", run);
        lst_cases_free(cases, n);
        return LST_EXIT_USAGE;
    }
    char defbin[PATH_MAX + 32];
    if (!bindir) {
        char self[PATH_MAX];
        ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
        self[k > 0 ? k : 0] = 0;
        char *slash = strrchr(self, '/');
        if (slash)
            *slash = 0;
        snprintf(defbin, sizeof defbin, "%s/../cases", self);
        bindir = defbin;
    }
    char absbin[PATH_MAX], absout[PATH_MAX];
    if (!realpath(bindir, absbin)) {
        lst_err("cases", "cannot find the built cases in %s (build first)", bindir);
        lst_cases_free(cases, n);
        return LST_EXIT_USAGE;
    }
    if (lst_prepare_outdir(outdir, err, sizeof err) != 0 || !realpath(outdir, absout)) {
        lst_err("cases", "%s", err);
        lst_cases_free(cases, n);
        return LST_EXIT_USAGE;
    }
    printf("%-38s %-8s %-30s %-30s %s\n", "case", "mode", "expected", "found", "verdict");
    int checked = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        int selected = nonly == 0;
        for (int j = 0; j < nonly; j++)
            selected |= !strcmp(only[j], cases[i].name);
        if (!selected || !cases[i].expect[mode].present)
            continue;
        fflush(stdout);
        checked++;
        if (!check_case(&cases[i], mode, absbin, absout, (unsigned)schedules, verbose))
            failed++;
    }
    printf("lockstep: cases: %d checked in %s mode, %d matched, %d did not; reports in %s\n",
           checked, mode_names[mode], checked - failed, failed, absout);
    lst_cases_free(cases, n);
    return failed ? 1 : 0;
}
