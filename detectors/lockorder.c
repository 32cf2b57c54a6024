/* lockorder.c: the lock-order graph and its cycles. Every chain the shim recorded says "lock
 * L was requested while the locks of the parent chain were held"; each held lock H gives an
 * edge H -> L, one instance per (sites, thread, modes, context). Elementary cycles are
 * enumerated with Johnson's algorithm inside each strongly connected component, with no bound
 * on their length. A cycle is a potential deadlock unless it cannot deadlock, in which case
 * it is kept as a note with the reason (docs/rules.md):
 *   - trylock:      some edge exists only through trylock/timedlock acquisitions;
 *   - read-read:    at some lock of the cycle the waiter asks for a read lock and the holder
 *                   holds it for reading, which does not block (glibc's default rwlocks
 *                   prefer readers; writer-preferring ones are not exempt);
 *   - gate-lock:    one lock is held at every instance of every edge, serializing them;
 *   - single-thread: all edges were made by one thread, which cannot wait for itself. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#include "analyze.h"

#define MAX_INSTANCES_PER_EDGE 256

typedef struct inst {
    uint32_t chain;      /* chain of the acquisition (its ancestors are the held locks) */
    uint32_t held_stack; /* where the held lock was taken */
    uint32_t acq_stack;  /* where the next lock was requested */
    uint32_t thread;
    uint8_t multi;
    uint16_t held_mode, acq_mode;
} inst;

typedef struct edge {
    uint64_t key;        /* from << 32 | to (lock ids) */
    uint32_t from, to;   /* dense node numbers */
    inst *v;
    size_t n, cap;
    int truncated;
    UT_hash_handle hh;
} edge;

typedef struct node_map {
    uint32_t lock;
    uint32_t node;
    UT_hash_handle hh;
} node_map;

typedef struct graph {
    lst_ctx *ctx;
    lst_report *r;
    edge *edges;         /* uthash by key */
    node_map *nodes;     /* lock -> node */
    uint32_t *lock_of;   /* node -> lock */
    uint32_t nnodes;
    /* CSR adjacency */
    uint32_t *adj_start, *adj;
    /* Johnson state */
    uint8_t *blocked, *in_scope;
    uint32_t **bset;
    uint32_t *bn, *bcap;
    uint32_t *path;
    uint32_t pathlen;
    unsigned cycles, max_cycles;
    int stopped;
} graph;

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p) {
        fputs("lockstep: out of memory\n", stderr);
        abort();
    }
    return p;
}

static uint32_t node_of(graph *g, uint32_t lock)
{
    node_map *m;
    HASH_FIND(hh, g->nodes, &lock, sizeof lock, m);
    if (m)
        return m->node;
    m = xcalloc(1, sizeof *m);
    m->lock = lock;
    m->node = g->nnodes++;
    HASH_ADD(hh, g->nodes, lock, sizeof m->lock, m);
    return m->node;
}

static void add_instance(graph *g, uint32_t from_lock, uint32_t to_lock, const inst *in)
{
    uint64_t key = (uint64_t)from_lock << 32 | to_lock;
    edge *e;
    HASH_FIND(hh, g->edges, &key, sizeof key, e);
    if (!e) {
        e = xcalloc(1, sizeof *e);
        e->key = key;
        e->from = node_of(g, from_lock);
        e->to = node_of(g, to_lock);
        HASH_ADD(hh, g->edges, key, sizeof e->key, e);
    }
    for (size_t i = 0; i < e->n; i++) {
        inst *o = &e->v[i];
        if (o->held_stack == in->held_stack && o->acq_stack == in->acq_stack &&
            o->thread == in->thread && o->held_mode == in->held_mode &&
            o->acq_mode == in->acq_mode && o->chain == in->chain) {
            o->multi |= in->multi;
            return;
        }
    }
    if (e->n == MAX_INSTANCES_PER_EDGE) {
        e->truncated = 1;
        return;
    }
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 4;
        e->v = realloc(e->v, e->cap * sizeof *e->v);
        if (!e->v)
            abort();
    }
    e->v[e->n++] = *in;
}

static lst_chain_rec *chain_at(lst_store_hdr *h, uint32_t id)
{
    if (id == 0 || id >= h->caps.chains || id >= atomic_load(&h->nchains))
        return NULL;
    lst_chain_rec *c = lst_st_chain(h, id);
    return atomic_load(&c->valid) ? c : NULL;
}

static void build_edges(graph *g)
{
    lst_store_hdr *h = g->ctx->h;
    uint32_t n = atomic_load(&h->nchains);
    if (n > h->caps.chains)
        n = h->caps.chains;
    for (uint32_t id = 1; id < n; id++) {
        lst_chain_rec *c = chain_at(h, id);
        if (!c || c->lock == 0)
            continue;
        uint32_t guard = 0;
        for (lst_chain_rec *a = chain_at(h, c->parent); a && guard < 100000;
             a = chain_at(h, a->parent), guard++) {
            if (a->lock == c->lock || a->lock == 0)
                continue;
            inst in = {id, a->stack, c->stack, c->thread, (uint8_t)atomic_load(&c->multi),
                       a->mode, c->mode};
            add_instance(g, a->lock, c->lock, &in);
        }
    }
}

static void build_csr(graph *g)
{
    g->lock_of = xcalloc(g->nnodes, sizeof *g->lock_of);
    for (node_map *m = g->nodes; m; m = m->hh.next)
        g->lock_of[m->node] = m->lock;
    g->adj_start = xcalloc(g->nnodes + 1, sizeof *g->adj_start);
    size_t ne = HASH_COUNT(g->edges);
    g->adj = xcalloc(ne, sizeof *g->adj);
    for (edge *e = g->edges; e; e = e->hh.next)
        g->adj_start[e->from + 1]++;
    for (uint32_t i = 0; i < g->nnodes; i++)
        g->adj_start[i + 1] += g->adj_start[i];
    uint32_t *fill = xcalloc(g->nnodes, sizeof *fill);
    for (edge *e = g->edges; e; e = e->hh.next)
        g->adj[g->adj_start[e->from] + fill[e->from]++] = e->to;
    free(fill);
}

static edge *find_edge(graph *g, uint32_t from_node, uint32_t to_node)
{
    uint64_t key = (uint64_t)g->lock_of[from_node] << 32 | g->lock_of[to_node];
    edge *e;
    HASH_FIND(hh, g->edges, &key, sizeof key, e);
    return e;
}

/* ---- cycle evaluation -------------------------------------------------------------- */

/* The locks held exclusively (other than `except`) when chain `chain` acquired its lock:
 * the candidates for a gate. A lock held for reading is no gate, since readers share it. */
static size_t held_set(lst_store_hdr *h, uint32_t chain, uint32_t except, uint32_t *out, size_t cap)
{
    size_t n = 0;
    lst_chain_rec *c = chain_at(h, chain);
    uint32_t guard = 0;
    for (lst_chain_rec *a = c ? chain_at(h, c->parent) : NULL; a && n < cap && guard < 100000;
         a = chain_at(h, a->parent), guard++)
        if (a->lock != except && a->lock && !(a->mode & LST_MODE_READ))
            out[n++] = a->lock;
    return n;
}

/* Returns a lock held at every non-try instance of every edge of the cycle, or 0. */
static uint32_t common_gate(graph *g, edge **es, uint32_t k)
{
    lst_store_hdr *h = g->ctx->h;
    uint32_t cand[512], tmp[512];
    size_t nc = 0;
    int first = 1;
    for (uint32_t j = 0; j < k; j++) {
        if (es[j]->truncated)
            return 0;
        uint32_t from_lock = (uint32_t)(es[j]->key >> 32);
        for (size_t i = 0; i < es[j]->n; i++) {
            inst *in = &es[j]->v[i];
            if (in->acq_mode & LST_MODE_TRY)
                continue;
            size_t nt = held_set(h, in->chain, from_lock, tmp, 512);
            if (first) {
                memcpy(cand, tmp, nt * sizeof *tmp);
                nc = nt;
                first = 0;
            } else {
                size_t w = 0;
                for (size_t a = 0; a < nc; a++)
                    for (size_t b = 0; b < nt; b++)
                        if (cand[a] == tmp[b]) {
                            cand[w++] = cand[a];
                            break;
                        }
                nc = w;
            }
            if (nc == 0)
                return 0;
        }
    }
    return nc ? cand[0] : 0;
}

static int is_read(uint16_t mode)
{
    return (mode & LST_MODE_READ) != 0;
}

static void emit_cycle(graph *g, const uint32_t *nodes, uint32_t k)
{
    lst_ctx *ctx = g->ctx;
    edge **es = xcalloc(k, sizeof *es);
    inst **rep = xcalloc(k, sizeof *rep);
    const char *reason = NULL;
    for (uint32_t j = 0; j < k; j++)
        es[j] = find_edge(g, nodes[j], nodes[(j + 1) % k]);
    /* 1. trylock: an edge with no blocking instance */
    for (uint32_t j = 0; j < k && !reason; j++) {
        for (size_t i = 0; i < es[j]->n && !rep[j]; i++)
            if (!(es[j]->v[i].acq_mode & LST_MODE_TRY))
                rep[j] = &es[j]->v[i];
        if (!rep[j])
            reason = "trylock: an edge of this cycle was made only by trylock or timedlock, "
                     "which back off instead of blocking";
    }
    /* 2. read-read junctions: prefer instances that block; fail if some junction cannot */
    for (uint32_t j = 0; j < k && !reason; j++) {
        uint32_t nx = (j + 1) % k;
        lst_lock_rec *jl = lst_st_lock(ctx->h, g->lock_of[nodes[nx]]);
        /* a writer-preferring rwlock makes a new reader wait behind a waiting writer */
        int can_block = (atomic_load(&jl->flags) & LST_LOCKF_WRITER_PREF) != 0;
        for (size_t a = 0; a < es[j]->n && !can_block; a++) {
            inst *ia = &es[j]->v[a];
            if (ia->acq_mode & LST_MODE_TRY)
                continue;
            for (size_t b = 0; b < es[nx]->n && !can_block; b++) {
                inst *ib = &es[nx]->v[b];
                if (ib->acq_mode & LST_MODE_TRY)
                    continue;
                if (!(is_read(ia->acq_mode) && is_read(ib->held_mode)))
                    can_block = 1;
            }
        }
        if (!can_block)
            reason = "read-read: at some lock of this cycle both the waiter and the holder use it "
                     "for reading, which does not block";
    }
    /* 3. gate lock */
    uint32_t gate = 0;
    if (!reason && (gate = common_gate(g, es, k)) != 0)
        reason = "gate-lock: every edge of this cycle was made while holding the same lock";
    /* 4. single thread: choose representatives from different threads when possible */
    if (!reason) {
        int diverse = 0;
        for (uint32_t j = 0; j < k && !diverse; j++)
            if (rep[j]->multi)
                diverse = 1;
        for (uint32_t j = 0; j < k && !diverse; j++)
            for (size_t i = 0; i < es[j]->n && !diverse; i++) {
                inst *in = &es[j]->v[i];
                if (!(in->acq_mode & LST_MODE_TRY) && (in->thread != rep[0]->thread || in->multi)) {
                    if (j == 0) {
                        /* make another edge's representative differ instead */
                        for (uint32_t q = 1; q < k && !diverse; q++)
                            if (rep[q]->thread != in->thread) {
                                rep[0] = in;
                                diverse = 1;
                            }
                    } else {
                        rep[j] = in;
                        diverse = 1;
                    }
                }
            }
        if (!diverse)
            reason = "single-thread: every edge of this cycle was made by the same thread, "
                     "which cannot wait for itself";
    }
    for (uint32_t j = 0; j < k; j++)
        if (!rep[j] && es[j]->n)
            rep[j] = &es[j]->v[0];

    lst_finding *f = reason ? lst_report_add_note(g->r, LST_KIND_LOCK_ORDER_CYCLE, reason)
                            : lst_report_add_finding(g->r, LST_KIND_LOCK_ORDER_CYCLE);
    f->process = ctx->h->pid;
    size_t cap = 64 + (size_t)k * 48;
    char *names = xcalloc(cap, 1);
    size_t at = 0;
    for (uint32_t j = 0; j <= k; j++) {
        uint32_t lock = g->lock_of[nodes[j % k]];
        lst_ctx_lock(ctx, f, lock);
        const char *nm = f->locks[lst_finding_lock_index(f, (int)lock)].name;
        at += (size_t)snprintf(names + at, at < cap ? cap - at : 0, "%s%s", j ? " -> " : "", nm);
        if (at >= cap)
            at = cap - 1;
    }
    for (uint32_t j = 0; j < k; j++) {
        inst *in = rep[j];
        uint32_t from = g->lock_of[nodes[j]], to = g->lock_of[nodes[(j + 1) % k]];
        int tid = lst_ctx_thread(ctx, f, in->thread);
        int hs = lst_ctx_stack(ctx, f, "held", in->held_stack, tid, (int)from);
        int as = lst_ctx_stack(ctx, f, "acquire", in->acq_stack, tid, (int)to);
        const char *mode = (in->acq_mode & LST_MODE_TRY) ? "try" : is_read(in->acq_mode) ? "read" : "write";
        lst_finding_add_edge(f, (int)from, (int)to, tid, hs, as, mode);
    }
    if (gate) {
        char *gn = lst_ctx_lock_name(ctx, gate);
        lst_finding_set_message(f, "lock-order cycle over %u locks: %s (guarded by %s)", k, names,
                                gn ? gn : "?");
        lst_ctx_lock(ctx, f, gate);
        free(gn);
    } else {
        lst_finding_set_message(f, "lock-order cycle over %u locks: %s", k, names);
    }
    lst_finding_fingerprint(f);
    free(names);
    free(es);
    free(rep);
}

/* ---- Johnson's algorithm --------------------------------------------------------------- */

static void unblock(graph *g, uint32_t u)
{
    g->blocked[u] = 0;
    while (g->bn[u]) {
        uint32_t w = g->bset[u][--g->bn[u]];
        if (g->blocked[w])
            unblock(g, w);
    }
}

static void badd(graph *g, uint32_t w, uint32_t v)
{
    for (uint32_t i = 0; i < g->bn[w]; i++)
        if (g->bset[w][i] == v)
            return;
    if (g->bn[w] == g->bcap[w]) {
        g->bcap[w] = g->bcap[w] ? g->bcap[w] * 2 : 4;
        g->bset[w] = realloc(g->bset[w], g->bcap[w] * sizeof *g->bset[w]);
        if (!g->bset[w])
            abort();
    }
    g->bset[w][g->bn[w]++] = v;
}

static int circuit(graph *g, uint32_t v, uint32_t s)
{
    int found = 0;
    g->path[g->pathlen++] = v;
    g->blocked[v] = 1;
    for (uint32_t i = g->adj_start[v]; i < g->adj_start[v + 1] && !g->stopped; i++) {
        uint32_t w = g->adj[i];
        if (!g->in_scope[w])
            continue;
        if (w == s) {
            emit_cycle(g, g->path, g->pathlen);
            found = 1;
            if (g->max_cycles && ++g->cycles >= g->max_cycles)
                g->stopped = 1;
        } else if (!g->blocked[w] && circuit(g, w, s)) {
            found = 1;
        }
    }
    if (found) {
        unblock(g, v);
    } else {
        for (uint32_t i = g->adj_start[v]; i < g->adj_start[v + 1]; i++)
            if (g->in_scope[g->adj[i]])
                badd(g, g->adj[i], v);
    }
    g->pathlen--;
    return found;
}

/* Tarjan's SCC over nodes with allowed[] set; comp[] gets component ids. Iterative. */
static uint32_t tarjan(graph *g, const uint8_t *allowed, uint32_t *comp)
{
    uint32_t n = g->nnodes, idx = 0, ncomp = 0;
    uint32_t *index = xcalloc(n, sizeof *index), *low = xcalloc(n, sizeof *low);
    uint32_t *stack = xcalloc(n, sizeof *stack), *cs = xcalloc(n, sizeof *cs),
             *ci = xcalloc(n, sizeof *ci);
    uint8_t *on = xcalloc(n, 1);
    uint32_t sp = 0;
    for (uint32_t i = 0; i < n; i++)
        comp[i] = UINT32_MAX;
    for (uint32_t root = 0; root < n; root++) {
        if (!allowed[root] || index[root])
            continue;
        uint32_t csp = 0;
        cs[csp] = root;
        ci[csp++] = g->adj_start[root];
        index[root] = low[root] = ++idx;
        stack[sp++] = root;
        on[root] = 1;
        while (csp) {
            uint32_t v = cs[csp - 1];
            if (ci[csp - 1] < g->adj_start[v + 1]) {
                uint32_t w = g->adj[ci[csp - 1]++];
                if (!allowed[w])
                    continue;
                if (!index[w]) {
                    index[w] = low[w] = ++idx;
                    stack[sp++] = w;
                    on[w] = 1;
                    cs[csp] = w;
                    ci[csp++] = g->adj_start[w];
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            if (low[v] == index[v]) {
                uint32_t w;
                do {
                    w = stack[--sp];
                    on[w] = 0;
                    comp[w] = ncomp;
                } while (w != v);
                ncomp++;
            }
            csp--;
            if (csp) {
                uint32_t p = cs[csp - 1];
                if (low[v] < low[p])
                    low[p] = low[v];
            }
        }
    }
    free(index);
    free(low);
    free(stack);
    free(cs);
    free(ci);
    free(on);
    return ncomp;
}

void lst_detect_lockorder(lst_ctx *ctx, lst_report *r, unsigned max_cycles)
{
    graph g;
    memset(&g, 0, sizeof g);
    g.ctx = ctx;
    g.r = r;
    g.max_cycles = max_cycles;
    build_edges(&g);
    if (g.nnodes == 0)
        goto out;
    build_csr(&g);
    uint32_t n = g.nnodes;
    uint8_t *allowed = xcalloc(n, 1);
    uint32_t *comp = xcalloc(n, sizeof *comp);
    uint32_t *size = xcalloc(n, sizeof *size);
    g.blocked = xcalloc(n, 1);
    g.in_scope = xcalloc(n, 1);
    g.bset = xcalloc(n, sizeof *g.bset);
    g.bn = xcalloc(n, sizeof *g.bn);
    g.bcap = xcalloc(n, sizeof *g.bcap);
    g.path = xcalloc(n + 1, sizeof *g.path);
    /* only nodes in non-trivial SCCs of the whole graph can be on a cycle */
    memset(allowed, 1, n);
    tarjan(&g, allowed, comp);
    for (uint32_t i = 0; i < n; i++)
        size[comp[i]]++;
    for (uint32_t i = 0; i < n; i++)
        allowed[i] = size[comp[i]] > 1;
    /* Johnson: for each start s (in order), cycles through s within its SCC of nodes >= s */
    for (uint32_t s = 0; s < n && !g.stopped; s++) {
        if (!allowed[s])
            continue;
        tarjan(&g, allowed, comp);
        memset(g.in_scope, 0, n);
        uint32_t cnt = 0;
        for (uint32_t i = 0; i < n; i++)
            if (allowed[i] && comp[i] == comp[s]) {
                g.in_scope[i] = 1;
                g.blocked[i] = 0;
                g.bn[i] = 0;
                cnt++;
            }
        if (cnt > 1 || /* self-loop */ 0)
            circuit(&g, s, s);
        allowed[s] = 0;
    }
    if (g.stopped) {
        char line[160];
        snprintf(line, sizeof line,
                 "lock-order cycles: enumeration stopped after %u cycles (--max-cycles)", max_cycles);
        lst_report_add_limit(r, line);
    }
    for (uint32_t i = 0; i < n; i++)
        free(g.bset[i]);
    free(g.bset);
    free(g.bn);
    free(g.bcap);
    free(g.path);
    free(g.blocked);
    free(g.in_scope);
    free(allowed);
    free(comp);
    free(size);
out:;
    edge *e, *et;
    HASH_ITER(hh, g.edges, e, et)
    {
        HASH_DEL(g.edges, e);
        free(e->v);
        free(e);
    }
    node_map *m, *mt;
    HASH_ITER(hh, g.nodes, m, mt)
    {
        HASH_DEL(g.nodes, m);
        free(m);
    }
    free(g.lock_of);
    free(g.adj_start);
    free(g.adj);
}
