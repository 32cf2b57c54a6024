/* shim_test.h: helpers shared by the end-to-end test programs of tests/shim/. CHECK() stops
 * the program with status 90 when a condition the test relies on does not hold (the checker
 * then sees an unexpected exit status), whatever NDEBUG says; run_alone() starts a thread and
 * joins it before returning, which is how the tests order their threads one after the other
 * so that an inverted lock order is recorded without ever really deadlocking. */
#ifndef LST_SHIM_TEST_H
#define LST_SHIM_TEST_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
            exit(90);                                                                      \
        }                                                                                  \
    } while (0)

static inline pthread_t start_thread(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    CHECK(pthread_create(&t, NULL, fn, arg) == 0);
    return t;
}

static inline void join_thread(pthread_t t)
{
    CHECK(pthread_join(t, NULL) == 0);
}

/* Runs fn(arg) in a new thread and waits for it to end. */
static inline void run_alone(void *(*fn)(void *), void *arg)
{
    join_thread(start_thread(fn, arg));
}

#endif
