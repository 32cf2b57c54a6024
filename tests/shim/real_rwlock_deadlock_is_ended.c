/* real_rwlock_deadlock_is_ended.c: a real deadlock through rwlocks. T1 write-locks rw_1, T2
 * write-locks rw_2, both meet at a barrier, then T1 asks to read rw_2 and T2 to read rw_1: a
 * reader waits for a writer, so each waits for the other forever. lockstep must follow the
 * waits through the rwlocks, report one deadlock (each blocked at its read lock) and the
 * lock-order cycle, and end the target with status 66.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 66
 * lockstep-test: finding deadlock 1
 * lockstep-test: finding lock-order-cycle 1
 * lockstep-test: frame deadlock blocked @R2_IN_T1
 * lockstep-test: frame deadlock blocked @R1_IN_T2
 * lockstep-test: frame deadlock held @W1_IN_T1
 * lockstep-test: frame deadlock held @W2_IN_T2
 * lockstep-test: timeout 40
 */
#include "shim_test.h"

static pthread_rwlock_t rw_1 = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t rw_2 = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t both_hold_one;

static void *t1(void *arg)
{
    (void)arg;
    pthread_rwlock_wrlock(&rw_1); /* @W1_IN_T1 */
    pthread_barrier_wait(&both_hold_one);
    pthread_rwlock_rdlock(&rw_2); /* @R2_IN_T1 */
    pthread_rwlock_unlock(&rw_2);
    pthread_rwlock_unlock(&rw_1);
    return NULL;
}

static void *t2(void *arg)
{
    (void)arg;
    pthread_rwlock_wrlock(&rw_2); /* @W2_IN_T2 */
    pthread_barrier_wait(&both_hold_one);
    pthread_rwlock_rdlock(&rw_1); /* @R1_IN_T2 */
    pthread_rwlock_unlock(&rw_1);
    pthread_rwlock_unlock(&rw_2);
    return NULL;
}

int main(void)
{
    CHECK(pthread_barrier_init(&both_hold_one, NULL, 2) == 0);
    pthread_t a = start_thread(t1, NULL);
    pthread_t b = start_thread(t2, NULL);
    join_thread(a);
    join_thread(b);
    printf("not reached: the threads deadlock\n");
    return 1;
}
