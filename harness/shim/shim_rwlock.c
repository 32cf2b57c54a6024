/* shim_rwlock.c: interceptors for pthread read-write locks. Read acquisitions are recorded
 * with LST_MODE_READ so that cycles made only of reads are kept as notes, not deadlocks. */
#define _GNU_SOURCE
#include <pthread.h>

#include "shim.h"
#include "shim_lockdep.h"
#include "shim_sched.h"
#include "shim_store.h"

#define RET_PC() ((uint64_t)(uintptr_t)__builtin_return_address(0))

static int try_rd(void *o)
{
    return lst_real.rwlock_tryrdlock(o);
}
static int timed_rd(void *o, const struct timespec *abs)
{
    return lst_real.rwlock_timedrdlock(o, abs);
}
static int block_rd(void *o)
{
    return lst_real.rwlock_rdlock(o);
}
static int try_wr(void *o)
{
    return lst_real.rwlock_trywrlock(o);
}
static int timed_wr(void *o, const struct timespec *abs)
{
    return lst_real.rwlock_timedwrlock(o, abs);
}
static int block_wr(void *o)
{
    return lst_real.rwlock_wrlock(o);
}
static int unlock_rw(void *o)
{
    return lst_real.rwlock_unlock(o);
}
static uint32_t kind_rw(void *o)
{
    (void)o;
    return LST_LOCK_RWLOCK;
}
static const lst_lock_ops rd_ops = {try_rd,  timed_rd, block_rd,      unlock_rw,
                                    kind_rw, 1,        LST_MODE_READ, LST_WAIT_RDLOCK};
/* also the unlock's: a release wakes the scheduler's writers and readers alike */
static const lst_lock_ops wr_ops = {try_wr,  timed_wr, block_wr,       unlock_rw,
                                    kind_rw, 1,        LST_MODE_WRITE, LST_WAIT_WRLOCK};

LST_EXPORT int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *attr)
{
    if (!lst_enter())
        return lst_real.rwlock_init(l, attr);
    int e = errno;
    int rc = lst_real.rwlock_init(l, attr);
    lst_lock_destroyed((uintptr_t)l, 0, rc == 0);
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int pthread_rwlock_destroy(pthread_rwlock_t *l)
{
    if (!lst_enter())
        return lst_real.rwlock_destroy(l);
    int e = errno;
    int locked = 0;
    if (lst_real.rwlock_trywrlock(l) == 0)
        lst_real.rwlock_unlock(l);
    else
        locked = 1;
    int rc = lst_real.rwlock_destroy(l);
    lst_lock_destroyed((uintptr_t)l, locked, rc == 0);
    errno = e;
    lst_leave();
    return rc;
}

/* Trylock or timedlock: recorded (as a try edge) only on success. */
static int rw_try(pthread_rwlock_t *l, uint32_t mode, uint64_t pc, const struct timespec *abs)
{
    int e = errno;
    lst_acq a;
    int rd = mode & LST_MODE_READ;
    lst_acquire_begin(&a, (uintptr_t)l, LST_LOCK_RWLOCK, mode | LST_MODE_TRY, pc, 1);
    int rc;
    if (lst_sched_on()) {
        lst_sched_point(abs ? LST_OP_LOCK : LST_OP_TRYLOCK, a.lock);
        if (abs && a.held_at < 0)
            rc = lst_sched_lock(&a, l, rd ? LST_WAIT_RDLOCK : LST_WAIT_WRLOCK, rd ? try_rd : try_wr, abs);
        else
            rc = rd ? lst_real.rwlock_tryrdlock(l) : lst_real.rwlock_trywrlock(l);
    } else if (abs)
        rc = rd ? lst_real.rwlock_timedrdlock(l, abs) : lst_real.rwlock_timedwrlock(l, abs);
    else
        rc = rd ? lst_real.rwlock_tryrdlock(l) : lst_real.rwlock_trywrlock(l);
    if (rc == 0)
        lst_acquire_done(&a);
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
    return lst_lock_blocking(l, RET_PC(), &rd_ops);
}

LST_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
    return lst_lock_blocking(l, RET_PC(), &wr_ops);
}

LST_EXPORT int pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
    if (!lst_enter())
        return lst_real.rwlock_tryrdlock(l);
    return rw_try(l, LST_MODE_READ, RET_PC(), NULL);
}

LST_EXPORT int pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
    if (!lst_enter())
        return lst_real.rwlock_trywrlock(l);
    return rw_try(l, LST_MODE_WRITE, RET_PC(), NULL);
}

LST_EXPORT int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *abs)
{
    if (!lst_enter())
        return lst_real.rwlock_timedrdlock(l, abs);
    return rw_try(l, LST_MODE_READ, RET_PC(), abs);
}

LST_EXPORT int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *abs)
{
    if (!lst_enter())
        return lst_real.rwlock_timedwrlock(l, abs);
    return rw_try(l, LST_MODE_WRITE, RET_PC(), abs);
}

LST_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
    return lst_unlock_fast(l, &wr_ops);
}
