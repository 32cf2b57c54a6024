/* Port of notes 003, "Threads share same global scope": try_count(sleep_seconds, name)
 * does `count += 1` on a global without a lock, sleeps, and prints count; threads T1 (1 s),
 * T2 (2 s) and T3 (1 s) run it. The notes' own comment: "not thread safe ... count += 1
 * [is] load, add 1, store".
 *
 * Pattern: unsynchronized read-modify-write of a shared counter, plus unsynchronized reads
 * in the print. Each increment is a single `count += 1` with no pthread call or yield
 * inside, so lockstep's scheduler cannot split it (explore is clean); ThreadSanitizer
 * reports the race; a native lost update is possible but rare. The notebook never joins
 * the threads (the interpreter waits for them); here main joins them and checks.
 * Expected: count == 3 (what the notes print).
 *
 * lockstep-case: try_count_unlocked_race
 * lockstep-source: 003 "Threads share same global scope" (try_count, count += 1 without lock)
 * lockstep-twin: try_count_locked_read
 * lockstep-native: any
 * lockstep-expect run: target-failure?
 * lockstep-expect explore: clean
 * lockstep-expect tsan: data-race target-failure?
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include "case_util.h"

struct try_args {
    double sleep_seconds;
    const char *name;
};

static int count = 0;

static void *try_count(void *arg)
{
    const struct try_args *a = arg;

    count += 1; /* racy: load, add 1, store */
    py_sleep(a->sleep_seconds);
    printf("\nIn thread: %s: count = %d\n", a->name, count);
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

    printf("Expected: 3\nActual:   %d\n", count);
    return count != 3;
}
