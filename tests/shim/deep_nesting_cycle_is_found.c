/* deep_nesting_cycle_is_found.c: acquisitions deep in a thread's held list are recorded like
 * shallow ones (the fast path has no depth limit: its cache is keyed by the context). T1 holds
 * ten outer locks and then takes lock_a and lock_b; T2, alone later, takes lock_b and then
 * lock_a. The inversion between lock_a and lock_b, recorded at depth 10 and 11, must be found
 * like any other: one lock-order cycle of two locks, with T1's acquisition of lock_b named.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 1
 * lockstep-test: cycle-length lock-order-cycle 2
 * lockstep-test: frame lock-order-cycle acquire @B_DEEP
 */
#include "shim_test.h"

#define OUTER 10
static pthread_mutex_t outer[OUTER];
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static void *t1(void *arg)
{
    (void)arg;
    for (int i = 0; i < OUTER; i++)
        CHECK(pthread_mutex_lock(&outer[i]) == 0);
    CHECK(pthread_mutex_lock(&lock_a) == 0);
    CHECK(pthread_mutex_lock(&lock_b) == 0); /* @B_DEEP */
    CHECK(pthread_mutex_unlock(&lock_b) == 0);
    CHECK(pthread_mutex_unlock(&lock_a) == 0);
    for (int i = OUTER; i-- > 0;)
        CHECK(pthread_mutex_unlock(&outer[i]) == 0);
    return NULL;
}

static void *t2(void *arg)
{
    (void)arg;
    CHECK(pthread_mutex_lock(&lock_b) == 0);
    CHECK(pthread_mutex_lock(&lock_a) == 0);
    CHECK(pthread_mutex_unlock(&lock_a) == 0);
    CHECK(pthread_mutex_unlock(&lock_b) == 0);
    return NULL;
}

int main(void)
{
    for (int i = 0; i < OUTER; i++)
        CHECK(pthread_mutex_init(&outer[i], NULL) == 0);
    run_alone(t1, NULL);
    run_alone(t2, NULL);
    return 0;
}
