/* gate_target.c: a target with several distinct findings, for the CI gating tests
 * (check_cli.py: --fail-on, --baseline, lockstep baseline, explore --shard, merge, collect).
 *   gate_target seq       lock_a/lock_b taken in both orders, one thread after the other (a
 *                         lock-order-cycle that cannot hang), and an unlock of a mutex
 *                         nobody holds in misuse_unlock (lock-misuse). Exits 0.
 *   gate_target explore   the same two orders in two concurrent threads (a lock-order-cycle,
 *                         and a deadlock in the schedules that interleave them), a counter
 *                         whose update is split by lockstep_yield() (a lost update makes the
 *                         program exit 1: target-failure) and the misuse.
 *   gate_target deadlock  both threads take their first lock, meet at a barrier, then ask
 *                         for the other's: an actual deadlock that the shim ends. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lockstep.h"

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t stray = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;
static int counter, use_barrier;

static void *take_a_then_b(void *arg)
{
    pthread_mutex_lock(&lock_a);
    if (use_barrier)
        pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return arg;
}

static void *take_b_then_a(void *arg)
{
    pthread_mutex_lock(&lock_b);
    if (use_barrier)
        pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&lock_a);
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return arg;
}

static void *add_one(void *arg)
{
    int current = counter;
    lockstep_yield();
    counter = current + 1;
    return arg;
}

static void misuse_unlock(void)
{
    pthread_mutex_unlock(&stray);
}

static void run2(void *(*f)(void *), void *(*g)(void *), int concurrent)
{
    pthread_t t1, t2;
    pthread_create(&t1, NULL, f, NULL);
    if (!concurrent)
        pthread_join(t1, NULL);
    pthread_create(&t2, NULL, g, NULL);
    if (concurrent)
        pthread_join(t1, NULL);
    pthread_join(t2, NULL);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "seq";
    if (!strcmp(mode, "deadlock")) {
        use_barrier = 1;
        pthread_barrier_init(&both_hold_one, NULL, 2);
        run2(take_a_then_b, take_b_then_a, 1);
        return 0;
    }
    int concurrent = !strcmp(mode, "explore");
    run2(take_a_then_b, take_b_then_a, concurrent);
    misuse_unlock();
    if (concurrent) {
        run2(add_one, add_one, 1);
        printf("counter %d\n", counter);
        return counter != 2;
    }
    return 0;
}
