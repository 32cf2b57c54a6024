/* shim_wait.c: interceptors for the waits that have no owner: condition variables,
 * semaphores and barriers. They are not lock-order edges, but a thread blocked in one is
 * published in its record, so that the CLI's watchdog can tell when every live thread is
 * stuck (a lost wakeup) and show where each one waits. A condition wait releases and
 * reacquires its mutex, and the held-lock list follows it. Timed waits can end by
 * themselves, so they are not published as blocked. */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>

#include "shim.h"
#include "shim_lockdep.h"
#include "shim_sched.h"
#include "shim_store.h"

#define RET_PC() ((uint64_t)(uintptr_t)__builtin_return_address(0))

/* Serialized mode: the wait is modelled, never a real block while holding the baton. The
 * mutex is released, the thread blocks on the condvar until a signal (the strategy chooses
 * which waiter a signal wakes), an injected spurious wakeup, or its virtual deadline, then
 * it takes the mutex back like any lock. */
static int sched_cond_wait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abs,
                           uint64_t pc)
{
    lst_cond_ctx ctx;
    uint32_t lock = lst_lock_find((uintptr_t)m);
    lst_sched_point(LST_OP_COND_WAIT, lock);
    lst_cond_wait_begin(&ctx, m, c, pc);
    lst_wait_end();
    int rc = lst_real.mutex_unlock(m);
    if (rc != 0) {
        lst_cond_wait_end(&ctx);
        return rc;
    }
    lst_sched_wake(LST_WAIT_MUTEX, (uintptr_t)m, 0);
    lst_sched_want_mutex(m);
    uint32_t why = lst_sched_block(LST_WAIT_COND, (uintptr_t)c, lock, abs ? lst_sched_deadline(abs) : 0);
    lst_acq a = {.addr = (uintptr_t)m, .lock = lock};
    rc = lst_sched_lock(&a, m, LST_WAIT_MUTEX, (int (*)(void *))lst_real.mutex_trylock, NULL);
    lst_cond_wait_end(&ctx);
    if (rc == 0 && why == LST_WAKE_TIMEOUT)
        rc = ETIMEDOUT;
    return rc;
}

/* Free-running, the waits below are libc's own cancellation points. A cancellation unwinds
 * through the interceptor: these cleanup handlers finish the wait as a return would (libc
 * has taken the mutex back) and leave the shim, so the program's own cleanup handlers, which
 * typically unlock, are observed. */
static void cond_wait_cancelled(void *ctx)
{
    lst_cond_wait_end(ctx);
    lst_leave();
}

static void wait_cancelled(void *unused)
{
    (void)unused;
    lst_wait_end();
    lst_leave();
}

LST_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    if (!lst_enter())
        return lst_real.cond_wait(c, m);
    int e = errno;
    int rc;
    int sched = lst_sched_on();
    if (sched) {
        rc = sched_cond_wait(c, m, NULL, RET_PC());
    } else {
        lst_cond_ctx ctx;
        lst_cond_wait_begin(&ctx, m, c, RET_PC());
        pthread_cleanup_push(cond_wait_cancelled, &ctx);
        rc = lst_real.cond_wait(c, m);
        pthread_cleanup_pop(0);
        lst_cond_wait_end(&ctx);
    }
    errno = e;
    lst_leave();
    if (sched)
        lst_sched_testcancel(); /* with the mutex held again, as libc's */
    return rc;
}

LST_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
                                      const struct timespec *abs)
{
    if (!lst_enter())
        return lst_real.cond_timedwait(c, m, abs);
    int e = errno;
    int rc;
    int sched = lst_sched_on();
    if (sched) {
        rc = sched_cond_wait(c, m, abs, RET_PC());
    } else {
        lst_cond_ctx ctx;
        lst_cond_wait_begin(&ctx, m, c, RET_PC());
        lst_wait_end(); /* a timed wait is not stuck */
        pthread_cleanup_push(cond_wait_cancelled, &ctx);
        rc = lst_real.cond_timedwait(c, m, abs);
        pthread_cleanup_pop(0);
        lst_cond_wait_end(&ctx);
    }
    errno = e;
    lst_leave();
    if (sched)
        lst_sched_testcancel(); /* with the mutex held again, as libc's */
    return rc;
}

/* Wakes one (signal) or all (broadcast) waiters of c. */
static int cond_wake(pthread_cond_t *c, int one)
{
    if (!lst_enter())
        return one ? lst_real.cond_signal(c) : lst_real.cond_broadcast(c);
    int e = errno;
    if (lst_sched_on()) {
        lst_sched_point(one ? LST_OP_COND_SIGNAL : LST_OP_COND_BROADCAST, 0);
        lst_sched_wake(LST_WAIT_COND, (uintptr_t)c, one);
    }
    int rc = one ? lst_real.cond_signal(c) : lst_real.cond_broadcast(c);
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int pthread_cond_signal(pthread_cond_t *c)
{
    return cond_wake(c, 1);
}

LST_EXPORT int pthread_cond_broadcast(pthread_cond_t *c)
{
    return cond_wake(c, 0);
}

/* Serialized mode: try the semaphore, block on it while it is zero (until a post, or the
 * virtual deadline when abs != NULL). Returns like sem_wait. */
static int sched_sem_wait(sem_t *s, const struct timespec *abs)
{
    lst_sched_point(LST_OP_SEM_WAIT, 0);
    uint64_t deadline = abs ? lst_sched_deadline(abs) : 0;
    for (;;) {
        if (lst_real.sem_trywait(s) == 0)
            return 0;
        if (errno != EAGAIN)
            return -1;
        uint32_t why = lst_sched_block(LST_WAIT_SEM, (uintptr_t)s, 0, deadline);
        if (why == LST_WAKE_TIMEOUT) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (why == LST_WAKE_CANCEL)
            lst_sched_testcancel();
    }
}

LST_EXPORT int sem_wait(sem_t *s)
{
    if (!lst_enter())
        return lst_real.sem_wait(s);
    int e = errno;
    int rc;
    if (lst_sched_on()) {
        rc = sched_sem_wait(s, NULL);
    } else {
        rc = lst_real.sem_trywait(s);
        if (rc != 0) {
            lst_wait_begin(LST_WAIT_SEM, (uintptr_t)s, 0);
            pthread_cleanup_push(wait_cancelled, NULL);
            rc = lst_real.sem_wait(s);
            pthread_cleanup_pop(0);
            lst_wait_end();
        }
    }
    e = rc ? errno : e;
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int sem_timedwait(sem_t *s, const struct timespec *abs)
{
    if (!lst_enter())
        return lst_real.sem_timedwait(s, abs);
    int e = errno;
    int rc;
    if (lst_sched_on()) {
        rc = sched_sem_wait(s, abs);
    } else {
        pthread_cleanup_push(wait_cancelled, NULL);
        rc = lst_real.sem_timedwait(s, abs);
        pthread_cleanup_pop(0);
    }
    e = rc ? errno : e;
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int sem_trywait(sem_t *s)
{
    if (!lst_enter())
        return lst_real.sem_trywait(s);
    if (lst_sched_on())
        lst_sched_point(LST_OP_SEM_WAIT, 0);
    int rc = lst_real.sem_trywait(s);
    lst_leave();
    return rc;
}

LST_EXPORT int sem_post(sem_t *s)
{
    if (!lst_enter())
        return lst_real.sem_post(s);
    if (lst_sched_on())
        lst_sched_point(LST_OP_SEM_POST, 0);
    int rc = lst_real.sem_post(s);
    int e = errno;
    if (rc == 0 && lst_sched_on())
        lst_sched_wake(LST_WAIT_SEM, (uintptr_t)s, 0);
    errno = e;
    lst_leave();
    return rc;
}

/* Serialized mode barriers: arrivals are counted here (glibc's own count is read from the
 * barrier), the last arrival releases the others; the real barrier is never waited on. */
#define MAX_BARRIERS 256
static struct {
    uintptr_t addr;
    unsigned arrived, round;
} barriers[MAX_BARRIERS];

static int sched_barrier_wait(pthread_barrier_t *b)
{
    lst_sched_point(LST_OP_BARRIER, 0);
    unsigned count = ((const unsigned *)(const void *)b)[2]; /* glibc: in, round, count */
    int i = 0;
    while (i < MAX_BARRIERS && barriers[i].addr && barriers[i].addr != (uintptr_t)b)
        i++;
    if (i == MAX_BARRIERS) {
        lst_limit_hit(LST_LIMIT_EVENTS, "too many barriers in serialized mode", "(fixed)", MAX_BARRIERS);
        return lst_real.barrier_wait(b);
    }
    barriers[i].addr = (uintptr_t)b;
    if (++barriers[i].arrived >= count) {
        barriers[i].arrived = 0;
        barriers[i].round++;
        lst_sched_wake(LST_WAIT_BARRIER, (uintptr_t)b, 0);
        return PTHREAD_BARRIER_SERIAL_THREAD;
    }
    unsigned round = barriers[i].round;
    while (barriers[i].round == round)
        lst_sched_block(LST_WAIT_BARRIER, (uintptr_t)b, 0, 0);
    return 0;
}

LST_EXPORT int pthread_barrier_wait(pthread_barrier_t *b)
{
    if (!lst_enter())
        return lst_real.barrier_wait(b);
    int e = errno;
    int rc;
    if (lst_sched_on()) {
        rc = sched_barrier_wait(b);
    } else {
        lst_wait_begin(LST_WAIT_BARRIER, (uintptr_t)b, 0);
        rc = lst_real.barrier_wait(b);
        lst_wait_end();
    }
    errno = e;
    lst_leave();
    return rc;
}
