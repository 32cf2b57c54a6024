/* shim_lockdep.h: lock bookkeeping inside the target. Each thread keeps the locks it holds
 * in its store record; every acquisition is looked up as a held-lock chain (one hash probe
 * once seen) and recorded before the thread blocks, so the CLI can rebuild the lock-order
 * graph even from a hung or killed target. A thread that stays blocked is checked for a
 * wait-for cycle and, when one is confirmed, lockstep reports the deadlock and ends the
 * target instead of letting it hang. */
#ifndef LST_SHIM_LOCKDEP_H
#define LST_SHIM_LOCKDEP_H

#include <stdint.h>
#include <time.h>

#include "shim.h"
#include "shim_store.h"

/* One acquisition in progress. */
typedef struct lst_acq {
    uintptr_t addr;
    uint32_t lock;  /* instance id, 0 when untracked */
    uint32_t kind;  /* LST_LOCK_* */
    uint32_t mode;  /* LST_MODE_* */
    uint64_t pc;    /* the caller's return address */
    uint32_t chain;
    uint32_t stack;
    uint64_t key;   /* chain key of the context once this lock is held (set with chain) */
    int held_at;    /* index in the held array if this thread already holds it, else -1 */
} lst_acq;

/* Starts an acquisition of the lock at addr: finds its identity and whether this thread
 * already holds it. A relock that can only hang (non-recursive mutex, write after read on an
 * rwlock) is reported as a self-deadlock and ends the target here. For blocking acquisitions
 * (try == 0) the chain is recorded now, before blocking. Returns 0 to go on, or 1 when the
 * acquisition is a recursive re-entry that makes no edge. */
int lst_acquire_begin(lst_acq *a, uintptr_t addr, uint32_t kind, uint32_t mode, uint64_t pc,
                      int try);
/* Completes a successful acquisition: pushes it on the held list (or counts the recursion). */
void lst_acquire_done(lst_acq *a);

/* Real-call adapters for lst_acquire_wait(). */
typedef int (*lst_try_fn)(void *obj);
typedef int (*lst_timed_fn)(void *obj, const struct timespec *abs);
typedef int (*lst_block_fn)(void *obj);

/* Acquires obj the blocking way: first try(); when busy, publishes the wait and blocks in
 * timed() slices, checking for a wait-for cycle between slices (or in block() when timed is
 * NULL or deadlock detection is off). Returns the real call's result. */
int lst_acquire_wait(lst_acq *a, void *obj, uint32_t wait_kind, lst_try_fn try,
                     lst_timed_fn timed, lst_block_fn block);

/* ---- fast paths (free-running threads) -------------------------------------------------
 * The common cases inline in the interceptor, with no call but the real one: a blocking
 * acquisition of a known lock that this thread does not hold yet, in a context whose chain
 * this thread has seen; and the release of the lock taken last. Anything else (a relock,
 * holes left by a non-owner unlock, many locks held, a full table) takes the general way. */
#define LST_FAST_HELD 8 /* held locks scanned inline for a relock */

/* Records and makes a blocking acquisition of obj with try() (the real trylock). Returns 0
 * when the lock was acquired and recorded; -1 when nothing was done and the caller must take
 * the general way (lst_acquire_begin); otherwise try()'s result, with *a filled: on EBUSY the
 * caller goes on with lst_acquire_wait() and lst_acquire_done(). The chain is recorded
 * before try(), so the edges exist before the thread can block. */
static inline __attribute__((always_inline)) int
lst_lock_fast(lst_acq *a, void *obj, uint32_t kind, uint32_t mode, uint64_t pc, lst_try_fn try)
{
    lst_thread_rec *rec = lst_self.rec;
    uint32_t n = atomic_load_explicit(&rec->nheld, memory_order_relaxed);
    if (LST_UNLIKELY(n >= LST_FAST_HELD || n >= lst_store->caps.held ||
                     atomic_load_explicit(&rec->holes, memory_order_relaxed)))
        return -1;
    uintptr_t addr = (uintptr_t)obj;
    uint32_t lock = lst_lock_get(addr, kind);
    if (LST_UNLIKELY(lock == 0))
        return -1;
    lst_held *held = lst_self.held;
    for (uint32_t i = 0; i < n; i++)
        if (atomic_load_explicit(&held[i].lock, memory_order_relaxed) == lock)
            return -1;
    uint64_t key = lst_chain_key(lst_self.key, lock, mode & LST_MODE_READ, pc);
    uint32_t stack;
    uint32_t chain = lst_chain_get(key, n ? held[n - 1].chain : 0, lock, mode, n, pc,
                                   (uint32_t)lst_self.idx, &stack);
    int rc = try(obj);
    if (LST_UNLIKELY(rc != 0)) {
        a->addr = addr;
        a->lock = lock;
        a->kind = kind;
        a->mode = mode;
        a->pc = pc;
        a->chain = chain;
        a->stack = stack;
        a->key = key;
        a->held_at = -1;
        return rc;
    }
    lst_held *h = &held[n];
    h->chain = chain;
    h->stack = stack;
    h->mode = (uint16_t)mode;
    h->recursion = 0;
    h->pc = pc;
    h->key = key;
    atomic_store_explicit(&h->lock, lock, memory_order_release);
    atomic_store_explicit(&rec->nheld, n + 1, memory_order_release);
    lst_self.key = key;
    return 0;
}

/* Records the release of the lock at addr when it is the one this thread took last, once, with
 * no hole below it. Returns 1 when done, 0 when the caller must call lst_release(). */
static inline __attribute__((always_inline)) int lst_release_fast(uintptr_t addr)
{
    lst_thread_rec *rec = lst_self.rec;
    uint32_t n = atomic_load_explicit(&rec->nheld, memory_order_relaxed);
    if (LST_UNLIKELY(n == 0))
        return 0;
    lst_held *top = &lst_self.held[n - 1];
    uint32_t lock = lst_lock_find(addr);
    if (LST_LIKELY(lock && atomic_load_explicit(&top->lock, memory_order_relaxed) == lock &&
                   top->recursion == 0 &&
                   (n == 1 || atomic_load_explicit(&top[-1].lock, memory_order_relaxed)))) {
        atomic_store_explicit(&top->lock, 0, memory_order_relaxed);
        atomic_store_explicit(&rec->nheld, n - 1, memory_order_release);
        lst_self.key = n > 1 ? top[-1].key : 0;
        return 1;
    }
    return 0;
}

/* Records a release of the lock at addr by this thread, before the real unlock. Reports an
 * unlock by a non-owner or of an unlocked lock as misuse. */
void lst_release(uintptr_t addr, uint32_t kind);

/* Condition waits: releases the mutex around the wait, and records its reacquisition (the
 * chain of the current context plus the mutex) before waiting. */
typedef struct lst_cond_ctx {
    lst_acq acq;
    int tracked;
} lst_cond_ctx;
void lst_cond_wait_begin(lst_cond_ctx *c, pthread_mutex_t *m, void *cond, uint64_t pc);
void lst_cond_wait_end(lst_cond_ctx *c);

/* Publishes / clears a non-lock wait (condvar, semaphore, barrier, join) for the watchdog
 * and the wait-for check. stack is where the thread waits (0: capture now). */
void lst_wait_begin(uint32_t wait_kind, uintptr_t obj, uint32_t target);
void lst_wait_end(void);

/* Checks, for a join that has been blocked a while, whether the joined thread waits for a
 * lock this thread holds; reports the deadlock and ends the target if so. */
void lst_check_join(void);

/* 1 when the calling thread holds the lock at addr. */
int lst_held_by_me(uintptr_t addr);

/* Lock destroy / re-init: reports a destroy while held (locked != 0), then, when the lock
 * really was destroyed or re-initialised (destroyed != 0), ends its identity. */
void lst_lock_destroyed(uintptr_t addr, int locked, int destroyed);

/* Thread exit and fork checks: a thread exiting with locks held, or fork while another
 * thread holds a lock, are misuse. */
void lst_thread_exiting(void);
void lst_fork_check(void);

#endif
