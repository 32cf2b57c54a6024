/* rwlock_upgrade_self_deadlock_is_ended.c: a thread holding an rwlock for reading asks for it
 * for writing, as if a read lock could be upgraded. glibc does not detect this (EDEADLK is
 * only for a thread that holds the write lock): the writer waits for all readers to leave,
 * itself included, forever. lockstep must report one self-deadlock and end the target with
 * status 66.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 66
 * lockstep-test: finding self-deadlock 1
 * lockstep-test: lock-name self-deadlock config_rw
 * lockstep-test: frame self-deadlock acquire @UPGRADE
 * lockstep-test: frame self-deadlock held @READ
 * lockstep-test: timeout 40
 */
#include "shim_test.h"

static pthread_rwlock_t config_rw = PTHREAD_RWLOCK_INITIALIZER;
static int config;

static void *worker(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&config_rw); /* @READ */
    if (config == 0) {
        pthread_rwlock_wrlock(&config_rw); /* @UPGRADE */
        config = 1;
        pthread_rwlock_unlock(&config_rw);
    }
    pthread_rwlock_unlock(&config_rw);
    return NULL;
}

int main(void)
{
    run_alone(worker, NULL);
    printf("not reached: the worker waits for its own read lock\n");
    return 1;
}
