/* lockloop.h: the lock loop shared by bench/lockbench.c (wall clock, 1-4 threads) and
 * bench/lockcpu.c (CPU time, one thread), so that both measure the same pairs. Scenarios:
 * 0 contended (one mutex for every thread), 1 private (the caller's own mutex), 2 nested
 * (two locks in a fixed order); a little work sits inside each critical section. */
#ifndef LST_BENCH_LOCKLOOP_H
#define LST_BENCH_LOCKLOOP_H

#include <pthread.h>
#include <string.h>

static pthread_mutex_t lockloop_shared = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lockloop_outer = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lockloop_inner = PTHREAD_MUTEX_INITIALIZER;

/* The scenario number of a name, -1 if unknown. */
static inline int lockloop_scenario(const char *name)
{
    return !strcmp(name, "contended") ? 0
           : !strcmp(name, "private") ? 1
           : !strcmp(name, "nested")  ? 2
                                      : -1;
}

/* Runs iterations rounds of scenario; mine is the caller's private mutex. Returns the work's
 * sum, for the caller to keep so that the compiler keeps the work. */
static inline long lockloop(int scenario, pthread_mutex_t *mine, long iterations)
{
    long x = 0;
    for (long i = 0; i < iterations; i++) {
        if (scenario == 0) {
            pthread_mutex_lock(&lockloop_shared);
            x += i & 7;
            pthread_mutex_unlock(&lockloop_shared);
        } else if (scenario == 1) {
            pthread_mutex_lock(mine);
            x += i & 7;
            pthread_mutex_unlock(mine);
        } else {
            pthread_mutex_lock(&lockloop_outer);
            pthread_mutex_lock(&lockloop_inner);
            x += i & 7;
            pthread_mutex_unlock(&lockloop_inner);
            pthread_mutex_unlock(&lockloop_outer);
        }
    }
    return x;
}

#endif
