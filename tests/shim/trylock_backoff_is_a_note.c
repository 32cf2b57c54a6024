/* trylock_backoff_is_a_note.c: T1 takes lock_a then lock_b; T2 (after T1) takes lock_b and
 * then only tries lock_a with pthread_mutex_trylock (which succeeds here, since T1 is gone).
 * A trylock backs off instead of blocking, so the inversion cannot deadlock: lockstep keeps the
 * cycle as a trylock note, not a finding.
 *
 * lockstep-test: exit 0
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 0
 * lockstep-test: note lock-order-cycle trylock 1
 * lockstep-test: cycle-length note:lock-order-cycle 2
 * lockstep-test: frame note:lock-order-cycle acquire @TRY_A_IN_T2
 */
#include "shim_test.h"

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static int tried;

static void *t1(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *t2(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_b);
    if (pthread_mutex_trylock(&lock_a) == 0) { /* @TRY_A_IN_T2 */
        tried = 1;
        pthread_mutex_unlock(&lock_a);
    }
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    run_alone(t1, NULL);
    run_alone(t2, NULL);
    CHECK(tried == 1);
    return 0;
}
