/* hundred_locks_held_at_once.c: one thread holds 100 mutexes at once (ThreadSanitizer stops
 * tracking at 64), taken in index order and released oldest first, so every release is from
 * the middle of the held list; a second thread later takes two of them (10, then 90) in the
 * same order. Every order agrees: no finding, no note, no capacity limit hit, exit 0.
 *
 * lockstep-test: exit 0
 * lockstep-test: target-exit 0
 * lockstep-test: limits 0
 */
#include "shim_test.h"

#define NLOCKS 100

static pthread_mutex_t locks[NLOCKS];
static int total;

static void *hold_all(void *arg)
{
    (void)arg;
    for (int i = 0; i < NLOCKS; i++)
        CHECK(pthread_mutex_lock(&locks[i]) == 0);
    total++;
    for (int i = 0; i < NLOCKS; i++)
        CHECK(pthread_mutex_unlock(&locks[i]) == 0);
    return NULL;
}

static void *take_two(void *arg)
{
    (void)arg;
    CHECK(pthread_mutex_lock(&locks[10]) == 0);
    CHECK(pthread_mutex_lock(&locks[90]) == 0);
    total++;
    CHECK(pthread_mutex_unlock(&locks[90]) == 0);
    CHECK(pthread_mutex_unlock(&locks[10]) == 0);
    return NULL;
}

int main(void)
{
    for (int i = 0; i < NLOCKS; i++)
        CHECK(pthread_mutex_init(&locks[i], NULL) == 0);
    run_alone(hold_all, NULL);
    run_alone(take_two, NULL);
    /* all free again */
    for (int i = 0; i < NLOCKS; i++) {
        CHECK(pthread_mutex_trylock(&locks[i]) == 0);
        CHECK(pthread_mutex_unlock(&locks[i]) == 0);
    }
    CHECK(total == 2);
    return 0;
}
