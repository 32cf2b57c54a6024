/* events.c: findings from the events the shim recorded while the target ran: actual
 * deadlocks (a confirmed wait-for cycle), self-deadlocks, and lock misuse; plus the stall
 * watchdog, which the CLI runs against the live store to catch the waits that have no owner
 * to follow (a lost condition-variable wakeup, a semaphore never posted). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

static const char *wait_name(uint32_t k)
{
    switch (k) {
    case LST_WAIT_MUTEX:
        return "lock";
    case LST_WAIT_RDLOCK:
        return "read lock";
    case LST_WAIT_WRLOCK:
        return "write lock";
    case LST_WAIT_COND:
        return "condition variable";
    case LST_WAIT_SEM:
        return "semaphore";
    case LST_WAIT_JOIN:
        return "join";
    case LST_WAIT_BARRIER:
        return "barrier";
    default:
        return "nothing";
    }
}

/* "main", or "T3 (worker)": the thread's number and name, as the text report shows it. */
static const char *thread_name(lst_finding *f, int id)
{
    static char buf[4][96];
    static int next;
    int i = lst_finding_thread_index(f, id);
    if (i < 0)
        return "?";
    if (id == 0)
        return f->threads[i].name;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "T%d (%s)", id, f->threads[i].name);
    return b;
}

static char *lock_name(lst_finding *f, int id)
{
    int i = lst_finding_lock_index(f, id);
    return i >= 0 ? f->locks[i].name : "?";
}

static lst_event_rec *event_at(lst_store_hdr *h, uint32_t i)
{
    lst_event_rec *e = lst_st_event(h, i);
    return atomic_load(&e->valid) ? e : NULL;
}

/* One deadlock finding from the events of one group (one per thread of the cycle). */
static void deadlock_group(lst_ctx *ctx, lst_report *r, uint32_t first, uint32_t n)
{
    lst_store_hdr *h = ctx->h;
    lst_finding *f = lst_report_add_finding(r, LST_KIND_DEADLOCK);
    f->process = h->pid;
    char *msg = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&msg, &len);
    int members = 0, gone = 0;
    for (uint32_t i = first; i < n; i++) {
        lst_event_rec *e = event_at(h, i);
        if (!e || e->kind != LST_EV_DEADLOCK || e->group != lst_st_event(h, first)->group)
            continue;
        int tid = lst_ctx_thread(ctx, f, e->thread);
        if (e->wait_kind == LST_WAIT_JOIN) {
            int other = lst_ctx_thread(ctx, f, e->other);
            lst_ctx_stack(ctx, f, "blocked", e->stack, tid, -1);
            fprintf(m, "%s%s joins %s", members ? "; " : "", thread_name(f, tid),
                    thread_name(f, other));
        } else {
            int lock = e->lock ? lst_ctx_lock(ctx, f, e->lock) : -1;
            lst_ctx_stack(ctx, f, "blocked", e->stack, tid, lock);
            if (e->other < h->caps.threads) {
                int other = lst_ctx_thread(ctx, f, e->other);
                lst_thread_rec *orec = lst_st_thread(h, e->other);
                if (atomic_load(&orec->state) == LST_THREAD_GONE)
                    gone = 1;
                lst_ctx_stack(ctx, f, "held", e->stack2, other, lock);
                fprintf(m, "%s%s waits for %s held by %s%s", members ? "; " : "",
                        thread_name(f, tid), lock_name(f, lock), thread_name(f, other),
                        atomic_load(&orec->state) == LST_THREAD_GONE ? " (gone after fork)" : "");
            } else {
                fprintf(m, "%s%s waits for %s", members ? "; " : "", thread_name(f, tid),
                        lock_name(f, lock));
            }
        }
        members++;
    }
    fclose(m);
    if (gone)
        lst_finding_set_message(f, "deadlock after fork: %s", msg ? msg : "");
    else
        lst_finding_set_message(f, "deadlock: %s", msg ? msg : "");
    free(msg);
    lst_finding_fingerprint(f);
}

static void misuse_event(lst_ctx *ctx, lst_report *r, lst_event_rec *e)
{
    lst_store_hdr *h = ctx->h;
    lst_kind kind = e->kind == LST_EV_SELF_DEADLOCK ? LST_KIND_SELF_DEADLOCK : LST_KIND_LOCK_MISUSE;
    lst_finding *f = lst_report_add_finding(r, kind);
    f->process = h->pid;
    int tid = lst_ctx_thread(ctx, f, e->thread);
    int lock = e->lock ? lst_ctx_lock(ctx, f, e->lock) : -1;
    int other = e->other < h->caps.threads ? lst_ctx_thread(ctx, f, e->other) : -1;
    const char *ln = lock >= 0 ? lock_name(f, lock) : "a lock";
    const char *tn = thread_name(f, tid);
    switch (e->kind) {
    case LST_EV_SELF_DEADLOCK:
        lst_ctx_stack(ctx, f, "acquire", e->stack, tid, lock);
        lst_ctx_stack(ctx, f, "held", e->stack2, tid, lock);
        lst_finding_set_message(f, "self-deadlock: %s relocks %s, which it already holds and which "
                                   "is not recursive", tn, ln);
        break;
    case LST_EV_UNLOCK_NOT_OWNER:
        lst_ctx_stack(ctx, f, "unlock", e->stack, tid, lock);
        lst_ctx_stack(ctx, f, "held", e->stack2, other, lock);
        lst_finding_set_message(f, "unlock by a thread that does not own the lock: %s unlocks %s, "
                                   "held by %s", tn, ln, other >= 0 ? thread_name(f, other) : "?");
        break;
    case LST_EV_UNLOCK_UNLOCKED:
        lst_ctx_stack(ctx, f, "unlock", e->stack, tid, lock);
        lst_finding_set_message(f, "unlock of a lock that is not locked: %s unlocks %s", tn, ln);
        break;
    case LST_EV_DESTROY_LOCKED:
        lst_ctx_stack(ctx, f, "destroy", e->stack, tid, lock);
        if (other >= 0)
            lst_ctx_stack(ctx, f, "held", e->stack2, other, lock);
        lst_finding_set_message(f, "destroy of a locked lock: %s destroys %s%s%s", tn, ln,
                                other >= 0 ? ", held by " : "", other >= 0 ? thread_name(f, other) : "");
        break;
    case LST_EV_EXIT_HOLDING:
        lst_ctx_stack(ctx, f, "exit", e->stack, tid, lock);
        lst_ctx_stack(ctx, f, "held", e->stack2, tid, lock);
        lst_finding_set_message(f, "thread exit while holding a lock: %s ends holding %s", tn, ln);
        break;
    case LST_EV_FORK_HELD:
        lst_ctx_stack(ctx, f, "fork", e->stack, tid, lock);
        lst_ctx_stack(ctx, f, "held", e->stack2, other, lock);
        lst_finding_set_message(f, "fork while another thread holds a lock: %s forks while %s "
                                   "holds %s; in the child it stays locked forever", tn,
                                other >= 0 ? thread_name(f, other) : "?", ln);
        break;
    default:
        lst_finding_set_message(f, "unknown event %u", e->kind);
    }
    lst_finding_fingerprint(f);
}

void lst_detect_events(lst_ctx *ctx, lst_report *r)
{
    lst_store_hdr *h = ctx->h;
    uint32_t n = atomic_load(&h->nevents);
    if (n > h->caps.events)
        n = h->caps.events;
    for (uint32_t i = 0; i < n; i++) {
        lst_event_rec *e = event_at(h, i);
        if (!e)
            continue;
        if (e->kind == LST_EV_DEADLOCK) {
            int seen = 0; /* groups are reported from their first record */
            for (uint32_t j = 0; j < i && !seen; j++) {
                lst_event_rec *p = event_at(h, j);
                seen = p && p->kind == LST_EV_DEADLOCK && p->group == e->group;
            }
            if (!seen)
                deadlock_group(ctx, r, i, n);
        } else if (e->kind > LST_EV_NONE && e->kind < LST_EV_COUNT) {
            misuse_event(ctx, r, e);
        }
    }
}

/* ---- stall watchdog ----------------------------------------------------------------- */

static int blocking_wait(uint32_t k)
{
    return k != LST_WAIT_NONE && k < LST_WAIT_COUNT;
}

int lst_stall_check(lst_store_hdr *h, lst_stall *s, uint64_t now_ms, unsigned stall_ms)
{
    uint32_t n = atomic_load(&h->nthreads);
    if (n > h->caps.threads)
        n = h->caps.threads;
    uint64_t sig = 1469598103934665603ULL;
    int live = 0;
    for (uint32_t i = 0; i < n; i++) {
        lst_thread_rec *r = lst_st_thread(h, i);
        uint32_t st = atomic_load(&r->state);
        if (st == LST_THREAD_STARTING)
            goto moving; /* a thread about to run is progress */
        if (st != LST_THREAD_RUNNING)
            continue;
        live++;
        if (!blocking_wait(atomic_load(&r->wait_kind)))
            goto moving;
        sig = (sig ^ (atomic_load(&r->wait_seq) + ((uint64_t)i << 32))) * 1099511628211ULL;
    }
    if (live == 0 || atomic_load(&h->exiting))
        goto moving;
    if (s->since_ms == 0 || s->signature != sig) {
        s->since_ms = now_ms;
        s->signature = sig;
        return 0;
    }
    return now_ms - s->since_ms >= stall_ms;
moving:
    s->since_ms = 0;
    return 0;
}

void lst_detect_stall(lst_ctx *ctx, lst_report *r)
{
    lst_store_hdr *h = ctx->h;
    lst_finding *f = lst_report_add_finding(r, LST_KIND_DEADLOCK);
    f->process = h->pid;
    char *msg = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&msg, &len);
    uint32_t n = atomic_load(&h->nthreads);
    if (n > h->caps.threads)
        n = h->caps.threads;
    int members = 0;
    for (uint32_t i = 0; i < n; i++) {
        lst_thread_rec *t = lst_st_thread(h, i);
        if (atomic_load(&t->state) != LST_THREAD_RUNNING)
            continue;
        uint32_t wk = atomic_load(&t->wait_kind);
        int tid = lst_ctx_thread(ctx, f, i);
        int lock = -1;
        uint32_t wl = atomic_load(&t->wait_lock);
        if (wk == LST_WAIT_JOIN) {
            lst_ctx_thread(ctx, f, wl);
            fprintf(m, "%s%s joins %s", members ? "; " : "", thread_name(f, tid),
                    thread_name(f, (int)wl));
        } else {
            if (wl && (wk == LST_WAIT_MUTEX || wk == LST_WAIT_RDLOCK || wk == LST_WAIT_WRLOCK ||
                       wk == LST_WAIT_COND))
                lock = lst_ctx_lock(ctx, f, wl);
            fprintf(m, "%s%s waits on a %s", members ? "; " : "", thread_name(f, tid), wait_name(wk));
            if (wk == LST_WAIT_COND && lock >= 0)
                fprintf(m, " (with %s)", lock_name(f, lock));
            else if (lock >= 0)
                fprintf(m, " (%s)", lock_name(f, lock));
        }
        lst_ctx_stack(ctx, f, "blocked", atomic_load(&t->wait_stack), tid, lock);
        members++;
    }
    fclose(m);
    lst_finding_set_message(f, "deadlock: every live thread is blocked and none can wake another: %s",
                            msg ? msg : "");
    free(msg);
    lst_finding_fingerprint(f);
}
