/* unlock_unlocked: main unlocks the global mutex `guard`, which nobody holds.
 * ThreadSanitizer reports "unlock of an unlocked mutex (or by a wrong thread)".
 * Fixture program for tests/tsan (see fixtures/README.md). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

pthread_mutex_t guard = PTHREAD_MUTEX_INITIALIZER;

static void release(void)
{
    pthread_mutex_unlock(&guard); /* not locked: misuse */
}

int main(void)
{
    pthread_mutex_lock(&guard);
    pthread_mutex_unlock(&guard);
    release();
    printf("unlocked twice\n");
    return 0;
}
