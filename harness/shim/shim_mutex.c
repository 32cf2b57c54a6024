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
static int unlock_mutex(void *o)
{
    return lst_real.mutex_unlock(o);
}
static uint32_t kind_mutex(void *o)
{
    return mutex_kind(o);
}
static const lst_lock_ops mutex_ops = {try_mutex,  timed_mutex, block_mutex,    unlock_mutex,
                                       kind_mutex, 0,           LST_MODE_WRITE, LST_WAIT_MUTEX};

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
    return lst_lock_blocking(m, RET_PC(), &mutex_ops);
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
    return lst_unlock_fast(m, &mutex_ops);
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
static int unlock_spin(void *o)
{
    return lst_real.spin_unlock(o);
}
static uint32_t kind_spin(void *o)
{
    (void)o;
    return LST_LOCK_SPIN;
}
static const lst_lock_ops spin_ops = {try_spin,  timed_spin, block_spin,     unlock_spin,
                                      kind_spin, 2,          LST_MODE_WRITE, LST_WAIT_MUTEX};

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
    return lst_lock_blocking((void *)s, RET_PC(), &spin_ops);
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
    return lst_unlock_fast((void *)s, &spin_ops);
}
