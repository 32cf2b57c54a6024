/* suppress.c: ThreadSanitizer-syntax suppressions for every finding (see suppress.h). A
 * suppressed finding is not dropped silently: it moves to the report's notes with the line
 * that suppressed it, so a reader can always see what a suppression hides. */
#define _GNU_SOURCE
#include "suppress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rule {
    char *type;
    char *pattern;
    int line;
} rule;

struct lst_suppressions {
    char *path;
    rule *rules;
    size_t n;
};

static const char *const types[] = {"race", "race_top", "deadlock", "mutex", "thread",
                                    "signal", "called_from_lib"};

void lst_suppressions_free(lst_suppressions *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->rules[i].type);
        free(s->rules[i].pattern);
    }
    free(s->rules);
    free(s->path);
    free(s);
}

lst_suppressions *lst_suppressions_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    lst_suppressions *s = calloc(1, sizeof *s);
    s->path = strdup(path);
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        char *end = p + strlen(p);
        while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
            *--end = 0;
        if (*p == 0 || *p == '#')
            continue;
        char *colon = strchr(p, ':');
        size_t k = 0;
        if (colon) {
            *colon = 0;
            for (; k < sizeof types / sizeof types[0]; k++)
                if (!strcmp(p, types[k]))
                    break;
        }
        if (!colon || k == sizeof types / sizeof types[0] || !colon[1]) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno,
                     !colon ? "want type:pattern" : !colon[1] ? "empty pattern"
                                                             : "unknown suppression type");
            free(line);
            fclose(f);
            lst_suppressions_free(s);
            return NULL;
        }
        s->rules = realloc(s->rules, (s->n + 1) * sizeof *s->rules);
        s->rules[s->n].type = strdup(p);
        s->rules[s->n].pattern = strdup(colon + 1);
        s->rules[s->n].line = lineno;
        s->n++;
    }
    free(line);
    fclose(f);
    return s;
}

/* TSan's TemplateMatch: '^' anchors at the start, '$' at the end, '*' matches any run;
 * without '^' the pattern may start anywhere. */
int lst_template_match(const char *templ, const char *str)
{
    if (!str)
        return 0;
    if (!templ || !*templ)
        return 0;
    int start = 0;
    if (*templ == '^') {
        start = 1;
        templ++;
    }
    int asterisk = 0;
    while (*templ) {
        if (*templ == '*') {
            templ++;
            start = 0;
            asterisk = 1;
            continue;
        }
        if (*templ == '$')
            return *str == 0 || asterisk;
        if (*str == 0)
            return 0;
        const char *tpos = strchr(templ, '*');
        const char *tpos1 = strchr(templ, '$');
        if (!tpos || (tpos1 && tpos1 < tpos))
            tpos = tpos1;
        size_t n = tpos ? (size_t)(tpos - templ) : strlen(templ);
        char *piece = strndup(templ, n);
        const char *str0 = str;
        const char *hit = strstr(str, piece);
        free(piece);
        if (!hit)
            return 0;
        if (start && hit != str0)
            return 0;
        str = hit + n;
        templ += n;
        start = 0;
        asterisk = 0;
    }
    return 1;
}

static int frame_matches(const lst_frame *fr, const char *pat, int modules_only)
{
    if (modules_only)
        return lst_template_match(pat, fr->module);
    return lst_template_match(pat, fr->function) || lst_template_match(pat, fr->file) ||
           lst_template_match(pat, fr->module);
}

/* Does rule r suppress finding f? */
static int matches(const rule *r, const lst_finding *f)
{
    const char *t = r->type;
    int race = f->kind == LST_KIND_DATA_RACE;
    int lock = f->kind == LST_KIND_LOCK_ORDER_CYCLE || f->kind == LST_KIND_DEADLOCK ||
               f->kind == LST_KIND_SELF_DEADLOCK;
    int ok_kind = (!strcmp(t, "race") && race) || (!strcmp(t, "race_top") && race) ||
                  (!strcmp(t, "deadlock") && lock) ||
                  (!strcmp(t, "mutex") && f->kind == LST_KIND_LOCK_MISUSE) ||
                  (!strcmp(t, "thread") && f->kind == LST_KIND_THREAD_LEAK) ||
                  (!strcmp(t, "signal") && f->kind == LST_KIND_SIGNAL_UNSAFE) ||
                  !strcmp(t, "called_from_lib");
    if (!ok_kind)
        return 0;
    if (race && !strcmp(t, "race") && lst_template_match(r->pattern, f->variable))
        return 1;
    int top_only = !strcmp(t, "race_top");
    int modules = !strcmp(t, "called_from_lib");
    for (size_t i = 0; i < f->nstacks; i++) {
        const lst_stack *s = &f->stacks[i];
        if (!strcmp(s->role, "created") || !strcmp(s->role, "alloc"))
            continue;
        for (size_t j = 0; j < s->nframes && (!top_only || j == 0); j++)
            if (frame_matches(&s->frames[j], r->pattern, modules))
                return 1;
    }
    return 0;
}

size_t lst_suppress(const lst_suppressions *s, lst_report *r)
{
    if (!s)
        return 0;
    size_t out = 0, moved = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        const rule *hit = NULL;
        for (size_t k = 0; k < s->n && !hit; k++)
            if (matches(&s->rules[k], &r->findings[i]))
                hit = &s->rules[k];
        if (!hit) {
            if (out != i)
                r->findings[out] = r->findings[i];
            out++;
            continue;
        }
        lst_finding f = r->findings[i];
        char *reason = NULL;
        if (asprintf(&reason, "suppressed by %s:%d (%s:%s)", s->path, hit->line, hit->type,
                     hit->pattern) < 0)
            reason = NULL;
        lst_finding *n = lst_report_take(r, &f, 1);
        free(n->reason);
        n->reason = reason;
        moved++;
    }
    r->nfindings = out;
    return moved;
}
