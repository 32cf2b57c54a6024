/* misuse_destroy_locked.c: a worker destroys a mutex it still holds. glibc refuses (EBUSY) and
 * the mutex stays locked and usable, so the worker then unlocks and destroys it properly,
 * which is correct. lockstep must report exactly one lock-misuse (the destroy of a locked
 * lock, where it was destroyed and where it was taken) and nothing about the later unlock and
 * destroy, which are fine.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-misuse 1
 * lockstep-test: message lock-misuse destroy of a locked lock
 * lockstep-test: frame lock-misuse destroy @BAD_DESTROY
 * lockstep-test: frame lock-misuse held @LOCK
 */
#include <errno.h>

#include "shim_test.h"

static pthread_mutex_t cache_lock;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&cache_lock); /* @LOCK */
    CHECK(pthread_mutex_destroy(&cache_lock) == EBUSY); /* @BAD_DESTROY */
    CHECK(pthread_mutex_unlock(&cache_lock) == 0);
    CHECK(pthread_mutex_destroy(&cache_lock) == 0);
    return NULL;
}

int main(void)
{
    CHECK(pthread_mutex_init(&cache_lock, NULL) == 0);
    run_alone(worker, NULL);
    return 0;
}
