/* recursive_mutex_nesting_is_clean.c: a recursive mutex locked three deep, with another lock
 * taken in the middle, as nested methods of an object guarded by one re-entrant lock (Python's
 * RLock) do: rec, rec, inner, rec (again, while holding inner), then everything released. The
 * relock of rec under inner is a re-entry, not a new acquisition, so it adds no inner -> rec
 * order; a second thread takes rec then inner the same way. No self-deadlock, no cycle, no
 * misuse: lockstep must report nothing.
 *
 * lockstep-test: exit 0
 * lockstep-test: target-exit 0
 */
#include "shim_test.h"

static pthread_mutex_t rec; /* recursive: initialised in main */
static pthread_mutex_t inner = PTHREAD_MUTEX_INITIALIZER;
static int depth, max_depth;

static void enter(void)
{
    CHECK(pthread_mutex_lock(&rec) == 0);
    if (++depth > max_depth)
        max_depth = depth;
}

static void leave(void)
{
    depth--;
    CHECK(pthread_mutex_unlock(&rec) == 0);
}

static void *worker(void *arg)
{
    (void)arg;
    enter();
    enter();
    CHECK(pthread_mutex_lock(&inner) == 0);
    enter();
    leave();
    CHECK(pthread_mutex_unlock(&inner) == 0);
    leave();
    leave();
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t attr;
    CHECK(pthread_mutexattr_init(&attr) == 0);
    CHECK(pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE) == 0);
    CHECK(pthread_mutex_init(&rec, &attr) == 0);
    run_alone(worker, NULL);
    run_alone(worker, NULL);
    CHECK(max_depth == 3 && depth == 0);
    /* rec is free again: a trylock from this thread succeeds */
    CHECK(pthread_mutex_trylock(&rec) == 0);
    CHECK(pthread_mutex_unlock(&rec) == 0);
    return 0;
}
