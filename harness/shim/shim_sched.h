/* shim_sched.h: the deterministic scheduler. In serialized mode exactly one thread of the
 * target runs between scheduling points; at each point the strategy (random or PCT, seeded)
 * picks the next thread among the enabled ones, and every choice is recorded in the store's
 * trace, from which the CLI writes a schedule file that replays the run exactly. The baton
 * is handed over with a futex per thread and atomics, never with pthread primitives, so a
 * ThreadSanitizer build still sees every real race. Blocking operations are modelled: a
 * thread never blocks in libc while it holds the baton. Sleeps use a virtual clock. */
#ifndef LST_SHIM_SCHED_H
#define LST_SHIM_SCHED_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "shim.h"

/* 1 when this thread runs under the scheduler (serialized mode, scheduled process). */
extern int lst_sched_enabled LST_INTERNAL;
static inline int lst_sched_on(void)
{
    return lst_sched_enabled && lst_self.idx >= 0;
}

/* Sets the scheduler up at start-up (main thread holds the baton). */
void lst_sched_init(void) LST_INTERNAL;
/* A scheduling point before operation op on object obj (a lock id, thread index...): the
 * strategy may run other threads before this one continues. */
void lst_sched_point(uint32_t op, uint64_t obj) LST_INTERNAL;
/* Blocks this thread on (kind, obj) until lst_sched_wake() or, when deadline_ns != 0, the
 * virtual deadline passes. Returns the wake reason (LST_WAKE_*). lock: the awaited lock
 * instance or joined thread, for the reports. */
uint32_t lst_sched_block(uint32_t kind, uint64_t obj, uint32_t lock, uint64_t deadline_ns) LST_INTERNAL;
/* Makes the threads blocked on (kind, obj) runnable again: all of them, or (one != 0) the
 * one the strategy chooses. Returns how many were woken. */
uint32_t lst_sched_wake(uint32_t kind, uint64_t obj, int one) LST_INTERNAL;
/* Sleeps ns of virtual time. */
void lst_sched_sleep(uint64_t ns) LST_INTERNAL;
/* A new thread: its record is runnable; the creator keeps the baton. */
void lst_sched_thread_created(int32_t idx) LST_INTERNAL;
/* First thing a new thread does: wait until it is given the baton. */
void lst_sched_thread_start(void) LST_INTERNAL;
/* pthread_create failed after lst_sched_thread_created(): the record never runs. */
void lst_sched_thread_exit_failed(int32_t idx) LST_INTERNAL;
/* Last thing a thread does: wake its joiners and pass the baton on for good. */
void lst_sched_thread_exit(void) LST_INTERNAL;
/* 1 when thread idx has exited. */
int lst_sched_thread_done(int32_t idx) LST_INTERNAL;
/* Virtual deadline for an absolute CLOCK_REALTIME/MONOTONIC timespec given to a timed wait. */
uint64_t lst_sched_deadline(const struct timespec *abs) LST_INTERNAL;
/* Acquires a lock in serialized mode: try(); while busy, block on it until an unlock wakes
 * us (or the virtual deadline passes when abs != NULL: ETIMEDOUT). */
struct lst_acq;
int lst_sched_lock(struct lst_acq *a, void *obj, uint32_t wait_kind, int (*try)(void *),
                   const struct timespec *abs) LST_INTERNAL;
/* Names the mutex this thread will take as soon as it runs again (NULL: none): a condition
 * wait calls it before it blocks, so that once woken it is not picked while m is held. */
void lst_sched_want_mutex(pthread_mutex_t *m) LST_INTERNAL;
/* In a forked child: the child runs free (only the forking thread exists). */
void lst_sched_fork_child(void) LST_INTERNAL;

/* pin=1 is lockstep's, not the program's: while it holds, the program's own affinity queries
 * get the mask it had before (so a pool sized from sched_getaffinity is the same size as
 * without lockstep). Fills set (size bytes) and returns 1 while the pin holds; returns 0 when
 * the query must go to libc: no pin, or the program has set a mask of its own since. */
int lst_sched_hide_pin(cpu_set_t *set, size_t size) LST_INTERNAL;
/* The program sets an affinity mask itself: its queries see the real masks from then on. */
void lst_sched_pin_overridden(void) LST_INTERNAL;
/* pthread_cancel(thread idx) was called: if idx is blocked in a modelled wait that is a
 * cancellation point (condition variable, semaphore, join), it is woken with
 * LST_WAKE_CANCEL so that it reaches lst_sched_testcancel(). */
void lst_sched_cancel(int32_t idx) LST_INTERNAL;
/* A modelled wait is no cancellation point of libc's: acts on a pending pthread_cancel as
 * the real wait would (cleanup handlers run outside the shim; does not return then). */
static inline void lst_sched_testcancel(void)
{
    uint32_t d = lst_self.depth;
    lst_self.depth = 0;
    pthread_testcancel();
    lst_self.depth = d;
}

#endif
