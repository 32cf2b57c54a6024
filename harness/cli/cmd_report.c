/* cmd_report.c: `lockstep report [--format text|json|html|sarif|junit|all] [-o FILE]
 * [--source-root DIR] DIR|FILE`. Reads a run's report.json (the one source of truth) with
 * lst_read_json and renders it again: as the TSan-like text, re-written normalized JSON, a
 * SARIF 2.1.0 log, JUnit XML or a self-contained HTML page, to stdout or FILE; `all` writes
 * report.txt, report.json, report.html, report.sarif and report.junit.xml into the output
 * directory (DIR, or -o DIR). Files are written atomically (temporary file, rename) except
 * text, which keeps writing FILE in place (it may be a terminal). Every failure is one
 * "lockstep: report:" line on stderr and exit status 2. */
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

#define USAGE                                                                                      \
    "usage: lockstep report [--format text|json|html|sarif|junit|all] [-o FILE] "                  \
    "[--source-root DIR] DIR|FILE"

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

typedef enum fmt { F_TEXT, F_JSON, F_HTML, F_SARIF, F_JUNIT, F_ALL } fmt;

static const char *const fmt_names[] = {"text", "json", "html", "sarif", "junit", "all"};
/* file names that `all` writes, per format */
static const char *const fmt_files[] = {"report.txt", "report.json", "report.html",
                                        "report.sarif", "report.junit.xml", NULL};

/* Renders r in format f (not json, not all) to out; returns 0 or -1 (out of memory). */
static int render(fmt f, const lst_report *r, FILE *out, const lst_render_opts *o)
{
    switch (f) {
    case F_TEXT:
        lst_write_text(r, out, use_colour(out));
        return 0;
    case F_HTML:
        lst_write_html(r, out, o);
        return 0;
    case F_SARIF:
        return lst_write_sarif(r, out, o);
    case F_JUNIT:
        lst_write_junit(r, out, o);
        return 0;
    default:
        return -1;
    }
}

/* Closes out after a render; returns 0 or an errno value. */
static int finish(FILE *out, int render_rc, int is_stdout)
{
    int e = render_rc ? ENOMEM : ferror(out) ? (errno ? errno : EIO) : 0;
    if ((is_stdout ? fflush(out) : fclose(out)) != 0 && !e)
        e = errno ? errno : EIO;
    return e;
}

/* Writes format f of r to path atomically: "<path>.tmp.<pid>" renamed over path. A path that
 * exists and is not a regular file (a terminal, a fifo, /dev/stdout) is written in place.
 * Returns 0 or an errno value. */
static int write_file(fmt f, const lst_report *r, const char *path, const lst_render_opts *o)
{
    if (f == F_JSON)
        return lst_write_json(r, path) == 0 ? 0 : errno ? errno : EIO;
    struct stat st;
    if (f == F_TEXT || (stat(path, &st) == 0 && !S_ISREG(st.st_mode))) {
        FILE *out = fopen(path, "we");
        if (!out)
            return errno;
        return finish(out, render(f, r, out, o), 0);
    }
    char *tmp = NULL;
    if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
        return ENOMEM;
    FILE *out = fopen(tmp, "we");
    int e = out ? finish(out, render(f, r, out, o), 0) : errno;
    if (!e && rename(tmp, path) != 0)
        e = errno;
    if (e)
        unlink(tmp);
    free(tmp);
    return e;
}

/* Runs `lockstep report`; see cmd_report.h for the contract. */
int lst_cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"source-root", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *format = "text", *output = NULL, *source_root = NULL;
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
        case 's':
            source_root = optarg;
            break;
        case 'h':
            printf("%s\n"
                   "Renders a finished run's report again. DIR is a lockstep output directory\n"
                   "(its report.json is read) or the path of a report.json.\n"
                   "  -f, --format FORMAT     text (default): the human-readable report;\n"
                   "                          json: report.json re-written, normalized;\n"
                   "                          html: one self-contained page (graphs, timeline);\n"
                   "                          sarif: SARIF 2.1.0 for code scanning;\n"
                   "                          junit: JUnit XML for CI test reports;\n"
                   "                          all: report.{txt,json,html,sarif,junit.xml} in DIR\n"
                   "  -o, --output FILE       write to FILE instead of stdout (with all: the\n"
                   "                          directory to write into, DIR by default)\n"
                   "      --source-root DIR   SARIF URIs are relative to DIR, and the HTML\n"
                   "                          report looks for relative source files there\n"
                   "                          (default: the current directory)\n",
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
    int f = -1;
    for (int i = 0; i <= F_ALL; i++)
        if (strcmp(format, fmt_names[i]) == 0)
            f = i;
    if (f < 0)
        return usage_error("unknown format '%s' (expected text, json, html, sarif, junit or all)",
                           format);
    if (optind >= argc)
        return usage_error("expected a DIR or report.json");
    if (optind + 1 < argc)
        return usage_error("unexpected argument '%s'", argv[optind + 1]);
    if (output && !*output)
        return usage_error("-o needs a file name");
    if (source_root && !*source_root)
        return usage_error("--source-root needs a directory");
    struct stat st;
    if (source_root) {
        const char *why = stat(source_root, &st) != 0 ? strerror(errno)
                          : !S_ISDIR(st.st_mode)       ? "not a directory"
                                                       : NULL;
        if (why) {
            fprintf(stderr, "lockstep: report: source root %s: %s\n", source_root, why);
            return 2;
        }
    }

    const char *in = argv[optind];
    char *path = NULL, *dir = NULL;
    if (stat(in, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (asprintf(&path, "%s/report.json", in) < 0 || !(dir = strdup(in))) {
            fputs("lockstep: report: out of memory\n", stderr);
            free(path);
            return 2;
        }
    } else {
        path = strdup(in);
        const char *slash = strrchr(in, '/');
        dir = slash ? strndup(in, (size_t)(slash - in + (slash == in))) : strdup(".");
        if (!path || !dir) {
            fputs("lockstep: report: out of memory\n", stderr);
            free(path);
            free(dir);
            return 2;
        }
    }

    lst_report r;
    char err[512];
    if (lst_read_json(path, &r, err, sizeof err) != 0) {
        char *stores = NULL;
        if (access(path, F_OK) != 0 && asprintf(&stores, "%s/stores", dir) > 0 &&
            access(stores, F_OK) == 0)
            fprintf(stderr,
                    "lockstep: report: %s has no report.json yet, only the shim's stores: "
                    "analyse them with `lockstep collect %s`\n",
                    dir, dir);
        else
            fprintf(stderr, "lockstep: report: %s\n", err);
        free(stores);
        free(path);
        free(dir);
        return 2;
    }
    free(path);
    lst_render_opts opts = {source_root, dir, 0};

    int rc = 0;
    if (f == F_ALL) {
        const char *outdir = output ? output : dir;
        if (output && mkdir(output, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "lockstep: report: cannot create %s: %s\n", output, strerror(errno));
            rc = 2;
        }
        for (int i = 0; rc == 0 && fmt_files[i]; i++) {
            char *file = NULL;
            if (asprintf(&file, "%s/%s", outdir, fmt_files[i]) < 0) {
                fputs("lockstep: report: out of memory\n", stderr);
                rc = 2;
                break;
            }
            int e = write_file((fmt)i, &r, file, &opts);
            if (e) {
                fprintf(stderr, "lockstep: report: cannot write %s: %s\n", file, strerror(e));
                rc = 2;
            }
            free(file);
        }
    } else if (output) {
        int e = write_file((fmt)f, &r, output, &opts);
        if (e) {
            fprintf(stderr, "lockstep: report: cannot write %s: %s\n", output, strerror(e));
            rc = 2;
        }
    } else if (f == F_JSON) {
        if (json_to_stdout(&r) != 0 || fflush(stdout) != 0) {
            fprintf(stderr, "lockstep: report: cannot write stdout: %s\n", strerror(errno));
            rc = 2;
        }
    } else {
        int e = finish(stdout, render((fmt)f, &r, stdout, &opts), 1);
        if (e) {
            fprintf(stderr, "lockstep: report: cannot write stdout: %s\n", strerror(e));
            rc = 2;
        }
    }
    lst_report_free(&r);
    free(dir);
    return rc;
}
