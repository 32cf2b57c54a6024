/* cond_wait_consistent_order_is_clean.c: the waiter holds outer, locks state_m and waits on
 * ready with state_m, so state_m is reacquired inside the wait while outer is held (outer ->
 * state_m, the order it was first taken in). The signaler takes only state_m; a third thread
 * later takes outer then state_m too. Every order agrees, and the waiter's reacquisition must
 * not be mistaken for an inversion (nor its release for a misuse): lockstep reports nothing.
 *
 * lockstep-test: exit 0
 * lockstep-test: target-exit 0
 */
#include <sched.h>

#include "shim_test.h"

static pthread_mutex_t state_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t outer = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;
static int waiting, signalled;

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&outer);
    pthread_mutex_lock(&state_m);
    waiting = 1;
    while (!signalled)
        pthread_cond_wait(&ready, &state_m);
    pthread_mutex_unlock(&state_m);
    pthread_mutex_unlock(&outer);
    return NULL;
}

static void *signaler(void *arg)
{
    (void)arg;
    for (;;) { /* state_m is free only while the waiter waits */
        pthread_mutex_lock(&state_m);
        if (waiting) {
            signalled = 1;
            pthread_cond_signal(&ready);
            pthread_mutex_unlock(&state_m);
            return NULL;
        }
        pthread_mutex_unlock(&state_m);
        sched_yield();
    }
}

static void *same_order(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&outer);
    pthread_mutex_lock(&state_m);
    pthread_mutex_unlock(&state_m);
    pthread_mutex_unlock(&outer);
    return NULL;
}

int main(void)
{
    pthread_t w = start_thread(waiter, NULL);
    pthread_t s = start_thread(signaler, NULL);
    join_thread(w);
    join_thread(s);
    run_alone(same_order, NULL);
    return 0;
}
