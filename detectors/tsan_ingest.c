/* tsan_ingest.c: the ThreadSanitizer report parser (see tsan_ingest.h).
 *
 * A report looks like this (clang and gcc agree on the shape):
 *   ==================
 *   WARNING: ThreadSanitizer: data race (pid=123)
 *     Write of size 4 at 0x55d0 by thread T1 (mutexes: write M1):
 *       #0 worker /src/x.c:35:17 (x+0xd020d) (BuildId: 1ed6...)
 *                                                         <- blank line ends a section
 *     Previous read of size 4 at 0x55d0 by main thread:
 *       #0 main /src/x.c:33:23 (x+0xd01f7)
 *
 *     Location is global 'counter' of size 4 at 0x55d0 (x+0x1476258)
 *
 *     Thread T1 (tid=15612, running) created by main thread at:
 *       #0 pthread_create <null> (x+0x513ad)
 *       #1 main /src/x.c:46:9 (x+0xd0124)
 *
 *   SUMMARY: ThreadSanitizer: data race /src/x.c:35:17 in worker
 *   ==================
 * Each section header becomes a stack with a role; frames are parsed from the right, since
 * C++ function names contain spaces. */
#define _GNU_SOURCE
#include "tsan_ingest.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cursor {
    const char *p, *end;
} cursor;

/* Next line without its newline, in a malloc'd buffer; NULL at the end. */
static char *next_line(cursor *c)
{
    if (c->p >= c->end)
        return NULL;
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    size_t n = nl ? (size_t)(nl - c->p) : (size_t)(c->end - c->p);
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    memcpy(s, c->p, n);
    s[n] = 0;
    if (n && s[n - 1] == '\r')
        s[n - 1] = 0;
    c->p += n + (nl ? 1 : 0);
    return s;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "main thread" -> 0, "thread T12" -> 12, else -1. */
static int thread_id(const char *s)
{
    const char *t = strstr(s, "main thread");
    const char *u = strstr(s, "thread T");
    if (u && (!t || u < t))
        return atoi(u + 8);
    if (t)
        return 0;
    return -1;
}

static const char *thread_label(int id, char *buf, size_t n)
{
    if (id == 0)
        snprintf(buf, n, "main");
    else
        snprintf(buf, n, "T%d", id);
    return buf;
}

/* Parses "    #N func file:line:col (module+0xoff) (BuildId: ...)" into a frame of s. */
static void parse_frame(lst_stack *s, const char *line)
{
    const char *p = strchr(line, '#');
    if (!p)
        return;
    p++;
    while (isdigit((unsigned char)*p))
        p++;
    while (*p == ' ')
        p++;
    char *buf = strdup(p);
    if (!buf)
        return;
    char *end = buf + strlen(buf);
    /* strip " (BuildId: ...)" and " (module+0xoff)" from the right */
    char *module = NULL;
    uint64_t off = 0;
    for (int pass = 0; pass < 2; pass++) {
        while (end > buf && end[-1] == ' ')
            *--end = 0;
        if (end > buf && end[-1] == ')') {
            char *open = strrchr(buf, '(');
            if (open && open > buf && open[-1] == ' ') {
                if (starts(open, "(BuildId:")) {
                    open[-1] = 0;
                    end = open - 1;
                    continue;
                }
                char *plus = strstr(open, "+0x");
                if (plus) {
                    *plus = 0;
                    module = strdup(open + 1);
                    off = strtoull(plus + 3, NULL, 16);
                    open[-1] = 0;
                    end = open - 1;
                }
            }
        }
        break;
    }
    /* what is left: "func file:line:col" or "func <null>" or "<null> <null>" */
    char *sp = strrchr(buf, ' ');
    char *func = buf, *loc = NULL;
    if (sp) {
        *sp = 0;
        loc = sp + 1;
    }
    const char *file = NULL;
    int line_no = 0;
    if (loc && strcmp(loc, "<null>") != 0) {
        /* file:line:col or file:line; the file itself may contain ':' */
        char *c1 = strrchr(loc, ':');
        if (c1 && isdigit((unsigned char)c1[1])) {
            *c1 = 0;
            char *c2 = strrchr(loc, ':');
            if (c2 && isdigit((unsigned char)c2[1])) {
                *c2 = 0;
                line_no = atoi(c2 + 1);
            } else {
                line_no = atoi(c1 + 1);
            }
        }
        file = loc;
    }
    lst_stack_add_frame(s, off, strcmp(func, "<null>") ? func : NULL, file, line_no, module);
    free(module);
    free(buf);
}

static lst_kind kind_of(const char *title, int *skip)
{
    *skip = 0;
    if (strstr(title, "lock-order-inversion")) {
        *skip = 1;
        return LST_KIND_LOCK_ORDER_CYCLE;
    }
    if (strstr(title, "thread leak"))
        return LST_KIND_THREAD_LEAK;
    if (strstr(title, "signal"))
        return LST_KIND_SIGNAL_UNSAFE;
    if (strstr(title, "mutex"))
        return LST_KIND_LOCK_MISUSE;
    return LST_KIND_DATA_RACE; /* data race, race on vptr, heap-use-after-free */
}

/* One report, from its WARNING line to its closing line. */
static int parse_report(cursor *c, const char *warning, lst_report *r, int pid)
{
    const char *title = warning + strlen("WARNING: ThreadSanitizer: ");
    char *t = strdup(title);
    char *paren = strstr(t, " (pid=");
    int rpid = pid;
    if (paren) {
        rpid = atoi(paren + 6);
        *paren = 0;
    }
    int skip;
    lst_kind kind = kind_of(t, &skip);
    lst_finding tmp;
    memset(&tmp, 0, sizeof tmp);
    lst_finding *f = &tmp;
    f->kind = kind;
    f->count = 1;
    f->process = rpid;
    int cur = -1; /* index of the stack that frames go to */
    char *line;
    char label[32];
    while ((line = next_line(c))) {
        if (starts(line, "==================")) {
            free(line);
            break;
        }
        if (starts(line, "SUMMARY: ThreadSanitizer: ")) {
            free(line);
            continue;
        }
        const char *s = line;
        while (*s == ' ')
            s++;
        if (*s == 0) {
            cur = -1;
        } else if (*s == '#') {
            if (cur < 0) /* frames right under the WARNING line: the report's own site */
                cur = lst_finding_add_stack(f, "site", -1, -1);
            parse_frame(&f->stacks[cur], s);
        } else if (starts(s, "Location is global '<null>'") || starts(s, "Location is global '?" "?'")) {
            /* unsymbolized (symbolize=0): keep module+offset for lst_ctx_resolve(); TSan
             * prints such a line after "Location is stack of ..." too: keep the first */
            const char *open = strrchr(s, '(');
            if ((f->variable && strncmp(f->variable, "global", 6) != 0) ||
                (open && strncmp(open, "([stack]", 8) == 0)) {
                cur = -1;
                free(line);
                continue;
            }
            char *v = NULL;
            if (open && strstr(open, "+0x"))
                asprintf(&v, "global@%.*s", (int)(strcspn(open + 1, ")")), open + 1);
            free(f->variable);
            f->variable = v ? v : strdup("global");
            cur = -1;
        } else if (starts(s, "Location is ")) {
            char *v = strdup(s + 12);
            char *at = strstr(v, " at 0x");
            if (at)
                *at = 0; /* addresses change from run to run */
            char *size = strstr(v, " of size ");
            if (size && !starts(v, "heap block"))
                *size = 0; /* "global 'x' of size 4": the same variable as "global 'x'" */
            size_t vl = strlen(v);
            if (vl && v[vl - 1] == '.')
                v[vl - 1] = 0; /* "stack of main thread." */
            char *by = strstr(v, " allocated by ");
            int tid = thread_id(s);
            if (by)
                *by = 0;
            free(f->variable);
            f->variable = v;
            cur = -1;
            if (strstr(s, "allocated by")) {
                int ti = tid >= 0 ? lst_finding_add_thread(f, tid, thread_label(tid, label, sizeof label), -1) : -1;
                (void)ti;
                cur = lst_finding_add_stack(f, "alloc", tid, -1);
            }
        } else if (starts(s, "Thread T") && strstr(s, "created by")) {
            int tid = atoi(s + 8);
            int parent = thread_id(strstr(s, "created by") + 10);
            (void)parent;
            char name[64];
            const char *q = strchr(s, '\'');
            if (q && strchr(q + 1, '\''))
                snprintf(name, sizeof name, "%.*s", (int)(strchr(q + 1, '\'') - q - 1), q + 1);
            else
                snprintf(name, sizeof name, "T%d", tid);
            /* the kernel tid rides in the stack's lock field until lst_ctx_resolve() puts
             * lockstep's own creation stack there (gcc's TSan loses the caller's frame) */
            const char *ktid = strstr(s, "tid=");
            int st = lst_finding_add_stack(f, "created", tid, ktid ? atoi(ktid + 4) : -1);
            int ti = lst_finding_add_thread(f, tid, name, st);
            f->threads[ti].created = st;
            cur = st;
        } else if (strstr(s, " of size ") && (strstr(s, "Read") || strstr(s, "Write") ||
                                              strstr(s, "read") || strstr(s, "write"))) {
            int prev = starts(s, "Previous");
            int atomic = strstr(s, "tomic") != NULL;
            int write = strstr(s, "rite") != NULL;
            int size = atoi(strstr(s, " of size ") + 9);
            int tid = thread_id(s);
            if (tid >= 0)
                lst_finding_add_thread(f, tid, thread_label(tid, label, sizeof label), -1);
            int st = lst_finding_add_stack(f, write ? "write" : "read", tid, -1);
            lst_finding_add_access(f, write ? "write" : "read", size, tid, st, atomic);
            (void)prev;
            cur = st;
        } else if (strstr(s, ":") && s[strlen(s) - 1] == ':') {
            /* any other section with frames: mutex creation, the stack of a leak, ... */
            const char *role = starts(s, "Mutex")            ? "mutex"
                               : strstr(s, "synchronized via sleep") ? "sleep"
                                                                     : "stack";
            int tid = thread_id(s);
            cur = lst_finding_add_stack(f, role, tid, -1);
        } else {
            cur = -1;
        }
        free(line);
    }
    if (skip) {
        lst_finding_release(f);
        free(t);
        return 0;
    }
    lst_finding_set_message(f, "%s", t); /* lst_tsan_describe() finishes it */
    lst_tsan_describe(f);
    lst_finding_fingerprint(f);
    lst_report_take(r, f, 0);
    free(t);
    return 1;
}

/* "file.c:33 (worker)" for the user's frame of stack i. */
static void site(const lst_finding *f, int i, char *buf, size_t n)
{
    snprintf(buf, n, "?");
    if (i < 0 || (size_t)i >= f->nstacks)
        return;
    const lst_stack *s = &f->stacks[i];
    for (size_t k = 0; k < s->nframes; k++) {
        const lst_frame *fr = &s->frames[k];
        if (!fr->file || strncmp(fr->file, "/usr/", 5) == 0 || strstr(fr->file, "libsanitizer/") ||
            strstr(fr->file, "sanitizer_common/"))
            continue; /* the system's or the sanitizer runtime's code, not the user's */
        const char *b = strrchr(fr->file, '/');
        snprintf(buf, n, "%s:%d (%s)", b ? b + 1 : fr->file, fr->line,
                 fr->function ? fr->function : "?");
        return;
    }
}

void lst_tsan_describe(lst_finding *f)
{
    /* the message is "TITLE: details"; TSan's titles have no ": ", so this is idempotent */
    char *title = f->message ? strdup(f->message) : strdup("ThreadSanitizer report");
    char *colon = strstr(title, ": ");
    if (colon)
        *colon = 0;
    char a[256] = "", b[256] = "";
    int first = -1;
    for (size_t i = 0; i < f->nstacks && first < 0; i++)
        if (strcmp(f->stacks[i].role, "created") && strcmp(f->stacks[i].role, "sleep"))
            first = (int)i;
    if (f->kind == LST_KIND_DATA_RACE && f->naccesses >= 2) {
        site(f, f->accesses[0].stack, a, sizeof a);
        site(f, f->accesses[1].stack, b, sizeof b);
        lst_finding_set_message(f, "%s: %s on %s at %s by T%d, previous %s at %s by T%d", title,
                                f->accesses[0].type, f->variable ? f->variable : "memory", a,
                                f->accesses[0].thread, f->accesses[1].type, b,
                                f->accesses[1].thread);
    } else if (first >= 0 || f->nstacks) {
        site(f, first >= 0 ? first : 0, a, sizeof a);
        lst_finding_set_message(f, "%s: at %s", title, a);
    }
    free(title);
}

int lst_tsan_parse(const char *text, size_t len, lst_report *r, int pid)
{
    cursor c = {text, text + len};
    int n = 0;
    char *line;
    while ((line = next_line(&c))) {
        if (starts(line, "WARNING: ThreadSanitizer: "))
            n += parse_report(&c, line, r, pid);
        free(line);
    }
    return n;
}

int lst_tsan_collect(const char *dir, lst_report *r)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        char *buf = NULL;
        size_t cap = 0, len = 0;
        char chunk[65536];
        size_t k;
        while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
            if (len + k > cap) {
                cap = (len + k) * 2;
                char *nb = realloc(buf, cap);
                if (!nb)
                    break;
                buf = nb;
            }
            memcpy(buf + len, chunk, k);
            len += k;
        }
        fclose(f);
        const char *dot = strrchr(de->d_name, '.');
        n += lst_tsan_parse(buf ? buf : "", len, r, dot ? atoi(dot + 1) : 0);
        free(buf);
    }
    closedir(d);
    return n;
}
