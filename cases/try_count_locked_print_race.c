/* Port of notes 003, "thread-safe" fix of try_count: `with lock: count += 1`, then
 * time.sleep(sleep_seconds) and print(count) OUTSIDE the lock; threads T1 (1 s), T2 (2 s),
 * T3 (1 s).
 *
 * The increments are now safe, so the final count is always 3, but the print still reads
 * count without the lock while other threads write it under the lock: a data race on that
 * read, which ThreadSanitizer reports. The correct twin reads count under the lock.
 * Expected: count == 3.
 *
 * lockstep-case: try_count_locked_print_race
 * lockstep-source: 003 "thread-safe" (with lock: count += 1; print outside the lock)
 * lockstep-twin: try_count_locked_read
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 * lockstep-expect tsan: data-race
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
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *try_count(void *arg)
{
    const struct try_args *a = arg;

    pthread_mutex_lock(&lock);
    count += 1;
    pthread_mutex_unlock(&lock);
    py_sleep(a->sleep_seconds);
    printf("\nIn thread: %s: count = %d\n", a->name, count); /* racy read */
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
