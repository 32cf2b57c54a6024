/* new_locks_raced_by_threads_are_one_lock_each.c: four threads leave a barrier together and
 * take the same fresh mutexes, each pair outer[i] then inner[i], so that they race to give
 * every address its lock identity, its first (nothing-held) chain and its nested chain. Each
 * thread also destroys and re-initialises a private mutex at every step: that empties every
 * thread's lock cache, so unlocks look the lock up in the shared address table while other
 * threads insert into it. Were an address given two identities, or an unlock to find another
 * identity than the lock taken, lockstep would report a misuse (unlock of a lock that is not
 * locked) or miss a cycle. It is a race: an insert that let the losing thread keep its own
 * identity failed about one run in two. Afterwards main takes every pair in the inverted
 * order, alone: one lock-order cycle of two locks per pair, all made at the same lines, so
 * one finding seen NPAIRS times.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 1
 * lockstep-test: cycle-length lock-order-cycle 2
 * lockstep-test: count lock-order-cycle 1000
 * lockstep-test: stdout raced 1000 pairs
 */
#include "shim_test.h"

#define NTHREADS 4
#define NPAIRS   1000

static pthread_mutex_t outer[NPAIRS], inner[NPAIRS];
static pthread_barrier_t start;

static void *racer(void *arg)
{
    (void)arg;
    pthread_mutex_t mine;
    CHECK(pthread_mutex_init(&mine, NULL) == 0);
    pthread_barrier_wait(&start);
    for (int i = 0; i < NPAIRS; i++) {
        CHECK(pthread_mutex_lock(&outer[i]) == 0);
        CHECK(pthread_mutex_lock(&inner[i]) == 0);
        CHECK(pthread_mutex_destroy(&mine) == 0);
        CHECK(pthread_mutex_init(&mine, NULL) == 0);
        CHECK(pthread_mutex_unlock(&inner[i]) == 0);
        CHECK(pthread_mutex_unlock(&outer[i]) == 0);
    }
    CHECK(pthread_mutex_destroy(&mine) == 0);
    return NULL;
}

int main(void)
{
    pthread_t t[NTHREADS];
    for (int i = 0; i < NPAIRS; i++) {
        CHECK(pthread_mutex_init(&outer[i], NULL) == 0);
        CHECK(pthread_mutex_init(&inner[i], NULL) == 0);
    }
    CHECK(pthread_barrier_init(&start, NULL, NTHREADS) == 0);
    for (int i = 0; i < NTHREADS; i++)
        t[i] = start_thread(racer, NULL);
    for (int i = 0; i < NTHREADS; i++)
        join_thread(t[i]);
    for (int i = 0; i < NPAIRS; i++) {
        CHECK(pthread_mutex_lock(&inner[i]) == 0);
        CHECK(pthread_mutex_lock(&outer[i]) == 0);
        CHECK(pthread_mutex_unlock(&outer[i]) == 0);
        CHECK(pthread_mutex_unlock(&inner[i]) == 0);
    }
    printf("raced %d pairs\n", NPAIRS);
    return 0;
}
