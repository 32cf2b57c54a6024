/* abba_is_a_lock_order_cycle.c: the classic inversion. T1 takes lock_a then lock_b; T2, started
 * only after T1 has been joined, takes lock_b then lock_a. The run never deadlocks, but the two
 * orders together can: lockstep must report one lock-order cycle (and no deadlock), with the
 * held and requested sites of both threads.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 1
 * lockstep-test: finding deadlock 0
 * lockstep-test: cycle-length lock-order-cycle 2
 * lockstep-test: lock-name lock-order-cycle lock_a
 * lockstep-test: lock-name lock-order-cycle lock_b
 * lockstep-test: frame lock-order-cycle held @A_IN_T1
 * lockstep-test: frame lock-order-cycle acquire @B_IN_T1
 * lockstep-test: frame lock-order-cycle held @B_IN_T2
 * lockstep-test: frame lock-order-cycle acquire @A_IN_T2
 */
#include "shim_test.h"

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static int counter;

static void *t1(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* @A_IN_T1 */
    pthread_mutex_lock(&lock_b); /* @B_IN_T1 */
    counter++;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *t2(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_b); /* @B_IN_T2 */
    pthread_mutex_lock(&lock_a); /* @A_IN_T2 */
    counter++;
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    run_alone(t1, NULL);
    run_alone(t2, NULL);
    CHECK(counter == 2);
    return 0;
}
