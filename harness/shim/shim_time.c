/* shim_time.c: interceptors for yields and sleeps, and lockstep_yield() from the public
 * header. With free-running threads they go straight to libc (sleeps really sleep). In
 * serialized mode a yield is a scheduling point and a sleep advances the virtual clock: it
 * takes no real time, and sleepers wake in the order of their deadlines. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"
#include "shim_sched.h"

/* The next definitions of the sleep calls (libc's, or a sanitizer runtime's interceptors, as
 * gcc's libtsan, which must see sleeps to explain races "synchronized via sleep"). */
static int (*next_nanosleep)(const struct timespec *, struct timespec *);
static int (*next_clock_nanosleep)(clockid_t, int, const struct timespec *, struct timespec *);
static int (*next_usleep)(useconds_t);
static unsigned (*next_sleep)(unsigned);
static int (*next_yield)(void);

static void *next(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

LST_EXPORT int sched_yield(void)
{
    if (!next_yield)
        *(void **)&next_yield = next("sched_yield");
    if (!lst_enter())
        return next_yield ? next_yield() : (int)syscall(SYS_sched_yield);
    int rc = 0;
    if (lst_sched_on())
        lst_sched_point(LST_OP_YIELD, 0);
    else
        rc = next_yield ? next_yield() : (int)syscall(SYS_sched_yield);
    lst_leave();
    return rc;
}

LST_EXPORT void __lockstep_yield(void)
{
    sched_yield();
}

/* Serialized sleep of ns; returns 1 when it was handled here. */
static int virtual_sleep(uint64_t ns)
{
    if (!lst_enter())
        return 0;
    int on = lst_sched_on();
    if (on)
        lst_sched_sleep(ns);
    lst_leave();
    return on;
}

static uint64_t ts_ns(const struct timespec *ts)
{
    return ts ? (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec : 0;
}

LST_EXPORT int nanosleep(const struct timespec *req, struct timespec *rem)
{
    if (req && req->tv_nsec >= 0 && req->tv_nsec < 1000000000L && req->tv_sec >= 0 &&
        virtual_sleep(ts_ns(req))) {
        if (rem)
            rem->tv_sec = rem->tv_nsec = 0;
        return 0;
    }
    if (!next_nanosleep)
        *(void **)&next_nanosleep = next("nanosleep");
    return next_nanosleep ? next_nanosleep(req, rem) : (int)syscall(SYS_nanosleep, req, rem);
}

LST_EXPORT int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
                               struct timespec *rem)
{
    if (req && req->tv_nsec >= 0 && req->tv_nsec < 1000000000L && req->tv_sec >= 0) {
        uint64_t ns = ts_ns(req);
        if (flags & TIMER_ABSTIME) {
            struct timespec now;
            clock_gettime(clk, &now);
            uint64_t n = ts_ns(&now);
            ns = ns > n ? ns - n : 0;
        }
        if (virtual_sleep(ns)) {
            if (rem)
                rem->tv_sec = rem->tv_nsec = 0;
            return 0;
        }
    }
    if (!next_clock_nanosleep)
        *(void **)&next_clock_nanosleep = next("clock_nanosleep");
    if (next_clock_nanosleep)
        return next_clock_nanosleep(clk, flags, req, rem);
    int e = errno;
    long rc = syscall(SYS_clock_nanosleep, clk, flags, req, rem);
    if (rc == 0)
        return 0;
    rc = errno; /* clock_nanosleep returns the error number and leaves errno alone */
    errno = e;
    return (int)rc;
}

LST_EXPORT int usleep(useconds_t us)
{
    if (virtual_sleep((uint64_t)us * 1000))
        return 0;
    if (!next_usleep)
        *(void **)&next_usleep = next("usleep");
    if (next_usleep)
        return next_usleep(us);
    struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
    return (int)syscall(SYS_nanosleep, &ts, NULL);
}

LST_EXPORT unsigned int sleep(unsigned int s)
{
    if (virtual_sleep((uint64_t)s * 1000000000ULL))
        return 0;
    if (!next_sleep)
        *(void **)&next_sleep = next("sleep");
    if (next_sleep)
        return next_sleep(s);
    struct timespec ts = {s, 0}, rem = {0, 0};
    if (syscall(SYS_nanosleep, &ts, &rem) != 0)
        return (unsigned)rem.tv_sec + (rem.tv_nsec > 0);
    return 0;
}
