/* cmd_merge.c: `lockstep merge [-o OUT] [gate options] [-q] DIR...`. Combines the
 * report.json of several output directories (the shards of one exploration, or runs of
 * several jobs) into OUT/report.json: findings and notes deduplicated by fingerprint with
 * their counts summed (the first directory's copy is kept), schedules summed, limits
 * combined. The schedule file (and trace) of each kept finding is copied into
 * OUT/schedules/, renamed when two inputs use the same name for different files, and the
 * finding points at the copy, so `lockstep replay` works from OUT alone. Prints the text
 * report; the exit status is explore's: --exitcode (66) when findings fail the build. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "gate.h"
#include "report.h"

static void usage(FILE *out)
{
    fputs("usage: lockstep merge [-o OUT] [--exitcode N] [--fail-on KINDS] [--baseline FILE]\n"
          "                      [--suppressions FILE] [-q] DIR...\n"
          "Combines the reports of several output directories (e.g. explore --shard I/N) into\n"
          "OUT/report.json: findings deduplicated by fingerprint, counts and schedules summed,\n"
          "schedule files copied into OUT/schedules/ so that lockstep replay works from OUT.\n"
          "  -o, --output OUT     output directory (default lockstep-out), not a DIR\n"
          /* clang-format off */
          LST_GATE_USAGE
          /* clang-format on */
          "  -q, --quiet          no text report on stderr\n",
          out);
}

/* 1 when the files at a and b have the same bytes. */
static int same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int ca = getc(fa), cb = getc(fb);
        if (ca != cb)
            same = 0;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

/* Copies src to dst; returns 0 or -1 with errno set. */
static int copy_file(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb");
    if (!in)
        return -1;
    FILE *out = fopen(dst, "wb");
    if (!out) {
        int e = errno;
        fclose(in);
        errno = e;
        return -1;
    }
    char buf[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            rc = -1;
    if (ferror(in))
        rc = -1;
    fclose(in);
    if (fclose(out) != 0)
        rc = -1;
    return rc;
}

/* The schedule file a finding of input directory dir names: as written when it still
 * exists, else the file of the same name in dir/schedules/ (the directory was moved, e.g.
 * downloaded as a CI artifact). Writes it to buf; returns 0, or -1 when neither exists. */
static int find_schedule(const char *sched, const char *dir, char *buf, size_t n)
{
    if (access(sched, R_OK) == 0) {
        snprintf(buf, n, "%s", sched);
        return 0;
    }
    const char *base = strrchr(sched, '/');
    snprintf(buf, n, "%s/schedules/%s", dir, base ? base + 1 : sched);
    return access(buf, R_OK) == 0 ? 0 : -1;
}

/* Copies the schedule of f (from input number k, directory dir) into outdir/schedules/ and
 * points f at the copy. A name already taken by a different file gets "-<k>" (then
 * "-<k>-2", ...) before ".schedule". The trace next to it goes along. */
static void copy_schedule(lst_finding *f, const char *dir, unsigned k, const char *outdir,
                          lst_report *all)
{
    char src[PATH_MAX], dst[PATH_MAX * 2 + 96], stem[PATH_MAX];
    if (!f->schedule)
        return;
    if (find_schedule(f->schedule, dir, src, sizeof src) != 0) {
        char line[PATH_MAX + 128];
        snprintf(line, sizeof line, "merge: schedule %s not found; the finding keeps that path",
                 f->schedule);
        lst_report_add_limit(all, line);
        return;
    }
    const char *base = strrchr(src, '/');
    base = base ? base + 1 : src;
    size_t len = strlen(base);
    if (len > 9 && !strcmp(base + len - 9, ".schedule"))
        len -= 9;
    snprintf(stem, sizeof stem, "%.*s", (int)len, base);
    for (unsigned attempt = 0;; attempt++) {
        if (attempt == 0)
            snprintf(dst, sizeof dst, "%s/schedules/%s.schedule", outdir, stem);
        else if (attempt == 1)
            snprintf(dst, sizeof dst, "%s/schedules/%s-%u.schedule", outdir, stem, k);
        else
            snprintf(dst, sizeof dst, "%s/schedules/%s-%u-%u.schedule", outdir, stem, k, attempt);
        if (access(dst, F_OK) != 0 || same_file(src, dst))
            break;
    }
    if (access(dst, F_OK) != 0) {
        if (copy_file(src, dst) != 0) {
            char line[PATH_MAX * 3 + 160];
            snprintf(line, sizeof line, "merge: cannot copy %s to %s: %s", src, dst,
                     strerror(errno));
            lst_report_add_limit(all, line);
            return;
        }
        /* the trace: same stem, ".trace" */
        char tsrc[PATH_MAX + 16], tdst[sizeof dst + 16];
        snprintf(tsrc, sizeof tsrc, "%.*s.trace", (int)(strlen(src) - (strlen(base) - len)), src);
        snprintf(tdst, sizeof tdst, "%.*s.trace", (int)(strlen(dst) - 9), dst);
        if (access(tsrc, R_OK) == 0)
            copy_file(tsrc, tdst);
    }
    free(f->schedule);
    f->schedule = strdup(dst);
}

/* Adds the findings and notes of one input to all. */
static void merge_one(lst_report *all, lst_report *one, const char *dir, unsigned k,
                      const char *outdir)
{
    for (int note = 0; note < 2; note++) {
        lst_finding *v = note ? one->notes : one->findings;
        size_t n = note ? one->nnotes : one->nfindings;
        for (size_t i = 0; i < n; i++) {
            lst_finding *have = lst_report_find(all, v[i].kind, v[i].fingerprint, note);
            if (have) {
                have->count += v[i].count;
                continue;
            }
            lst_finding *f = lst_report_take(all, &v[i], note);
            copy_schedule(f, dir, k, outdir, all);
        }
    }
    for (size_t i = 0; i < one->nlimits; i++)
        lst_report_add_limit(all, one->limits[i]);
    all->schedules += one->schedules;
}

/* Limit lines for shards that do not add up: different N, a shard twice, shards missing. */
static void check_shards(lst_report *all, const lst_report *ins, size_t n)
{
    unsigned shards = 0;
    unsigned char *seen = NULL;
    char line[256];
    for (size_t i = 0; i < n; i++) {
        if (!ins[i].shards)
            continue;
        if (!shards) {
            shards = ins[i].shards;
            seen = calloc(shards + 1, 1);
        } else if (ins[i].shards != shards) {
            snprintf(line, sizeof line,
                     "merge: the inputs are shards of different splits (/%u and /%u)", shards,
                     ins[i].shards);
            lst_report_add_limit(all, line);
            free(seen);
            return;
        }
        if (seen[ins[i].shard]++) {
            snprintf(line, sizeof line, "merge: shard %u/%u is in the inputs twice", ins[i].shard,
                     shards);
            lst_report_add_limit(all, line);
        }
    }
    for (unsigned s = 1; shards && s <= shards; s++)
        if (!seen[s]) {
            snprintf(line, sizeof line,
                     "merge: shard %u/%u is missing: the report covers part of the exploration", s,
                     shards);
            lst_report_add_limit(all, line);
        }
    free(seen);
}

int lst_cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, 0, 'o'},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             LST_GATE_LONGOPTS,
                                             {0, 0, 0, 0}};
    const char *outdir = "lockstep-out";
    int quiet = 0, opt;
    lst_gate g;
    lst_gate_init(&g, "merge");
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            outdir = optarg;
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
            return lst_bad_option("merge", argv, opt);
        }
    }
    if (optind >= argc) {
        lst_err("merge", "no input directory (usage: lockstep merge [-o OUT] DIR...)");
        return LST_EXIT_USAGE;
    }
    if (lst_gate_load(&g) != 0)
        return LST_EXIT_USAGE;
    /* read every input first: a bad one stops the merge before OUT is touched */
    size_t n = (size_t)(argc - optind);
    lst_report *ins = calloc(n, sizeof *ins);
    char **dirs = calloc(n, sizeof *dirs);
    char err[1024], absout[PATH_MAX];
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *in = argv[optind + (int)i];
        char path[PATH_MAX + 16];
        struct stat st;
        if (stat(in, &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(path, sizeof path, "%s/report.json", in);
            dirs[i] = realpath(in, NULL);
        } else {
            snprintf(path, sizeof path, "%s", in);
            char *slash = strrchr(path, '/');
            char *d = slash ? strndup(path, (size_t)(slash - path + (slash == path))) : strdup(".");
            dirs[i] = realpath(d, NULL);
            free(d);
        }
        if (lst_read_json(path, &ins[i], err, sizeof err) != 0) {
            lst_err("merge", "%s", err);
            rc = LST_EXIT_USAGE;
        }
    }
    if (!rc && (lst_prepare_outdir(outdir, err, sizeof err) != 0 || !realpath(outdir, absout))) {
        lst_err("merge", "%s", err);
        rc = LST_EXIT_USAGE;
    }
    for (size_t i = 0; i < n && !rc; i++)
        if (dirs[i] && !strcmp(dirs[i], absout)) {
            lst_err("merge", "the output directory %s is also an input; use another -o", absout);
            rc = LST_EXIT_USAGE;
        }
    if (rc) {
        for (size_t i = 0; i < n; i++) {
            lst_report_free(&ins[i]);
            free(dirs[i]);
        }
        free(ins);
        free(dirs);
        lst_gate_free(&g);
        return rc;
    }
    char sdir[PATH_MAX + 16];
    snprintf(sdir, sizeof sdir, "%s/schedules", absout);
    lst_rm_rf(sdir);
    mkdir(sdir, 0755);

    lst_report all;
    lst_report_init(&all);
    all.tool_version = strdup(LST_VERSION);
    all.mode = ins[0].mode ? strdup(ins[0].mode) : NULL;
    lst_report_set_argv(&all, (int)ins[0].argc, ins[0].argv);
    /* the target's status when every input ended the same way, else unknown (as explore) */
    all.exit_code = ins[0].exit_code;
    all.exit_signal = ins[0].exit_signal;
    for (size_t i = 1; i < n; i++)
        if (ins[i].exit_code != all.exit_code || ins[i].exit_signal != all.exit_signal) {
            all.exit_code = -1;
            all.exit_signal = 0;
        }
    if (ins[0].baseline)
        all.baseline = strdup(ins[0].baseline);
    check_shards(&all, ins, n);
    for (size_t i = 0; i < n; i++) {
        if (i && (ins[i].argc != all.argc || (all.argc && strcmp(ins[i].argv[0], all.argv[0])))) {
            char line[PATH_MAX + 96];
            snprintf(line, sizeof line, "merge: %s ran another target than the first input",
                     argv[optind + (int)i]);
            lst_report_add_limit(&all, line);
        }
        merge_one(&all, &ins[i], dirs[i] ? dirs[i] : ".", (unsigned)i + 1, absout);
        lst_report_free(&ins[i]);
        free(dirs[i]);
    }
    free(ins);
    free(dirs);
    lst_gate_apply(&g, &all);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/report.json", absout);
    if (lst_write_json(&all, path) != 0) {
        lst_err("merge", "cannot write %s: %s", path, strerror(errno));
        lst_report_free(&all);
        lst_gate_free(&g);
        return LST_EXIT_INTERNAL;
    }
    if (!quiet) {
        lst_write_text(&all, stderr, isatty(2) && !getenv("NO_COLOR"));
        for (size_t i = 0; i < all.nfindings; i++)
            if (all.findings[i].schedule)
                fprintf(stderr, "lockstep: %s: replay it with: lockstep replay %s\n",
                        lst_kind_name(all.findings[i].kind), all.findings[i].schedule);
        lst_gate_summary(&g, &all, stderr);
    }
    rc = lst_gate_failing(&g, &all) ? (int)g.exitcode : 0;
    lst_report_free(&all);
    lst_gate_free(&g);
    return rc;
}
