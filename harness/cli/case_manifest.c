/* case_manifest.c: the parser for the verdict lines of cases/<name>.c (the syntax is in
 * case_manifest.h and cases/README.md) and the check of findings against them. A verdict
 * line is a line whose text, after leading blanks and a comment leader (slash-star, star or //),
 * starts with "lockstep-". Anything else in the file is ignored, so prose may mention the
 * directives freely as long as no line starts with one. Kind names come from
 * detectors/kinds.def, the same list the report writers use. */
#define _GNU_SOURCE
#include "case_manifest.h"

#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
#define X(e, name, desc) name,
#include "kinds.def"
#undef X
};

#define NKINDS ((int)(sizeof kind_names / sizeof kind_names[0]))
_Static_assert(sizeof kind_names / sizeof kind_names[0] <= 32, "kinds must fit an unsigned mask");

static const char *const mode_names[LST_CASE_MODE_COUNT] = {"run", "explore", "tsan"};
static const char *const native_names[] = {"pass", "fail", "hang", "any"};

const char *lst_case_kind_name(int k)
{
    return k >= 0 && k < NKINDS ? kind_names[k] : NULL;
}

int lst_case_kind_count(void)
{
    return NKINDS;
}

const char *lst_case_mode_name(lst_case_mode m)
{
    return (unsigned)m < LST_CASE_MODE_COUNT ? mode_names[m] : NULL;
}

const char *lst_case_native_name(lst_case_native v)
{
    return (unsigned)v < sizeof native_names / sizeof native_names[0] ? native_names[v] : NULL;
}

static int kind_index(const char *name, size_t len)
{
    for (int k = 0; k < NKINDS; k++)
        if (strlen(kind_names[k]) == len && strncmp(kind_names[k], name, len) == 0)
            return k;
    return -1;
}

static int mode_index(const char *name)
{
    for (int m = 0; m < LST_CASE_MODE_COUNT; m++)
        if (strcmp(mode_names[m], name) == 0)
            return m;
    return -1;
}

static void fmt(char *buf, size_t len, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void fmt(char *buf, size_t len, const char *format, ...)
{
    va_list ap;
    if (!buf || len == 0)
        return;
    va_start(ap, format);
    vsnprintf(buf, len, format, ap);
    va_end(ap);
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static int is_identifier(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

static void free_case(lst_case *c)
{
    free(c->name);
    free(c->path);
    free(c->source);
    free(c->twin);
    memset(c, 0, sizeof *c);
}

void lst_cases_free(lst_case *c, size_t n)
{
    if (!c)
        return;
    for (size_t i = 0; i < n; i++)
        free_case(&c[i]);
    free(c);
}

/* Parses the kinds of one expect line into e. Returns 0, or -1 with the reason in why. */
static int parse_kinds(const char *value, lst_case_expect *e, char *why, size_t whylen)
{
    int clean = 0, ntokens = 0;
    const char *p = value;

    e->required = e->optional = 0;
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        size_t len = (size_t)(p - start);
        ntokens++;
        if (len == 5 && strncmp(start, "clean", 5) == 0) {
            clean = 1;
            continue;
        }
        int optional = start[len - 1] == '?';
        int k = kind_index(start, optional ? len - 1 : len);
        if (k < 0) {
            fmt(why, whylen, "unknown kind '%.*s'", (int)len, start);
            return -1;
        }
        unsigned bit = 1u << k;
        if ((e->required | e->optional) & bit) {
            fmt(why, whylen, "kind '%s' listed twice", kind_names[k]);
            return -1;
        }
        if (optional)
            e->optional |= bit;
        else
            e->required |= bit;
    }
    if (ntokens == 0) {
        fmt(why, whylen, "no kinds (write 'clean' when nothing may be reported)");
        return -1;
    }
    if (clean && ntokens > 1) {
        fmt(why, whylen, "'clean' cannot be combined with kinds");
        return -1;
    }
    return 0;
}

/* Returns the text after the comment leader if the line is a verdict line, else NULL. */
static const char *directive_start(const char *line)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    while (*p == '/' || *p == '*')
        p++;
    while (*p == ' ' || *p == '\t')
        p++;
    return strncmp(p, "lockstep-", 9) == 0 ? p + 9 : NULL;
}

/* Stores a copy of value in *slot unless the directive was already seen. */
static int set_once(char **slot, const char *value, char *why, size_t whylen, const char *key)
{
    if (*slot) {
        fmt(why, whylen, "duplicate 'lockstep-%s:' line", key);
        return -1;
    }
    *slot = strdup(value);
    if (!*slot) {
        fmt(why, whylen, "out of memory");
        return -1;
    }
    return 0;
}

/* Parses one verdict line (text after "lockstep-") into c. Returns 0, or -1 with why. */
static int parse_directive(lst_case *c, const char *text, int lineno, const char *stem,
                           int *seen_native, char *why, size_t whylen)
{
    char key[32], value[512];
    const char *colon = strchr(text, ':');
    size_t klen = colon ? (size_t)(colon - text) : 0;

    if (!colon || klen == 0 || klen >= sizeof key) {
        fmt(why, whylen, "malformed verdict line (expected 'lockstep-<directive>: <value>')");
        return -1;
    }
    memcpy(key, text, klen);
    key[klen] = '\0';

    /* The value, without surrounding blanks or a closing comment. */
    const char *v = colon + 1;
    while (isspace((unsigned char)*v))
        v++;
    size_t vlen = strlen(v);
    while (vlen && isspace((unsigned char)v[vlen - 1]))
        vlen--;
    if (vlen >= 2 && v[vlen - 2] == '*' && v[vlen - 1] == '/') {
        vlen -= 2;
        while (vlen && isspace((unsigned char)v[vlen - 1]))
            vlen--;
    }
    if (vlen >= sizeof value) {
        fmt(why, whylen, "value of 'lockstep-%s:' is too long", key);
        return -1;
    }
    memcpy(value, v, vlen);
    value[vlen] = '\0';

    if (strcmp(key, "case") == 0) {
        if (!vlen) {
            fmt(why, whylen, "missing case name");
            return -1;
        }
        if (!is_identifier(value)) {
            fmt(why, whylen, "case name '%s' is not an identifier", value);
            return -1;
        }
        if (strcmp(value, stem) != 0) {
            fmt(why, whylen, "case name '%s' must equal the file name '%s'", value, stem);
            return -1;
        }
        return set_once(&c->name, value, why, whylen, key);
    }
    if (strcmp(key, "source") == 0) {
        if (!vlen) {
            fmt(why, whylen, "missing source text");
            return -1;
        }
        return set_once(&c->source, value, why, whylen, key);
    }
    if (strcmp(key, "twin") == 0) {
        if (!vlen) {
            fmt(why, whylen, "missing twin name (write 'none' when there is no twin)");
            return -1;
        }
        if (!is_identifier(value)) {
            fmt(why, whylen, "twin '%s' is not a case name or 'none'", value);
            return -1;
        }
        return set_once(&c->twin, value, why, whylen, key);
    }
    if (strcmp(key, "native") == 0) {
        if (*seen_native) {
            fmt(why, whylen, "duplicate 'lockstep-native:' line");
            return -1;
        }
        for (size_t i = 0; i < sizeof native_names / sizeof native_names[0]; i++) {
            if (strcmp(value, native_names[i]) == 0) {
                c->native = (lst_case_native)i;
                *seen_native = lineno;
                return 0;
            }
        }
        fmt(why, whylen, "unknown native verdict '%s' (pass, fail, hang or any)", value);
        return -1;
    }
    if (strncmp(key, "expect", 6) == 0 && (key[6] == ' ' || key[6] == '\t')) {
        const char *mode = key + 7;
        while (*mode == ' ' || *mode == '\t')
            mode++;
        int m = mode_index(mode);
        if (m < 0) {
            fmt(why, whylen, "unknown mode '%s' (run, explore or tsan)", mode);
            return -1;
        }
        lst_case_expect *e = &c->expect[m];
        if (e->present) {
            fmt(why, whylen, "duplicate 'lockstep-expect %s:' line", mode);
            return -1;
        }
        if (parse_kinds(value, e, why, whylen) != 0)
            return -1;
        e->present = 1;
        e->line = lineno;
        return 0;
    }
    fmt(why, whylen, "unknown verdict line 'lockstep-%s:'", key);
    return -1;
}

/* Parses one case file into c (zeroed by the caller). Returns 0, or -1 with err set. */
static int parse_file(const char *path, const char *stem, lst_case *c, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, why[256];
    size_t cap = 0;
    int lineno = 0, seen_native = 0, rc = 0;

    if (!f) {
        fmt(err, errlen, "%s: cannot open", path);
        return -1;
    }
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        const char *text = directive_start(line);
        if (!text)
            continue;
        line[strcspn(line, "\r\n")] = '\0';
        if (parse_directive(c, text, lineno, stem, &seen_native, why, sizeof why) != 0) {
            fmt(err, errlen, "%s:%d: %s", path, lineno, why);
            rc = -1;
            break;
        }
    }
    free(line);
    fclose(f);
    if (rc != 0)
        return rc;

    const char *missing = NULL;
    if (!c->name)
        missing = "lockstep-case";
    else if (!c->source)
        missing = "lockstep-source";
    else if (!c->twin)
        missing = "lockstep-twin";
    else if (!seen_native)
        missing = "lockstep-native";
    else if (!c->expect[LST_CASE_RUN].present)
        missing = "lockstep-expect run";
    else if (!c->expect[LST_CASE_EXPLORE].present)
        missing = "lockstep-expect explore";
    if (missing) {
        fmt(err, errlen, "%s: missing '%s:' line", path, missing);
        return -1;
    }
    c->path = strdup(path);
    if (!c->path) {
        fmt(err, errlen, "%s: out of memory", path);
        return -1;
    }
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the *.c file names of dir, sorted. Returns 0, or -1 with err set. */
static int list_sources(const char *dir, char ***names, size_t *count, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    struct dirent *ent;
    char **v = NULL;
    size_t n = 0, cap = 0;

    *names = NULL;
    *count = 0;
    if (!d) {
        fmt(err, errlen, "%s: cannot open directory", dir);
        return -1;
    }
    while ((ent = readdir(d)) != NULL) {
        size_t len = strlen(ent->d_name);
        if (len < 3 || strcmp(ent->d_name + len - 2, ".c") != 0 || ent->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **grown = realloc(v, cap * sizeof *v);
            if (!grown)
                goto fail_oom;
            v = grown;
        }
        if (!(v[n] = strdup(ent->d_name)))
            goto fail_oom;
        n++;
    }
    closedir(d);
    qsort(v, n, sizeof *v, compare_names);
    *names = v;
    *count = n;
    return 0;

fail_oom:
    closedir(d);
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
    fmt(err, errlen, "%s: out of memory", dir);
    return -1;
}

int lst_cases_load(const char *dir, lst_case **out, size_t *n, char *err, size_t errlen)
{
    char **names;
    size_t count, done = 0;
    lst_case *cases = NULL;
    int rc = 0;

    *out = NULL;
    *n = 0;
    if (list_sources(dir, &names, &count, err, errlen) != 0)
        return -1;
    if (count == 0) {
        fmt(err, errlen, "%s: no case files (*.c)", dir);
        rc = -1;
        goto out;
    }
    cases = calloc(count, sizeof *cases);
    if (!cases) {
        fmt(err, errlen, "%s: out of memory", dir);
        rc = -1;
        goto out;
    }
    for (; done < count; done++) {
        size_t len = strlen(names[done]);
        char *stem = dup_n(names[done], len - 2);
        char *path = malloc(strlen(dir) + len + 2);
        if (!stem || !path) {
            fmt(err, errlen, "%s: out of memory", dir);
            rc = -1;
        } else {
            sprintf(path, "%s/%s", dir, names[done]);
            rc = parse_file(path, stem, &cases[done], err, errlen);
        }
        free(stem);
        free(path);
        if (rc != 0) {
            lst_cases_free(cases, done + 1); /* frees the partial case too */
            cases = NULL;
            goto out;
        }
    }
    *out = cases;
    *n = count;
out:
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    return rc;
}

const lst_case *lst_case_find(const lst_case *c, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].name, name) == 0)
            return &c[i];
    return NULL;
}

int lst_case_is_clean(const lst_case *c)
{
    if (c->native != LST_NATIVE_PASS)
        return 0;
    for (int m = 0; m < LST_CASE_MODE_COUNT; m++)
        if (c->expect[m].present && (c->expect[m].required | c->expect[m].optional))
            return 0;
    return 1;
}

/* Appends the names of the kinds in mask to buf (at *pos), separated by spaces. */
static void append_kinds(char *buf, size_t len, size_t *pos, unsigned mask)
{
    for (int k = 0; k < NKINDS; k++) {
        if (!(mask & (1u << k)) || *pos >= len)
            continue;
        int w = snprintf(buf + *pos, len - *pos, "%s%s", *pos && buf[*pos - 1] != ' ' ? " " : "",
                         kind_names[k]);
        *pos = w < 0 ? len : *pos + (size_t)w;
    }
}

int lst_case_check(const lst_case *c, const char *mode, const char *const *kinds_seen,
                   size_t nseen, char *why, size_t whylen)
{
    int m = mode_index(mode);
    if (m < 0) {
        fmt(why, whylen, "%s: unknown mode '%s' (run, explore or tsan)", c->name, mode);
        return 0;
    }
    const lst_case_expect *e = &c->expect[m];
    if (!e->present) {
        fmt(why, whylen, "%s: no 'lockstep-expect %s:' verdict", c->name, mode);
        return 0;
    }

    unsigned seen = 0;
    for (size_t i = 0; i < nseen; i++) {
        int k = kind_index(kinds_seen[i], strlen(kinds_seen[i]));
        if (k < 0) {
            fmt(why, whylen, "%s: %s: unknown kind '%s' reported", c->name, mode, kinds_seen[i]);
            return 0;
        }
        seen |= 1u << k;
    }
    unsigned missing = e->required & ~seen;
    unsigned unexpected = seen & ~(e->required | e->optional);
    if (!missing && !unexpected)
        return 1;

    if (why && whylen) {
        size_t pos = 0;
        int w = snprintf(why, whylen, "%s: %s:", c->name, mode);
        pos = w < 0 ? whylen : (size_t)w;
        if (missing && pos < whylen) {
            w = snprintf(why + pos, whylen - pos, " missing ");
            pos = w < 0 ? whylen : pos + (size_t)w;
            append_kinds(why, whylen, &pos, missing);
        }
        if (unexpected && pos < whylen) {
            w = snprintf(why + pos, whylen - pos, "%s not allowed ", missing ? ";" : "");
            pos = w < 0 ? whylen : pos + (size_t)w;
            append_kinds(why, whylen, &pos, unexpected);
        }
    }
    return 0;
}

int lst_cases_check_twins(const lst_case *c, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const char *twin = c[i].twin;
        int clean = lst_case_is_clean(&c[i]);
        if (strcmp(twin, "none") == 0) {
            if (!clean) {
                fmt(err, errlen, "%s: racy or deadlocking, but names no correct twin", c[i].path);
                return -1;
            }
            continue;
        }
        const lst_case *t = lst_case_find(c, n, twin);
        if (!t || t == &c[i]) {
            fmt(err, errlen, "%s: twin '%s' is not another case", c[i].path, twin);
            return -1;
        }
        if (!clean && !lst_case_is_clean(t)) {
            fmt(err, errlen, "%s: twin '%s' is not a correct (clean) case", c[i].path, twin);
            return -1;
        }
    }
    return 0;
}
