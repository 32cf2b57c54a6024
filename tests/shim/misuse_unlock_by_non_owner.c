/* misuse_unlock_by_non_owner.c: main locks job_lock and a worker unlocks it. glibc lets a
 * normal mutex be unlocked by any thread (it returns 0), but POSIX leaves it undefined and it
 * is always a bug. lockstep must report one lock-misuse naming the unlocking thread and the
 * owner, with where each happened. Nothing else: main does not touch job_lock again.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-misuse 1
 * lockstep-test: message lock-misuse unlock by a thread that does not own the lock
 * lockstep-test: message lock-misuse held by main
 * lockstep-test: lock-name lock-misuse job_lock
 * lockstep-test: frame lock-misuse unlock @UNLOCK_IN_WORKER
 * lockstep-test: frame lock-misuse held @LOCK_IN_MAIN
 */
#include "shim_test.h"

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    (void)arg;
    CHECK(pthread_mutex_unlock(&job_lock) == 0); /* @UNLOCK_IN_WORKER */
    return NULL;
}

int main(void)
{
    pthread_mutex_lock(&job_lock); /* @LOCK_IN_MAIN */
    run_alone(worker, NULL);
    /* the worker released it: it is free now */
    CHECK(pthread_mutex_trylock(&job_lock) == 0);
    CHECK(pthread_mutex_unlock(&job_lock) == 0);
    return 0;
}
