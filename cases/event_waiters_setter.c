/* Port of notes 004, the threading.Event example: 6 waiter threads print, call
 * event.wait() and print again; a setter thread prints, sleeps 2 seconds and calls
 * event.set(). Main joins the waiters, then the setter.
 *
 * threading.Event is a flag under a mutex with a condition variable: wait() loops on the
 * flag (so a spurious wakeup is harmless), set() broadcasts to every waiter. A waiter
 * that starts after set() does not wait at all. Expected: all 6 waiters receive the
 * event, exit 0.
 *
 * lockstep-case: event_waiters_setter
 * lockstep-source: 004 threading.Event example (waiter(n) x 6, setter with time.sleep(2))
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

/* threading.Event */
struct event {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    bool flag;
};

static struct event event = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
static atomic_int received;

static void event_wait(struct event *e)
{
    pthread_mutex_lock(&e->mutex);
    while (!e->flag)
        pthread_cond_wait(&e->cond, &e->mutex);
    pthread_mutex_unlock(&e->mutex);
}

static void event_set(struct event *e)
{
    pthread_mutex_lock(&e->mutex);
    e->flag = true;
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->mutex);
}

static void *waiter(void *arg)
{
    int n = (int)(intptr_t)arg;
    printf("Waiter %d waiting for the event\n", n);
    event_wait(&event);
    printf("Waiter %d receive the event\n", n);
    atomic_fetch_add(&received, 1);
    return NULL;
}

static void *setter(void *arg)
{
    (void)arg;
    printf("\nSetter: setting event:\n\n");
    py_sleep(2);
    event_set(&event);
    return NULL;
}

int main(void)
{
    pthread_t threads[6], s;

    for (int i = 0; i < 6; i++)
        pthread_create(&threads[i], NULL, waiter, (void *)(intptr_t)(i + 1));
    pthread_create(&s, NULL, setter, NULL);
    for (int i = 0; i < 6; i++)
        pthread_join(threads[i], NULL);
    pthread_join(s, NULL);

    if (atomic_load(&received) != 6) {
        printf("Expected: 6 waiters receive the event\nActual:   %d\n", atomic_load(&received));
        return 1;
    }
    return 0;
}
