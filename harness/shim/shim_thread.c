/* shim_thread.c: interceptors for thread lifetime: pthread_create (a trampoline registers
 * the new thread and notes its creation stack, with no allocation: the start routine and
 * argument travel in the thread's store record), pthread_exit and cancellation (a thread
 * that ends holding locks is misuse), pthread_join (a join that waits on a thread blocked on
 * a lock the joiner holds is a deadlock), and thread names. */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "shim.h"
#include "shim_lockdep.h"
#include "shim_sched.h"
#include "shim_store.h"

/* Marks the calling thread's end once: misuse check for held locks, then EXITED. */
static void thread_end(void *unused)
{
    (void)unused;
    lst_thread_rec *r = lst_self.rec;
    if (!r || !lst_store || atomic_load(&r->state) != LST_THREAD_RUNNING)
        return;
    uint32_t d = lst_self.depth;
    lst_self.depth = 1;
    lst_thread_exiting();
    atomic_store(&r->state, LST_THREAD_EXITED);
    if (lst_sched_on()) {
        lst_sched_thread_exit(); /* passes the baton on for good */
        /* libc's own thread teardown may still call us: it must not be scheduled */
        lst_self.idx = -2;
        lst_self.rec = NULL;
    }
    lst_self.depth = d;
}

static void *trampoline(void *p)
{
    int32_t idx = (int32_t)(intptr_t)p;
    lst_thread_rec *r = lst_st_thread(lst_store, (uint32_t)idx);
    void *(*fn)(void *) = (void *(*)(void *))(uintptr_t)r->start_fn;
    void *arg = (void *)(uintptr_t)r->start_arg;
    lst_self.depth = 1;
    lst_thread_register(idx);
    if (lst_sched_on())
        lst_sched_thread_start(); /* run only once handed the baton */
    lst_self.depth = 0;
    void *ret;
    pthread_cleanup_push(thread_end, NULL);
    ret = fn(arg);
    pthread_cleanup_pop(0);
    thread_end(NULL);
    return ret;
}

LST_EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
                              void *arg)
{
    if (!lst_enter())
        return lst_real.create(t, attr, fn, arg);
    if (!lst_ctor_done) { /* a sanitizer runtime's own thread, started before the program */
        lst_leave();
        return lst_real.create(t, attr, fn, arg);
    }
    int e = errno;
    int32_t idx = lst_thread_claim();
    int rc;
    if (idx < 0) {
        rc = lst_real.create(t, attr, fn, arg);
    } else {
        lst_thread_rec *r = lst_st_thread(lst_store, (uint32_t)idx);
        r->start_fn = (uint64_t)(uintptr_t)fn;
        r->start_arg = (uint64_t)(uintptr_t)arg;
        r->parent = lst_self.idx;
        r->create_stack = lst_stack_capture();
        int sched = lst_sched_on();
        if (sched) {
            lst_sched_point(LST_OP_CREATE, (uint64_t)idx);
            lst_sched_thread_created(idx);
        }
        rc = lst_real.create(t, attr, trampoline, (void *)(intptr_t)idx);
        if (rc != 0) {
            atomic_store(&r->state, LST_THREAD_FAILED);
            if (sched)
                lst_sched_thread_exit_failed(idx);
        } else {
            r->self = (uint64_t)*t; /* known now, even if the child has not started yet */
            if (sched)
                lst_sched_point(LST_OP_START, (uint64_t)idx); /* the child may run first */
        }
    }
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT void pthread_exit(void *ret)
{
    if (lst_enter()) {
        lst_leave();
        thread_end(NULL);
    }
    lst_real.exit(ret);
}

/* The newest record of a live thread whose pthread_t is t (pthread_t values are reused). */
static int32_t find_thread(pthread_t t)
{
    lst_store_hdr *h = lst_store;
    uint32_t n = atomic_load(&h->nthreads);
    if (n > h->caps.threads)
        n = h->caps.threads;
    for (uint32_t i = n; i-- > 0;) {
        lst_thread_rec *r = lst_st_thread(h, i);
        uint32_t st = atomic_load(&r->state);
        if ((st == LST_THREAD_RUNNING || st == LST_THREAD_STARTING || st == LST_THREAD_EXITED) &&
            r->self == (uint64_t)t)
            return (int32_t)i;
    }
    return -1;
}

LST_EXPORT int pthread_join(pthread_t t, void **ret)
{
    if (!lst_enter())
        return lst_real.join(t, ret);
    int e = errno;
    int32_t target = find_thread(t);
    int rc;
    if (lst_sched_on()) {
        lst_sched_point(LST_OP_JOIN, (uint64_t)(target < 0 ? 0 : target));
        while (target >= 0 && !lst_sched_thread_done(target))
            lst_sched_block(LST_WAIT_JOIN, (uint64_t)target, (uint32_t)target, 0);
        rc = lst_real.join(t, ret);
    } else if (target < 0 || !lst_opt.detect_deadlocks || !lst_real.timedjoin) {
        rc = lst_real.join(t, ret);
    } else {
        lst_wait_begin(LST_WAIT_JOIN, (uintptr_t)t, (uint32_t)target);
        unsigned slice = lst_opt.deadlock_ms ? lst_opt.deadlock_ms : 1;
        for (;;) {
            struct timespec dl = lst_deadline_ms(slice);
            rc = lst_real.timedjoin(t, ret, &dl);
            if (rc != ETIMEDOUT)
                break;
            lst_check_join();
            if (slice < 1000)
                slice *= 2;
        }
        lst_wait_end();
    }
    errno = e;
    lst_leave();
    return rc;
}

LST_EXPORT int pthread_setname_np(pthread_t t, const char *name)
{
    if (!lst_enter())
        return lst_real.setname(t, name);
    int e = errno;
    int32_t i = find_thread(t);
    if (i >= 0) {
        lst_thread_rec *r = lst_st_thread(lst_store, (uint32_t)i);
        size_t n = strnlen(name, sizeof r->name - 1);
        memcpy(r->name, name, n);
        r->name[n] = 0;
    }
    int rc = lst_real.setname(t, name);
    errno = e;
    lst_leave();
    return rc;
}
