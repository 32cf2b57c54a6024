/* shim_lockdep.c: the held-lock lists, chain recording, misuse checks and the actual-deadlock
 * check that run inside the target (see shim_lockdep.h for the contract).
 *
 * Ordering rules that make the wait-for check sound without locks of our own: a lock is
 * pushed on the holder's list only after the real acquisition succeeded and popped before
 * the real release; a waiter publishes its wait before blocking and clears it after. So a
 * cycle seen in the records is made of threads that really hold what others wait for. It is
 * then confirmed: the waits must be unchanged (same wait_seq) after a pause in which our own
 * lock stayed unavailable. */
#define _GNU_SOURCE
#include "shim_lockdep.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim_store.h"

/* ---- held list ------------------------------------------------------------------------ */

static __thread uint32_t held_overflow; /* pushes dropped because the list was full */

static inline int held_find(uint32_t lock)
{
    lst_held *held = lst_self.held;
    for (int i = (int)atomic_load_explicit(&lst_self.rec->nheld, memory_order_relaxed) - 1; i >= 0; i--)
        if (atomic_load_explicit(&held[i].lock, memory_order_relaxed) == lock)
            return i;
    return -1;
}

static inline uint32_t top_chain(void)
{
    uint32_t n = atomic_load_explicit(&lst_self.rec->nheld, memory_order_relaxed);
    return n ? lst_self.held[n - 1].chain : 0;
}

/* Pushes acquisition a on the held list; returns 0 when the list was full. */
static inline int held_push(const lst_acq *a)
{
    lst_thread_rec *rec = lst_self.rec;
    uint32_t n = atomic_load_explicit(&rec->nheld, memory_order_relaxed);
    if (LST_UNLIKELY(n >= lst_store->caps.held)) {
        held_overflow++;
        lst_limit_hit(LST_LIMIT_HELD, "a thread holds too many locks; the excess is not tracked",
                      "max_held", lst_store->caps.held);
        return 0;
    }
    lst_held *h = &lst_self.held[n];
    h->chain = a->chain;
    h->stack = a->stack;
    h->mode = (uint16_t)a->mode;
    h->recursion = 0;
    h->pc = a->pc;
    h->key = a->key;
    h->addr = a->addr;
    h->epoch = a->ep;
    atomic_store_explicit(&h->lock, a->lock, memory_order_release);
    atomic_store_explicit(&rec->nheld, n + 1, memory_order_release);
    lst_self.key = h->key;
    return 1;
}

/* Removes entry i. Entries above it are re-chained in the context without it, so the next
 * acquisition sees the true set of held locks. */
static void held_remove(int i)
{
    lst_thread_rec *rec = lst_self.rec;
    lst_held *held = lst_self.held;
    uint32_t n = atomic_load_explicit(&rec->nheld, memory_order_relaxed);
    atomic_store_explicit(&held[i].lock, 0, memory_order_release);
    for (uint32_t j = (uint32_t)i + 1; j < n; j++) {
        lst_held *dst = &held[j - 1], *src = &held[j];
        uint32_t lock = atomic_load_explicit(&src->lock, memory_order_relaxed);
        dst->chain = src->chain;
        dst->stack = src->stack;
        dst->mode = src->mode;
        dst->recursion = src->recursion;
        dst->pc = src->pc;
        dst->addr = src->addr;
        dst->epoch = src->epoch;
        atomic_store_explicit(&dst->lock, lock, memory_order_release);
    }
    n--;
    /* drop holes left on top by non-owner unlocks */
    while (n > 0 && atomic_load_explicit(&held[n - 1].lock, memory_order_relaxed) == 0)
        n--;
    atomic_store_explicit(&rec->nheld, n, memory_order_release);
    uint64_t key = 0;
    uint32_t parent = 0;
    for (uint32_t j = 0; j < n; j++) {
        lst_held *h = &held[j];
        uint32_t lock = atomic_load_explicit(&h->lock, memory_order_relaxed);
        uint64_t k = lst_chain_key(key, lock, h->mode & LST_MODE_READ, h->pc);
        if (j >= (uint32_t)i && k != h->key && lock) {
            uint32_t c = lst_chain_get_known(k, parent, lock, h->mode, j, h->pc,
                                             (uint32_t)lst_self.idx, h->stack);
            if (c)
                h->chain = c;
        }
        h->key = k;
        key = k;
        parent = h->chain;
    }
    lst_self.key = key;
}

/* Another thread unlocked one of our locks (a non-owner unlock): drop the holes it left and
 * re-chain the rest, so that our next acquisition does not see a lock we no longer hold. */
static void held_compact(void)
{
    lst_thread_rec *rec = lst_self.rec;
    atomic_store(&rec->holes, 0);
    uint32_t n = atomic_load_explicit(&rec->nheld, memory_order_relaxed);
    for (uint32_t i = n; i-- > 0;)
        if (atomic_load_explicit(&lst_self.held[i].lock, memory_order_acquire) == 0)
            held_remove((int)i);
}

/* ---- reporting and ending --------------------------------------------------------------- */

static _Atomic uint32_t reporting;  /* one deadlock report per process */
static _Atomic uint32_t group_seq;

/* Finds the held entry of lock in thread t's list; returns its stack id or 0. */
static uint32_t holder_stack(uint32_t t, uint32_t lock)
{
    lst_thread_rec *r = lst_st_thread(lst_store, t);
    lst_held *held = lst_st_held(lst_store, t);
    uint32_t n = atomic_load_explicit(&r->nheld, memory_order_acquire);
    for (uint32_t i = 0; i < n && i < lst_store->caps.held; i++)
        if (atomic_load_explicit(&held[i].lock, memory_order_acquire) == lock)
            return held[i].stack;
    return 0;
}

static void report_self_deadlock(const lst_acq *a)
{
    uint32_t expect = 0;
    if (!atomic_compare_exchange_strong(&reporting, &expect, 1)) {
        for (;;)
            lst_sleep_ms(1000); /* another thread is ending the target */
    }
    lst_event_rec *e = lst_event_new(LST_EV_SELF_DEADLOCK);
    if (e) {
        e->group = atomic_fetch_add(&group_seq, 1) + 1;
        e->lock = a->lock;
        e->addr = a->addr;
        e->stack = lst_stack_capture();
        e->stack2 = a->held_at >= 0 ? lst_self.held[a->held_at].stack : 0;
        e->other = (uint32_t)lst_self.idx;
        e->wait_kind = a->kind == LST_LOCK_RWLOCK ? LST_WAIT_WRLOCK : LST_WAIT_MUTEX;
        lst_event_publish(e);
    }
    if (!lst_opt.detect_deadlocks)
        return;
    lst_end_target("self-deadlock: a thread relocks a lock it already holds");
}

/* ---- acquisition ----------------------------------------------------------------------- */

/* Looks up (or records) the chain of acquisition a in the current context: the chain cache
 * of shim_store.c makes a known one cost a thread-local probe. */
static inline void record_chain(lst_acq *a)
{
    a->ctx = lst_self.key;
    a->key = lst_chain_key(a->ctx, a->lock, a->mode & LST_MODE_READ, a->pc);
    a->chain = lst_chain_get(a->key, top_chain(), a->lock, a->mode,
                             atomic_load_explicit(&lst_self.rec->nheld, memory_order_relaxed),
                             a->pc, (uint32_t)lst_self.idx, &a->stack);
}

int lst_acquire_begin(lst_acq *a, uintptr_t addr, uint32_t kind, uint32_t mode, uint64_t pc,
                      int try)
{
    a->addr = addr;
    a->kind = kind;
    a->mode = mode;
    a->pc = pc;
    a->chain = 0;
    a->stack = 0;
    a->key = 0;
    a->ctx = 0;
    a->held_at = -1;
    /* read before the lookup: a destroy in between leaves the id stale, not validated */
    a->ep = atomic_load_explicit(&lst_lock_epoch, memory_order_acquire) + 1;
    a->lock = lst_lock_get(addr, kind);
    if (LST_UNLIKELY(a->lock == 0))
        return 0;
    if (LST_UNLIKELY(atomic_load_explicit(&lst_self.rec->holes, memory_order_relaxed)))
        held_compact();
    if (atomic_load_explicit(&lst_self.rec->nheld, memory_order_relaxed)) {
        a->held_at = held_find(a->lock);
        if (a->held_at >= 0) {
            lst_held *h = &lst_self.held[a->held_at];
            int held_read = h->mode & LST_MODE_READ;
            if (kind == LST_LOCK_RECURSIVE)
                return 1;
            if (kind == LST_LOCK_RWLOCK && held_read && (mode & LST_MODE_READ))
                return 1; /* recursive read lock: allowed, no edge */
            if (try || kind == LST_LOCK_ERRORCHECK ||
                (kind == LST_LOCK_RWLOCK && !held_read))
                return 1; /* libc answers EBUSY / EDEADLK: no hang, no edge */
            report_self_deadlock(a);
            return 1;
        }
    }
    if (!try)
        record_chain(a);
    return 0;
}

void lst_acquire_done(lst_acq *a)
{
    if (LST_UNLIKELY(a->lock == 0))
        return;
    if (a->held_at >= 0) {
        lst_self.held[a->held_at].recursion++;
        return;
    }
    if (a->mode & LST_MODE_TRY) /* trylock/timedlock: recorded only once it succeeded */
        record_chain(a);
    if (held_push(a) && !(a->mode & LST_MODE_TRY)) {
        /* a fresh blocking acquisition: the fast path may repeat it from the cache */
        uint64_t hash =
            lst_acq_hash(a->ctx, a->addr, (uint32_t)lst_kind_class(a->kind), a->mode, a->pc);
        lst_acache_ent *e = lst_acache_slot(hash);
        e->hash = hash;
        e->img.chain = a->chain;
        e->img.stack = a->stack;
        e->img.mode = (uint16_t)a->mode;
        e->img.recursion = 0;
        e->img.key = a->key;
        e->img.pc = a->pc;
        e->img.addr = a->addr;
        e->img.epoch = a->ep;
        e->img.pad = 0;
        atomic_store_explicit(&e->img.lock, a->lock, memory_order_relaxed);
    }
}

/* ---- wait-for check ------------------------------------------------------------------ */

static _Atomic uint32_t checking;   /* one checker at a time: its buffers are static */
#define MAX_CYCLE 4096
static uint32_t cyc_thread[MAX_CYCLE], cyc_seq[MAX_CYCLE];
static uint32_t dfs_parent[65536];
static uint32_t dfs_stack[65536];
/* dfs_seen[t] == dfs_gen marks t visited by the current search: no clearing between searches
 * (a memset would go through ThreadSanitizer's interceptor in a TSan build, and TSan cannot
 * see the atomic that serializes the searches: a false race in the target's report). */
static uint32_t dfs_seen[65536];
static uint32_t dfs_gen;

/* Successors of thread t in the wait-for graph: the threads holding what t waits for.
 * Calls visit(u) for each; returns 1 if t waits on a lock held by a thread that is gone. */
static int each_holder(uint32_t t, int (*visit)(uint32_t from, uint32_t u, void *), void *ctx)
{
    lst_store_hdr *h = lst_store;
    lst_thread_rec *r = lst_st_thread(h, t);
    uint32_t wk = atomic_load(&r->wait_kind);
    uint32_t lock = atomic_load(&r->wait_lock);
    if (wk == LST_WAIT_JOIN)
        return visit(t, lock, ctx);
    if (wk != LST_WAIT_MUTEX && wk != LST_WAIT_RDLOCK && wk != LST_WAIT_WRLOCK)
        return 0;
    uint32_t n = atomic_load(&h->nthreads);
    for (uint32_t u = 0; u < n && u < h->caps.threads; u++) {
        if (u == t)
            continue;
        lst_thread_rec *ur = lst_st_thread(h, u);
        uint32_t st = atomic_load(&ur->state);
        if (st != LST_THREAD_RUNNING && st != LST_THREAD_GONE)
            continue;
        lst_held *held = lst_st_held(h, u);
        uint32_t nh = atomic_load(&ur->nheld);
        for (uint32_t i = 0; i < nh && i < h->caps.held; i++) {
            if (atomic_load(&held[i].lock) != lock)
                continue;
            if (wk == LST_WAIT_RDLOCK && (held[i].mode & LST_MODE_READ))
                continue; /* readers do not block a reader */
            int rc = visit(t, u, ctx);
            if (rc)
                return rc;
            break;
        }
    }
    return 0;
}

struct dfs_ctx {
    uint32_t me;
    uint32_t top;
    uint32_t found_from; /* thread whose successor closed the cycle */
    int gone;            /* the cycle ends in a thread that no longer exists (fork) */
};

static int dfs_visit(uint32_t from, uint32_t u, void *p)
{
    struct dfs_ctx *c = p;
    lst_thread_rec *ur = lst_st_thread(lst_store, u);
    if (u == c->me || atomic_load(&ur->state) == LST_THREAD_GONE) {
        c->found_from = from;
        c->gone = u != c->me;
        dfs_parent[u] = from;
        return 1;
    }
    if (dfs_seen[u] == dfs_gen)
        return 0;
    dfs_seen[u] = dfs_gen;
    dfs_parent[u] = from;
    dfs_stack[c->top++] = u;
    return 0;
}

/* Looks for a wait-for cycle through this thread. Fills cyc_* (from this thread along the
 * waits) and returns its length, or 0. */
static uint32_t find_cycle(int *gone, uint32_t *gone_thread)
{
    lst_store_hdr *h = lst_store;
    uint32_t n = atomic_load(&h->nthreads);
    if (n > h->caps.threads)
        n = h->caps.threads;
    if (n > sizeof dfs_seen / sizeof dfs_seen[0])
        return 0;
    if (++dfs_gen == 0)
        ++dfs_gen;
    struct dfs_ctx c = {(uint32_t)lst_self.idx, 0, 0, 0};
    dfs_seen[c.me] = dfs_gen;
    dfs_stack[c.top++] = c.me;
    int hit = 0;
    while (c.top && !hit) {
        uint32_t t = dfs_stack[--c.top];
        hit = each_holder(t, dfs_visit, &c);
    }
    if (!hit)
        return 0;
    *gone = c.gone;
    /* walk back from the closing thread to me, then reverse */
    uint32_t len = 0;
    for (uint32_t t = c.found_from;; t = dfs_parent[t]) {
        if (len >= MAX_CYCLE)
            return 0;
        cyc_thread[len++] = t;
        if (t == c.me)
            break;
    }
    for (uint32_t i = 0; i < len / 2; i++) {
        uint32_t x = cyc_thread[i];
        cyc_thread[i] = cyc_thread[len - 1 - i];
        cyc_thread[len - 1 - i] = x;
    }
    if (c.gone)
        *gone_thread = 0; /* filled by caller from the last waiter's lock holder */
    for (uint32_t i = 0; i < len; i++)
        cyc_seq[i] = atomic_load(&lst_st_thread(h, cyc_thread[i])->wait_seq);
    return len;
}

/* Thread holding `lock` among all threads (first found), or UINT32_MAX. */
static uint32_t lock_holder(uint32_t lock, uint32_t except)
{
    lst_store_hdr *h = lst_store;
    uint32_t n = atomic_load(&h->nthreads);
    for (uint32_t u = 0; u < n && u < h->caps.threads; u++) {
        if (u == except)
            continue;
        uint32_t st = atomic_load(&lst_st_thread(h, u)->state);
        if (st != LST_THREAD_RUNNING && st != LST_THREAD_GONE)
            continue;
        lst_held *held = lst_st_held(h, u);
        uint32_t nh = atomic_load(&lst_st_thread(h, u)->nheld);
        for (uint32_t i = 0; i < nh && i < h->caps.held; i++)
            if (atomic_load(&held[i].lock) == lock)
                return u;
    }
    return UINT32_MAX;
}

/* Records the confirmed cycle of len threads and ends the target. */
static void report_cycle(uint32_t len, int gone)
{
    lst_store_hdr *h = lst_store;
    uint32_t group = atomic_fetch_add(&group_seq, 1) + 1;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t t = cyc_thread[i];
        lst_thread_rec *r = lst_st_thread(h, t);
        lst_event_rec *e = lst_event_new(LST_EV_DEADLOCK);
        if (!e)
            break;
        e->group = group;
        e->thread = t;
        e->wait_kind = atomic_load(&r->wait_kind);
        e->lock = atomic_load(&r->wait_lock);
        e->addr = atomic_load(&r->wait_obj);
        e->stack = atomic_load(&r->wait_stack);
        if (e->wait_kind == LST_WAIT_JOIN) {
            e->other = e->lock;
            e->lock = 0;
        } else {
            uint32_t next = (i + 1 < len) ? cyc_thread[i + 1] : cyc_thread[0];
            if (gone && i + 1 == len)
                next = lock_holder(e->lock, t);
            e->other = next;
            e->stack2 = next != UINT32_MAX ? holder_stack(next, e->lock) : 0;
        }
        lst_event_publish(e);
    }
    if (!lst_opt.detect_deadlocks)
        return;
    lst_end_target(gone ? "deadlock: a lock is held by a thread that does not exist after fork"
                    : "deadlock: threads wait for each other in a cycle");
}

/* Runs one wait-for check for this (blocked) thread. Returns 1 when the wait resolved itself
 * during confirmation (the caller's lock was acquired by try()), else 0. */
static int check_deadlock(void *obj, lst_try_fn try)
{
    uint32_t expect = 0;
    if (!atomic_compare_exchange_strong(&checking, &expect, 1))
        return 0;
    int gone = 0;
    uint32_t gone_thread = 0;
    uint32_t len = find_cycle(&gone, &gone_thread);
    if (len == 0) {
        atomic_store(&checking, 0);
        return 0;
    }
    /* confirm: nothing in the cycle moved during a pause, and our lock stayed unavailable */
    lst_sleep_ms(lst_opt.deadlock_ms ? lst_opt.deadlock_ms : 1);
    if (try && try(obj) == 0) {
        atomic_store(&checking, 0);
        return 1;
    }
    uint32_t seq[MAX_CYCLE];
    uint32_t len0 = len;
    for (uint32_t i = 0; i < len; i++) /* a loop, not memcpy: see dfs_seen */
        seq[i] = cyc_seq[i];
    int gone2 = 0;
    len = find_cycle(&gone2, &gone_thread);
    int same = len == len0 && gone2 == gone;
    for (uint32_t i = 0; same && i < len; i++)
        same = cyc_seq[i] == seq[i];
    if (!same) {
        atomic_store(&checking, 0);
        return 0;
    }
    expect = 0;
    if (!atomic_compare_exchange_strong(&reporting, &expect, 1)) {
        atomic_store(&checking, 0);
        return 0;
    }
    report_cycle(len, gone);
    atomic_store(&checking, 0);
    return 0;
}

/* The thread id glibc records as the owner of a mutex (or write-locked rwlock), or 0. */
static int32_t glibc_owner(void *obj, uint32_t wait_kind, uint32_t kind)
{
    if (kind == LST_LOCK_SPIN)
        return 0; /* a spinlock is an int: it records no owner */
    if (wait_kind == LST_WAIT_MUTEX && lst_self.rec && obj) {
        pthread_mutex_t *m = obj;
        return m->__data.__owner;
    }
    if ((wait_kind == LST_WAIT_WRLOCK || wait_kind == LST_WAIT_RDLOCK) && obj) {
        pthread_rwlock_t *l = obj;
        return (int32_t)l->__data.__cur_writer;
    }
    return 0;
}

/* A lock whose owner no longer exists (it was not copied by fork, or it exited holding the
 * lock) can never be released: waiting for it is a deadlock. Records it and ends the target
 * when that is so; returns otherwise. */
static void check_owner_gone(const lst_acq *a, void *obj, uint32_t wait_kind)
{
    int32_t owner = glibc_owner(obj, wait_kind, a->kind);
    if (owner <= 0 || syscall(SYS_tgkill, getpid(), owner, 0) == 0 || errno != ESRCH)
        return;
    uint32_t expect = 0;
    if (!atomic_compare_exchange_strong(&reporting, &expect, 1))
        return;
    lst_store_hdr *h = lst_store;
    uint32_t n = atomic_load(&h->nthreads), holder = UINT32_MAX;
    for (uint32_t u = 0; u < n && u < h->caps.threads; u++)
        if (lst_st_thread(h, u)->tid == owner && (int32_t)u != lst_self.idx)
            holder = u;
    if (holder != UINT32_MAX)
        atomic_store(&lst_st_thread(h, holder)->state, LST_THREAD_GONE);
    lst_event_rec *e = lst_event_new(LST_EV_DEADLOCK);
    if (e) {
        e->group = atomic_fetch_add(&group_seq, 1) + 1;
        e->wait_kind = wait_kind;
        e->lock = a->lock;
        e->addr = a->addr;
        e->stack = atomic_load(&lst_self.rec->wait_stack);
        e->other = holder;
        e->stack2 = holder != UINT32_MAX ? holder_stack(holder, a->lock) : 0;
        lst_event_publish(e);
    }
    if (lst_opt.detect_deadlocks)
        lst_end_target(lst_self.forked ? "deadlock: a lock is held by a thread that does not exist "
                                         "after fork"
                                       : "deadlock: a lock is held by a thread that has exited");
}

/* ---- waits ------------------------------------------------------------------------------ */

static void publish_wait(uint32_t kind, uintptr_t obj, uint32_t lock, uint32_t stack)
{
    lst_thread_rec *r = lst_self.rec;
    atomic_store(&r->wait_obj, (uint64_t)obj);
    atomic_store(&r->wait_lock, lock);
    atomic_store(&r->wait_stack, stack);
    atomic_fetch_add(&r->wait_seq, 1);
    atomic_store(&r->wait_kind, kind);
}

void lst_wait_begin(uint32_t wait_kind, uintptr_t obj, uint32_t target)
{
    publish_wait(wait_kind, obj, target, lst_stack_capture());
}

void lst_wait_end(void)
{
    atomic_store(&lst_self.rec->wait_kind, LST_WAIT_NONE);
}

int lst_acquire_wait(lst_acq *a, void *obj, uint32_t wait_kind, lst_try_fn try,
                     lst_timed_fn timed, lst_block_fn block)
{
    int rc = try(obj);
    if (rc != EBUSY || a->lock == 0)
        return rc == EBUSY ? block(obj) : rc;
    publish_wait(wait_kind, a->addr, a->lock, a->stack ? a->stack : lst_stack_capture());
    if (!timed || !lst_opt.detect_deadlocks) {
        rc = block(obj);
    } else {
        unsigned slice = lst_opt.deadlock_ms ? lst_opt.deadlock_ms : 1;
        for (;;) {
            struct timespec dl = lst_deadline_ms(slice);
            rc = timed(obj, &dl);
            if (rc != ETIMEDOUT)
                break;
            check_owner_gone(a, obj, wait_kind);
            if (check_deadlock(obj, try)) {
                rc = 0;
                break;
            }
            if (slice < 1000)
                slice *= 2;
        }
    }
    lst_wait_end();
    return rc;
}

void lst_check_join(void)
{
    check_deadlock(NULL, NULL);
}

/* ---- release ---------------------------------------------------------------------------- */

static void misuse(uint32_t kind, uint32_t lock, uintptr_t addr, uint32_t other, uint32_t stack2)
{
    lst_event_rec *e = lst_event_new(kind);
    if (!e)
        return;
    e->lock = lock;
    e->addr = addr;
    e->stack = lst_stack_capture();
    e->other = other;
    e->stack2 = stack2;
    lst_event_publish(e);
}

void lst_release(uintptr_t addr, uint32_t kind)
{
    uint32_t lock = lst_lock_find(addr);
    int i = lock ? held_find(lock) : -1;
    if (LST_LIKELY(i >= 0)) {
        lst_held *h = &lst_self.held[i];
        if (h->recursion) {
            h->recursion--;
            return;
        }
        uint32_t n = atomic_load_explicit(&lst_self.rec->nheld, memory_order_relaxed);
        if (LST_LIKELY((uint32_t)i + 1 == n)) {
            atomic_store_explicit(&h->lock, 0, memory_order_relaxed);
            while (n > 1 && atomic_load_explicit(&lst_self.held[n - 2].lock, memory_order_relaxed) == 0)
                n--;
            atomic_store_explicit(&lst_self.rec->nheld, n - 1, memory_order_release);
            lst_self.key = n > 1 ? lst_self.held[n - 2].key : 0;
            return;
        }
        held_remove(i);
        return;
    }
    if (held_overflow) {
        held_overflow--;
        return;
    }
    if (!lock) {
        /* never seen: unlocked while unlocked, unless a full lock table left it untracked */
        lock = lst_lock_get(addr, kind);
        if (lock)
            misuse(LST_EV_UNLOCK_UNLOCKED, lock, addr, UINT32_MAX, 0);
        return;
    }
    /* Not ours: held by another thread (unlock by non-owner) or by nobody. */
    uint32_t owner = lock_holder(lock, (uint32_t)lst_self.idx);
    if (owner == UINT32_MAX) {
        misuse(LST_EV_UNLOCK_UNLOCKED, lock, addr, UINT32_MAX, 0);
        return;
    }
    uint32_t stack2 = holder_stack(owner, lock);
    misuse(LST_EV_UNLOCK_NOT_OWNER, lock, addr, owner, stack2);
    if (kind == LST_LOCK_MUTEX) {
        /* glibc lets a plain mutex be unlocked by anyone: the owner no longer holds it. */
        lst_held *held = lst_st_held(lst_store, owner);
        uint32_t nh = atomic_load(&lst_st_thread(lst_store, owner)->nheld);
        for (uint32_t j = 0; j < nh; j++) {
            uint32_t expect = lock;
            if (atomic_compare_exchange_strong(&held[j].lock, &expect, 0)) {
                atomic_store(&lst_st_thread(lst_store, owner)->holes, 1);
                break;
            }
        }
    }
}

/* ---- condition variables --------------------------------------------------------------- */

void lst_cond_wait_begin(lst_cond_ctx *c, pthread_mutex_t *m, void *cond, uint64_t pc)
{
    c->tracked = 0;
    uint32_t lock = lst_lock_find((uintptr_t)m);
    int i = lock ? held_find(lock) : -1;
    if (i >= 0 && lst_self.held[i].recursion == 0) {
        c->acq.addr = (uintptr_t)m;
        c->acq.lock = lock;
        c->acq.kind = lst_st_lock(lst_store, lock)->kind;
        c->acq.mode = LST_MODE_WRITE;
        c->acq.pc = lst_self.held[i].pc;
        c->acq.ep = lst_self.held[i].epoch;
        c->acq.held_at = -1;
        held_remove(i);
        /* the reacquisition happens inside the wait: record its order now */
        record_chain(&c->acq);
        c->tracked = 1;
    }
    (void)pc;
    publish_wait(LST_WAIT_COND, (uintptr_t)cond, lock, lst_stack_capture());
}

void lst_cond_wait_end(lst_cond_ctx *c)
{
    lst_wait_end();
    if (c->tracked)
        held_push(&c->acq);
}

/* ---- destroy, exit, fork ---------------------------------------------------------------- */

int lst_held_by_me(uintptr_t addr)
{
    uint32_t lock = lst_lock_find(addr);
    return lock && atomic_load_explicit(&lst_self.rec->nheld, memory_order_relaxed) &&
           held_find(lock) >= 0;
}

void lst_lock_destroyed(uintptr_t addr, int locked, int destroyed)
{
    uint32_t lock = lst_lock_find(addr);
    if (locked && lock) {
        uint32_t owner = lock_holder(lock, UINT32_MAX);
        misuse(LST_EV_DESTROY_LOCKED, lock, addr, owner,
               owner != UINT32_MAX ? holder_stack(owner, lock) : 0);
    }
    if (destroyed) /* libc refused (EBUSY): the lock lives on with its identity */
        lst_lock_forget(addr);
}

void lst_thread_exiting(void)
{
    lst_thread_rec *r = lst_self.rec;
    uint32_t n = atomic_load(&r->nheld);
    for (uint32_t i = 0; i < n; i++) {
        lst_held *h = &lst_self.held[i];
        uint32_t lock = atomic_load(&h->lock);
        if (!lock)
            continue;
        lst_event_rec *e = lst_event_new(LST_EV_EXIT_HOLDING);
        if (!e)
            return;
        e->lock = lock;
        e->addr = lst_st_lock(lst_store, lock)->addr;
        e->stack = lst_stack_capture();
        e->stack2 = h->stack;
        e->other = (uint32_t)lst_self.idx;
        lst_event_publish(e);
    }
}

void lst_fork_check(void)
{
    lst_store_hdr *h = lst_store;
    uint32_t n = atomic_load(&h->nthreads);
    uint32_t stack = 0;
    for (uint32_t u = 0; u < n && u < h->caps.threads; u++) {
        if ((int32_t)u == lst_self.idx)
            continue;
        lst_thread_rec *ur = lst_st_thread(h, u);
        if (atomic_load(&ur->state) != LST_THREAD_RUNNING)
            continue;
        lst_held *held = lst_st_held(h, u);
        uint32_t nh = atomic_load(&ur->nheld);
        for (uint32_t i = 0; i < nh && i < h->caps.held; i++) {
            uint32_t lock = atomic_load(&held[i].lock);
            if (!lock)
                continue;
            lst_event_rec *e = lst_event_new(LST_EV_FORK_HELD);
            if (!e)
                return;
            if (!stack)
                stack = lst_stack_capture();
            e->lock = lock;
            e->addr = lst_st_lock(h, lock)->addr;
            e->stack = stack;
            e->other = u;
            e->stack2 = held[i].stack;
            lst_event_publish(e);
        }
    }
}

/* ---- the general ways of the lock interceptors (see lst_lock_blocking) ------------------- */

int lst_lock_general(void *obj, uint64_t pc, const lst_lock_ops *ops, int entered)
{
    if (!entered && !lst_enter())
        return ops->block(obj);
    int e = errno;
    lst_acq a;
    int rc;
    int re = lst_acquire_begin(&a, (uintptr_t)obj, ops->kind(obj), ops->mode, pc, 0);
    if (lst_sched_on())
        lst_sched_point(LST_OP_LOCK, a.lock);
    if (re)
        rc = ops->block(obj); /* recursive re-entry, or libc's own error */
    else if (lst_sched_on())
        rc = lst_sched_lock(&a, obj, ops->wait_kind, ops->try, NULL);
    else
        rc = lst_acquire_wait(&a, obj, ops->wait_kind, ops->try, ops->timed, ops->block);
    if (rc == 0)
        lst_acquire_done(&a);
    errno = e;
    lst_leave();
    return rc;
}

/* The fast path's trylock took the lock, but the acquisition is not in the cache (or holes
 * must be compacted first): record it the general way. Nothing blocked. */
int lst_lock_taken(void *obj, uint64_t pc, const lst_lock_ops *ops)
{
    int e = errno;
    lst_acq a;
    lst_acquire_begin(&a, (uintptr_t)obj, ops->kind(obj), ops->mode, pc, 0);
    lst_acquire_done(&a); /* a recursive re-entry only counts */
    errno = e;
    lst_leave();
    return 0;
}

/* The fast path's trylock failed with rc: the lock is busy (or libc refused it). The
 * acquisition is recorded, then the thread waits. */
int lst_lock_busy(void *obj, uint64_t pc, const lst_lock_ops *ops, int rc)
{
    if (rc != EBUSY) {
        lst_leave();
        return rc;
    }
    int e = errno;
    lst_acq a;
    const lst_acache_ent *c =
        lst_acache_find(lst_self.key, (uintptr_t)obj, ops->cls, ops->mode, pc);
    if (c && !atomic_load_explicit(&lst_self.rec->holes, memory_order_relaxed)) {
        a = (lst_acq){
            .addr = (uintptr_t)obj,
            .lock = atomic_load_explicit(&c->img.lock, memory_order_relaxed),
            .kind = ops->kind(obj),
            .mode = ops->mode,
            .pc = pc,
            .chain = c->img.chain,
            .stack = c->img.stack,
            .key = c->img.key,
            .ctx = lst_self.key,
            .ep = c->img.epoch,
            .held_at = -1,
        };
    } else if (lst_acquire_begin(&a, (uintptr_t)obj, ops->kind(obj), ops->mode, pc, 0)) {
        rc = ops->block(obj); /* a relock that libc refuses or a recursion: no wait recorded */
        goto done;
    }
    rc = lst_acquire_wait(&a, obj, ops->wait_kind, ops->try, ops->timed, ops->block);
done:
    if (rc == 0)
        lst_acquire_done(&a);
    errno = e;
    lst_leave();
    return rc;
}

int lst_unlock_general(void *obj, const lst_lock_ops *ops, int entered)
{
    if (!entered && !lst_enter())
        return ops->unlock(obj);
    int e = errno;
    uintptr_t addr = (uintptr_t)obj;
    if (lst_sched_on())
        lst_sched_point(LST_OP_UNLOCK, lst_lock_find(addr));
    if (!lst_release_fast(addr))
        lst_release(addr, ops->kind(obj));
    int rc = ops->unlock(obj);
    if (lst_sched_on())
        lst_sched_wake(ops->wait_kind, addr, 0);
    errno = e;
    lst_leave();
    return rc;
}
