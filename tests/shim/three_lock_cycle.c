/* three_lock_cycle.c: a cycle no pair of threads shows on its own. T1 takes A then B, T2 takes
 * B then C, T3 takes C then A, each started after the previous one ended. Any two of them are
 * consistent; all three can deadlock. lockstep must report one cycle over the three locks.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 1
 * lockstep-test: cycle-length lock-order-cycle 3
 * lockstep-test: lock-name lock-order-cycle lock_a
 * lockstep-test: lock-name lock-order-cycle lock_b
 * lockstep-test: lock-name lock-order-cycle lock_c
 * lockstep-test: frame lock-order-cycle held @A_IN_T1
 * lockstep-test: frame lock-order-cycle acquire @B_IN_T1
 * lockstep-test: frame lock-order-cycle held @B_IN_T2
 * lockstep-test: frame lock-order-cycle acquire @C_IN_T2
 * lockstep-test: frame lock-order-cycle held @C_IN_T3
 * lockstep-test: frame lock-order-cycle acquire @A_IN_T3
 */
#include "shim_test.h"

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_c = PTHREAD_MUTEX_INITIALIZER;

static void *t1(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* @A_IN_T1 */
    pthread_mutex_lock(&lock_b); /* @B_IN_T1 */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *t2(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_b); /* @B_IN_T2 */
    pthread_mutex_lock(&lock_c); /* @C_IN_T2 */
    pthread_mutex_unlock(&lock_c);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

static void *t3(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_c); /* @C_IN_T3 */
    pthread_mutex_lock(&lock_a); /* @A_IN_T3 */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_c);
    return NULL;
}

int main(void)
{
    run_alone(t1, NULL);
    run_alone(t2, NULL);
    run_alone(t3, NULL);
    return 0;
}
