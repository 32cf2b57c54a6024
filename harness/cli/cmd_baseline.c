/* cmd_baseline.c: `lockstep baseline [--format baseline|suppressions] [-o FILE] DIR|FILE`.
 * Turns the findings of a report.json into a file to commit: a baseline file (baseline.h)
 * for --baseline, or a suppressions file in ThreadSanitizer's syntax for --suppressions, one
 * rule per finding from the top frame of its main stack, each under a `# kind fingerprint
 * title` comment. Both are sorted by fingerprint, so they diff well. Findings that have no
 * stack (target-failure, hang) cannot be suppressed; they get a comment saying so. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline.h"
#include "cli.h"
#include "report.h"

static void usage(FILE *out)
{
    fputs("usage: lockstep baseline [--format baseline|suppressions] [-o FILE] DIR|report.json\n"
          "Writes the findings of a report as a file to commit: a baseline for --baseline\n"
          "(known findings do not fail the build) or ThreadSanitizer-syntax suppressions for\n"
          "--suppressions (matching findings become notes). Sorted, so it diffs well.\n"
          "  -f, --format F     baseline (default) or suppressions\n"
          "  -o, --output FILE  write to FILE instead of stdout\n",
          out);
}

/* The suppression type that matches findings of kind k, or NULL when none can. */
static const char *supp_type(lst_kind k)
{
    switch (k) {
    case LST_KIND_LOCK_ORDER_CYCLE:
    case LST_KIND_DEADLOCK:
    case LST_KIND_SELF_DEADLOCK:
        return "deadlock";
    case LST_KIND_LOCK_MISUSE:
        return "mutex";
    case LST_KIND_DATA_RACE:
        return "race";
    case LST_KIND_THREAD_LEAK:
        return "thread";
    case LST_KIND_SIGNAL_UNSAFE:
        return "signal";
    default:
        return NULL;
    }
}

/* The function of the finding's top frame: the first frame with a source line of its main
 * stack (report.h), else that stack's first frame with a function. NULL when none. */
static const char *top_function(const lst_finding *f)
{
    int si = lst_finding_primary_stack(f);
    if (si < 0)
        return NULL;
    const lst_stack *s = &f->stacks[si];
    const lst_frame *site = lst_stack_site(s);
    if (site && site->function && *site->function)
        return site->function;
    for (size_t i = 0; i < s->nframes; i++)
        if (s->frames[i].function && *s->frames[i].function)
            return s->frames[i].function;
    return NULL;
}

typedef struct entry {
    const lst_finding *f;
    char *rule; /* "type:^function$", or NULL */
} entry;

static int by_fingerprint(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->f->fingerprint, ((const entry *)b)->f->fingerprint);
}

/* One line of text: newlines and other control characters become spaces. */
static void put_line(FILE *out, const char *s)
{
    for (; s && *s; s++)
        fputc((unsigned char)*s < 0x20 ? ' ' : *s, out);
}

static int write_suppressions(const lst_report *r, FILE *out)
{
    entry *v = calloc(r->nfindings ? r->nfindings : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        const lst_finding *f = &r->findings[i];
        int dup = 0;
        for (size_t j = 0; j < n; j++)
            dup |= !strcmp(v[j].f->fingerprint, f->fingerprint);
        if (dup)
            continue;
        v[n].f = f;
        const char *type = supp_type(f->kind), *fn = top_function(f);
        if (type && fn && asprintf(&v[n].rule, "%s:^%s$", type, fn) < 0)
            v[n].rule = NULL;
        n++;
    }
    qsort(v, n, sizeof *v, by_fingerprint);
    fputs("# lockstep suppressions (written by `lockstep baseline --format suppressions`):\n"
          "# one rule per finding, from the top frame of its main stack. Pass the file to\n"
          "# lockstep run/explore/replay/merge/collect --suppressions; ThreadSanitizer reads it "
          "too.\n",
          out);
    for (size_t i = 0; i < n; i++) {
        const lst_finding *f = v[i].f;
        fprintf(out, "# %s %s ", lst_kind_name(f->kind), f->fingerprint);
        put_line(out, f->message);
        fputc('\n', out);
        int seen = 0;
        for (size_t j = 0; j < i && v[i].rule; j++)
            seen |= v[j].rule && !strcmp(v[j].rule, v[i].rule);
        if (!v[i].rule)
            fprintf(out, "#   not suppressible: %s; use --baseline\n",
                    supp_type(f->kind) ? "no symbolized frame"
                                       : "a finding of this kind has no stack");
        else if (seen)
            fprintf(out, "#   same rule as above: %s\n", v[i].rule);
        else
            fprintf(out, "%s\n", v[i].rule);
    }
    for (size_t i = 0; i < n; i++) /* after the loop: later rules are compared with earlier ones */
        free(v[i].rule);
    free(v);
    return ferror(out) ? -1 : 0;
}

int lst_cmd_baseline(int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, 0, 'f'},
                                             {"output", required_argument, 0, 'o'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *format = "baseline", *output = NULL;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'f':
            format = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            return lst_bad_option("baseline", argv, opt);
        }
    }
    int supp = !strcmp(format, "suppressions");
    if (!supp && strcmp(format, "baseline")) {
        lst_err("baseline", "unknown format '%s' (want baseline or suppressions)", format);
        return LST_EXIT_USAGE;
    }
    if (optind != argc - 1) {
        lst_err("baseline", "want one DIR or report.json (usage: lockstep baseline [--format "
                            "baseline|suppressions] [-o FILE] DIR|report.json)");
        return LST_EXIT_USAGE;
    }
    char path[PATH_MAX + 16], err[1024];
    struct stat st;
    if (stat(argv[optind], &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(path, sizeof path, "%s/report.json", argv[optind]);
    else
        snprintf(path, sizeof path, "%s", argv[optind]);
    lst_report r;
    if (lst_read_json(path, &r, err, sizeof err) != 0) {
        lst_err("baseline", "%s", err);
        return LST_EXIT_USAGE;
    }
    /* to a temporary file renamed into place, so a failed write never leaves half a file */
    char tmp[PATH_MAX + 32];
    FILE *out = stdout;
    if (output) {
        snprintf(tmp, sizeof tmp, "%s.tmp.%d", output, (int)getpid());
        if (!(out = fopen(tmp, "w"))) {
            lst_err("baseline", "cannot write %s: %s", output, strerror(errno));
            lst_report_free(&r);
            return LST_EXIT_USAGE;
        }
    }
    int rc;
    if (supp) {
        rc = write_suppressions(&r, out);
    } else {
        lst_baseline b;
        lst_baseline_init(&b);
        lst_baseline_add_report(&b, &r);
        rc = lst_baseline_write(&b, out);
        lst_baseline_free(&b);
    }
    lst_report_free(&r);
    if (output) {
        rc |= fclose(out);
        if (rc == 0 && rename(tmp, output) != 0)
            rc = -1;
        if (rc != 0) {
            lst_err("baseline", "cannot write %s: %s", output, strerror(errno));
            unlink(tmp);
            return LST_EXIT_USAGE;
        }
    } else if (fflush(stdout) != 0 || rc != 0) {
        lst_err("baseline", "cannot write stdout: %s", strerror(errno));
        return LST_EXIT_USAGE;
    }
    return 0;
}
