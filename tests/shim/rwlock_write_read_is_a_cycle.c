/* rwlock_write_read_is_a_cycle.c: T1 write-locks rw_1 then read-locks rw_2; T2 (after T1)
 * write-locks rw_2 then read-locks rw_1. A read lock waits for a writer that holds the lock, so
 * if both ran at once each would wait for the other's write lock forever: a real potential
 * deadlock, which lockstep must report as a lock-order cycle (not a read-read note).
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 1
 * lockstep-test: cycle-length lock-order-cycle 2
 * lockstep-test: frame lock-order-cycle held @W1_IN_T1
 * lockstep-test: frame lock-order-cycle acquire @R2_IN_T1
 * lockstep-test: frame lock-order-cycle held @W2_IN_T2
 * lockstep-test: frame lock-order-cycle acquire @R1_IN_T2
 */
#include "shim_test.h"

static pthread_rwlock_t rw_1 = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t rw_2 = PTHREAD_RWLOCK_INITIALIZER;

static void *t1(void *arg)
{
    (void)arg;
    pthread_rwlock_wrlock(&rw_1); /* @W1_IN_T1 */
    pthread_rwlock_rdlock(&rw_2); /* @R2_IN_T1 */
    pthread_rwlock_unlock(&rw_2);
    pthread_rwlock_unlock(&rw_1);
    return NULL;
}

static void *t2(void *arg)
{
    (void)arg;
    pthread_rwlock_wrlock(&rw_2); /* @W2_IN_T2 */
    pthread_rwlock_rdlock(&rw_1); /* @R1_IN_T2 */
    pthread_rwlock_unlock(&rw_1);
    pthread_rwlock_unlock(&rw_2);
    return NULL;
}

int main(void)
{
    run_alone(t1, NULL);
    run_alone(t2, NULL);
    return 0;
}
