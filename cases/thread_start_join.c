/* Port of notes 000, "1. Creating a Thread" to "5. Thread Join" (In [17], [2], [4], [15],
 * [18]): thread_function_1 prints "Thread 1: i" five times with time.sleep(2) after each
 * line; the thread is started, checked with is_alive() and joined.
 *
 * The notebook starts the same Thread object in three cells. Python raises RuntimeError
 * on a second start(), so each start here creates a new thread. In [15] prints "from main
 * thread" between start() and join(), In [18] after join(). is_alive() is an atomic flag
 * that the thread clears as it returns. Expected: every run prints Thread 1: 0..4, and
 * is_alive() is False once join() returned. A plain create/start/join demo: no bug.
 *
 * lockstep-case: thread_start_join
 * lockstep-source: 000 "Creating a Thread", "Starting a Thread", "Thread State", "Thread Join"
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include "case_util.h"

static atomic_bool alive;
static int iterations;

static void *thread_function_1(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++) {
        printf("Thread 1: %d\n", i);
        py_sleep(2);
        iterations++;
    }
    atomic_store(&alive, false);
    return NULL;
}

/* thread_1.start(): is_alive() is True from here until the function returns. */
static void start_thread_1(pthread_t *t)
{
    iterations = 0;
    atomic_store(&alive, true);
    pthread_create(t, NULL, thread_function_1, NULL);
}

/* thread_1.join(), then checks what the notes show: five lines and is_alive() False. */
static int join_thread_1(pthread_t t)
{
    pthread_join(t, NULL);
    if (iterations != 5 || atomic_load(&alive)) {
        printf("Expected: 5 iterations, is_alive() False\n");
        printf("Actual:   %d iterations, is_alive() %s\n", iterations,
               atomic_load(&alive) ? "True" : "False");
        return 1;
    }
    return 0;
}

int main(void)
{
    pthread_t thread_1;
    int failed = 0;

    /* In [2] start, In [4] is_alive() once it has finished. */
    start_thread_1(&thread_1);
    failed |= join_thread_1(thread_1);
    printf("%s\n", atomic_load(&alive) ? "True" : "False");

    /* In [15]: start, print from the main thread, then join. */
    start_thread_1(&thread_1);
    printf("from main thread\n");
    failed |= join_thread_1(thread_1);

    /* In [18]: start, join, then print from the main thread. */
    start_thread_1(&thread_1);
    failed |= join_thread_1(thread_1);
    printf("from main thread\n");
    return failed;
}
