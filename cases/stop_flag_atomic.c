/* Correct twin of stop_flag_plain_race (notes 000, "How to interrupt thread using flag ?"):
 * the same program with stop_flag declared atomic_bool, so the main thread's store and
 * the worker's loads are synchronized and ThreadSanitizer has nothing to report. This is
 * what the Python code means (the GIL makes the flag's reads and writes atomic).
 * Expected: the worker stops after the main thread sets the flag, exit 0.
 *
 * lockstep-case: stop_flag_atomic
 * lockstep-source: 000 "How to interrupt thread using flag ?" (fixed: atomic flag)
 * lockstep-twin: stop_flag_plain_race
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 * lockstep-expect tsan: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include "case_util.h"

static atomic_bool stop_flag = false;

static void *my_thread_function(void *arg)
{
    (void)arg;
    printf("Thread started.\n");
    while (!atomic_load(&stop_flag)) {
        printf("Thread is doing some work...\n");
        py_sleep(0.01); /* Simulate some work */
    }
    printf("Thread stopped.\n");
    return NULL;
}

int main(void)
{
    pthread_t my_thread;

    pthread_create(&my_thread, NULL, my_thread_function, NULL);
    py_sleep(0.05);
    printf("Interrupting the thread.\n");
    atomic_store(&stop_flag, true);
    pthread_join(my_thread, NULL);
    printf("Main thread: Thread has completed.\n");
    return 0;
}
