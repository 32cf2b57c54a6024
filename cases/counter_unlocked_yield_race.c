/* The unsafe counter (notes 004, race-condition example without the lock), with its
 * commented-out `# time.sleep(0)` put back: 10 threads each run
 * `current = counter; time.sleep(0); counter = current + 1` 100 times, no lock.
 *
 * Pattern: lost update. The yield (time.sleep(0) is sched_yield()) between the read and
 * the write invites a switch, after which another thread's increments are overwritten.
 * This is the notes' "unsafe counter" as their prose means it (the "two cashiers" ledger
 * analogy): lockstep's scheduler switches at the yield and the invariant fails; natively
 * it usually fails too. Correct twin: counter_locked. Expected: 1000; Actual: less.
 *
 * lockstep-case: counter_unlocked_yield_race
 * lockstep-source: 004 race-condition counter without lock, `time.sleep(0)` restored, 10 x 100
 * lockstep-twin: counter_locked
 * lockstep-native: any
 * lockstep-expect run: target-failure?
 * lockstep-expect explore: target-failure
 * lockstep-expect tsan: data-race target-failure?
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#define N_THREADS  10
#define INCREMENTS 100

static int counter = 0;

static void *worker(void *arg)
{
    int n = *(const int *)arg;
    for (int i = 0; i < n; i++) {
        int current = counter;
        sched_yield(); /* time.sleep(0) */
        counter = current + 1;
    }
    return NULL;
}

int main(void)
{
    static const int increments = INCREMENTS;
    pthread_t threads[N_THREADS];

    for (int i = 0; i < N_THREADS; i++)
        pthread_create(&threads[i], NULL, worker, (void *)&increments);
    for (int i = 0; i < N_THREADS; i++)
        pthread_join(threads[i], NULL);

    printf("Expected: %d\n", N_THREADS * INCREMENTS);
    printf("Actual:   %d\n", counter);
    return counter != N_THREADS * INCREMENTS;
}
