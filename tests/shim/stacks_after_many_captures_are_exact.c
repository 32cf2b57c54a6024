/* stacks_after_many_captures_are_exact.c: the shim unwinds a thread's first 64 stacks step by
 * step and later ones with libunwind's trace cache (shim_store.c). T1 first makes 200 new
 * lock-order chains (200 stack captures: 100 outer x 2 inner mutexes), so its lock_a ->
 * lock_b edge is captured on the second path; T2, fresh, takes lock_b then lock_a on the
 * first. Both halves of the cycle must carry exact stacks: the acquiring line and the line
 * that called the function, on either path.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 1
 * lockstep-test: cycle-length lock-order-cycle 2
 * lockstep-test: frame lock-order-cycle acquire @B_LATE
 * lockstep-test: frame lock-order-cycle acquire @CALL_LATE
 * lockstep-test: frame lock-order-cycle acquire @A_FRESH
 * lockstep-test: frame lock-order-cycle acquire @CALL_FRESH
 */
#include "shim_test.h"

#define OUTER 100
#define INNER 2
static pthread_mutex_t outer[OUTER], inner[INNER];
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static __attribute__((noinline)) void a_then_b(void)
{
    CHECK(pthread_mutex_lock(&lock_a) == 0);
    CHECK(pthread_mutex_lock(&lock_b) == 0); /* @B_LATE */
    CHECK(pthread_mutex_unlock(&lock_b) == 0);
    CHECK(pthread_mutex_unlock(&lock_a) == 0);
}

static __attribute__((noinline)) void b_then_a(void)
{
    CHECK(pthread_mutex_lock(&lock_b) == 0);
    CHECK(pthread_mutex_lock(&lock_a) == 0); /* @A_FRESH */
    CHECK(pthread_mutex_unlock(&lock_a) == 0);
    CHECK(pthread_mutex_unlock(&lock_b) == 0);
}

static void *t1(void *arg)
{
    (void)arg;
    for (int i = 0; i < OUTER; i++) {
        CHECK(pthread_mutex_lock(&outer[i]) == 0);
        for (int j = 0; j < INNER; j++) {
            CHECK(pthread_mutex_lock(&inner[j]) == 0);
            CHECK(pthread_mutex_unlock(&inner[j]) == 0);
        }
        CHECK(pthread_mutex_unlock(&outer[i]) == 0);
    }
    a_then_b(); /* @CALL_LATE */
    return NULL;
}

static void *t2(void *arg)
{
    (void)arg;
    b_then_a(); /* @CALL_FRESH */
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
