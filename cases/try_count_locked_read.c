/* Correct twin of try_count_unlocked_race and try_count_locked_print_race (notes 003,
 * "Threads share same global scope" / "thread-safe"): the increment AND the read for the
 * print both happen under the lock; the print uses the value read. Not in the notes as
 * such; it is what the notes' fix needs to be race-free. Expected: count == 3, and
 * ThreadSanitizer reports nothing.
 *
 * lockstep-case: try_count_locked_read
 * lockstep-source: 003 "thread-safe" (try_count, fixed: the print's read also under the lock)
 * lockstep-twin: try_count_locked_print_race
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 * lockstep-expect tsan: clean
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
    pthread_mutex_lock(&lock);
    int seen = count;
    pthread_mutex_unlock(&lock);
    printf("\nIn thread: %s: count = %d\n", a->name, seen);
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
