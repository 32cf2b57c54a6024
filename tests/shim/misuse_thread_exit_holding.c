/* misuse_thread_exit_holding.c: two threads end while holding a mutex: one returns from its
 * start routine with returner_lock locked, the other calls pthread_exit with exiter_lock
 * locked. Nobody can ever unlock them again. lockstep must report two lock-misuse findings,
 * each with where the lock was taken (and, for pthread_exit, where the thread exited).
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-misuse 2
 * lockstep-test: message lock-misuse thread exit while holding a lock
 * lockstep-test: lock-name lock-misuse returner_lock
 * lockstep-test: lock-name lock-misuse exiter_lock
 * lockstep-test: frame lock-misuse held @RETURNER_LOCK
 * lockstep-test: frame lock-misuse held @EXITER_LOCK
 * lockstep-test: frame lock-misuse exit @PTHREAD_EXIT
 */
#include "shim_test.h"

static pthread_mutex_t returner_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t exiter_lock = PTHREAD_MUTEX_INITIALIZER;

static void *returner(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&returner_lock); /* @RETURNER_LOCK */
    return NULL;
}

static void *exiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&exiter_lock); /* @EXITER_LOCK */
    pthread_exit(NULL); /* @PTHREAD_EXIT */
}

int main(void)
{
    run_alone(returner, NULL);
    run_alone(exiter, NULL);
    /* both stay locked by threads that are gone */
    CHECK(pthread_mutex_trylock(&returner_lock) != 0);
    CHECK(pthread_mutex_trylock(&exiter_lock) != 0);
    return 0;
}
