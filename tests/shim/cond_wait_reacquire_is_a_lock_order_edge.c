/* cond_wait_reacquire_is_a_lock_order_edge.c: pthread_cond_wait releases its mutex and takes
 * it back before returning, and that reacquisition is an acquisition like any other. Waiter
 * locks state_m, takes outer with a trylock (a try edge state_m -> outer, which alone cannot
 * deadlock), then waits on ready with state_m while still holding outer; Signaler wakes it.
 * When the wait returns, state_m was reacquired while holding outer: the order outer ->
 * state_m, seen only inside the wait. Later Inverter takes state_m then outer. Had Inverter
 * run during the wait, it would have got state_m, blocked on outer, and the woken Waiter would
 * have blocked on state_m: a real deadlock. lockstep must report one lock-order cycle whose
 * outer -> state_m edge is requested at the pthread_cond_wait call.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 1
 * lockstep-test: cycle-length lock-order-cycle 2
 * lockstep-test: lock-name lock-order-cycle outer
 * lockstep-test: lock-name lock-order-cycle state_m
 * lockstep-test: frame lock-order-cycle held @TRY_OUTER
 * lockstep-test: frame lock-order-cycle acquire @COND_WAIT
 * lockstep-test: frame lock-order-cycle held @M_IN_INVERTER
 * lockstep-test: frame lock-order-cycle acquire @OUTER_IN_INVERTER
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
    pthread_mutex_lock(&state_m);
    CHECK(pthread_mutex_trylock(&outer) == 0); /* @TRY_OUTER */
    waiting = 1;
    while (!signalled)
        pthread_cond_wait(&ready, &state_m); /* @COND_WAIT */
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

static void *inverter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&state_m); /* @M_IN_INVERTER */
    pthread_mutex_lock(&outer);   /* @OUTER_IN_INVERTER */
    pthread_mutex_unlock(&outer);
    pthread_mutex_unlock(&state_m);
    return NULL;
}

int main(void)
{
    pthread_t w = start_thread(waiter, NULL);
    pthread_t s = start_thread(signaler, NULL);
    join_thread(w);
    join_thread(s);
    run_alone(inverter, NULL);
    return 0;
}
