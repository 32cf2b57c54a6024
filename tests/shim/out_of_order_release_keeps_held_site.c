/* out_of_order_release_keeps_held_site.c: locks are not always released in the reverse order
 * of their acquisition. T1 takes lock_a, then lock_b, releases lock_a first (hand-over-hand
 * style), and then takes lock_c while still holding lock_b; T2 (after T1) takes lock_c then
 * lock_b. The cycle lock_b -> lock_c -> lock_b must be reported, and its sites must be the real
 * ones: in T1, lock_b was taken at its own pthread_mutex_lock line (not where lock_a was
 * released, which only changed what else was held) and lock_c requested at its line. lock_a
 * takes no part in the cycle.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 1
 * lockstep-test: cycle-length lock-order-cycle 2
 * lockstep-test: lock-name lock-order-cycle lock_b
 * lockstep-test: lock-name lock-order-cycle lock_c
 * lockstep-test: frame lock-order-cycle held @B_IN_T1
 * lockstep-test: frame lock-order-cycle acquire @C_IN_T1
 * lockstep-test: frame lock-order-cycle held @C_IN_T2
 * lockstep-test: frame lock-order-cycle acquire @B_IN_T2
 */
#include "shim_test.h"

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_c = PTHREAD_MUTEX_INITIALIZER;

static void *t1(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    pthread_mutex_lock(&lock_b); /* @B_IN_T1 */
    pthread_mutex_unlock(&lock_a); /* @UNLOCK_A */
    pthread_mutex_lock(&lock_c); /* @C_IN_T1 */
    pthread_mutex_unlock(&lock_c);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

static void *t2(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_c); /* @C_IN_T2 */
    pthread_mutex_lock(&lock_b); /* @B_IN_T2 */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_c);
    return NULL;
}

int main(void)
{
    run_alone(t1, NULL);
    run_alone(t2, NULL);
    return 0;
}
