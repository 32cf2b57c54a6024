/* html.c: the HTML report, one self-contained page that opens offline: inline CSS, a little
 * inline JavaScript, inline SVG, and no reference to anything outside the file (no fonts,
 * images, scripts or styles from elsewhere).
 * The page has a header (target, mode, verdict), a summary table of the findings (kind,
 * message, count, fingerprint, schedule) that sorts when a header is clicked and filters by
 * kind, then one section per finding (id "finding-FINGERPRINT"):
 *  - its lock graph as SVG (class "cycle-graph"): the lock-order cycle, each edge labelled
 *    with the thread and the source line of the acquisition, or for deadlocks the wait-for
 *    graph (thread -> lock it waits for -> thread holding it, joins between threads), with
 *    holders taken from "held" stacks or, when there are none, from the interleaving. Drawn by
 *    Graphviz (`dot -Tsvg`, run through a pipe) when dot is on PATH, else by a built-in
 *    circle layout, so the report never depends on it;
 *  - the interleaving that triggers it (class "timeline"): one column per thread, one row per
 *    step, read from the finding's trace file (SCHEDULE with .trace for .schedule, or a
 *    replay's trace.txt), the last LST_HTML_MAX_STEPS steps when it is longer;
 *  - its stacks, each frame with the source lines around it (class "source", the frame's line
 *    highlighted) when the file is readable, and its text rendering.
 * Notes and limits close the page. Every string from the report or a file is escaped;
 * invalid UTF-8 and control characters become U+FFFD. */
#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LST_HTML_MAX_STEPS 2000      /* timeline rows kept (the last ones) */
#define LST_HTML_MAX_SOURCE (16 << 20) /* source files larger than this are not read */
#define LST_HTML_MAX_LINE 400        /* source line characters shown */
#define LST_HTML_CONTEXT 3           /* source lines shown before and after a frame's line */
#define LST_HTML_DOT_SECONDS 20      /* Graphviz gets this long, then the built-in layout */

typedef struct hctx {
    FILE *o;
    const lst_report *r;
    const lst_render_opts *opts;
    char *root;  /* source root for relative files (absolute), or NULL */
    int use_dot; /* -1 unknown yet, 0 no, 1 yes */
    size_t fi;   /* index of the finding being written (unique SVG ids) */
    size_t *order; /* findings in page order: errors (deadlocks, races, failures) first */
} hctx;

/* ------------------------------------------------------------------------------------------ */
/* Escaping                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* Writes at most max bytes of s (max 0: all), escaped for HTML text and attribute values. */
static void put_hn(FILE *o, const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    const unsigned char *end = max ? p + strnlen((const char *)p, max) : p + strlen((const char *)p);
    while (p < end) {
        size_t n = lst_utf8_len(p);
        if (n == 0 || p + n > end || (*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f) {
            fputs("\xef\xbf\xbd", o);
            p++;
            continue;
        }
        if (n > 1) {
            fwrite(p, 1, n, o);
            p += n;
            continue;
        }
        switch (*p) {
        case '&':
            fputs("&amp;", o);
            break;
        case '<':
            fputs("&lt;", o);
            break;
        case '>':
            fputs("&gt;", o);
            break;
        case '"':
            fputs("&quot;", o);
            break;
        case '\'':
            fputs("&#39;", o);
            break;
        default:
            fputc(*p, o);
        }
        p++;
    }
}

static void put_h(FILE *o, const char *s)
{
    put_hn(o, s, 0);
}

/* An id fragment: the fingerprint's safe characters. */
static void put_idfrag(FILE *o, const char *s)
{
    for (; s && *s; s++)
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            *s == '-' || *s == '_')
            fputc(*s, o);
}

static int role_is(const lst_stack *s, const char *role)
{
    return s->role && strcmp(s->role, role) == 0;
}

static int valid_stack(const lst_finding *f, int i)
{
    return i >= 0 && (size_t)i < f->nstacks;
}

static const char *base_name(const char *p)
{
    const char *s = p ? strrchr(p, '/') : NULL;
    return s && s[1] ? s + 1 : p ? p : "";
}

/* ------------------------------------------------------------------------------------------ */
/* Traces: "STEP T<idx> <name> <op> [T<n>|lock#<id>]" lines, '#' comments                       */
/* ------------------------------------------------------------------------------------------ */

static const char *const trace_ops[] = {"?",          "lock",     "trylock",     "unlock",
                                        "cond-wait",  "cond-signal", "cond-broadcast",
                                        "sem-wait",   "sem-post", "barrier",     "create",
                                        "join",       "exit",     "yield",       "sleep",
                                        "fork",       "start"};
#define NOPS (sizeof trace_ops / sizeof trace_ops[0])
enum { OBJ_NONE, OBJ_THREAD, OBJ_LOCK };

typedef struct tstep {
    unsigned long no;
    int thread;
    unsigned char op;  /* index into trace_ops */
    unsigned char objk;
    long obj;
} tstep;

typedef struct trace {
    tstep *s;
    size_t n, cap;
    char **names; /* per thread index: the name the trace shows (last seen) */
    int nnames;
} trace;

static void trace_free(trace *t)
{
    free(t->s);
    for (int i = 0; i < t->nnames; i++)
        free(t->names[i]);
    free(t->names);
    memset(t, 0, sizeof *t);
}

static int op_index(const char *w)
{
    for (size_t i = 1; i < NOPS; i++)
        if (strcmp(w, trace_ops[i]) == 0)
            return (int)i;
    return -1;
}

/* Parses one trace line into st (and the thread's name); returns 0 when it is not a step. */
static int parse_step(trace *t, char *line, tstep *st)
{
    char *tok[64];
    int n = 0;
    for (char *p = strtok(line, " \t\r\n"); p && n < 64; p = strtok(NULL, " \t\r\n"))
        tok[n++] = p;
    if (n < 3 || tok[0][0] < '0' || tok[0][0] > '9' || tok[1][0] != 'T')
        return 0;
    char *end;
    st->no = strtoul(tok[0], &end, 10);
    if (*end)
        return 0;
    long th = strtol(tok[1] + 1, &end, 10);
    if (*end || th < 0 || th > 1000000)
        return 0;
    st->thread = (int)th;
    /* the name may hold spaces: the op is the last token, or the one before an object */
    int opi = n - 1;
    st->objk = OBJ_NONE;
    st->obj = -1;
    const char *last = tok[n - 1];
    if (n >= 4 && (strncmp(last, "lock#", 5) == 0 || (last[0] == 'T' && last[1] >= '0' &&
                                                       last[1] <= '9'))) {
        st->objk = last[0] == 'T' ? OBJ_THREAD : OBJ_LOCK;
        st->obj = strtol(last[0] == 'T' ? last + 1 : last + 5, NULL, 10);
        opi = n - 2;
    }
    int op = op_index(tok[opi]);
    if (op < 0 && st->objk != OBJ_NONE && op_index(last) > 0) { /* a name like "T7" */
        op = op_index(last);
        opi = n - 1;
        st->objk = OBJ_NONE;
        st->obj = -1;
    }
    st->op = (unsigned char)(op < 0 ? 0 : op);
    /* the name: tokens 2 .. opi-1 joined by spaces */
    if (opi > 2 && th < 4096) {
        size_t len = 0;
        for (int i = 2; i < opi; i++)
            len += strlen(tok[i]) + 1;
        char *name = malloc(len + 1);
        if (name) {
            name[0] = '\0';
            for (int i = 2; i < opi; i++) {
                if (i > 2)
                    strcat(name, " ");
                strcat(name, tok[i]);
            }
            if (th >= t->nnames) {
                char **nn = realloc(t->names, (size_t)(th + 1) * sizeof *nn);
                if (!nn) {
                    free(name);
                    return 1;
                }
                for (int i = t->nnames; i <= th; i++)
                    nn[i] = NULL;
                t->names = nn;
                t->nnames = (int)th + 1;
            }
            free(t->names[th]);
            t->names[th] = name;
        }
    }
    return 1;
}

/* Reads a whole trace file; returns 0, or -1 when it cannot be read. */
static int trace_read(const char *path, trace *t)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        if (line[0] == '#')
            continue;
        tstep st;
        if (!parse_step(t, line, &st))
            continue;
        if (t->n == t->cap) {
            size_t nc = t->cap ? t->cap * 2 : 256;
            tstep *ns = realloc(t->s, nc * sizeof *ns);
            if (!ns)
                break;
            t->s = ns;
            t->cap = nc;
        }
        t->s[t->n++] = st;
    }
    free(line);
    fclose(f);
    return 0;
}

static int readable_file(const char *p)
{
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, R_OK) == 0;
}

/* The trace file of finding f (caller frees), or NULL: a replay's trace.txt next to its
 * report.json, else the finding's (or the report's) schedule with .trace for .schedule, as
 * recorded or moved together with the output directory (report_dir/schedules/NAME.trace). */
static char *trace_path(hctx *c, const lst_finding *f)
{
    const char *dir = c->opts ? c->opts->report_dir : NULL;
    char *p = NULL;
    if (dir && c->r->mode && strcmp(c->r->mode, "replay") == 0) {
        if (asprintf(&p, "%s/trace.txt", dir) >= 0 && readable_file(p))
            return p;
        free(p);
        p = NULL;
    }
    const char *sched = f->schedule ? f->schedule : c->r->schedule;
    if (!sched || !*sched)
        return NULL;
    size_t n = strlen(sched);
    size_t stem = n > 9 && strcmp(sched + n - 9, ".schedule") == 0 ? n - 9 : n;
    if (asprintf(&p, "%.*s.trace", (int)stem, sched) >= 0 && readable_file(p))
        return p;
    free(p);
    p = NULL;
    if (dir) {
        const char *b = base_name(sched);
        size_t bn = strlen(b);
        size_t bstem = bn > 9 && strcmp(b + bn - 9, ".schedule") == 0 ? bn - 9 : bn;
        if (asprintf(&p, "%s/schedules/%.*s.trace", dir, (int)bstem, b) >= 0 && readable_file(p))
            return p;
        free(p);
        p = NULL;
    }
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Graphs                                                                                     */
/* ------------------------------------------------------------------------------------------ */

typedef struct gnode {
    int is_thread;
    int id;
    char *label;
} gnode;

typedef struct gedge {
    int from, to;      /* node indices */
    char *l1, *l2;     /* label lines (l2 may be NULL) */
    const char *cls;   /* "order", "wait", "held", "join" */
} gedge;

typedef struct graph {
    gnode *n;
    size_t nn;
    gedge *e;
    size_t ne;
    const char *title;
} graph;

static void graph_free(graph *g)
{
    for (size_t i = 0; i < g->nn; i++)
        free(g->n[i].label);
    for (size_t i = 0; i < g->ne; i++) {
        free(g->e[i].l1);
        free(g->e[i].l2);
    }
    free(g->n);
    free(g->e);
    memset(g, 0, sizeof *g);
}

static int node(graph *g, const lst_finding *f, int is_thread, int id)
{
    for (size_t i = 0; i < g->nn; i++)
        if (g->n[i].is_thread == is_thread && g->n[i].id == id)
            return (int)i;
    gnode *nn = realloc(g->n, (g->nn + 1) * sizeof *nn);
    if (!nn)
        return -1;
    g->n = nn;
    char *label = is_thread ? lst_thread_label(f, id) : lst_lock_label(f, id);
    g->n[g->nn] = (gnode){is_thread, id, label ? label : strdup("?")};
    return (int)g->nn++;
}

/* Adds an edge; takes ownership of l1 and l2. */
static void edge(graph *g, int from, int to, char *l1, char *l2, const char *cls)
{
    gedge *ne = from >= 0 && to >= 0 ? realloc(g->e, (g->ne + 1) * sizeof *ne) : NULL;
    if (!ne) {
        free(l1);
        free(l2);
        return;
    }
    g->e = ne;
    g->e[g->ne++] = (gedge){from, to, l1, l2, cls};
}

/* "file.c:32" for the site of stack idx (basename: labels stay short), or NULL. */
static char *site_short(const lst_finding *f, int idx)
{
    if (!valid_stack(f, idx))
        return NULL;
    const lst_frame *fr = lst_stack_site(&f->stacks[idx]);
    char *out = NULL;
    if (!fr)
        return NULL;
    if (fr->file && fr->line > 0) {
        if (asprintf(&out, "%s:%d", base_name(fr->file), fr->line) < 0)
            return NULL;
    } else if (fr->function) {
        out = strdup(fr->function);
    }
    return out;
}

/* Joins a word and a site: "held at x.c:30", or just the word. Frees site. */
static char *words_at(const char *word, char *site)
{
    char *out = NULL;
    if (site ? asprintf(&out, "%s at %s", word, site) < 0 : !(out = strdup(word)))
        out = NULL;
    free(site);
    return out;
}

/* Lock holders from the interleaving: a thread holds L when its "lock L" step is not its
 * last step (so the call returned) and no "unlock L" of its own followed. Writes the step
 * number of the acquisition to *step. -1 when nobody holds L. */
static int trace_holder(const trace *t, long lock, unsigned long *step)
{
    int maxth = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->s[i].thread > maxth)
            maxth = t->s[i].thread;
    size_t *last = malloc(((size_t)maxth + 1) * sizeof *last);
    if (!last)
        return -1;
    for (size_t i = 0; i < t->n; i++)
        last[t->s[i].thread] = i;
    int holder = -1;
    for (size_t i = 0; i < t->n; i++) {
        const tstep *s = &t->s[i];
        if (s->objk != OBJ_LOCK || s->obj != lock)
            continue;
        if (strcmp(trace_ops[s->op], "lock") == 0 && last[s->thread] != i) {
            holder = s->thread;
            *step = s->no;
        } else if (strcmp(trace_ops[s->op], "unlock") == 0 && s->thread == holder) {
            holder = -1;
        }
    }
    free(last);
    return holder;
}

/* The graph of finding f: its lock-order edges, or (deadlocks) who waits for what. */
static void build_graph(const lst_finding *f, const trace *t, graph *g)
{
    memset(g, 0, sizeof *g);
    int waitfor = f->kind == LST_KIND_DEADLOCK || f->kind == LST_KIND_SELF_DEADLOCK;
    int has_wait = 0;
    for (size_t i = 0; i < f->nstacks; i++)
        has_wait |= role_is(&f->stacks[i], "blocked") ||
                    (f->kind == LST_KIND_SELF_DEADLOCK && role_is(&f->stacks[i], "acquire"));
    if (!waitfor || !has_wait) {
        if (f->nedges == 0)
            return;
        g->title = "Lock-order graph";
        for (size_t i = 0; i < f->nedges; i++) {
            const lst_edge *e = &f->edges[i];
            int a = node(g, f, 0, e->from_lock), b = node(g, f, 0, e->to_lock);
            char *th = lst_thread_label(f, e->thread);
            char *l1 = NULL;
            if (e->mode && strcmp(e->mode, "write") != 0) {
                if (asprintf(&l1, "%s (%s)", th ? th : "?", e->mode) < 0)
                    l1 = NULL;
                free(th);
            } else {
                l1 = th;
            }
            edge(g, a, b, l1, words_at("requested", site_short(f, e->acquire_stack)), "order");
        }
        return;
    }
    g->title = "Wait-for graph";
    for (size_t i = 0; i < f->nstacks; i++) {
        const lst_stack *s = &f->stacks[i];
        int blocked = role_is(s, "blocked"), reacq = role_is(s, "acquire");
        if ((blocked || reacq) && s->lock >= 0) {
            int a = node(g, f, 1, s->thread), b = node(g, f, 0, s->lock);
            edge(g, a, b, strdup(reacq ? "requests again" : "waits"),
                 site_short(f, (int)i), "wait");
        } else if (blocked && t) {
            /* blocked on no lock: a join, if the interleaving says so */
            const tstep *last = NULL;
            for (size_t j = 0; j < t->n; j++)
                if (t->s[j].thread == s->thread)
                    last = &t->s[j];
            if (last && last->objk == OBJ_THREAD && strcmp(trace_ops[last->op], "join") == 0) {
                int a = node(g, f, 1, s->thread), b = node(g, f, 1, (int)last->obj);
                edge(g, a, b, strdup("joins"), site_short(f, (int)i), "join");
            } else {
                node(g, f, 1, s->thread);
            }
        } else if (blocked) {
            node(g, f, 1, s->thread);
        }
    }
    for (size_t i = 0; i < f->nstacks; i++) {
        const lst_stack *s = &f->stacks[i];
        if (role_is(s, "held") && s->lock >= 0 && s->thread >= 0) {
            int a = node(g, f, 0, s->lock), b = node(g, f, 1, s->thread);
            edge(g, a, b, strdup("held by"), site_short(f, (int)i), "held");
        }
    }
    /* locks that someone waits for and nobody is shown to hold: ask the interleaving */
    for (size_t i = 0; t && i < g->nn; i++) {
        if (g->n[i].is_thread)
            continue;
        int held = 0;
        for (size_t j = 0; j < g->ne; j++)
            held |= g->e[j].from == (int)i && strcmp(g->e[j].cls, "held") == 0;
        unsigned long step = 0;
        int h = held ? -1 : trace_holder(t, g->n[i].id, &step);
        if (h >= 0) {
            char *l2 = NULL;
            if (asprintf(&l2, "trace step %lu", step) < 0)
                l2 = NULL;
            edge(g, (int)i, node(g, f, 1, h), strdup("held by"), l2, "held");
        }
    }
}

static const char *edge_colour(const char *cls)
{
    if (strcmp(cls, "wait") == 0)
        return "#dc2626";
    if (strcmp(cls, "held") == 0)
        return "#15803d";
    if (strcmp(cls, "join") == 0)
        return "#6d28d9";
    return "#c2410c";
}

/* Writes s for a double-quoted DOT string (backslash and quote escaped, no newlines). */
static void put_dot(FILE *o, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\\' || *s == '"')
            fputc('\\', o);
        fputc((unsigned char)*s < 0x20 ? ' ' : *s, o);
    }
}

static char *graph_dot(const graph *g, size_t fi)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    if (!o)
        return NULL;
    /* two nodes side by side; longer chains top to bottom, so the page stays narrow (circo
     * draws cycles round but lets labels collide) */
    /* ids: Graphviz names its SVG elements "graph0", "node1"...; several graphs share the
     * page, so every id carries the finding's index */
    fprintf(o, "digraph lockstep {\n  graph [id=\"g%zu\", rankdir=%s, ranksep=\"%s\"];\n", fi,
            g->nn >= 3 ? "TB" : "LR", g->nn >= 3 ? "0.6" : "1.1");
    fputs("  graph [bgcolor=\"transparent\", pad=\"0.25\", nodesep=\"0.5\"];\n"
          "  node [fontname=\"Helvetica\", fontsize=12, penwidth=1.4];\n"
          "  edge [fontname=\"Helvetica\", fontsize=10, penwidth=1.4, arrowsize=0.8];\n",
          o);
    for (size_t i = 0; i < g->nn; i++) {
        fprintf(o, "  n%zu [id=\"g%zu-n%zu\", label=\"", i, fi, i);
        put_dot(o, g->n[i].label);
        if (g->n[i].is_thread)
            fputs("\", shape=ellipse, style=filled, fillcolor=\"#e0ecff\", color=\"#1d4ed8\"];\n",
                  o);
        else
            fputs("\", shape=box, style=\"rounded,filled\", fillcolor=\"#fff1dc\", "
                  "color=\"#b45309\"];\n",
                  o);
    }
    for (size_t i = 0; i < g->ne; i++) {
        const gedge *e = &g->e[i];
        const char *col = edge_colour(e->cls);
        fprintf(o, "  n%d -> n%d [id=\"g%zu-e%zu\", label=\"", e->from, e->to, fi, i);
        put_dot(o, e->l1);
        if (e->l2) {
            fputs("\\n", o);
            put_dot(o, e->l2);
        }
        fprintf(o, "\", color=\"%s\", fontcolor=\"%s\"%s];\n", col, col,
                strcmp(e->cls, "held") == 0 ? ", style=dashed" : "");
    }
    fputs("}\n", o);
    if (fclose(o) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* 1 when an executable "dot" is on PATH. */
static int dot_on_path(void)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        return 0;
    char *copy = strdup(path), *save = NULL;
    int found = 0;
    for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d && !found;
         d = strtok_r(NULL, ":", &save)) {
        char *p = NULL;
        if (asprintf(&p, "%s/dot", *d ? d : ".") >= 0) {
            struct stat st;
            found = stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
            free(p);
        }
    }
    free(copy);
    return found;
}

/* Runs `dot -Tsvg` on src (through a temporary file and a pipe) and returns its SVG element
 * with the XML prolog, doctype and namespace URLs removed (inline SVG needs none), or NULL. */
static char *run_dot(const char *src)
{
    const char *tmpdir = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/lockstep-dot.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int in = mkstemp(tmpl);
    if (in < 0)
        return NULL;
    unlink(tmpl);
    size_t n = strlen(src);
    if (write(in, src, n) != (ssize_t)n || lseek(in, 0, SEEK_SET) != 0) {
        close(in);
        return NULL;
    }
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        close(in);
        return NULL;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in, 0);
        dup2(pfd[1], 1);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, 2);
        signal(SIGPIPE, SIG_DFL);
        alarm(LST_HTML_DOT_SECONDS);
        execlp("dot", "dot", "-Tsvg", (char *)NULL);
        _exit(127);
    }
    close(in);
    close(pfd[1]);
    if (pid < 0) {
        close(pfd[0]);
        return NULL;
    }
    char *out = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            size_t nc = cap ? cap * 2 : 16384;
            char *no = realloc(out, nc);
            if (!no)
                break;
            out = no;
            cap = nc;
        }
        ssize_t r = read(pfd[0], out + len, cap - len - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    close(pfd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        free(out);
        return NULL;
    }
    out[len] = '\0';
    char *svg = strstr(out, "<svg");
    if (!svg) {
        free(out);
        return NULL;
    }
    memmove(out, svg, strlen(svg) + 1);
    static const char *const drop[] = {" xmlns=\"http://www.w3.org/2000/svg\"",
                                       " xmlns:xlink=\"http://www.w3.org/1999/xlink\""};
    for (size_t i = 0; i < 2; i++) {
        char *p = strstr(out, drop[i]);
        if (p)
            memmove(p, p + strlen(drop[i]), strlen(p + strlen(drop[i])) + 1);
    }
    if (strstr(out, "://")) { /* anything that could reach outside: draw it ourselves */
        free(out);
        return NULL;
    }
    return out;
}

/* Approximate text width in px (a 12 px sans-serif averages 7 px per character). */
static double text_w(const char *s, double px)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        n += (*p & 0xc0) != 0x80;
    return (double)n * px * 0.62;
}

/* The built-in layout: nodes on a circle, edges as arcs bent to their left (so the two
 * directions between a pair stay apart), labels at the arcs' middles. */
static void graph_builtin_svg(hctx *c, const graph *g)
{
    size_t n = g->nn;
    /* the body goes to a buffer first: the viewBox is the bounding box of what was drawn */
    char *body = NULL;
    size_t blen = 0;
    FILE *o = open_memstream(&body, &blen);
    if (!o)
        return;
    double bx0 = 1e9, by0 = 1e9, bx1 = -1e9, by1 = -1e9;
#define BBOX(px, py, hw, hh)                                                                       \
    do {                                                                                           \
        bx0 = fmin(bx0, (px) - (hw));                                                              \
        bx1 = fmax(bx1, (px) + (hw));                                                              \
        by0 = fmin(by0, (py) - (hh));                                                              \
        by1 = fmax(by1, (py) + (hh));                                                              \
    } while (0)
    double *nw = calloc(4 * (n + 1), sizeof *nw);
    unsigned char *placed = calloc(n + 1, 1);
    if (!nw || !placed) {
        free(nw);
        free(placed);
        fclose(o);
        free(body);
        return;
    }
    double *nh = nw + (n + 1), *x = nh + (n + 1), *y = x + (n + 1);
    double maxw = 0;
    for (size_t i = 0; i < n; i++) {
        nw[i] = text_w(g->n[i].label, 13) + 28;
        nh[i] = 34;
        if (nw[i] > maxw)
            maxw = nw[i];
    }
    /* the radius: adjacent nodes (a chord apart) must not touch */
    double R = n <= 1 ? 0 : n == 2 ? 150 : fmax(110, (maxw + 50) / (2 * sin(M_PI / (double)n)));
    double cx = 0, cy = 0;
    /* walk the edges from each unplaced node so a cycle's nodes sit around the circle in
     * cycle order */
    size_t pos = 0;
    for (size_t s0 = 0; s0 < n; s0++) {
        int cur = (int)s0;
        while (cur >= 0 && !placed[cur]) {
            placed[cur] = 1;
            double a = n == 2 ? M_PI * (double)pos : -M_PI / 2 + 2 * M_PI * (double)pos / (double)n;
            x[cur] = cx + R * cos(a);
            y[cur] = cy + R * sin(a);
            pos++;
            int next = -1;
            for (size_t k = 0; k < g->ne && next < 0; k++)
                if (g->e[k].from == cur && !placed[g->e[k].to])
                    next = g->e[k].to;
            cur = next;
        }
    }
    for (size_t i = 0; i < g->ne; i++) {
        const gedge *e = &g->e[i];
        double x0 = x[e->from], y0 = y[e->from], x1 = x[e->to], y1 = y[e->to];
        const char *col = edge_colour(e->cls);
        double lx, ly;
        fprintf(o, "<g class=\"edge edge-%s\">", e->cls);
        if (e->from == e->to) {
            double top = y0 - nh[e->from] / 2;
            fprintf(o,
                    "<path d=\"M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"none\" "
                    "stroke=\"%s\" stroke-width=\"1.6\" marker-end=\"url(#arr-%zu-%s)\"/>",
                    x0 - 12, top, x0 - 50, top - 70, x0 + 50, top - 70, x0 + 12, top, col, c->fi,
                    e->cls);
            lx = x0;
            ly = top - 62;
            BBOX(x0, top - 40, 50, 30);
        } else {
            double dx = x1 - x0, dy = y1 - y0, len = sqrt(dx * dx + dy * dy);
            double ux = dx / len, uy = dy / len;
            /* leave the boxes: shorten by the box's half-extent along the direction */
            double s0 = fmin(nw[e->from] / 2 / fmax(fabs(ux), 1e-6), nh[e->from] / 2 / fmax(fabs(uy), 1e-6));
            double s1 = fmin(nw[e->to] / 2 / fmax(fabs(ux), 1e-6), nh[e->to] / 2 / fmax(fabs(uy), 1e-6));
            double bend = len * 0.18 + 14;
            double ax = x0 + ux * (s0 + 4), ay = y0 + uy * (s0 + 4);
            double bx = x1 - ux * (s1 + 6), by = y1 - uy * (s1 + 6);
            double mx = (ax + bx) / 2 + uy * bend, my = (ay + by) / 2 - ux * bend;
            fprintf(o,
                    "<path d=\"M%.1f,%.1f Q%.1f,%.1f %.1f,%.1f\" fill=\"none\" stroke=\"%s\" "
                    "stroke-width=\"1.6\"%s marker-end=\"url(#arr-%zu-%s)\"/>",
                    ax, ay, mx, my, bx, by, col,
                    strcmp(e->cls, "held") == 0 ? " stroke-dasharray=\"6 4\"" : "", c->fi,
                    e->cls);
            /* the label's centre: beyond the arc's apex, far enough along the normal that
             * the text block (width tw, height th) clears the arc */
            double tw = fmax(text_w(e->l1, 11.5), text_w(e->l2, 11.5));
            double th = e->l2 ? 28 : 14;
            double d = 0.5 * bend + 6 + fabs(ux) * th / 2 + fabs(uy) * tw / 2;
            lx = (ax + bx) / 2 + uy * d;
            ly = (ay + by) / 2 - ux * d;
            BBOX(mx, my, 0, 0);
        }
        BBOX(lx, ly, fmax(text_w(e->l1, 11.5), text_w(e->l2, 11.5)) / 2 + 4, e->l2 ? 16 : 9);
        /* first baseline so that the block is centred on (lx, ly) */
        fprintf(o, "<text class=\"edge-label\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\">", lx,
                ly - (e->l2 ? 14 : 0) + 4, col);
        fprintf(o, "<tspan x=\"%.1f\">", lx);
        put_h(o, e->l1);
        fputs("</tspan>", o);
        if (e->l2) {
            fprintf(o, "<tspan x=\"%.1f\" dy=\"1.2em\">", lx);
            put_h(o, e->l2);
            fputs("</tspan>", o);
        }
        fputs("</text></g>\n", o);
    }
    for (size_t i = 0; i < n; i++) {
        fprintf(o, "<g class=\"node %s\">", g->n[i].is_thread ? "node-thread" : "node-lock");
        if (g->n[i].is_thread)
            fprintf(o,
                    "<ellipse cx=\"%.1f\" cy=\"%.1f\" rx=\"%.1f\" ry=\"%.1f\" fill=\"#e0ecff\" "
                    "stroke=\"#1d4ed8\" stroke-width=\"1.5\"/>",
                    x[i], y[i], nw[i] / 2, nh[i] / 2);
        else
            fprintf(o,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"8\" "
                    "fill=\"#fff1dc\" stroke=\"#b45309\" stroke-width=\"1.5\"/>",
                    x[i] - nw[i] / 2, y[i] - nh[i] / 2, nw[i], nh[i]);
        BBOX(x[i], y[i], nw[i] / 2 + 2, nh[i] / 2 + 2);
        fprintf(o, "<text class=\"node-label\" x=\"%.1f\" y=\"%.1f\">", x[i], y[i] + 4.5);
        put_h(o, g->n[i].label);
        fputs("</text></g>\n", o);
    }
#undef BBOX
    free(nw);
    free(placed);
    if (fclose(o) != 0) {
        free(body);
        return;
    }
    double pad = 14, W = bx1 - bx0 + 2 * pad, H = by1 - by0 + 2 * pad;
    fprintf(c->o,
            "<svg class=\"graph-svg\" viewBox=\"%.0f %.0f %.0f %.0f\" width=\"%.0f\" "
            "height=\"%.0f\" role=\"img\" aria-label=\"",
            bx0 - pad, by0 - pad, W, H, W, H);
    put_h(c->o, g->title);
    fputs("\">\n<defs>", c->o);
    static const char *const classes[] = {"order", "wait", "held", "join"};
    for (size_t k = 0; k < 4; k++)
        fprintf(c->o,
                "<marker id=\"arr-%zu-%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
                "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 "
                "L0,10 z\" fill=\"%s\"/></marker>",
                c->fi, classes[k], edge_colour(classes[k]));
    fputs("</defs>\n", c->o);
    fwrite(body, 1, blen, c->o);
    fputs("</svg>", c->o);
    free(body);
}

static void put_graph(hctx *c, const lst_finding *f, const trace *t)
{
    graph g;
    build_graph(f, t, &g);
    if (g.nn == 0) {
        graph_free(&g);
        return;
    }
    FILE *o = c->o;
    char *svg = NULL;
    if (c->use_dot < 0)
        c->use_dot = !(c->opts && c->opts->no_dot) && dot_on_path();
    if (c->use_dot) {
        char *src = graph_dot(&g, c->fi);
        svg = src ? run_dot(src) : NULL;
        free(src);
    }
    fprintf(o, "<h3>%s</h3>\n<figure class=\"cycle-graph\" data-layout=\"%s\">\n", g.title,
            svg ? "graphviz" : "builtin");
    if (svg) {
        fputs(svg, o);
        free(svg);
    } else {
        graph_builtin_svg(c, &g);
    }
    fputs("\n<figcaption>", o);
    if (strcmp(g.title, "Wait-for graph") == 0)
        fputs("Threads (ellipses) wait for locks (boxes) held by other threads: red edges "
              "wait, dashed green edges show who holds a lock, purple edges join a thread.",
              o);
    else
        fputs("Each edge: while holding the lock it leaves, the thread named on it requested "
              "the lock it points to, at the source line shown.",
              o);
    fputs("</figcaption>\n</figure>\n", o);
    graph_free(&g);
}

/* ------------------------------------------------------------------------------------------ */
/* Timeline                                                                                   */
/* ------------------------------------------------------------------------------------------ */

static const char *op_class(const char *op)
{
    if (!strcmp(op, "lock") || !strcmp(op, "trylock"))
        return "op-lock";
    if (!strcmp(op, "unlock"))
        return "op-unlock";
    if (!strncmp(op, "cond-", 5))
        return "op-cond";
    if (!strncmp(op, "sem-", 4) || !strcmp(op, "barrier"))
        return "op-sync";
    if (!strcmp(op, "create") || !strcmp(op, "start") || !strcmp(op, "join") ||
        !strcmp(op, "exit") || !strcmp(op, "fork"))
        return "op-thread";
    return "op-idle";
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* A thread in the timeline: "T1", plus its name (from the finding, else the trace) when it
 * says more; in a header (block) the name goes on a line of its own. */
static void put_trace_thread(hctx *c, const lst_finding *f, const trace *t, int th, int header)
{
    int i = lst_finding_thread_index(f, th);
    const char *name = i >= 0 ? f->threads[i].name : NULL;
    if (!name && th < t->nnames)
        name = t->names[th];
    fprintf(c->o, "T%d", th);
    char deflt[32];
    snprintf(deflt, sizeof deflt, "T%d", th);
    if (name && *name && strcmp(name, deflt) != 0) {
        fputs(header ? "<small>" : " (", c->o);
        put_h(c->o, name);
        fputs(header ? "</small>" : ")", c->o);
    }
}

static void put_timeline(hctx *c, const lst_finding *f, const char *path, const trace *t)
{
    FILE *o = c->o;
    fputs("<h3>Interleaving</h3>\n", o);
    if (t->n == 0) {
        fputs("<p class=\"muted\">The trace file <code>", o);
        put_h(o, path);
        fputs("</code> holds no steps.</p>\n", o);
        return;
    }
    /* lanes: every thread that acts or is named, in thread order */
    int *lanes = malloc((t->n + 1) * sizeof *lanes);
    size_t nl = 0;
    if (!lanes)
        return;
    for (size_t i = 0; i < t->n; i++) {
        int th = t->s[i].thread, seen = 0;
        for (size_t j = 0; j < nl && !seen; j++)
            seen = lanes[j] == th;
        if (!seen)
            lanes[nl++] = th;
    }
    qsort(lanes, nl, sizeof *lanes, cmp_int);
    size_t first = t->n > LST_HTML_MAX_STEPS ? t->n - LST_HTML_MAX_STEPS : 0;
    int stuck = f->kind == LST_KIND_DEADLOCK || f->kind == LST_KIND_SELF_DEADLOCK;

    fprintf(o, "<p class=\"muted\">%zu steps over %zu threads, from <code>", t->n, nl);
    put_h(o, path);
    fputs(f->nlocks ? "</code>. Steps on this finding's locks are marked on the left; each "
                      "thread's last step is framed.</p>\n"
                    : "</code>. Each thread's last step is framed.</p>\n",
          o);
    if (first)
        fprintf(o,
                "<p class=\"note timeline-cut\">The interleaving has %zu steps; only the last "
                "%d are shown (steps %lu to %lu).</p>\n",
                t->n, LST_HTML_MAX_STEPS, t->s[first].no, t->s[t->n - 1].no);
    /* where threads got stuck, the end matters: the page scrolls those timelines down */
    fprintf(o, "<div class=\"timeline-wrap\"%s><table class=\"timeline\" data-steps=\"%zu\">\n",
            stuck || f->kind == LST_KIND_HANG ? " data-scroll=\"end\"" : "", t->n);
    fputs("<thead><tr><th class=\"step\">Step</th>", o);
    for (size_t j = 0; j < nl; j++) {
        fprintf(o, "<th class=\"lane\" data-thread=\"%d\">", lanes[j]);
        put_trace_thread(c, f, t, lanes[j], 1);
        fputs("</th>", o);
    }
    fputs("</tr></thead>\n<tbody>\n", o);
    for (size_t i = first; i < t->n; i++) {
        const tstep *s = &t->s[i];
        const char *op = trace_ops[s->op];
        int hit = s->objk == OBJ_LOCK && lst_finding_lock_index(f, (int)s->obj) >= 0;
        int last = 1;
        for (size_t j = i + 1; j < t->n && last; j++)
            last = t->s[j].thread != s->thread;
        fprintf(o, "<tr class=\"%s%s%s\"><td class=\"step\">%lu</td>", op_class(op),
                hit ? " hit" : "", last ? " final" : "", s->no);
        for (size_t j = 0; j < nl; j++) {
            if (lanes[j] != s->thread) {
                fputs("<td></td>", o);
                continue;
            }
            fprintf(o, "<td class=\"act %s\"><span class=\"op\">", op_class(op));
            put_h(o, op);
            fputs("</span>", o);
            if (s->objk == OBJ_LOCK) {
                char *l = lst_lock_label(f, (int)s->obj);
                fputs(" <span class=\"obj\">", o);
                if (lst_finding_lock_index(f, (int)s->obj) >= 0)
                    put_h(o, l);
                else
                    fprintf(o, "lock#%ld", s->obj);
                fputs("</span>", o);
                free(l);
            } else if (s->objk == OBJ_THREAD) {
                fputs(" <span class=\"obj\">", o);
                put_trace_thread(c, f, t, (int)s->obj, 0);
                fputs("</span>", o);
            }
            if (last)
                fprintf(o, " <span class=\"tag\">%s</span>", stuck ? "blocked here" : "last");
            fputs("</td>", o);
        }
        fputs("</tr>\n", o);
    }
    fputs("</tbody></table></div>\n", o);
    free(lanes);
}

/* ------------------------------------------------------------------------------------------ */
/* Stacks and source                                                                          */
/* ------------------------------------------------------------------------------------------ */

/* Opens the source file of a frame: as recorded, else relative to the source root. */
static FILE *open_source(hctx *c, const char *file)
{
    char *p = NULL;
    FILE *f = NULL;
    struct stat st;
    if (file[0] == '/' || !c->root) {
        if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= LST_HTML_MAX_SOURCE)
            f = fopen(file, "re");
        return f;
    }
    if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= LST_HTML_MAX_SOURCE)
        return fopen(file, "re");
    if (asprintf(&p, "%s/%s", c->root, file) < 0)
        return NULL;
    if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= LST_HTML_MAX_SOURCE)
        f = fopen(p, "re");
    free(p);
    return f;
}

/* The lines around fr's line, the line itself highlighted; nothing when unreadable. */
static void put_source(hctx *c, const lst_frame *fr)
{
    if (!fr->file || fr->line <= 0)
        return;
    FILE *in = open_source(c, fr->file);
    if (!in)
        return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int no = 0, shown = 0;
    int from = fr->line - LST_HTML_CONTEXT, to = fr->line + LST_HTML_CONTEXT;
    while (no < to && (len = getline(&line, &cap, in)) >= 0) {
        no++;
        if (no < from)
            continue;
        if (!shown)
            fputs("<pre class=\"source\"><code>", c->o);
        shown = 1;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        fprintf(c->o, "<span class=\"line%s\"><span class=\"ln\">%d</span>",
                no == fr->line ? " hl" : "", no);
        put_hn(c->o, line, LST_HTML_MAX_LINE);
        if ((size_t)len > LST_HTML_MAX_LINE)
            fputs("\xe2\x80\xa6", c->o);
        fputs("</span>", c->o); /* block spans: a newline here would show as a blank line */
    }
    if (shown)
        fputs("</code></pre>", c->o);
    free(line);
    fclose(in);
}

static void put_frame(hctx *c, size_t k, const lst_frame *fr, int open)
{
    FILE *o = c->o;
    char *rel = fr->file ? lst_relative_path(fr->file, c->root) : NULL;
    int src = fr->file && fr->line > 0;
    fputs(src ? "<li class=\"frame\"><details" : "<li class=\"frame nosrc\"><div", o);
    if (src && open)
        fputs(" open", o);
    fprintf(o, ">%s<span class=\"fno\">#%zu</span> <code class=\"fn\">", src ? "<summary>" : "",
            k);
    if (fr->function)
        put_h(o, fr->function);
    else
        fprintf(o, "0x%llx", (unsigned long long)fr->pc);
    fputs("</code>", o);
    if (fr->file) {
        fputs(" <span class=\"loc\">", o);
        put_h(o, rel ? rel : fr->file);
        if (fr->line > 0)
            fprintf(o, ":%d", fr->line);
        fputs("</span>", o);
    } else if (fr->module) {
        fputs(" <span class=\"mod\">(", o);
        put_h(o, base_name(fr->module));
        fprintf(o, ") 0x%llx</span>", (unsigned long long)fr->pc);
    }
    if (src) {
        fputs("</summary>", o);
        put_source(c, fr);
        fputs("</details></li>\n", o);
    } else {
        fputs("</div></li>\n", o);
    }
    free(rel);
}

static void put_stacks(hctx *c, const lst_finding *f, int primary)
{
    FILE *o = c->o;
    if (f->nstacks == 0)
        return;
    fputs("<h3>Stacks</h3>\n<div class=\"stacks\">\n", o);
    /* the primary stack first, then the others, creation stacks last */
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < f->nstacks; i++) {
            const lst_stack *s = &f->stacks[i];
            int want = (int)i == primary ? 0 : role_is(s, "created") ? 2 : 1;
            if (want != pass)
                continue;
            char *d = lst_stack_describe(f, (int)i);
            fprintf(o, "<div class=\"stack role-");
            put_idfrag(o, s->role ? s->role : "stack");
            fprintf(o, "%s\"><h4>", (int)i == primary ? " primary" : "");
            put_h(o, d);
            if ((int)i == primary)
                fputs(" <span class=\"tag\">closes the finding</span>", o);
            fputs("</h4>\n", o);
            free(d);
            if (s->nframes == 0) {
                fputs("<p class=\"muted\">(no frames)</p></div>\n", o);
                continue;
            }
            const lst_frame *site = lst_stack_site(s);
            fputs("<ol class=\"frames\">\n", o);
            for (size_t k = 0; k < s->nframes; k++)
                put_frame(c, k, &s->frames[k], &s->frames[k] == site);
            fputs("</ol></div>\n", o);
        }
    fputs("</div>\n", o);
}

/* ------------------------------------------------------------------------------------------ */
/* Page                                                                                       */
/* ------------------------------------------------------------------------------------------ */

static const char *const css[] = {
    ":root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f8fafc;--card:#fff;"
    "--accent:#1d4ed8}\n",
    "*{box-sizing:border-box}\n",
    "body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
    "sans-serif;color:var(--fg);background:var(--bg)}\n",
    "main{max-width:1200px;margin:0 auto;padding:0 20px 40px}\n",
    "code,pre,.mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;"
    "font-size:12.5px}\n",
    "header.top{background:#0f172a;color:#e2e8f0;padding:18px 20px 14px}\n",
    "header.top .inner{max-width:1200px;margin:0 auto}\n",
    "header.top h1{margin:0 0 6px;font-size:20px;font-weight:650;color:#fff}\n",
    "header.top code{color:#bfdbfe;word-break:break-all}\n",
    ".facts{list-style:none;margin:8px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:6px 18px;"
    "color:#cbd5e1}\n",
    ".facts b{color:#fff;font-weight:600}\n",
    ".verdict{display:inline-block;margin-top:10px;padding:3px 10px;border-radius:999px;"
    "font-weight:600}\n",
    ".verdict.bad{background:#fee2e2;color:#991b1b}.verdict.good{background:#dcfce7;"
    "color:#166534}\n",
    "section{background:var(--card);border:1px solid var(--line);border-radius:10px;"
    "padding:16px 20px;margin:18px 0;box-shadow:0 1px 2px rgba(0,0,0,.04)}\n",
    "section.finding{border-left:5px solid var(--kc,#64748b)}\n",
    "h2{font-size:17px;margin:0 0 10px}h3{font-size:14.5px;margin:18px 0 8px;color:#334155}"
    "h4{font-size:13.5px;margin:0 0 6px}\n",
    ".badge{display:inline-block;padding:1px 8px;border-radius:999px;color:#fff;font-size:12px;"
    "font-weight:600;background:var(--kc,#64748b);white-space:nowrap;vertical-align:1px}\n",
    ".k-lock-order-cycle{--kc:#c2410c}.k-deadlock{--kc:#b91c1c}.k-self-deadlock{--kc:#be123c}"
    ".k-lock-misuse{--kc:#a16207}.k-data-race{--kc:#7c3aed}.k-target-failure{--kc:#9f1239}"
    ".k-hang{--kc:#0f766e}.k-thread-leak{--kc:#475569}.k-signal-unsafe-call{--kc:#be185d}\n",
    ".controls{display:flex;gap:10px;align-items:center;margin:0 0 10px;color:var(--muted)}\n",
    "select{font:inherit;padding:3px 6px;border:1px solid #cbd5e1;border-radius:6px;"
    "background:#fff}\n",
    "table.findings{width:100%;border-collapse:collapse}\n",
    "table.findings th{text-align:left;font-weight:600;border-bottom:2px solid var(--line);"
    "padding:0;white-space:nowrap}\n",
    "table.findings th button{all:unset;cursor:pointer;display:block;padding:6px 8px}\n",
    "table.findings th button:hover{color:var(--accent)}\n",
    "table.findings th[aria-sort=ascending] button::after{content:' \\25B2';font-size:10px}\n",
    "table.findings th[aria-sort=descending] button::after{content:' \\25BC';font-size:10px}\n",
    "table.findings td{padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}\n",
    "table.findings td.num{text-align:right;font-variant-numeric:tabular-nums}\n",
    "table.findings tr:hover td{background:#f1f5f9}\n",
    "a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}\n",
    ".muted{color:var(--muted)}.note{background:#fffbeb;border:1px solid #fde68a;"
    "padding:6px 10px;border-radius:6px}\n",
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:6px 0 4px}\n",
    "dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;word-break:break-all}\n",
    "figure.cycle-graph{margin:6px 0;padding:10px;background:#fcfcfd;border:1px solid "
    "var(--line);border-radius:8px;overflow:auto;text-align:center}\n",
    "figure.cycle-graph svg{max-width:100%;height:auto}\n",
    "figure.cycle-graph figcaption{color:var(--muted);font-size:12.5px;margin-top:6px}\n",
    ".graph-svg .node-label{font:600 13px system-ui,'DejaVu Sans',sans-serif;"
    "text-anchor:middle;fill:#111827}\n",
    ".graph-svg .edge-label{font:11.5px system-ui,'DejaVu Sans',sans-serif;text-anchor:middle;"
    "paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}\n",
    ".timeline-wrap{max-height:520px;overflow:auto;border:1px solid var(--line);"
    "border-radius:8px}\n",
    "table.timeline{border-collapse:separate;border-spacing:0;font-size:12.5px;width:100%}\n",
    "table.timeline th{position:sticky;top:0;background:#f1f5f9;border-bottom:1px solid "
    "#cbd5e1;padding:5px 8px;text-align:left;white-space:nowrap;z-index:1}\n",
    "table.timeline th small{display:block;font-weight:400;color:var(--muted)}\n",
    "table.timeline td{padding:2px 8px;border-bottom:1px solid #f1f5f9;border-left:1px solid "
    "#e2e8f0;white-space:nowrap;min-width:90px}\n",
    "table.timeline td.step,table.timeline th.step{min-width:0;width:1%;text-align:right;"
    "color:var(--muted);border-left:0;font-variant-numeric:tabular-nums}\n",
    "td.act{border-radius:4px}td.act .op{font-weight:600}\n",
    "td.op-lock{background:#dbeafe}td.op-unlock{background:#dcfce7}td.op-cond{background:"
    "#ccfbf1}td.op-sync{background:#ede9fe}td.op-thread{background:#e0e7ff}td.op-idle{color:"
    "#94a3b8}\n",
    "tr.hit td.act{box-shadow:inset 3px 0 0 #f59e0b}\n",
    "tr.final td.act{outline:2px solid #ef4444;outline-offset:-2px}\n",
    ".tag{display:inline-block;font-size:11px;padding:0 6px;border-radius:999px;"
    "background:#fee2e2;color:#991b1b;font-weight:600;vertical-align:1px}\n",
    ".stacks{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:12px}\n",
    ".stack{border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:#fff}\n",
    ".stack.primary{border-color:#f59e0b;box-shadow:0 0 0 2px #fde68a}\n",
    "ol.frames{list-style:none;margin:0;padding:0}\n",
    "li.frame{margin:2px 0}li.frame summary{cursor:pointer}\n",
    ".fno{color:var(--muted);font-family:ui-monospace,monospace;font-size:12px}\n",
    ".loc,.mod{color:#475569}\n",
    "pre.source{margin:4px 0 8px;background:#0f172a;color:#e2e8f0;border-radius:6px;"
    "padding:6px 0;overflow:auto}\n",
    "pre.source .line{display:block;padding:0 10px}\n",
    "pre.source .line.hl{background:#854d0e;color:#fff}\n",
    "pre.source .ln{display:inline-block;min-width:3.5em;color:#64748b;user-select:none}\n",
    "pre.source .hl .ln{color:#fde68a}\n",
    "details.text-report pre{background:#f8fafc;border:1px solid var(--line);border-radius:6px;"
    "padding:8px;overflow:auto}\n",
    "ul.plain{margin:4px 0;padding-left:20px}\n",
    NULL};

/* Sorting and filtering of the summary table; marks the page ready when done. */
static const char js[] =
    "(function(){'use strict';\n"
    "var table=document.getElementById('findings-table');\n"
    "var sel=document.getElementById('kind-filter');\n"
    "var count=document.getElementById('shown-count');\n"
    "function val(row,col,num){var c=row.cells[col];var v=c.getAttribute('data-value');\n"
    " if(v===null)v=c.textContent;return num?(parseFloat(v)||0):v.toLowerCase();}\n"
    "function sortBy(th,col){var num=th.getAttribute('data-type')==='num';\n"
    " var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;\n"
    " var ths=table.tHead.rows[0].cells;\n"
    " for(var i=0;i<ths.length;i++)ths[i].setAttribute('aria-sort','none');\n"
    " th.setAttribute('aria-sort',dir===1?'ascending':'descending');\n"
    " var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);\n"
    " rows.sort(function(a,b){var x=val(a,col,num),y=val(b,col,num);\n"
    "  return (x<y?-1:x>y?1:0)*dir;});\n"
    " rows.forEach(function(r){body.appendChild(r);});}\n"
    "function filter(){var k=sel?sel.value:'';var shown=0;\n"
    " var rows=table?table.tBodies[0].rows:[];\n"
    " for(var i=0;i<rows.length;i++){var on=!k||rows[i].getAttribute('data-kind')===k;\n"
    "  rows[i].hidden=!on;if(on)shown++;}\n"
    " var secs=document.querySelectorAll('section.finding');\n"
    " for(var j=0;j<secs.length;j++)secs[j].hidden=!!k&&secs[j].getAttribute('data-kind')!==k;\n"
    " if(count)count.textContent=shown+' of '+rows.length+' shown';}\n"
    "if(table){var ths=table.tHead.rows[0].cells;\n"
    " for(var i=0;i<ths.length;i++)(function(th,col){\n"
    "  th.addEventListener('click',function(){sortBy(th,col);});})(ths[i],i);}\n"
    "if(sel)sel.addEventListener('change',filter);\n"
    "if(table)filter();\n"
    "var ends=document.querySelectorAll('.timeline-wrap[data-scroll=end]');\n"
    "for(var e=0;e<ends.length;e++)ends[e].scrollTop=ends[e].scrollHeight;\n"
    "document.documentElement.setAttribute('data-ready','1');\n"
    "})();\n";

/* Deadlocks, self-deadlocks, races and target failures: the SARIF "error" kinds. */
static int is_error(lst_kind k)
{
    return k == LST_KIND_DEADLOCK || k == LST_KIND_SELF_DEADLOCK || k == LST_KIND_DATA_RACE ||
           k == LST_KIND_TARGET_FAILURE;
}

static void put_finding_id(FILE *o, const lst_report *r, size_t i)
{
    const lst_finding *f = &r->findings[i];
    fputs("finding-", o);
    if (f->fingerprint[0])
        put_idfrag(o, f->fingerprint);
    else
        fputs("none", o);
    unsigned dup = 0;
    for (size_t j = 0; j < i; j++)
        dup += strcmp(r->findings[j].fingerprint, f->fingerprint) == 0;
    if (dup)
        fprintf(o, "-%u", dup + 1);
}

static void put_header(hctx *c)
{
    const lst_report *r = c->r;
    FILE *o = c->o;
    fputs("<header class=\"top\"><div class=\"inner\"><h1>lockstep report</h1>\n<div>"
          "<span class=\"muted\">target</span> <code class=\"argv\">",
          o);
    for (size_t i = 0; i < r->argc; i++) {
        if (i)
            fputc(' ', o);
        put_h(o, r->argv[i]);
    }
    fputs("</code></div>\n<ul class=\"facts\">", o);
    fputs("<li>mode <b>", o);
    put_h(o, r->mode ? r->mode : "run");
    fputs("</b></li>", o);
    if (r->schedules)
        fprintf(o, "<li>schedules <b>%u</b></li>", r->schedules);
    if (r->exit_signal > 0)
        fprintf(o, "<li>target ended by <b>signal %d</b></li>", r->exit_signal);
    else if (r->exit_code >= 0)
        fprintf(o, "<li>target exit status <b>%d</b></li>", r->exit_code);
    fputs("<li>lockstep <b>", o);
    put_h(o, r->tool_version ? r->tool_version : "?");
    fputs("</b></li>", o);
    if (r->schedule) {
        fputs("<li>replay <code>lockstep replay ", o);
        put_h(o, r->schedule);
        fputs("</code></li>", o);
    }
    fputs("</ul>\n", o);
    if (r->nfindings == 0) {
        fputs("<div class=\"verdict good\">no findings</div>", o);
    } else {
        fprintf(o, "<div class=\"verdict bad\">%zu finding%s (", r->nfindings,
                r->nfindings == 1 ? "" : "s");
        int first = 1;
        for (int k = 0; k < LST_KIND_COUNT; k++) {
            size_t n = 0;
            for (size_t i = 0; i < r->nfindings; i++)
                n += r->findings[i].kind == (lst_kind)k;
            if (n) {
                fprintf(o, "%s%zu %s", first ? "" : ", ", n, lst_kind_name((lst_kind)k));
                first = 0;
            }
        }
        fputs(")</div>", o);
    }
    if (r->nnotes)
        fprintf(o, " <span class=\"muted\">%zu note%s</span>", r->nnotes,
                r->nnotes == 1 ? "" : "s");
    fputs("\n</div></header>\n", o);
}

static void put_summary(hctx *c)
{
    const lst_report *r = c->r;
    FILE *o = c->o;
    fputs("<section id=\"summary\"><h2>Findings</h2>\n", o);
    if (r->nfindings == 0) {
        fputs("<p>lockstep found nothing to report in this run.</p></section>\n", o);
        return;
    }
    fputs("<div class=\"controls\"><label for=\"kind-filter\">Kind</label> "
          "<select id=\"kind-filter\"><option value=\"\">all kinds</option>",
          o);
    for (int k = 0; k < LST_KIND_COUNT; k++) {
        size_t n = 0;
        for (size_t i = 0; i < r->nfindings; i++)
            n += r->findings[i].kind == (lst_kind)k;
        if (n)
            fprintf(o, "<option value=\"%s\">%s (%zu)</option>", lst_kind_name((lst_kind)k),
                    lst_kind_name((lst_kind)k), n);
    }
    fputs("</select> <span id=\"shown-count\"></span> <span>Click a column header to "
          "sort.</span></div>\n",
          o);
    fputs("<table id=\"findings-table\" class=\"findings sortable\"><thead><tr>"
          "<th data-type=\"text\" aria-sort=\"none\"><button type=\"button\">Kind</button></th>"
          "<th data-type=\"text\" aria-sort=\"none\"><button type=\"button\">Message</button></th>"
          "<th data-type=\"num\" aria-sort=\"none\"><button type=\"button\">Count</button></th>"
          "<th data-type=\"text\" aria-sort=\"none\"><button type=\"button\">Fingerprint"
          "</button></th>"
          "<th data-type=\"text\" aria-sort=\"none\"><button type=\"button\">Schedule</button>"
          "</th></tr></thead>\n<tbody>\n",
          o);
    for (size_t oi = 0; oi < r->nfindings; oi++) {
        size_t i = c->order[oi];
        const lst_finding *f = &r->findings[i];
        const char *kn = lst_kind_name(f->kind);
        fprintf(o, "<tr class=\"finding-row\" data-kind=\"%s\"><td data-value=\"%s\">"
                   "<span class=\"badge k-%s\">%s</span></td><td><a href=\"#",
                kn, kn, kn, kn);
        put_finding_id(o, r, i);
        fputs("\">", o);
        put_h(o, f->message && *f->message ? f->message : lst_kind_desc(f->kind));
        fprintf(o,
                "</a></td><td class=\"num\" data-value=\"%u\">%u</td><td><code>%s</code>%s</td>"
                "<td data-value=\"",
                f->count, f->count, f->fingerprint[0] ? f->fingerprint : "none",
                f->baselined ? " <span class=\"muted\">baselined</span>" : "");
        put_h(o, f->schedule ? f->schedule : "");
        fputs("\">", o);
        if (f->schedule) {
            fputs("<code title=\"", o);
            put_h(o, f->schedule);
            fputs("\">", o);
            put_h(o, base_name(f->schedule));
            fputs("</code>", o);
        } else {
            fputs("<span class=\"muted\">none</span>", o);
        }
        fputs("</td></tr>\n", o);
    }
    fputs("</tbody></table></section>\n", o);
}

static void put_finding(hctx *c, size_t idx)
{
    const lst_finding *f = &c->r->findings[idx];
    FILE *o = c->o;
    const char *kn = lst_kind_name(f->kind);
    c->fi = idx;
    fprintf(o, "<section class=\"finding k-%s\" data-kind=\"%s\" id=\"", kn, kn);
    put_finding_id(o, c->r, idx);
    fprintf(o, "\">\n<h2><span class=\"badge k-%s\">%s</span> ", kn, kn);
    put_h(o, f->message && *f->message ? f->message : lst_kind_desc(f->kind));
    fputs("</h2>\n<dl class=\"meta\">", o);
    fprintf(o, "<dt>Fingerprint</dt><dd><code>%s</code></dd>",
            f->fingerprint[0] ? f->fingerprint : "none");
    fprintf(o, "<dt>Seen</dt><dd>%u time%s</dd>", f->count, f->count == 1 ? "" : "s");
    if (f->baselined) {
        fputs("<dt>Baseline</dt><dd>baselined: known in ", o);
        put_h(o, c->r->baseline ? c->r->baseline : "the baseline");
        fputs(", does not fail the build</dd>", o);
    }
    int primary = lst_finding_primary_stack(f);
    const lst_frame *site = valid_stack(f, primary) ? lst_stack_site(&f->stacks[primary]) : NULL;
    if (site) {
        char *d = lst_stack_describe(f, primary);
        char *rel = site->file ? lst_relative_path(site->file, c->root) : NULL;
        fputs("<dt>Where</dt><dd>", o);
        put_h(o, d);
        if (site->file) {
            fputs(" at <code>", o);
            put_h(o, rel ? rel : site->file);
            if (site->line > 0)
                fprintf(o, ":%d", site->line);
            fputs("</code>", o);
        }
        fputs("</dd>", o);
        free(d);
        free(rel);
    }
    if (f->variable) {
        fputs("<dt>Location</dt><dd>", o);
        put_h(o, f->variable);
        fputs("</dd>", o);
    }
    if (f->process > 0)
        fprintf(o, "<dt>Process</dt><dd>%d</dd>", f->process);
    if (f->schedule) {
        fputs("<dt>Replay</dt><dd><code>lockstep replay ", o);
        put_h(o, f->schedule);
        fputs("</code></dd>", o);
    }
    fputs("</dl>\n", o);

    if (f->naccesses) {
        fputs("<h3>Accesses</h3><ul class=\"plain\">", o);
        for (size_t i = 0; i < f->naccesses; i++) {
            const lst_access *a = &f->accesses[i];
            char *t = lst_thread_label(f, a->thread);
            fprintf(o, "<li>%s%s", i ? "previous " : "", a->atomic ? "atomic " : "");
            put_h(o, a->type ? a->type : "access");
            fprintf(o, " of size %d by ", a->size);
            put_h(o, t);
            const lst_frame *fr = valid_stack(f, a->stack) ? lst_stack_site(&f->stacks[a->stack])
                                                           : NULL;
            if (fr && fr->file) {
                char *rel = lst_relative_path(fr->file, c->root);
                fputs(" at <code>", o);
                put_h(o, rel ? rel : fr->file);
                if (fr->line > 0)
                    fprintf(o, ":%d", fr->line);
                fputs("</code>", o);
                free(rel);
            }
            fputs("</li>", o);
            free(t);
        }
        fputs("</ul>\n", o);
    }

    char *tpath = trace_path(c, f);
    trace t;
    int have_trace = tpath && trace_read(tpath, &t) == 0;
    put_graph(c, f, have_trace ? &t : NULL);
    if (have_trace) {
        put_timeline(c, f, tpath, &t);
        trace_free(&t);
    } else if (f->schedule || c->r->schedule) {
        fputs("<h3>Interleaving</h3><p class=\"muted\">The trace file of this schedule was "
              "not found; <code>lockstep replay</code> writes it again.</p>\n",
              o);
    }
    free(tpath);

    put_stacks(c, f, primary);

    char *text = lst_finding_text(f);
    if (text) {
        fputs("<details class=\"text-report\"><summary>Text report</summary><pre>", o);
        put_h(o, text);
        fputs("</pre></details>\n", o);
        free(text);
    }
    fputs("</section>\n", o);
}

static void put_notes_limits(hctx *c)
{
    const lst_report *r = c->r;
    FILE *o = c->o;
    if (r->nnotes) {
        fputs("<section id=\"notes\"><h2>Notes</h2><p class=\"muted\">Patterns lockstep saw "
              "and deliberately does not report (see docs/rules.md).</p><ul class=\"plain\">\n",
              o);
        for (size_t i = 0; i < r->nnotes; i++) {
            const lst_finding *n = &r->notes[i];
            fprintf(o, "<li><span class=\"badge k-%s\">%s</span> ", lst_kind_name(n->kind),
                    lst_kind_name(n->kind));
            if (n->nlocks) {
                fputs("(", o);
                for (size_t k = 0; k < n->nlocks; k++) {
                    char *l = lst_lock_label(n, n->locks[k].id);
                    if (k)
                        fputs(", ", o);
                    put_h(o, l);
                    free(l);
                }
                fputs(") ", o);
            }
            put_h(o, n->reason ? n->reason : n->message);
            if (n->reason && n->message) {
                fputs(" <span class=\"muted\">&mdash; ", o);
                put_h(o, n->message);
                fputs("</span>", o);
            }
            fputs("</li>\n", o);
        }
        fputs("</ul></section>\n", o);
    }
    if (r->nlimits) {
        fputs("<section id=\"limits\"><h2>Limits hit</h2><ul class=\"plain\">\n", o);
        for (size_t i = 0; i < r->nlimits; i++) {
            fputs("<li>", o);
            put_h(o, r->limits[i]);
            fputs("</li>\n", o);
        }
        fputs("</ul></section>\n", o);
    }
}

/* Writes r as one self-contained HTML page to out; see the file header. Errors are the
 * stream's. */
void lst_write_html(const lst_report *r, FILE *out, const lst_render_opts *o)
{
    hctx c = {out, r, o, NULL, -1, 0, NULL};
    c.order = malloc((r->nfindings + 1) * sizeof *c.order);
    if (!c.order) {
        fputs("lockstep: out of memory\n", stderr);
        abort();
    }
    size_t no = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < r->nfindings; i++)
            if (is_error(r->findings[i].kind) == (pass == 0))
                c.order[no++] = i;
    const char *root = o && o->source_root && *o->source_root ? o->source_root : NULL;
    c.root = root ? realpath(root, NULL) : getcwd(NULL, 0);
    if (!c.root && root)
        c.root = strdup(root);

    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"lockstep ",
          out);
    put_h(out, r->tool_version ? r->tool_version : "");
    fputs("\">\n<title>lockstep report: ", out);
    put_h(out, r->argc ? base_name(r->argv[0]) : "target");
    fputs("</title>\n<style>\n", out);
    for (size_t i = 0; css[i]; i++)
        fputs(css[i], out);
    fputs("</style>\n</head>\n<body>\n", out);
    put_header(&c);
    fputs("<main>\n", out);
    put_summary(&c);
    for (size_t i = 0; i < r->nfindings; i++)
        put_finding(&c, c.order[i]);
    put_notes_limits(&c);
    fputs("</main>\n<script>\n", out);
    fputs(js, out);
    fputs("</script>\n</body>\n</html>\n", out);
    free(c.root);
    free(c.order);
}
