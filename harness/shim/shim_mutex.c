/* shim_mutex.c: interceptors for pthread mutexes (normal, recursive, errorcheck, and those
 * set up with PTHREAD_MUTEX_INITIALIZER and never initialised) and spinlocks. Each has the
 * same shape: enter the guard (or pass straight to libc), record, call the real function,
 * record its success, restore errno, return libc's result. */
#define _GNU_SOURCE
#include <pthread.h>

#include "shim.h"
#include "shim_lockdep.h"
#include "shim_sched.h"
#include "shim_store.h"

#define RET_PC() ((uint64_t)(uintptr_t)__builtin_return_address(0))

/* The mutex type, from glibc's own field (so statically initialised mutexes work too). */
static uint32_t mutex_kind(pthread_mutex_t *m)
{
    switch (m->__data.__kind & 3) {
    case PTHREAD_MUTEX_RECURSIVE:
        return LST_LOCK_RECURSIVE;
    case PTHREAD_MUTEX_ERRORCHECK:
        return LST_LOCK_ERRORCHECK;
    default:
        return LST_LOCK_MUTEX;
    }
}

static int try_mutex(void *o)
{
    return lst_real.mutex_trylock(o);
}
static int timed_mutex(void *o, const struct timespec *abs)
{
    return lst_real.mutex_timedlock(o, abs);
}
static int block_mutex(void *o)
{
    return lst_real.mutex_lock(o);
}

LST_EXPORT int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
    if (!lst_enter())
        return lst_real.mutex_init(m, attr);
    int e = errno;
    int rc = lst_real.mutex_init(m, attr);
    lst_lock_destroyed((uintptr_t)m, 0, rc == 0); /* a fresh mutex at this address is a new lock */
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m)
{
    if (!lst_enter())
        return lst_real.mutex_destroy(m);
    int e = errno;
    /* held by us (a recursive mutex would let our trylock succeed), or by anyone */
    int locked = lst_held_by_me((uintptr_t)m);
    if (!locked && lst_real.mutex_trylock(m) == 0)
        lst_real.mutex_unlock(m);
    else
        locked = 1;
    int rc = lst_real.mutex_destroy(m);
    lst_lock_destroyed((uintptr_t)m, locked, rc == 0);
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
    if (!lst_enter())
        return lst_real.mutex_lock(m);
    int e = errno;
    lst_acq a;
    int rc;
    if (LST_LIKELY(!lst_sched_on())) {
        rc = lst_lock_fast(&a, m, mutex_kind(m), LST_MODE_WRITE, RET_PC(), try_mutex);
        if (rc == EBUSY && (rc = lst_acquire_wait(&a, m, LST_WAIT_MUTEX, try_mutex, timed_mutex,
                                                  block_mutex)) == 0)
            lst_acquire_done(&a);
        if (rc >= 0)
            goto out;
    }
    int re = lst_acquire_begin(&a, (uintptr_t)m, mutex_kind(m), LST_MODE_WRITE, RET_PC(), 0);
    if (lst_sched_on())
        lst_sched_point(LST_OP_LOCK, a.lock);
    if (re)
        rc = lst_real.mutex_lock(m); /* recursive re-entry, or libc's own error */
    else if (lst_sched_on())
        rc = lst_sched_lock(&a, m, LST_WAIT_MUTEX, try_mutex, NULL);
    else
        rc = lst_acquire_wait(&a, m, LST_WAIT_MUTEX, try_mutex, timed_mutex, block_mutex);
    if (rc == 0)
        lst_acquire_done(&a);
out:
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
    if (!lst_enter())
        return lst_real.mutex_trylock(m);
    int e = errno;
    lst_acq a;
    lst_acquire_begin(&a, (uintptr_t)m, mutex_kind(m), LST_MODE_WRITE | LST_MODE_TRY, RET_PC(), 1);
    if (lst_sched_on())
        lst_sched_point(LST_OP_TRYLOCK, a.lock);
    int rc = lst_real.mutex_trylock(m);
    if (rc == 0)
        lst_acquire_done(&a);
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abs)
{
    if (!lst_enter())
        return lst_real.mutex_timedlock(m, abs);
    int e = errno;
    lst_acq a;
    lst_acquire_begin(&a, (uintptr_t)m, mutex_kind(m), LST_MODE_WRITE | LST_MODE_TRY, RET_PC(), 1);
    int rc;
    if (lst_sched_on()) {
        lst_sched_point(LST_OP_LOCK, a.lock);
        rc = a.held_at >= 0 ? lst_real.mutex_trylock(m)
                            : lst_sched_lock(&a, m, LST_WAIT_MUTEX, try_mutex, abs);
    } else {
        rc = lst_real.mutex_timedlock(m, abs);
    }
    if (rc == 0)
        lst_acquire_done(&a);
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
    if (!lst_enter())
        return lst_real.mutex_unlock(m);
    int e = errno;
    if (lst_sched_on())
        lst_sched_point(LST_OP_UNLOCK, lst_lock_find((uintptr_t)m));
    if (!lst_release_fast((uintptr_t)m))
        lst_release((uintptr_t)m, mutex_kind(m));
    int rc = lst_real.mutex_unlock(m);
    if (lst_sched_on())
        lst_sched_wake(LST_WAIT_MUTEX, (uintptr_t)m, 0);
    errno = e;
    lst_leave();
    return rc;
}

/* ---- spinlocks ------------------------------------------------------------------------ */

static int try_spin(void *o)
{
    return lst_real.spin_trylock(o);
}
static int timed_spin(void *o, const struct timespec *abs)
{
    struct timespec now;
    for (;;) {
        if (lst_real.spin_trylock(o) == 0)
            return 0;
        clock_gettime(CLOCK_REALTIME, &now);
        if (now.tv_sec > abs->tv_sec || (now.tv_sec == abs->tv_sec && now.tv_nsec >= abs->tv_nsec))
            return ETIMEDOUT;
        __builtin_ia32_pause();
    }
}
static int block_spin(void *o)
{
    return lst_real.spin_lock(o);
}

LST_EXPORT int pthread_spin_init(pthread_spinlock_t *s, int pshared)
{
    if (!lst_enter())
        return lst_real.spin_init(s, pshared);
    int e = errno;
    int rc = lst_real.spin_init(s, pshared);
    lst_lock_destroyed((uintptr_t)s, 0, rc == 0);
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int pthread_spin_destroy(pthread_spinlock_t *s)
{
    if (!lst_enter())
        return lst_real.spin_destroy(s);
    int e = errno;
    int locked = *(volatile int *)s != 0;
    int rc = lst_real.spin_destroy(s);
    lst_lock_destroyed((uintptr_t)s, locked, rc == 0);
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int pthread_spin_lock(pthread_spinlock_t *s)
{
    if (!lst_enter())
        return lst_real.spin_lock(s);
    int e = errno;
    lst_acq a;
    int rc;
    if (LST_LIKELY(!lst_sched_on())) {
        rc = lst_lock_fast(&a, (void *)s, LST_LOCK_SPIN, LST_MODE_WRITE, RET_PC(), try_spin);
        if (rc == EBUSY && (rc = lst_acquire_wait(&a, (void *)s, LST_WAIT_MUTEX, try_spin,
                                                  timed_spin, block_spin)) == 0)
            lst_acquire_done(&a);
        if (rc >= 0)
            goto out;
    }
    int re = lst_acquire_begin(&a, (uintptr_t)s, LST_LOCK_SPIN, LST_MODE_WRITE, RET_PC(), 0);
    if (lst_sched_on())
        lst_sched_point(LST_OP_LOCK, a.lock);
    if (re)
        rc = lst_real.spin_lock(s);
    else if (lst_sched_on())
        rc = lst_sched_lock(&a, (void *)s, LST_WAIT_MUTEX, try_spin, NULL);
    else
        rc = lst_acquire_wait(&a, (void *)s, LST_WAIT_MUTEX, try_spin, timed_spin, block_spin);
    if (rc == 0)
        lst_acquire_done(&a);
out:
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int pthread_spin_trylock(pthread_spinlock_t *s)
{
    if (!lst_enter())
        return lst_real.spin_trylock(s);
    int e = errno;
    lst_acq a;
    lst_acquire_begin(&a, (uintptr_t)s, LST_LOCK_SPIN, LST_MODE_WRITE | LST_MODE_TRY, RET_PC(), 1);
    if (lst_sched_on())
        lst_sched_point(LST_OP_TRYLOCK, a.lock);
    int rc = lst_real.spin_trylock(s);
    if (rc == 0)
        lst_acquire_done(&a);
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int pthread_spin_unlock(pthread_spinlock_t *s)
{
    if (!lst_enter())
        return lst_real.spin_unlock(s);
    int e = errno;
    if (lst_sched_on())
        lst_sched_point(LST_OP_UNLOCK, lst_lock_find((uintptr_t)s));
    if (!lst_release_fast((uintptr_t)s))
        lst_release((uintptr_t)s, LST_LOCK_SPIN);
    int rc = lst_real.spin_unlock(s);
    if (lst_sched_on())
        lst_sched_wake(LST_WAIT_MUTEX, (uintptr_t)s, 0);
    errno = e;
    lst_leave();
    return rc;
}
