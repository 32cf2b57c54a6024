/* real_abba_deadlock_is_ended.c: an ABBA inversion forced to really deadlock. T1 takes lock_a,
 * T2 takes lock_b, both meet at a barrier, then T1 asks for lock_b and T2 for lock_a: each
 * waits for the other forever. lockstep must notice the wait-for cycle, record one deadlock
 * finding (each thread blocked at its second lock, holding its first) and the lock-order
 * cycle, and end the target with status 66 well within the test's timeout.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 66
 * lockstep-test: finding deadlock 1
 * lockstep-test: finding lock-order-cycle 1
 * lockstep-test: message deadlock waits for lock_b held by
 * lockstep-test: message deadlock waits for lock_a held by
 * lockstep-test: frame deadlock blocked @B_IN_T1
 * lockstep-test: frame deadlock blocked @A_IN_T2
 * lockstep-test: frame deadlock held @A_IN_T1
 * lockstep-test: frame deadlock held @B_IN_T2
 * lockstep-test: frame lock-order-cycle acquire @B_IN_T1
 * lockstep-test: frame lock-order-cycle acquire @A_IN_T2
 * lockstep-test: timeout 40
 */
#include "shim_test.h"

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;

static void *t1(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* @A_IN_T1 */
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&lock_b); /* @B_IN_T1 */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *t2(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_b); /* @B_IN_T2 */
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&lock_a); /* @A_IN_T2 */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
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
