/* cycle_after_many_chains_is_found.c: the shim's chain table fills level by level, and a
 * lookup must search every level in use. T1 takes lock_a then lock_b first (its chain lands
 * in the first level), then makes 20,000 distinct lock-order edges (140 outer x 143 inner
 * mutexes), which push the table through several levels, then takes lock_a and lock_b once
 * more (found again in the first level). T2, alone later, takes lock_b then lock_a (new
 * chains, in the newest level). The inversion must be found once, across the levels, and the
 * 20,000 edges, which form no cycle, must add nothing.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 1
 * lockstep-test: cycle-length lock-order-cycle 2
 * lockstep-test: frame lock-order-cycle acquire @B_FIRST
 * lockstep-test: frame lock-order-cycle acquire @A_SECOND
 */
#include "shim_test.h"

#define OUTER 140
#define INNER 143
static pthread_mutex_t outer[OUTER], inner[INNER];
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static void a_then_b(void)
{
    CHECK(pthread_mutex_lock(&lock_a) == 0);
    CHECK(pthread_mutex_lock(&lock_b) == 0); /* @B_FIRST */
    CHECK(pthread_mutex_unlock(&lock_b) == 0);
    CHECK(pthread_mutex_unlock(&lock_a) == 0);
}

static void *t1(void *arg)
{
    (void)arg;
    a_then_b();
    for (int i = 0; i < OUTER; i++) {
        CHECK(pthread_mutex_lock(&outer[i]) == 0);
        for (int j = 0; j < INNER; j++) {
            CHECK(pthread_mutex_lock(&inner[j]) == 0);
            CHECK(pthread_mutex_unlock(&inner[j]) == 0);
        }
        CHECK(pthread_mutex_unlock(&outer[i]) == 0);
    }
    a_then_b();
    return NULL;
}

static void *t2(void *arg)
{
    (void)arg;
    CHECK(pthread_mutex_lock(&lock_b) == 0);
    CHECK(pthread_mutex_lock(&lock_a) == 0); /* @A_SECOND */
    CHECK(pthread_mutex_unlock(&lock_a) == 0);
    CHECK(pthread_mutex_unlock(&lock_b) == 0);
    return NULL;
}

int main(void)
{
    for (int i = 0; i < OUTER; i++)
        CHECK(pthread_mutex_init(&outer[i], NULL) == 0);
    for (int j = 0; j < INNER; j++)
        CHECK(pthread_mutex_init(&inner[j], NULL) == 0);
    run_alone(t1, NULL);
    run_alone(t2, NULL);
    return 0;
}
