/* Port of notes 004, the single-thread RLock example: one thread takes an RLock, prints
 * "Got it!" and releases it.
 *
 * One acquisition of a recursive mutex by one thread: nothing can go wrong. The notes
 * never join the thread; here main joins it. Expected: "Got it!", exit 0.
 *
 * lockstep-case: rlock_got_it
 * lockstep-source: 004 RLock "Got it!" (one thread, with lock: print)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock;

static void *func(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    printf("Got it!\n");
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t attr;
    pthread_t t;

    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE); /* threading.RLock() */
    pthread_mutex_init(&lock, &attr);
    pthread_mutexattr_destroy(&attr);

    pthread_create(&t, NULL, func, NULL);
    pthread_join(t, NULL);
    pthread_mutex_destroy(&lock);
    return 0;
}
