/* rwlock_writer_preferring_read_read_is_a_cycle.c: the read-read inversion of
 * rwlock_read_read_is_a_note.c, but on rwlocks made with PTHREAD_RWLOCK_PREFER_WRITER_
 * NONRECURSIVE_NP, and with writers on both locks. Such a lock makes a new reader wait while a
 * writer waits, even if only readers hold it. So if T1 holds rw_1 for reading, T2 holds rw_2
 * for reading and a writer waits on each, T1's read of rw_2 and T2's read of rw_1 block
 * forever (checked natively with glibc 2.36: both timed reads time out). The read-read
 * exemption does not apply: lockstep must report the cycle as a finding. The threads run one
 * after the other, so the run itself never deadlocks.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 1
 * lockstep-test: cycle-length lock-order-cycle 2
 * lockstep-test: frame lock-order-cycle acquire @R2_IN_T1
 * lockstep-test: frame lock-order-cycle acquire @R1_IN_T2
 */
#define _GNU_SOURCE
#include "shim_test.h"

static pthread_rwlock_t rw_1, rw_2;

static void *t1(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&rw_1);
    pthread_rwlock_rdlock(&rw_2); /* @R2_IN_T1 */
    pthread_rwlock_unlock(&rw_2);
    pthread_rwlock_unlock(&rw_1);
    return NULL;
}

static void *t2(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&rw_2);
    pthread_rwlock_rdlock(&rw_1); /* @R1_IN_T2 */
    pthread_rwlock_unlock(&rw_1);
    pthread_rwlock_unlock(&rw_2);
    return NULL;
}

static void *writer(void *arg)
{
    pthread_rwlock_t *l = arg;
    pthread_rwlock_wrlock(l);
    pthread_rwlock_unlock(l);
    return NULL;
}

int main(void)
{
    pthread_rwlockattr_t attr;
    CHECK(pthread_rwlockattr_init(&attr) == 0);
    CHECK(pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP) == 0);
    CHECK(pthread_rwlock_init(&rw_1, &attr) == 0);
    CHECK(pthread_rwlock_init(&rw_2, &attr) == 0);
    run_alone(t1, NULL);
    run_alone(t2, NULL);
    run_alone(writer, &rw_1);
    run_alone(writer, &rw_2);
    return 0;
}
