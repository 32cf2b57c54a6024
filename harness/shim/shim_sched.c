/* shim_sched.c: the deterministic scheduler (see shim_sched.h for the contract).
 *
 * The baton: header.sched_current names the thread allowed to run; each thread waits on its
 * own futex word (sched record `turn`: TURN_WAIT, TURN_GO, or TURN_ASLEEP once it sleeps
 * in FUTEX_WAIT). Handing over is "swap next's turn to TURN_GO, FUTEX_WAKE it only if it
 * was asleep, wait on mine". Waiters do not spin: on a loaded machine a spinning waiter
 * takes the CPU from the baton holder (measured: up to 10x slower ping-pong).
 * Only the baton holder reads or writes scheduler state, so it needs no lock; the
 * atomic handover orders the memory. A thread that keeps the baton while blocked outside our
 * interceptors (read(), poll(), a raw futex) is detected by the waiters' timed futex waits:
 * after outside_ms without a step, one of them takes the baton over and marks that thread
 * OUTSIDE (it runs free until its next scheduling point) and the schedule not replayable.
 *
 * Every choice (next thread, which condvar waiter a signal wakes, an injected timeout or
 * spurious wakeup) goes through choose_*(), which records it in the store's trace, or in
 * replay mode takes it from the recorded choices and flags a divergence when it no longer
 * fits. */
#define _GNU_SOURCE
#include "shim_sched.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim_lockdep.h"
#include "shim_store.h"

int lst_sched_enabled;

static uint64_t rng;                 /* xorshift64* state */
static int pct;                      /* strategy is PCT */
static uint64_t pct_change[32];      /* steps at which the running thread's priority drops */
static uint32_t pct_nchange;
static const uint32_t *replay_v;     /* recorded choices (replay mode) */
static uint32_t replay_n, replay_pos;
static int replaying;
static uint64_t cond_seq;
/* Threads SLEEPING or BLOCKED: when there are none, a scheduling point skips the scans for
 * expired deadlines, injected wakeups and waiters to wake. An OUTSIDE thread may block
 * without the baton, hence atomic. */
static _Atomic uint32_t nparked;

enum { TURN_WAIT = 0, TURN_GO = 1, TURN_ASLEEP = 2 };

#define STEP_NS 1000ULL              /* virtual time that one scheduling point takes */
#define MAX_ENABLED 4096
#define MAX_WANT 4096                /* threads whose awaited mutex is tracked */

/* The mutex each thread waits to take (0: none), set while it is blocked on a mutex or in a
 * condition wait (which ends by taking its mutex back). Such a thread, once runnable, is not
 * picked while its mutex is held: it would only find it busy and hand the baton straight
 * back, a switch that does nothing (half of the switches of a condvar ping-pong). Written by
 * the thread itself while it holds the baton, read by the baton holder. */
static uintptr_t want_mutex[MAX_WANT];

/* pin=1: the CPU mask the process had before it was pinned, given back to forked children. */
static cpu_set_t unpinned;
static int pinned;
static _Atomic int pin_overridden; /* the program set a mask of its own */

/* ---- small helpers ------------------------------------------------------------------ */

static uint64_t next_rand(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ULL;
}

static lst_sched_rec *S(uint32_t i)
{
    return lst_st_sched(lst_store, i);
}

static uint32_t get_state(uint32_t i)
{
    return __atomic_load_n(&S(i)->state, __ATOMIC_ACQUIRE);
}

static int parked(uint32_t st)
{
    return st == LST_SCHED_SLEEPING || st == LST_SCHED_BLOCKED;
}

static void set_state(uint32_t i, uint32_t st)
{
    uint32_t old = __atomic_exchange_n(&S(i)->state, st, __ATOMIC_ACQ_REL);
    if (parked(old) != parked(st))
        atomic_fetch_add_explicit(&nparked, parked(st) ? 1u : (uint32_t)-1, memory_order_relaxed);
}

static uint32_t thread_count(void)
{
    uint32_t n = atomic_load(&lst_store->nthreads);
    return n > lst_store->caps.threads ? lst_store->caps.threads : n;
}

static void futex_wake(_Atomic uint32_t *w)
{
    syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void futex_wait(_Atomic uint32_t *w, uint32_t val, long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0);
}

static void flag(uint32_t f)
{
    atomic_fetch_or(&lst_store->sched_flags, f);
}

/* ---- choices ------------------------------------------------------------------------- */

static void record(uint32_t kind, uint32_t value)
{
    lst_store_hdr *h = lst_store;
    uint32_t n = atomic_load(&h->ntrace);
    if (n >= h->trace_cap) {
        flag(LST_SF_TRACE_FULL);
        lst_limit_hit(LST_LIMIT_TRACE, "too many scheduler choices; the schedule is not replayable",
                      "max_trace", h->trace_cap);
        return;
    }
    lst_st_trace(h)[n] = LST_CHOICE(kind, value);
    atomic_store(&h->ntrace, n + 1);
}

/* In replay mode: the next recorded choice if it is of this kind and valid(value) holds,
 * else flags the divergence and returns -1 (the strategy decides from then on). */
static int64_t replayed(uint32_t kind, int (*valid)(uint32_t v, void *ctx), void *ctx)
{
    if (!replaying)
        return -1;
    if (replay_pos < replay_n) {
        uint32_t c = replay_v[replay_pos];
        if (c >> 24 == kind && valid(c & 0xffffff, ctx)) {
            replay_pos++;
            return c & 0xffffff;
        }
    }
    replaying = 0;
    lst_store->diverged_at = replay_pos;
    flag(LST_SF_DIVERGED);
    return -1;
}

struct set {
    const uint32_t *v;
    uint32_t n;
};

static int in_set(uint32_t v, void *p)
{
    struct set *s = p;
    for (uint32_t i = 0; i < s->n; i++)
        if (s->v[i] == v)
            return 1;
    return 0;
}

static int below(uint32_t v, void *p)
{
    return v < *(uint32_t *)p;
}

/* Picks one of the n enabled threads (indices in e, ascending). */
static uint32_t choose_thread(const uint32_t *e, uint32_t n)
{
    if (n == 1)
        return e[0];
    struct set s = {e, n};
    int64_t r = replayed(LST_CHOICE_THREAD, in_set, &s);
    uint32_t pick;
    if (r >= 0) {
        pick = (uint32_t)r;
    } else if (pct) {
        pick = e[0];
        for (uint32_t i = 1; i < n; i++)
            if (S(e[i])->prio > S(pick)->prio)
                pick = e[i];
    } else {
        pick = e[next_rand() % n];
    }
    record(LST_CHOICE_THREAD, pick);
    return pick;
}

/* A choice among n alternatives (n > 1) of the given kind. */
static uint32_t choose_n(uint32_t kind, uint32_t n)
{
    int64_t r = replayed(kind, below, &n);
    uint32_t pick = r >= 0 ? (uint32_t)r : (uint32_t)(next_rand() % n);
    record(kind, pick);
    return pick;
}

/* ---- the run queue -------------------------------------------------------------------- */

static void wake_thread(uint32_t i, uint32_t reason)
{
    lst_sched_rec *s = S(i);
    s->wake_reason = reason;
    s->wake_ns = 0;
    set_state(i, LST_SCHED_RUNNABLE);
}

/* Wakes sleepers and timed waiters whose deadline the virtual clock has reached. */
static void expire_timers(void)
{
    uint32_t n = thread_count();
    for (uint32_t i = 0; i < n; i++) {
        uint32_t st = get_state(i);
        lst_sched_rec *s = S(i);
        if ((st == LST_SCHED_SLEEPING || st == LST_SCHED_BLOCKED) && s->wake_ns &&
            s->wake_ns <= lst_store->vclock_ns)
            wake_thread(i, st == LST_SCHED_SLEEPING ? LST_WAKE_NONE : LST_WAKE_TIMEOUT);
    }
}

/* Optionally injects a timeout or a spurious condvar wakeup, as a recorded choice. */
static void inject(void)
{
    static uint32_t cand[MAX_ENABLED];
    uint32_t n = thread_count(), nt = 0, nc = 0;
    for (uint32_t i = 0; i < n && nt < MAX_ENABLED; i++)
        if (get_state(i) == LST_SCHED_BLOCKED && S(i)->wake_ns)
            cand[nt++] = i;
    if (nt) {
        /* 1 in 8: a timed wait times out now rather than later */
        uint32_t c = choose_n(LST_CHOICE_TIMEOUT, 8 * nt);
        if (c < nt)
            wake_thread(cand[c], LST_WAKE_TIMEOUT);
    }
    if (!lst_opt.spurious)
        return;
    for (uint32_t i = 0; i < n && nc < MAX_ENABLED; i++)
        if (get_state(i) == LST_SCHED_BLOCKED && S(i)->block_kind == LST_WAIT_COND)
            cand[nc++] = i;
    if (nc) {
        uint32_t c = choose_n(LST_CHOICE_SPURIOUS, 8 * nc);
        if (c < nc)
            wake_thread(cand[c], LST_WAKE_SPURIOUS);
    }
}

/* Ends the target: every thread is blocked, or the step bound was passed. */
static void sched_end(uint32_t why, const char *what)
{
    flag(why);
    lst_end_target(what);
}

/* 1 when thread i is runnable only to take a mutex that is held now (it would block at
 * once). glibc's lock word is read directly; robust, priority-inheritance and
 * priority-protection mutexes (whose word may stay non-zero when a trylock succeeds or
 * fails otherwise than EBUSY) always count as free. */
static int wants_busy_mutex(uint32_t i)
{
    if (i >= MAX_WANT || !want_mutex[i])
        return 0;
    pthread_mutex_t *m = (pthread_mutex_t *)want_mutex[i];
    if (__atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) & (16 | 32 | 64))
        return 0;
    return __atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) != 0;
}

/* Chooses the thread to run next (maybe the caller). Advances the virtual clock when all
 * threads sleep; ends the target when none can ever run again. A runnable thread that would
 * only find its mutex busy is chosen only when no other thread is runnable. */
static uint32_t pick_next(void)
{
    static uint32_t e[MAX_ENABLED], busy[MAX_ENABLED];
    for (;;) {
        if (atomic_load_explicit(&nparked, memory_order_relaxed)) {
            expire_timers();
            inject();
        }
        uint32_t n = thread_count(), ne = 0, nb = 0, outside = 0;
        uint64_t earliest = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t st = get_state(i);
            if (st == LST_SCHED_RUNNABLE && wants_busy_mutex(i)) {
                if (nb < MAX_ENABLED)
                    busy[nb++] = i;
            } else if (st == LST_SCHED_RUNNABLE && ne < MAX_ENABLED)
                e[ne++] = i;
            else if (st == LST_SCHED_OUTSIDE)
                outside++;
            else if ((st == LST_SCHED_SLEEPING || st == LST_SCHED_BLOCKED) && S(i)->wake_ns &&
                     (!earliest || S(i)->wake_ns < earliest))
                earliest = S(i)->wake_ns;
        }
        if (ne)
            return choose_thread(e, ne);
        if (nb)
            return choose_thread(busy, nb);
        if (earliest) {
            lst_store->vclock_ns = earliest;
            continue;
        }
        if (outside) { /* a thread outside our calls may still wake the others */
            lst_sleep_ms(1);
            continue;
        }
        sched_end(LST_SF_DEADLOCK, "deadlock: every thread is blocked (scheduler)");
    }
}

/* Gives the baton to thread next: wakes it only if it sleeps in FUTEX_WAIT. */
static void hand_to(uint32_t next)
{
    atomic_store(&lst_store->sched_current, next);
    if (atomic_exchange_explicit(&S(next)->turn, TURN_GO, memory_order_release) == TURN_ASLEEP)
        futex_wake(&S(next)->turn);
}

/* Waits until this thread is handed the baton. While waiting, watches the holder: if no step
 * happens for outside_ms, the holder is blocked outside our calls; take the baton over. */
static void wait_turn(uint32_t me)
{
    lst_sched_rec *s = S(me);
    /* the clock is read only once a wait timed out: a quick handover costs no clock read */
    uint64_t last_steps = 0, since = 0;
    for (;;) {
        uint32_t t = TURN_WAIT;
        if (atomic_compare_exchange_strong(&s->turn, &t, TURN_ASLEEP) || t == TURN_ASLEEP)
            futex_wait(&s->turn, TURN_ASLEEP, 100);
        if (atomic_load_explicit(&s->turn, memory_order_acquire) == TURN_GO)
            break;
        uint64_t steps = atomic_load(&lst_store->sched_steps);
        uint64_t now = lst_now_ms();
        if (!since || steps != last_steps) {
            last_steps = steps;
            since = now;
            continue;
        }
        if (now - since < (lst_opt.outside_ms ? lst_opt.outside_ms : 1000))
            continue;
        uint32_t holder = atomic_load(&lst_store->sched_current);
        if (holder == me || get_state(holder) != LST_SCHED_RUNNABLE)
            continue;
        if (!atomic_compare_exchange_strong(&lst_store->sched_current, &holder, me))
            continue;
        set_state(holder, LST_SCHED_OUTSIDE);
        flag(LST_SF_NOT_REPLAYABLE);
        uint32_t next = pick_next();
        if (next == me)
            break;
        hand_to(next);
        since = now;
    }
    atomic_store_explicit(&s->turn, TURN_WAIT, memory_order_relaxed);
    atomic_store(&lst_store->sched_current, me);
}

/* Hands the baton to next and, unless it is ours again or we are leaving, waits for it. */
static void switch_to(uint32_t me, uint32_t next, int leaving)
{
    if (next == me && !leaving)
        return;
    hand_to(next);
    if (!leaving)
        wait_turn(me);
}

/* Called at every entry: a thread that was running free (OUTSIDE) rejoins the schedule. */
static int rejoin(uint32_t me)
{
    if (get_state(me) != LST_SCHED_OUTSIDE)
        return 0;
    set_state(me, LST_SCHED_RUNNABLE);
    wait_turn(me);
    return 1;
}

/* ---- the interface --------------------------------------------------------------------- */

static void pct_setup(void)
{
    uint32_t d = lst_opt.pct_depth ? lst_opt.pct_depth : 1;
    if (d > 32)
        d = 32;
    uint32_t k = lst_opt.pct_steps ? lst_opt.pct_steps : 1;
    pct_nchange = d - 1;
    for (uint32_t i = 0; i < pct_nchange; i++)
        pct_change[i] = 1 + next_rand() % k;
}

/* pin=1: keeps the scheduled process on the CPU it runs on now. Its threads run one at a
 * time, so one CPU loses no parallelism, and every handover of the baton stays on that CPU:
 * waking a thread that sleeps on an idle vCPU costs about 24 us of wall time on this kind of
 * VM, against about 3 us on the same CPU. Threads inherit the mask from their creator. */
static void pin_cpu(void)
{
    int cpu = sched_getcpu();
    cpu_set_t one;
    if (cpu < 0 || cpu >= CPU_SETSIZE || !lst_real.sched_getaffinity ||
        !lst_real.sched_setaffinity ||
        lst_real.sched_getaffinity(0, sizeof unpinned, &unpinned) != 0)
        return;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pinned = lst_real.sched_setaffinity(0, sizeof one, &one) == 0;
}

int lst_sched_hide_pin(cpu_set_t *set, size_t size)
{
    if (!pinned || atomic_load(&pin_overridden) || !set)
        return 0;
    memset(set, 0, size);
    memcpy(set, &unpinned, size < sizeof unpinned ? size : sizeof unpinned);
    return 1;
}

void lst_sched_pin_overridden(void)
{
    atomic_store(&pin_overridden, 1);
}

static void assign_prio(uint32_t idx)
{
    /* initial priorities lie above every change-point priority (1..d-1) */
    S(idx)->prio = 64 + (next_rand() >> 8);
}

void lst_sched_init(void)
{
    if (!lst_opt.sched || !lst_store || lst_self.idx != 0)
        return;
    if (lst_opt.sched_pid && (pid_t)lst_opt.sched_pid != getpid())
        return;
    rng = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)lst_opt.seed * 0xbf58476d1ce4e5b9ULL);
    for (int i = 0; i < 8; i++)
        next_rand();
    pct = strcmp(lst_opt.strategy, "pct") == 0;
    if (pct)
        pct_setup();
    if (lst_opt.replay && *lst_opt.replay) {
        int fd = open(lst_opt.replay, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size >= 16) {
            void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (m != MAP_FAILED && memcmp(m, "LSTCHO1", 8) == 0) {
                const uint32_t *w = m;
                replay_n = w[2];
                if ((uint64_t)replay_n * 4 + 16 > (uint64_t)st.st_size)
                    replay_n = (uint32_t)((st.st_size - 16) / 4);
                replay_v = w + 4;
                replaying = 1;
            } else {
                lst_say4("cannot read the replay choices ", lst_opt.replay, "", -1);
            }
        } else {
            lst_say4("cannot open the replay choices ", lst_opt.replay, "", -1);
        }
        if (fd >= 0)
            close(fd);
    }
    if (lst_opt.pin)
        pin_cpu();
    lst_store->sched_on = 1;
    set_state(0, LST_SCHED_RUNNABLE);
    assign_prio(0);
    atomic_store(&lst_store->sched_current, 0);
    lst_sched_enabled = 1;
}

void lst_sched_point(uint32_t op, uint64_t obj)
{
    uint32_t me = (uint32_t)lst_self.idx;
    if (rejoin(me))
        return;
    lst_store_hdr *h = lst_store;
    /* only the baton holder counts: no read-modify-write needed */
    uint64_t steps = atomic_load_explicit(&h->sched_steps, memory_order_relaxed) + 1;
    atomic_store_explicit(&h->sched_steps, steps, memory_order_release);
    uint64_t x = h->sched_hash ? h->sched_hash : 0xcbf29ce484222325ULL;
    uint64_t v[3] = {me, op, obj};
    for (int i = 0; i < 3; i++)
        x = (x ^ v[i]) * 0x100000001b3ULL;
    h->sched_hash = x;
    if (steps <= h->trace_cap) {
        lst_step_rec *st = &lst_st_steps(h)[steps - 1];
        st->thread = me;
        st->op = op;
        st->obj = obj;
    }
    h->vclock_ns += STEP_NS;
    if (lst_opt.max_steps && steps > lst_opt.max_steps)
        sched_end(LST_SF_HANG, "hang: the step bound was exceeded (livelock?)");
    for (uint32_t i = 0; pct && i < pct_nchange; i++)
        if (pct_change[i] == steps)
            S(me)->prio = i + 1;
    switch_to(me, pick_next(), 0);
}

uint32_t lst_sched_block(uint32_t kind, uint64_t obj, uint32_t lock, uint64_t deadline_ns)
{
    uint32_t me = (uint32_t)lst_self.idx;
    lst_sched_rec *s = S(me);
    lst_thread_rec *r = lst_self.rec;
    s->block_kind = kind;
    s->block_obj = obj;
    s->wake_ns = deadline_ns;
    s->wake_reason = LST_WAKE_NONE;
    if (kind == LST_WAIT_COND)
        s->cond_seq = ++cond_seq;
    /* published like a real wait, so a deadlock report shows where everyone waits */
    atomic_store(&r->wait_obj, obj);
    atomic_store(&r->wait_lock, lock);
    atomic_store(&r->wait_stack, lst_stack_capture());
    atomic_fetch_add(&r->wait_seq, 1);
    atomic_store(&r->wait_kind, deadline_ns ? LST_WAIT_NONE : kind);
    int holder = get_state(me) != LST_SCHED_OUTSIDE;
    set_state(me, LST_SCHED_BLOCKED);
    if (holder)
        switch_to(me, pick_next(), 0);
    else
        wait_turn(me);
    atomic_store(&r->wait_kind, LST_WAIT_NONE);
    return s->wake_reason;
}

void lst_sched_cancel(int32_t idx)
{
    if (idx < 0 || (uint32_t)idx >= thread_count() || get_state((uint32_t)idx) != LST_SCHED_BLOCKED)
        return;
    uint32_t k = S((uint32_t)idx)->block_kind;
    if (k == LST_WAIT_COND || k == LST_WAIT_SEM || k == LST_WAIT_JOIN)
        wake_thread((uint32_t)idx, LST_WAKE_CANCEL);
}

uint32_t lst_sched_wake(uint32_t kind, uint64_t obj, int one)
{
    static uint32_t w[MAX_ENABLED];
    if (!atomic_load_explicit(&nparked, memory_order_relaxed))
        return 0;
    uint32_t n = thread_count(), nw = 0;
    int lockish = kind == LST_WAIT_MUTEX || kind == LST_WAIT_RDLOCK || kind == LST_WAIT_WRLOCK;
    for (uint32_t i = 0; i < n && nw < MAX_ENABLED; i++) {
        if (get_state(i) != LST_SCHED_BLOCKED || S(i)->block_obj != obj)
            continue;
        uint32_t bk = S(i)->block_kind;
        int match = bk == kind || (lockish && (bk == LST_WAIT_MUTEX || bk == LST_WAIT_RDLOCK ||
                                               bk == LST_WAIT_WRLOCK));
        if (match)
            w[nw++] = i;
    }
    if (!nw)
        return 0;
    if (!one) {
        for (uint32_t i = 0; i < nw; i++)
            wake_thread(w[i], LST_WAKE_SIGNAL);
        return nw;
    }
    /* which waiter a signal wakes is a choice; list them in arrival order */
    for (uint32_t i = 1; i < nw; i++)
        for (uint32_t j = i; j > 0 && S(w[j])->cond_seq < S(w[j - 1])->cond_seq; j--) {
            uint32_t t = w[j];
            w[j] = w[j - 1];
            w[j - 1] = t;
        }
    uint32_t c = nw > 1 ? choose_n(LST_CHOICE_WAKE, nw) : 0;
    wake_thread(w[c], LST_WAKE_SIGNAL);
    return 1;
}

void lst_sched_sleep(uint64_t ns)
{
    uint32_t me = (uint32_t)lst_self.idx;
    if (rejoin(me))
        return;
    lst_sched_point(LST_OP_SLEEP, 0);
    S(me)->wake_ns = lst_store->vclock_ns + (ns ? ns : 1);
    set_state(me, LST_SCHED_SLEEPING);
    switch_to(me, pick_next(), 0);
}

void lst_sched_thread_created(int32_t idx)
{
    lst_sched_rec *s = S((uint32_t)idx);
    atomic_store(&s->turn, TURN_WAIT);
    s->wake_ns = 0;
    assign_prio((uint32_t)idx);
    set_state((uint32_t)idx, LST_SCHED_RUNNABLE);
}

void lst_sched_thread_start(void)
{
    wait_turn((uint32_t)lst_self.idx);
}

void lst_sched_thread_exit(void)
{
    uint32_t me = (uint32_t)lst_self.idx;
    if (get_state(me) == LST_SCHED_EXITED)
        return;
    if (get_state(me) == LST_SCHED_OUTSIDE) {
        set_state(me, LST_SCHED_RUNNABLE);
        wait_turn(me);
    }
    lst_sched_point(LST_OP_EXIT, 0);
    set_state(me, LST_SCHED_EXITED);
    lst_sched_wake(LST_WAIT_JOIN, me, 0);
    switch_to(me, pick_next(), 1);
}

void lst_sched_thread_exit_failed(int32_t idx)
{
    set_state((uint32_t)idx, LST_SCHED_EXITED);
}

int lst_sched_thread_done(int32_t idx)
{
    return get_state((uint32_t)idx) == LST_SCHED_EXITED;
}

uint64_t lst_sched_deadline(const struct timespec *abs)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t left = ((int64_t)abs->tv_sec - now.tv_sec) * 1000000000LL + (abs->tv_nsec - now.tv_nsec);
    if (left > (int64_t)1 << 50) { /* a CLOCK_MONOTONIC deadline: measure against that */
        clock_gettime(CLOCK_MONOTONIC, &now);
        left = ((int64_t)abs->tv_sec - now.tv_sec) * 1000000000LL + (abs->tv_nsec - now.tv_nsec);
    }
    if (left < 0)
        left = 0;
    left = (left + 999999) / 1000000 * 1000000; /* whole ms: real time read is not replayable */
    return lst_store->vclock_ns + (uint64_t)left + 1;
}

void lst_sched_fork_child(void)
{
    if (pinned && !atomic_load(&pin_overridden) && lst_real.sched_setaffinity)
        lst_real.sched_setaffinity(0, sizeof unpinned, &unpinned); /* a forked child runs free */
    pinned = 0;
    lst_sched_enabled = 0;
    if (lst_store)
        lst_store->sched_on = 0;
}

void lst_sched_want_mutex(pthread_mutex_t *m)
{
    uint32_t me = (uint32_t)lst_self.idx;
    if (me < MAX_WANT)
        want_mutex[me] = (uintptr_t)m;
}

int lst_sched_lock(struct lst_acq *a, void *obj, uint32_t wait_kind, int (*try)(void *),
                   const struct timespec *abs)
{
    uint64_t deadline = abs ? lst_sched_deadline(abs) : 0;
    int mutex = a->kind == LST_LOCK_MUTEX || a->kind == LST_LOCK_RECURSIVE ||
                a->kind == LST_LOCK_ERRORCHECK;
    int rc;
    for (;;) {
        rc = try(obj);
        if (rc != EBUSY)
            break;
        if (mutex)
            lst_sched_want_mutex(obj);
        if (lst_sched_block(wait_kind, (uintptr_t)obj, a->lock, deadline) == LST_WAKE_TIMEOUT) {
            rc = ETIMEDOUT;
            break;
        }
    }
    lst_sched_want_mutex(NULL);
    return rc;
}
