/* Port of notes 003, "thread.local for per-thread state": try_count keeps its count in
 * threading.local() (getattr default 0), increments it, sleeps and prints it; threads
 * T1 (1 s), T2 (2 s), T3 (1 s).
 *
 * Per-thread state instead of shared state: count is a __thread variable, so there is
 * nothing to race on. It is the notes' alternative to the shared counter of
 * try_count_unlocked_race. Expected: every thread prints count = 1.
 *
 * lockstep-case: try_count_thread_local
 * lockstep-source: 003 "thread.local for per-thread state" (thread_local.count)
 * lockstep-twin: try_count_unlocked_race
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 * lockstep-expect tsan: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include "case_util.h"

struct try_args {
    double sleep_seconds;
    const char *name;
};

static __thread int count; /* thread_local.count, 0 until first set */
static atomic_int wrong;

static void *try_count(void *arg)
{
    const struct try_args *a = arg;

    count += 1;
    py_sleep(a->sleep_seconds);
    printf("\nIn thread: %s: count = %d\n", a->name, count);
    if (count != 1)
        atomic_fetch_add(&wrong, 1);
    return NULL;
}

int main(void)
{
    static const struct try_args args[3] = {{1, "T1"}, {2, "T2"}, {1, "T3"}};
    pthread_t t[3];

    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, try_count, (void *)&args[i]);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);

    printf("Expected: count = 1 in every thread\n");
    printf("Actual:   %d thread(s) saw another value\n", atomic_load(&wrong));
    return atomic_load(&wrong) != 0;
}
