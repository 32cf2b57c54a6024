/* case_util.h: the helpers every case shares, so that the notes' time.sleep() and
 * random.uniform() are ported the same way in every case.
 *
 * py_sleep(s) stands for time.sleep(s) with s > 0. It really sleeps, but for
 * s / LST_CASE_TIME_SCALE seconds, so that native runs stay fast. Under lockstep's
 * scheduler a sleep is a scheduling point in virtual time, so the scaling changes
 * nothing there. time.sleep(0) is ported as sched_yield(), never as py_sleep(0).
 *
 * py_uniform(seed, a, b) stands for random.uniform(a, b). Each thread owns its seed and
 * starts from a fixed value, so every run draws the same durations (rand_r).
 *
 * Every case defines _GNU_SOURCE before including anything, which makes nanosleep()
 * and rand_r() visible to this header as well. */
#ifndef LST_CASE_UTIL_H
#define LST_CASE_UTIL_H

#include <stdlib.h>
#include <time.h>

#define LST_CASE_TIME_SCALE 100.0

/* Sleeps for seconds / LST_CASE_TIME_SCALE of real time; a scheduling point. */
static inline void py_sleep(double seconds)
{
    double scaled = seconds / LST_CASE_TIME_SCALE;
    struct timespec ts;
    ts.tv_sec = (time_t)scaled;
    ts.tv_nsec = (long)((scaled - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0)
        ; /* interrupted by a signal: sleep for the rest */
}

/* Returns a number in [a, b], drawn from the caller's own seed. */
static inline double py_uniform(unsigned *seed, double a, double b)
{
    return a + (b - a) * ((double)rand_r(seed) / (double)RAND_MAX);
}

#endif
