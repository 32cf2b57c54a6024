/* address_reuse_is_a_new_lock.c: a lock that is destroyed and freed is not the lock that is
 * later allocated at the same address. T1 takes the heap mutex first (at address P) and then
 * lock_b; main destroys and frees it, allocates a new mutex (checked to land at P again, as
 * glibc's thread cache makes it) and initialises it; T2 then takes lock_b and then the new
 * mutex. By address that is the inversion P -> lock_b -> P, but the two mutexes never coexist:
 * lockstep must report nothing.
 *
 * lockstep-test: exit 0
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 0
 * lockstep-test: stdout same address reused
 */
#include "shim_test.h"

static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static void *t1(void *arg)
{
    pthread_mutex_t *first = arg;
    pthread_mutex_lock(first);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(first);
    return NULL;
}

static void *t2(void *arg)
{
    pthread_mutex_t *second = arg;
    pthread_mutex_lock(&lock_b);
    pthread_mutex_lock(second);
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_mutex_t *first = malloc(sizeof *first);
    CHECK(first != NULL);
    CHECK(pthread_mutex_init(first, NULL) == 0);
    run_alone(t1, first);
    CHECK(pthread_mutex_destroy(first) == 0);
    void *was = first;
    free(first);

    pthread_mutex_t *second = malloc(sizeof *second);
    CHECK(second != NULL);
    CHECK((void *)second == was);
    CHECK(pthread_mutex_init(second, NULL) == 0);
    printf("same address reused\n");
    run_alone(t2, second);
    CHECK(pthread_mutex_destroy(second) == 0);
    free(second);
    return 0;
}
