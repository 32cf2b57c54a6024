/* Port of notes 004, the RLock example: outer() takes rlock and calls inner(), which
 * takes rlock again and calls inner_inside_inner(), which takes it a third time; each
 * appends a string to `shared`. One thread runs outer().
 *
 * A recursive mutex (threading.RLock = PTHREAD_MUTEX_RECURSIVE): "RLock tracks ownership
 * and acquisition count, so re-entry is allowed for the owning thread". Expected:
 * ['Outer Starting', 'Inner Called', 'Nested Inner Called', 'Outer Ending'].
 * Buggy twin with a plain mutex: rlock_nested_plain_selfdeadlock.
 *
 * lockstep-case: rlock_nested_recursive
 * lockstep-source: 004 RLock example (outer / inner / inner_inside_inner with threading.RLock)
 * lockstep-twin: rlock_nested_plain_selfdeadlock
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t rlock;
static const char *shared[8];
static int nshared;

static void inner_inside_inner(void)
{
    pthread_mutex_lock(&rlock);
    shared[nshared++] = "Nested Inner Called";
    pthread_mutex_unlock(&rlock);
}

static void inner(void)
{
    pthread_mutex_lock(&rlock);
    shared[nshared++] = "Inner Called";
    inner_inside_inner();
    pthread_mutex_unlock(&rlock);
}

static void *outer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&rlock);
    shared[nshared++] = "Outer Starting";
    inner();
    shared[nshared++] = "Outer Ending";
    pthread_mutex_unlock(&rlock);
    return NULL;
}

int main(void)
{
    static const char *const expected[4] = {"Outer Starting", "Inner Called",
                                            "Nested Inner Called", "Outer Ending"};
    pthread_mutexattr_t attr;
    pthread_t t1;
    int failed = 0;

    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE); /* threading.RLock() */
    pthread_mutex_init(&rlock, &attr);
    pthread_mutexattr_destroy(&attr);

    pthread_create(&t1, NULL, outer, NULL);
    pthread_join(t1, NULL);

    printf("[");
    for (int i = 0; i < nshared; i++)
        printf("%s'%s'", i ? ", " : "", shared[i]);
    printf("]\n");
    failed |= nshared != 4;
    for (int i = 0; i < nshared && i < 4; i++)
        failed |= strcmp(shared[i], expected[i]) != 0;
    pthread_mutex_destroy(&rlock);
    return failed;
}
