/* Port of notes 004, the lock-ordering example as its code is written: thread1 (devlop)
 * and thread2 (lopment) both take lock_a, time.sleep(0), then lock_b, and print.
 *
 * Consistent lock ordering (the notes' own advice: "Always acquire locks in the same
 * global order"): both threads take a then b, so there is no cycle and no deadlock,
 * whatever the prose under the example says. Correct twin of lock_order_inverted_abba.
 * Expected: both "acquire both" lines and "Development".
 *
 * lockstep-case: lock_order_consistent
 * lockstep-source: 004 lock-ordering example as coded (both threads: lock_a, then lock_b)
 * lockstep-twin: lock_order_inverted_abba
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static void *thread1(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    sched_yield(); /* time.sleep(0) */
    pthread_mutex_lock(&lock_b);
    printf("thread1 acquire both\n");
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *thread2(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    sched_yield(); /* time.sleep(0) */
    pthread_mutex_lock(&lock_b);
    printf("thread2 acquire both\n");
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

int main(void)
{
    pthread_t devlop, lopment;

    pthread_create(&devlop, NULL, thread1, NULL);
    pthread_create(&lopment, NULL, thread2, NULL);
    pthread_join(devlop, NULL);
    pthread_join(lopment, NULL);
    printf("Development\n");
    return 0;
}
