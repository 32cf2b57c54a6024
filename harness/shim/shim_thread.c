/* shim_thread.c: interceptors for thread lifetime: pthread_create (a trampoline registers
 * the new thread and notes its creation stack, with no allocation: the start routine and
 * argument travel in the thread's store record), pthread_exit and cancellation (a thread
 * that ends holding locks is misuse), pthread_join (a join that waits on a thread blocked on
 * a lock the joiner holds is a deadlock), pthread_cancel (a thread blocked in a cancellable
 * wait under the scheduler is woken to act on it), and thread names. A thread's end is marked
 * only after its thread-exit destructors ran (see end_key), so their locks are observed. */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "shim.h"
#include "shim_lockdep.h"
#include "shim_sched.h"
#include "shim_store.h"

/* The calling thread returned, exited or was cancelled: locks it still holds are misuse.
 * Checked once, where the thread ends its own work (before its thread-exit destructors). */
static __thread int exit_checked __attribute__((tls_model("initial-exec")));
static void thread_returned(void *unused)
{
    (void)unused;
    lst_thread_rec *r = lst_self.rec;
    if (exit_checked || !r || !lst_store || atomic_load(&r->state) != LST_THREAD_RUNNING)
        return;
    exit_checked = 1;
    uint32_t d = lst_self.depth;
    lst_self.depth = 1;
    lst_thread_exiting();
    lst_self.depth = d;
}

/* Marks the calling thread's end once: misuse check for held locks, then EXITED. */
static void thread_end(void *unused)
{
    (void)unused;
    lst_thread_rec *r = lst_self.rec;
    if (!r || !lst_store || atomic_load(&r->state) != LST_THREAD_RUNNING)
        return;
    thread_returned(NULL);
    uint32_t d = lst_self.depth;
    lst_self.depth = 1;
    atomic_store(&r->state, LST_THREAD_EXITED);
    if (lst_sched_on())
        lst_sched_thread_exit(); /* passes the baton on for good */
    /* libc's thread teardown (TSD destructors, e.g. libunwind's) may still call us: from
     * now on this thread is neither observed nor scheduled */
    lst_self.idx = -2;
    lst_self.rec = NULL;
    lst_self.depth = d;
}

/* glibc runs a thread's C++-style thread_local destructors (__cxa_thread_atexit_impl) and
 * then its pthread_key_create destructors after the start routine returned; both may take
 * locks. So the end is marked by a TSD destructor of our own, on its second call: the first
 * call sets the value again, which makes glibc run one more round of destructors, after
 * every key of that first round (ours is created before the program's keys). */
static pthread_key_t end_key;
static pthread_once_t end_once = PTHREAD_ONCE_INIT;
static int end_key_ok;
static __thread int end_round __attribute__((tls_model("initial-exec")));

static void end_dtor(void *v)
{
    if (end_round++ == 0 && pthread_setspecific(end_key, v) == 0)
        return;
    thread_end(NULL);
}

static void make_end_key(void)
{
    end_key_ok = pthread_key_create(&end_key, end_dtor) == 0;
}

/* Runs the program's start routine for thread record idx: registers the thread, waits for
 * the baton in serialized mode, and marks its end (return, pthread_exit or cancellation). */
static void *run_thread(int32_t idx)
{
    lst_thread_rec *r = lst_st_thread(lst_store, (uint32_t)idx);
    void *(*fn)(void *) = (void *(*)(void *))(uintptr_t)r->start_fn;
    void *arg = (void *)(uintptr_t)r->start_arg;
    lst_self.depth = 1;
    lst_thread_register(idx);
    int deferred = end_key_ok && pthread_setspecific(end_key, (void *)1) == 0;
    if (lst_sched_on())
        lst_sched_thread_start(); /* run only once handed the baton */
    lst_self.depth = 0;
    void *ret;
    pthread_cleanup_push(deferred ? thread_returned : thread_end, NULL);
    ret = fn(arg);
    pthread_cleanup_pop(0);
    if (deferred)
        thread_returned(NULL);
    else
        thread_end(NULL);
    return ret;
}

static void *trampoline(void *p)
{
    return run_thread((int32_t)(intptr_t)p);
}

/* clang's static ThreadSanitizer calls us (as its REAL pthread_create) with its own start
 * routine, and its creator then waits until the child has started. So the child must run
 * TSan's start routine freely; we take the program's routine out of TSan's ThreadParam
 * ({callback, param, ...}) and put this one in, to wait for the baton where it matters. */
static uintptr_t tsan_start;
static int tsan_start_known;

static uintptr_t exe_bias(void)
{
    lst_module_rec *m = lst_store && atomic_load(&lst_store->nmodules) ? lst_st_module(lst_store, 0) : NULL;
    return m ? (uintptr_t)m->bias : 0;
}

LST_EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
                              void *arg)
{
    if (!lst_enter())
        return lst_real.create(t, attr, fn, arg);
    if (!tsan_start_known) {
        tsan_start = lst_opt.tsan_start ? exe_bias() + lst_opt.tsan_start : 0;
        tsan_start_known = 1;
    }
    int tsan_thread = tsan_start && (uintptr_t)fn == tsan_start;
    if (!lst_ctor_done || (tsan_start && !tsan_thread)) {
        /* a sanitizer runtime's own thread (started before the program, or not through
         * TSan's pthread_create): not the program's, so not tracked or scheduled */
        lst_leave();
        return lst_real.create(t, attr, fn, arg);
    }
    int e = errno;
    pthread_once(&end_once, make_end_key);
    int32_t idx = lst_thread_claim();
    int rc;
    if (idx < 0) {
        rc = lst_real.create(t, attr, fn, arg);
    } else {
        lst_thread_rec *r = lst_st_thread(lst_store, (uint32_t)idx);
        void **tsan_param = tsan_thread ? arg : NULL;
        if (tsan_param) { /* the program's routine is inside TSan's ThreadParam */
            r->start_fn = (uint64_t)(uintptr_t)tsan_param[0];
            r->start_arg = (uint64_t)(uintptr_t)tsan_param[1];
            tsan_param[0] = (void *)trampoline;
            tsan_param[1] = (void *)(intptr_t)idx;
        } else {
            r->start_fn = (uint64_t)(uintptr_t)fn;
            r->start_arg = (uint64_t)(uintptr_t)arg;
        }
        r->parent = lst_self.idx;
        r->create_stack = lst_stack_capture();
        int sched = lst_sched_on();
        if (sched) {
            lst_sched_point(LST_OP_CREATE, (uint64_t)idx);
            lst_sched_thread_created(idx);
        }
        if (tsan_param)
            rc = lst_real.create(t, attr, fn, arg);
        else
            rc = lst_real.create(t, attr, trampoline, (void *)(intptr_t)idx);
        if (rc != 0) {
            if (tsan_param) {
                tsan_param[0] = (void *)(uintptr_t)r->start_fn;
                tsan_param[1] = (void *)(uintptr_t)r->start_arg;
            }
            atomic_store(&r->state, LST_THREAD_FAILED);
            if (sched)
                lst_sched_thread_exit_failed(idx);
        } else {
            r->self = (uint64_t)*t; /* known now, even if the child has not started yet */
            /* the child may run first; not under TSan, whose creator waits for the child's
             * start outside our calls (the child runs at the creator's next point instead) */
            if (sched && !tsan_param)
                lst_sched_point(LST_OP_START, (uint64_t)idx);
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
        if (end_key_ok)
            thread_returned(NULL); /* end_dtor marks the end, after the destructors */
        else
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

/* pthread_join is a cancellation point: a cancellation inside libc's join unwinds through
 * the interceptor, which must leave the shim so that the program's cleanup handlers are
 * observed. */
static void join_cancelled(void *unused)
{
    (void)unused;
    lst_wait_end();
    lst_leave();
}

LST_EXPORT int pthread_join(pthread_t t, void **ret)
{
    if (!lst_enter())
        return lst_real.join(t, ret);
    int e = errno;
    int32_t target = find_thread(t);
    int rc;
    pthread_cleanup_push(join_cancelled, NULL);
    if (lst_sched_on()) {
        lst_sched_point(LST_OP_JOIN, (uint64_t)(target < 0 ? 0 : target));
        while (target >= 0 && !lst_sched_thread_done(target))
            if (lst_sched_block(LST_WAIT_JOIN, (uint64_t)target, (uint32_t)target, 0) ==
                LST_WAKE_CANCEL)
                lst_sched_testcancel();
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
    pthread_cleanup_pop(0);
    errno = e;
    lst_leave();
    return rc;
}

/* Under the scheduler, a thread blocked in a modelled wait is woken to act on the request at
 * once, as it would in libc's wait; otherwise only observed through the thread's end. */
LST_EXPORT int pthread_cancel(pthread_t t)
{
    if (!lst_enter())
        return lst_real.cancel(t);
    int e = errno;
    int rc = lst_real.cancel(t);
    if (rc == 0 && lst_sched_on())
        lst_sched_cancel(find_thread(t));
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
