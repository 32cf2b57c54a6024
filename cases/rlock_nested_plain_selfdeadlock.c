/* Buggy twin of rlock_nested_recursive (notes 004, RLock example): the same
 * outer / inner / inner_inside_inner nesting, but with a plain mutex (threading.Lock, a
 * default PTHREAD_MUTEX_INITIALIZER mutex) instead of an RLock.
 *
 * Pattern: self-deadlock. inner() relocks the non-recursive mutex its own thread already
 * holds; a default mutex does not track its owner for re-entry, so the thread waits for
 * itself forever (Python's Lock hangs the same way), and the main thread waits in join.
 * Expected: prints nothing after taking the lock in outer(); hangs.
 *
 * lockstep-case: rlock_nested_plain_selfdeadlock
 * lockstep-source: 004 RLock example with threading.Lock instead of RLock
 * lockstep-twin: rlock_nested_recursive
 * lockstep-native: hang
 * lockstep-expect run: self-deadlock deadlock?
 * lockstep-expect explore: self-deadlock deadlock?
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* threading.Lock(): not re-entrant */
static const char *shared[8];
static int nshared;

static void inner_inside_inner(void)
{
    pthread_mutex_lock(&lock);
    shared[nshared++] = "Nested Inner Called";
    pthread_mutex_unlock(&lock);
}

static void inner(void)
{
    printf("inner: locking the lock outer() already holds\n");
    pthread_mutex_lock(&lock); /* self-deadlock */
    shared[nshared++] = "Inner Called";
    inner_inside_inner();
    pthread_mutex_unlock(&lock);
}

static void *outer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    shared[nshared++] = "Outer Starting";
    inner();
    shared[nshared++] = "Outer Ending";
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t1;

    setvbuf(stdout, NULL, _IOLBF, 0);
    pthread_create(&t1, NULL, outer, NULL);
    pthread_join(t1, NULL);
    printf("[");
    for (int i = 0; i < nshared; i++)
        printf("%s'%s'", i ? ", " : "", shared[i]);
    printf("]\n");
    return nshared != 4;
}
