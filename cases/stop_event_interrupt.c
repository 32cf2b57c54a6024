/* Port of notes 000, "Problem: How to interrupt thread using Event object ?": a worker
 * loops `while not stop_event.is_set()` with time.sleep(0.01); the main thread sleeps
 * 0.05 s, sets the event and joins.
 *
 * threading.Event is a flag guarded by a mutex, with a condition variable for wait()
 * (unused here). is_set() and set() take the mutex, so there is no data race.
 * Expected: a few "Thread is running..." lines, then the two final lines, exit 0.
 *
 * lockstep-case: stop_event_interrupt
 * lockstep-source: 000 "How to interrupt thread using Event object ?" (stop_event)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include "case_util.h"

/* threading.Event */
struct event {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    bool flag;
};

static struct event stop_event = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};

static bool event_is_set(struct event *e)
{
    pthread_mutex_lock(&e->mutex);
    bool set = e->flag;
    pthread_mutex_unlock(&e->mutex);
    return set;
}

static void event_set(struct event *e)
{
    pthread_mutex_lock(&e->mutex);
    e->flag = true;
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->mutex);
}

static void *my_thread_function(void *arg)
{
    (void)arg;
    while (!event_is_set(&stop_event)) {
        printf("Thread is running...\n");
        py_sleep(0.01); /* Simulate some work */
    }
    return NULL;
}

int main(void)
{
    pthread_t my_thread;

    pthread_create(&my_thread, NULL, my_thread_function, NULL);
    py_sleep(0.05); /* Wait for 50 milliseconds */
    printf("Interrupting the thread...\n");
    event_set(&stop_event);
    pthread_join(my_thread, NULL);
    printf("Main thread: Done!\n");
    return 0;
}
