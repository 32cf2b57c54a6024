/* schedule_file.c: writing and reading schedule files (see schedule_file.h). The reader is
 * strict: every line is checked, and the first problem is reported with its line number, so
 * a truncated or edited file never replays something else silently. */
#define _GNU_SOURCE
#include "schedule_file.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

static const struct {
    char letter;
    uint32_t kind;
} choice_kinds[] = {
    {'t', LST_CHOICE_THREAD}, {'w', LST_CHOICE_WAKE}, {'s', LST_CHOICE_SPURIOUS},
    {'o', LST_CHOICE_TIMEOUT},
};

uint64_t lst_binary_hash(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    uint64_t h = 0xcbf29ce484222325ULL, total = 0;
    unsigned char buf[65536];
    ssize_t n;
    while (total < (64u << 20) && (n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * 0x100000001b3ULL;
        total += (uint64_t)n;
    }
    off_t size = lseek(fd, 0, SEEK_END);
    close(fd);
    h = (h ^ (uint64_t)size) * 0x100000001b3ULL;
    return h ? h : 1;
}

/* Writes s C-escaped, so any byte survives the round trip on one line. */
static void put_escaped(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\\')
            fputs("\\\\", f);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
    fputc('\n', f);
}

static char *unescape(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    if (!out)
        return NULL;
    while (*s) {
        if (*s != '\\') {
            *o++ = *s++;
            continue;
        }
        s++;
        if (*s == '\\') {
            *o++ = '\\';
            s++;
        } else if (*s == 'n') {
            *o++ = '\n';
            s++;
        } else if (*s == 'x' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
            char hex[3] = {s[1], s[2], 0};
            *o++ = (char)strtol(hex, NULL, 16);
            s += 3;
        } else {
            free(out);
            return NULL;
        }
    }
    *o = 0;
    return out;
}

int lst_schedule_write(const lst_schedule *s, const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "# lockstep schedule: replay with `lockstep replay %s`\n", path);
    fprintf(f, "lockstep-schedule %d\n", LST_SCHEDULE_VERSION);
    fputs("program ", f);
    put_escaped(f, s->program);
    fprintf(f, "argc %d\n", s->argc);
    for (int i = 0; i < s->argc; i++) {
        fputs("arg ", f);
        put_escaped(f, s->argv[i]);
    }
    fputs("cwd ", f);
    put_escaped(f, s->cwd ? s->cwd : "/");
    fprintf(f, "strategy %s\nseed %" PRIu32 "\ndepth %" PRIu32 "\npct-steps %" PRIu32
               "\nspurious %" PRIu32 "\nmax-steps %" PRIu32 "\n",
            s->strategy, s->seed, s->depth, s->pct_steps, s->spurious, s->max_steps);
    fprintf(f, "binary %016" PRIx64 "\nsteps %" PRIu64 "\nhash %016" PRIx64 "\nreplayable %s\n",
            s->binary_hash, s->steps, s->hash, s->replayable ? "yes" : "no");
    if (s->has_index)
        fprintf(f, "index %" PRIu32 "\n", s->index);
    if (s->shards)
        fprintf(f, "shard %" PRIu32 "/%" PRIu32 "\n", s->shard, s->shards);
    fprintf(f, "choices %zu\n", s->nchoices);
    for (size_t i = 0; i < s->nchoices; i++) {
        uint32_t kind = s->choices[i] >> 24, v = s->choices[i] & 0xffffff;
        char letter = '?';
        for (size_t k = 0; k < sizeof choice_kinds / sizeof choice_kinds[0]; k++)
            if (choice_kinds[k].kind == kind)
                letter = choice_kinds[k].letter;
        fprintf(f, "%c %" PRIu32 "\n", letter, v);
    }
    fputs("end\n", f);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        int e = errno;
        fclose(f);
        unlink(tmp);
        errno = e;
        return -1;
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return -1;
    }
    return 0;
}

int lst_schedule_write_choices(const lst_schedule *s, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    uint32_t hdr[4] = {0, 0, (uint32_t)s->nchoices, 0};
    memcpy(hdr, "LSTCHO1", 8);
    int ok = fwrite(hdr, sizeof hdr, 1, f) == 1 &&
             (s->nchoices == 0 || fwrite(s->choices, 4, s->nchoices, f) == s->nchoices);
    return fclose(f) == 0 && ok ? 0 : -1;
}

void lst_schedule_free(lst_schedule *s)
{
    free(s->program);
    for (int i = 0; i < s->argc; i++)
        free(s->argv[i]);
    free(s->argv);
    free(s->cwd);
    free(s->strategy);
    free(s->choices);
    memset(s, 0, sizeof *s);
}

/* The lines a schedule file holds at most once: a second one would leak or, for argc and
 * choices, resize what earlier lines filled. */
static const char *const once_keys[] = {"program", "argc",      "cwd",        "strategy",  "seed",
                                        "depth",   "pct-steps", "spurious",   "max-steps", "binary",
                                        "steps",   "hash",      "replayable", "choices"};

/* Parses an unsigned decimal (or hex with base 16) that fills the whole string. */
static int parse_u64(const char *v, int base, uint64_t *out)
{
    if (!*v || *v == '-' || *v == '+' || isspace((unsigned char)*v))
        return -1;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, base);
    if (errno || *end)
        return -1;
    *out = x;
    return 0;
}

int lst_schedule_read(const char *path, lst_schedule *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "r");
    struct stat st;
    if (f && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        f = NULL;
        errno = EISDIR;
    }
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, version = 0, have_end = 0, args = 0;
    unsigned seen = 0; /* once_keys already read */
    size_t want_choices = (size_t)-1;
    const char *problem = NULL;
    ssize_t n;
    while (!problem && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = 0;
        if (have_end) {
            if (*line)
                problem = "text after 'end'";
            continue;
        }
        if (line[0] == '#' || (line[0] == 0 && version == 0))
            continue;
        if (version == 0) {
            uint64_t v;
            if (strncmp(line, "lockstep-schedule ", 18) != 0 || parse_u64(line + 18, 10, &v))
                problem = "not a lockstep schedule file (no 'lockstep-schedule' header)";
            else if (v != LST_SCHEDULE_VERSION)
                problem = "unsupported schedule format version";
            else
                version = (int)v;
            continue;
        }
        if (want_choices != (size_t)-1 && s->nchoices < want_choices) {
            uint64_t v;
            size_t k;
            for (k = 0; k < sizeof choice_kinds / sizeof choice_kinds[0]; k++)
                if (line[0] == choice_kinds[k].letter)
                    break;
            if (k == sizeof choice_kinds / sizeof choice_kinds[0] || line[1] != ' ' ||
                parse_u64(line + 2, 10, &v) || v > 0xffffff)
                problem = "malformed choice (want 't N', 'w N', 's N' or 'o N')";
            else
                s->choices[s->nchoices++] = LST_CHOICE(choice_kinds[k].kind, v);
            continue;
        }
        char *sp = strchr(line, ' ');
        const char *key = line, *val = sp ? sp + 1 : "";
        if (sp)
            *sp = 0;
        uint64_t v = 0;
        size_t ki = 0;
        while (ki < sizeof once_keys / sizeof once_keys[0] && strcmp(key, once_keys[ki]))
            ki++;
        if (ki < sizeof once_keys / sizeof once_keys[0]) {
            if (seen & (1u << ki)) {
                problem = "duplicate line";
                continue;
            }
            seen |= 1u << ki;
        }
        if (!strcmp(key, "end")) {
            have_end = 1;
        } else if (!strcmp(key, "program")) {
            s->program = unescape(val);
            if (!s->program || !*s->program)
                problem = "bad program path";
        } else if (!strcmp(key, "argc")) {
            if (parse_u64(val, 10, &v) || v > 100000)
                problem = "bad argc";
            else {
                if (!(s->argv = calloc(v + 1, sizeof *s->argv)))
                    problem = "out of memory";
                else
                    s->argc = (int)v;
            }
        } else if (!strcmp(key, "arg")) {
            if (!s->argv || args >= s->argc)
                problem = "more 'arg' lines than argc";
            else if (!(s->argv[args++] = unescape(val)))
                problem = "bad escape in argument";
        } else if (!strcmp(key, "cwd")) {
            if (!(s->cwd = unescape(val)))
                problem = "bad escape in cwd";
        } else if (!strcmp(key, "strategy")) {
            if (strcmp(val, "random") && strcmp(val, "pct"))
                problem = "unknown strategy";
            else
                s->strategy = strdup(val);
        } else if (!strcmp(key, "seed") || !strcmp(key, "depth") || !strcmp(key, "pct-steps") ||
                   !strcmp(key, "spurious") || !strcmp(key, "max-steps")) {
            if (parse_u64(val, 10, &v) || v > UINT32_MAX)
                problem = "bad number";
            else if (!strcmp(key, "seed"))
                s->seed = (uint32_t)v;
            else if (!strcmp(key, "depth"))
                s->depth = (uint32_t)v;
            else if (!strcmp(key, "pct-steps"))
                s->pct_steps = (uint32_t)v;
            else if (!strcmp(key, "spurious"))
                s->spurious = (uint32_t)v;
            else
                s->max_steps = (uint32_t)v;
        } else if (!strcmp(key, "binary")) {
            if (parse_u64(val, 16, &s->binary_hash))
                problem = "bad binary hash";
        } else if (!strcmp(key, "steps")) {
            if (parse_u64(val, 10, &s->steps))
                problem = "bad step count";
        } else if (!strcmp(key, "hash")) {
            if (parse_u64(val, 16, &s->hash))
                problem = "bad event hash";
        } else if (!strcmp(key, "replayable")) {
            if (strcmp(val, "yes") && strcmp(val, "no"))
                problem = "replayable must be yes or no";
            s->replayable = !strcmp(val, "yes");
        } else if (!strcmp(key, "index")) {
            if (parse_u64(val, 10, &v) || v > UINT32_MAX)
                problem = "bad schedule index";
            s->index = (uint32_t)v;
            s->has_index = 1;
        } else if (!strcmp(key, "shard")) {
            uint64_t n = 0;
            char *slash = strchr(val, '/');
            if (slash)
                *slash = 0;
            if (!slash || parse_u64(val, 10, &v) || parse_u64(slash + 1, 10, &n) || v < 1 ||
                n < v || n > UINT32_MAX)
                problem = "bad shard (want I/N with 1 <= I <= N)";
            s->shard = (uint32_t)v;
            s->shards = (uint32_t)n;
        } else if (!strcmp(key, "choices")) {
            if (parse_u64(val, 10, &v) || v > (1u << 26))
                problem = "bad choice count";
            else {
                want_choices = (size_t)v;
                if (!(s->choices = calloc(v ? v : 1, sizeof *s->choices)))
                    problem = "out of memory";
            }
        } else {
            problem = "unknown line";
        }
    }
    free(line);
    fclose(f);
    if (!problem && version == 0)
        problem = "empty file, or not a lockstep schedule file";
    else if (!problem && want_choices == (size_t)-1)
        problem = "truncated: no 'choices' line";
    else if (!problem && s->nchoices < want_choices)
        problem = "truncated: fewer choices than announced";
    else if (!problem && !have_end)
        problem = "truncated: no 'end' line";
    else if (!problem && (!s->program || !s->strategy || args != s->argc || s->argc == 0))
        problem = "incomplete: program, strategy or arguments missing";
    if (problem) {
        snprintf(err, errlen, "%s:%d: %s", path, lineno, problem);
        lst_schedule_free(s);
        return -1;
    }
    return 0;
}
