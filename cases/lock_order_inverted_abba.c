/* Port of the prose of notes 004, "Deadlock Example": "devlop (thread1) acquires lock_a
 * and waits for lock_b, while lopment (thread2) acquires lock_b and waits for lock_a.
 * Both are stuck." (The code above that prose takes lock_a first in both threads; that
 * version is lock_order_consistent.)
 *
 * Pattern: ABBA lock-order inversion. thread1 takes a then b, thread2 takes b then a, with
 * time.sleep(0) (sched_yield) in between. The inconsistent order is always a potential
 * deadlock; the real deadlock happens when each thread holds its first lock at the same
 * time, which is timing-dependent natively and found by lockstep's scheduler.
 * Expected: either both lines and "Development", or a hang.
 *
 * lockstep-case: lock_order_inverted_abba
 * lockstep-source: 004 "Deadlock Example" prose (thread2 takes lock_b first)
 * lockstep-twin: lock_order_consistent
 * lockstep-native: any
 * lockstep-expect run: lock-order-cycle deadlock?
 * lockstep-expect explore: lock-order-cycle deadlock
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
    pthread_mutex_lock(&lock_b); /* the inverted order */
    sched_yield(); /* time.sleep(0) */
    pthread_mutex_lock(&lock_a);
    printf("thread2 acquire both\n");
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_t devlop, lopment;

    setvbuf(stdout, NULL, _IOLBF, 0);
    pthread_create(&devlop, NULL, thread1, NULL);
    pthread_create(&lopment, NULL, thread2, NULL);
    pthread_join(devlop, NULL);
    pthread_join(lopment, NULL);
    printf("Development\n");
    return 0;
}
