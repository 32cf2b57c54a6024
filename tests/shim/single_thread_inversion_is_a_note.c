/* single_thread_inversion_is_a_note.c: one thread takes lock_a then lock_b, releases both,
 * and later takes lock_b then lock_a. Both orders come from the same thread, which cannot wait
 * for itself, and no other thread touches the locks: lockstep keeps the cycle as a
 * single-thread note, not a finding.
 *
 * lockstep-test: exit 0
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 0
 * lockstep-test: note lock-order-cycle single-thread 1
 * lockstep-test: cycle-length note:lock-order-cycle 2
 * lockstep-test: frame note:lock-order-cycle acquire @B_SECOND
 * lockstep-test: frame note:lock-order-cycle acquire @A_SECOND
 */
#include "shim_test.h"

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    pthread_mutex_lock(&lock_b); /* @B_SECOND */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);

    pthread_mutex_lock(&lock_b);
    pthread_mutex_lock(&lock_a); /* @A_SECOND */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    run_alone(worker, NULL);
    return 0;
}
