/* lock_inversion: main takes first then second, later second then first (no deadlock: one
 * thread), then a thread races with main on `shared`. With detect_deadlocks=1 ThreadSanitizer
 * reports a "lock-order-inversion (potential deadlock)", which lockstep leaves to its own
 * detector, and the data race, which it keeps. Fixture program for tests/tsan (see
 * fixtures/README.md). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t first = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t second = PTHREAD_MUTEX_INITIALIZER;
static int shared;

static void *bump(void *arg)
{
    (void)arg;
    shared++; /* races with main's read */
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_mutex_lock(&first);
    pthread_mutex_lock(&second);
    pthread_mutex_unlock(&second);
    pthread_mutex_unlock(&first);
    pthread_mutex_lock(&second);
    pthread_mutex_lock(&first); /* the inverted order */
    pthread_mutex_unlock(&first);
    pthread_mutex_unlock(&second);
    pthread_create(&t, NULL, bump, NULL);
    printf("shared %d\n", shared); /* racing read */
    pthread_join(t, NULL);
    return 0;
}
