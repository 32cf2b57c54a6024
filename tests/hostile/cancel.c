/* cancel.c: pthread_cancel of a thread blocked in pthread_cond_wait while it holds another
 * lock; its cleanup handlers release both. A second thread is cancelled at a
 * pthread_testcancel while holding a lock, with a cleanup handler that unlocks it. Afterwards
 * the main thread must be able to take every lock again, and both joins must return
 * PTHREAD_CANCELED. */
#include <semaphore.h>

#include "hostile.h"

static pthread_mutex_t outer = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t other = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static sem_t ready;
static sem_t go;

static void unlock_it(void *m)
{
    pthread_mutex_unlock(m);
}

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&outer);
    pthread_cleanup_push(unlock_it, &outer);
    pthread_mutex_lock(&cm);
    pthread_cleanup_push(unlock_it, &cm);
    sem_post(&ready);
    for (;;)
        pthread_cond_wait(&cv, &cm); /* cancelled here, with cm re-acquired */
    pthread_cleanup_pop(1);
    pthread_cleanup_pop(1);
    return NULL;
}

static void *holder(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&other);
    pthread_cleanup_push(unlock_it, &other);
    sem_post(&ready);
    sem_wait(&go); /* a cancellation point too; the main thread posts only after cancel */
    for (;;)
        pthread_testcancel();
    pthread_cleanup_pop(1);
    return NULL;
}

int main(void)
{
    sem_init(&ready, 0, 0);
    hostile_abba(); /* a finding, so that explore saves a schedule to replay */
    sem_init(&go, 0, 0);
    pthread_t w, h;
    void *rw = NULL, *rh = NULL;
    pthread_create(&w, NULL, waiter, NULL);
    sem_wait(&ready);
    pthread_create(&h, NULL, holder, NULL);
    sem_wait(&ready);
    /* waiter is in (or about to enter) cond_wait: cm is free only once it waits */
    pthread_mutex_lock(&cm);
    pthread_mutex_unlock(&cm);
    pthread_cancel(w);
    pthread_cancel(h);
    sem_post(&go);
    pthread_join(w, &rw);
    pthread_join(h, &rh);
    SAY("waiter %s, holder %s\n", rw == PTHREAD_CANCELED ? "cancelled" : "returned",
        rh == PTHREAD_CANCELED ? "cancelled" : "returned");
    int ok = pthread_mutex_trylock(&outer) == 0 && pthread_mutex_trylock(&cm) == 0 &&
             pthread_mutex_trylock(&other) == 0;
    SAY("locks free again: %s\n", ok ? "yes" : "no");
    return ok && rw == PTHREAD_CANCELED && rh == PTHREAD_CANCELED ? 0 : 1;
}
