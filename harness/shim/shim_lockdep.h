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
#include "shim_sched.h"
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
    uint64_t ctx;   /* chain key of the context the chain was looked up in */
    uint32_t ep;    /* lst_lock_epoch + 1 read before the lock id was looked up */
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
 * The blocking lock and the unlock of mutexes, spinlocks and rwlocks share one body each,
 * inline in the interceptor. The common cases need no call but the real one and touch
 * neither errno nor a stack frame beyond the real call's: a blocking acquisition whose
 * (context, lock, call site) this thread has made before (one acquisition-cache probe, see
 * shim_store.h: the chain exists, and the lock is not held by this thread), and the release
 * of the lock taken last. Everything else (a first acquisition, a relock, a recursion, holes
 * left by a non-owner unlock, a busy lock, the scheduler) goes the general way, in a
 * separate function that saves and restores errno. */

/* How to take and release one type of lock: the real calls and the kinds. */
typedef struct lst_lock_ops {
    lst_try_fn try;
    lst_timed_fn timed; /* NULL: no timed variant */
    lst_block_fn block;
    int (*unlock)(void *obj);
    uint32_t (*kind)(void *obj); /* LST_LOCK_* of obj */
    uint32_t cls;                /* lst_kind_class() of that kind */
    uint32_t mode;               /* LST_MODE_WRITE or LST_MODE_READ */
    uint32_t wait_kind;          /* LST_WAIT_* of a blocked acquisition (unlock: whom to wake) */
} lst_lock_ops;

/* The general ways (entered: the caller has already entered the shim). */
int lst_lock_general(void *obj, uint64_t pc, const lst_lock_ops *ops, int entered)
    __attribute__((noinline));
int lst_lock_busy(void *obj, uint64_t pc, const lst_lock_ops *ops, int rc)
    __attribute__((noinline));
int lst_lock_taken(void *obj, uint64_t pc, const lst_lock_ops *ops) __attribute__((noinline));
int lst_unlock_general(void *obj, const lst_lock_ops *ops, int entered) __attribute__((noinline));

/* Enters the shim for a fast path: a registered thread, a mapped store, no scheduler, not
 * inside the shim already. Returns 0 when the caller must take the general way instead. */
static inline __attribute__((always_inline)) int lst_fast_enter(void)
{
    if (LST_UNLIKELY(lst_self.depth != 0 || lst_self.rec == NULL || lst_store == NULL ||
                     lst_sched_enabled))
        return 0;
    lst_self.depth = 1;
    return 1;
}

/* A blocking acquisition of obj (pthread_mutex_lock, pthread_spin_lock, pthread_rwlock_rdlock
 * or _wrlock): takes it and records it. Returns the real result. The real trylock comes
 * first: it cannot block, and once it succeeded nothing can, so the edges still exist before
 * the thread could block (a busy lock is recorded before lst_lock_busy() waits). The cache
 * probe then runs after the trylock's atomic instruction, in parallel with the rest, instead
 * of delaying it. */
static inline __attribute__((always_inline)) int lst_lock_blocking(void *obj, uint64_t pc,
                                                                   const lst_lock_ops *ops)
{
    if (LST_UNLIKELY(!lst_fast_enter()))
        return lst_lock_general(obj, pc, ops, 0);
    int rc = ops->try(obj);
    if (LST_UNLIKELY(rc != 0))
        return lst_lock_busy(obj, pc, ops, rc);
    const lst_acache_ent *e =
        lst_acache_find(lst_self.key, (uintptr_t)obj, ops->cls, ops->mode, pc);
    lst_thread_rec *rec = lst_self.rec;
    if (LST_UNLIKELY(!e || atomic_load_explicit(&rec->holes, memory_order_relaxed)))
        return lst_lock_taken(obj, pc, ops);
    uint32_t n = atomic_load_explicit(&rec->nheld, memory_order_relaxed);
    /* three 16-byte stores instead of one per field: every store before the next atomic
     * instruction (the real unlock) has to drain first */
    __builtin_memcpy(&lst_self.held[n], &e->img, sizeof(lst_held));
    atomic_store_explicit(&rec->nheld, n + 1, memory_order_release);
    lst_self.key = e->img.key;
    lst_self.depth = 0;
    return 0;
}

/* An unlock of obj: records the release, then makes the real one (a tail call on the fast
 * path: the release is recorded before the lock is free). Returns the real result. */
static inline __attribute__((always_inline)) int lst_unlock_fast(void *obj, const lst_lock_ops *ops)
{
    if (LST_UNLIKELY(!lst_fast_enter()))
        return lst_unlock_general(obj, ops, 0);
    lst_thread_rec *rec = lst_self.rec;
    uint32_t n = atomic_load_explicit(&rec->nheld, memory_order_relaxed);
    if (LST_LIKELY(n != 0)) {
        lst_held *top = &lst_self.held[n - 1];
        if (LST_LIKELY(
                top->addr == (uintptr_t)obj &&
                top->epoch == atomic_load_explicit(&lst_lock_epoch, memory_order_acquire) + 1 &&
                atomic_load_explicit(&top->lock, memory_order_relaxed) != 0 &&
                top->recursion == 0 &&
                (n == 1 || atomic_load_explicit(&top[-1].lock, memory_order_relaxed) != 0))) {
            atomic_store_explicit(&top->lock, 0, memory_order_relaxed);
            atomic_store_explicit(&rec->nheld, n - 1, memory_order_release);
            lst_self.key = n > 1 ? top[-1].key : 0;
            lst_self.depth = 0;
            return ops->unlock(obj);
        }
    }
    return lst_unlock_general(obj, ops, 1);
}

/* Records the release of the lock at addr when it is the one this thread took last, once, with
 * no hole below it. Returns 1 when done, 0 when the caller must call lst_release(). */
static inline int lst_release_fast(uintptr_t addr)
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
