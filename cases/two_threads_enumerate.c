/* Port of notes 000, "Threading Example" (In [23]): two threads print five lines each with
 * time.sleep(0.01) before each line; the main thread prints threading.active_count() and
 * threading.enumerate() before start, during execution and after join.
 *
 * Python's active_count() is an atomic count of live threads here (1 = the main thread;
 * the notebook's extra IPython threads do not exist in C), and enumerate() lists the
 * threads whose alive flag is set. The count printed "during execution" is whatever it is
 * at that moment. Expected: after both joins only the main thread is alive (count 1).
 *
 * lockstep-case: two_threads_enumerate
 * lockstep-source: 000 "Threading Example" (active_count, enumerate, thread_function_1/2)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "case_util.h"

static const char *const names[3] = {"MainThread", "Thread-1 (thread_function_1)",
                                     "Thread-2 (thread_function_2)"};
static atomic_bool alive[3] = {true, false, false};
static atomic_int active_count = 1;

static void enumerate_threads(const char *when)
{
    printf("Active threads %s: %d\n", when, atomic_load(&active_count));
    for (int i = 0; i < 3; i++)
        if (atomic_load(&alive[i]))
            printf("Thread Name: %s, Alive: True\n", names[i]);
    printf("\n\n\n\n");
}

/* thread_function_1 and thread_function_2 differ only in the number they print. */
static void *thread_function(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < 5; i++) {
        py_sleep(0.01); /* Simulate some time-consuming task (I/O task) */
        printf("Thread %d: %d\n", id, i);
    }
    atomic_store(&alive[id], false);
    atomic_fetch_sub(&active_count, 1);
    return NULL;
}

static void start(pthread_t *t, int id)
{
    atomic_store(&alive[id], true);
    atomic_fetch_add(&active_count, 1);
    pthread_create(t, NULL, thread_function, (void *)(intptr_t)id);
}

int main(void)
{
    pthread_t thread_1, thread_2;

    enumerate_threads("before start");
    start(&thread_2, 2);
    start(&thread_1, 1);
    enumerate_threads("during execution");
    pthread_join(thread_2, NULL);
    pthread_join(thread_1, NULL);
    enumerate_threads("after execution");

    int after = atomic_load(&active_count);
    if (after != 1) {
        printf("Expected: 1 active thread after join\nActual:   %d\n", after);
        return 1;
    }
    printf("Main thread: Done!\n");
    return 0;
}
