/* gate_lock_is_a_note.c: an inversion that cannot deadlock because a third lock serializes
 * it. T1 takes gate, then lock_a, then lock_b; T2 (after T1) takes gate, then lock_b, then
 * lock_a. Whoever holds lock_a or lock_b holds gate, so the two orders never run at once:
 * lockstep keeps the cycle as a gate-lock note, not a finding.
 *
 * lockstep-test: exit 0
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 0
 * lockstep-test: note lock-order-cycle gate-lock 1
 * lockstep-test: cycle-length note:lock-order-cycle 2
 * lockstep-test: lock-name note:lock-order-cycle gate
 * lockstep-test: frame note:lock-order-cycle acquire @B_IN_T1
 * lockstep-test: frame note:lock-order-cycle acquire @A_IN_T2
 */
#include "shim_test.h"

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static void *t1(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&gate);
    pthread_mutex_lock(&lock_a);
    pthread_mutex_lock(&lock_b); /* @B_IN_T1 */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&gate);
    return NULL;
}

static void *t2(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&gate);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_lock(&lock_a); /* @A_IN_T2 */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&gate);
    return NULL;
}

int main(void)
{
    run_alone(t1, NULL);
    run_alone(t2, NULL);
    return 0;
}
