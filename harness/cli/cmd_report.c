/* cmd_report.c: `lockstep report [--format text|json] [-o FILE] DIR|FILE`. Reads a run's
 * report.json (the one source of truth) with lst_read_json and renders it again: as the
 * TSan-like text, or as re-written, normalized JSON. Formats planned for later (html, sarif,
 * junit, all) are refused with a one-line error. Every failure is one "lockstep: report:"
 * line on stderr and exit status 2. */
#define _GNU_SOURCE
#include "cmd_report.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

#define USAGE "usage: lockstep report [--format text|json] [-o FILE] DIR|FILE"

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("lockstep: report: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (" USAGE ")\n", stderr);
    va_end(ap);
    return 2;
}

static int use_colour(FILE *out)
{
    const char *no = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    return isatty(fileno(out)) && !(no && *no) && !(term && strcmp(term, "dumb") == 0);
}

/* Copies the file at path to out; returns 0 or -1 with errno set. */
static int copy_file(const char *path, FILE *out)
{
    FILE *in = fopen(path, "re");
    if (!in)
        return -1;
    char buf[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) {
            rc = -1;
            break;
        }
    if (ferror(in))
        rc = -1;
    int saved = errno;
    fclose(in);
    errno = saved;
    return rc;
}

/* JSON to stdout: lst_write_json writes files only, so go through a private temporary
 * directory. Returns 0 or -1 with errno set. */
static int json_to_stdout(const lst_report *r)
{
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX], file[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/lockstep-report.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    snprintf(file, sizeof file, "%s/report.json", dir);
    int rc = lst_write_json(r, file);
    if (rc == 0)
        rc = copy_file(file, stdout);
    int saved = errno;
    unlink(file);
    rmdir(dir);
    errno = saved;
    return rc;
}

/* Runs `lockstep report`; see cmd_report.h for the contract. */
int lst_cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *format = "text", *output = NULL;
    optind = 0; /* glibc: restart scanning, whatever parsed argv before us */
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            format = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'h':
            printf("%s\n"
                   "Renders a finished run's report again. DIR is a lockstep output directory\n"
                   "(its report.json is read) or the path of a report.json.\n"
                   "  -f, --format text|json  text (default): the human-readable report;\n"
                   "                          json: report.json re-written, normalized\n"
                   "  -o, --output FILE       write to FILE instead of stdout\n",
                   USAGE);
            return 0;
        case ':':
            return usage_error("option '%s' needs an argument", argv[optind - 1]);
        default:
            if (optopt)
                return usage_error("unknown option '-%c'", optopt);
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (strcmp(format, "html") == 0 || strcmp(format, "sarif") == 0 ||
        strcmp(format, "junit") == 0 || strcmp(format, "all") == 0) {
        fprintf(stderr, "lockstep: report: format '%s' is not available yet\n", format);
        return 2;
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
        return usage_error("unknown format '%s' (expected text or json)", format);
    if (optind >= argc)
        return usage_error("expected a DIR or report.json");
    if (optind + 1 < argc)
        return usage_error("unexpected argument '%s'", argv[optind + 1]);
    if (output && !*output)
        return usage_error("-o needs a file name");

    const char *in = argv[optind];
    char *path = NULL;
    struct stat st;
    if (stat(in, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (asprintf(&path, "%s/report.json", in) < 0) {
            fputs("lockstep: report: out of memory\n", stderr);
            return 2;
        }
    } else {
        path = strdup(in);
        if (!path) {
            fputs("lockstep: report: out of memory\n", stderr);
            return 2;
        }
    }

    lst_report r;
    char err[512];
    if (lst_read_json(path, &r, err, sizeof err) != 0) {
        fprintf(stderr, "lockstep: report: %s\n", err);
        free(path);
        return 2;
    }
    free(path);

    int rc = 0;
    if (strcmp(format, "json") == 0) {
        if ((output ? lst_write_json(&r, output) : json_to_stdout(&r)) != 0 ||
            (!output && fflush(stdout) != 0)) {
            fprintf(stderr, "lockstep: report: cannot write %s: %s\n", output ? output : "stdout",
                    strerror(errno));
            rc = 2;
        }
    } else {
        FILE *out = output ? fopen(output, "we") : stdout;
        if (!out) {
            fprintf(stderr, "lockstep: report: cannot write %s: %s\n", output, strerror(errno));
            rc = 2;
        } else {
            lst_write_text(&r, out, use_colour(out));
            int e = ferror(out) ? (errno ? errno : EIO) : 0;
            if ((output ? fclose(out) : fflush(out)) != 0 && !e)
                e = errno ? errno : EIO;
            if (e) {
                fprintf(stderr, "lockstep: report: cannot write %s: %s\n",
                        output ? output : "stdout", strerror(e));
                rc = 2;
            }
        }
    }
    lst_report_free(&r);
    return rc;
}
