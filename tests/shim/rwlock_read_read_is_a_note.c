/* rwlock_read_read_is_a_note.c: T1 read-locks rw_1 then rw_2; T2 (after T1) read-locks rw_2
 * then rw_1; T3 write-locks each of them alone. glibc's default rwlocks prefer readers: a read
 * lock is granted while only readers hold the lock, even when a writer waits, so neither
 * reader can block the other and the inversion cannot deadlock. lockstep keeps the cycle as a
 * read-read note, not a finding.
 *
 * lockstep-test: exit 0
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 0
 * lockstep-test: note lock-order-cycle read-read 1
 * lockstep-test: cycle-length note:lock-order-cycle 2
 * lockstep-test: lock-name note:lock-order-cycle rw_1
 * lockstep-test: frame note:lock-order-cycle acquire @R2_IN_T1
 * lockstep-test: frame note:lock-order-cycle acquire @R1_IN_T2
 */
#include "shim_test.h"

static pthread_rwlock_t rw_1 = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t rw_2 = PTHREAD_RWLOCK_INITIALIZER;

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
    (void)arg;
    pthread_rwlock_wrlock(&rw_1);
    pthread_rwlock_unlock(&rw_1);
    pthread_rwlock_wrlock(&rw_2);
    pthread_rwlock_unlock(&rw_2);
    return NULL;
}

int main(void)
{
    run_alone(t1, NULL);
    run_alone(t2, NULL);
    run_alone(writer, NULL);
    return 0;
}
