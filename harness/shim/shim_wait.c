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

#define RET_PC() ((uint64_t)(uintptr_t)__builtin_return_address(0))

LST_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    if (!lst_enter())
        return lst_real.cond_wait(c, m);
    int e = errno;
    lst_cond_ctx ctx;
    lst_cond_wait_begin(&ctx, m, c, RET_PC());
    int rc = lst_real.cond_wait(c, m);
    lst_cond_wait_end(&ctx);
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
                                      const struct timespec *abs)
{
    if (!lst_enter())
        return lst_real.cond_timedwait(c, m, abs);
    int e = errno;
    lst_cond_ctx ctx;
    lst_cond_wait_begin(&ctx, m, c, RET_PC());
    lst_wait_end(); /* a timed wait is not stuck */
    int rc = lst_real.cond_timedwait(c, m, abs);
    lst_cond_wait_end(&ctx);
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int pthread_cond_signal(pthread_cond_t *c)
{
    return lst_real.cond_signal ? lst_real.cond_signal(c) : (lst_init(), lst_real.cond_signal(c));
}

LST_EXPORT int pthread_cond_broadcast(pthread_cond_t *c)
{
    return lst_real.cond_broadcast ? lst_real.cond_broadcast(c)
                                   : (lst_init(), lst_real.cond_broadcast(c));
}

LST_EXPORT int sem_wait(sem_t *s)
{
    if (!lst_enter())
        return lst_real.sem_wait(s);
    int e = errno;
    int rc = lst_real.sem_trywait(s);
    if (rc != 0) {
        lst_wait_begin(LST_WAIT_SEM, (uintptr_t)s, 0);
        rc = lst_real.sem_wait(s);
        e = rc ? errno : e;
        lst_wait_end();
    }
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int sem_trywait(sem_t *s)
{
    if (!lst_real.sem_trywait)
        lst_init();
    return lst_real.sem_trywait(s);
}

LST_EXPORT int sem_timedwait(sem_t *s, const struct timespec *abs)
{
    if (!lst_real.sem_timedwait)
        lst_init();
    return lst_real.sem_timedwait(s, abs);
}

LST_EXPORT int sem_post(sem_t *s)
{
    if (!lst_real.sem_post)
        lst_init();
    return lst_real.sem_post(s);
}

LST_EXPORT int pthread_barrier_wait(pthread_barrier_t *b)
{
    if (!lst_enter())
        return lst_real.barrier_wait(b);
    int e = errno;
    lst_wait_begin(LST_WAIT_BARRIER, (uintptr_t)b, 0);
    int rc = lst_real.barrier_wait(b);
    lst_wait_end();
    errno = e;
    lst_leave();
    return rc;
}
