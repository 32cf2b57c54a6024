/* Port of notes 000, "Problem: How to interrupt thread using flag ?" (In [30]): a worker
 * loops `while not stop_flag` doing work with time.sleep(0.01); the main thread sleeps
 * 0.05 s, sets the plain global stop_flag = True and joins.
 *
 * The pattern is a stop flag shared without synchronization: the main thread's write and
 * the worker's reads are a data race (undefined behaviour in C; only ThreadSanitizer sees
 * it). It terminates in practice because the loop calls printf and nanosleep, so the
 * compiler must reload the flag; stop_flag is deliberately not static, so the compiler
 * cannot prove those calls leave it alone. Expected output: Thread started., a few
 * "doing some work" lines, Interrupting the thread., Thread stopped., and the final line.
 * The correct twin uses an atomic flag.
 *
 * lockstep-case: stop_flag_plain_race
 * lockstep-source: 000 "How to interrupt thread using flag ?" (global stop_flag, no lock)
 * lockstep-twin: stop_flag_atomic
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 * lockstep-expect tsan: data-race
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include "case_util.h"

bool stop_flag = false; /* shared flag: plain, unsynchronized (the bug) */

static void *my_thread_function(void *arg)
{
    (void)arg;
    printf("Thread started.\n");
    while (!stop_flag) {
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
    /* In the main thread, we simulate some other work by sleeping for 50 milliseconds. */
    py_sleep(0.05);
    printf("Interrupting the thread.\n");
    stop_flag = true;
    pthread_join(my_thread, NULL);
    printf("Main thread: Thread has completed.\n");
    return 0;
}
