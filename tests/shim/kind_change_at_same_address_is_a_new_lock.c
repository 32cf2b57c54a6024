/* kind_change_at_same_address_is_a_new_lock.c: memory that held a mutex is reused for a
 * read-write lock without any destroy or init call (both set up by static initializers), so
 * no lockstep cache is emptied. One thread takes the mutex at address P and then lock_b; later
 * the same thread takes lock_b and then the rwlock at P. By address that is P -> lock_b -> P,
 * but a mutex and an rwlock are different locks: the shim's per-thread lock cache, which
 * remembers the kind of lock at P, must give the rwlock a new identity. Were they merged, the
 * cycle would show up as a single-thread note; lockstep must report nothing.
 *
 * lockstep-test: exit 0
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 0
 * lockstep-test: stdout reused as rwlock
 */
#include <string.h>

#include "shim_test.h"

static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static union {
    pthread_mutex_t m;
    pthread_rwlock_t rw;
} p;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    memcpy(&p.m, &m, sizeof m);
    for (int i = 0; i < 3; i++) { /* several times, so that later rounds hit the caches */
        CHECK(pthread_mutex_lock(&p.m) == 0);
        CHECK(pthread_mutex_lock(&lock_b) == 0);
        CHECK(pthread_mutex_unlock(&lock_b) == 0);
        CHECK(pthread_mutex_unlock(&p.m) == 0);
    }
    pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
    memcpy(&p.rw, &rw, sizeof rw);
    printf("reused as rwlock\n");
    for (int i = 0; i < 3; i++) {
        CHECK(pthread_mutex_lock(&lock_b) == 0);
        CHECK(pthread_rwlock_wrlock(&p.rw) == 0);
        CHECK(pthread_rwlock_unlock(&p.rw) == 0);
        CHECK(pthread_mutex_unlock(&lock_b) == 0);
    }
    return NULL;
}

int main(void)
{
    run_alone(worker, NULL);
    return 0;
}
