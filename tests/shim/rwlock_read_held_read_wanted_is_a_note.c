/* rwlock_read_held_read_wanted_is_a_note.c: T1 write-locks rw_1 then read-locks rw_2; T2
 * (after T1) read-locks rw_2 then read-locks rw_1. Were they concurrent, T2 could wait for
 * T1's write lock on rw_1, but T1 would still get its read lock on rw_2 (only read-held by
 * T2, and glibc's default rwlocks grant reads while only readers hold the lock), finish and
 * release rw_1. So this cycle cannot deadlock: lockstep keeps it as a read-read note.
 *
 * lockstep-test: exit 0
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 0
 * lockstep-test: note lock-order-cycle read-read 1
 * lockstep-test: cycle-length note:lock-order-cycle 2
 */
#include "shim_test.h"

static pthread_rwlock_t rw_1 = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t rw_2 = PTHREAD_RWLOCK_INITIALIZER;

static void *t1(void *arg)
{
    (void)arg;
    pthread_rwlock_wrlock(&rw_1);
    pthread_rwlock_rdlock(&rw_2);
    pthread_rwlock_unlock(&rw_2);
    pthread_rwlock_unlock(&rw_1);
    return NULL;
}

static void *t2(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&rw_2);
    pthread_rwlock_rdlock(&rw_1);
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
