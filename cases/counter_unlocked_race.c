/* Port of notes 004, the race-condition counter without the lock, exactly as written:
 * 10 threads each run `current = counter; counter = current + 1` 100 times, with
 * `# time.sleep(0)` commented out (and dis.dis(worker), which has no C equivalent).
 *
 * Pattern: unsynchronized read-modify-write. Without the yield nothing invites a switch
 * between the read and the write: natively a lost update is possible but rare, and
 * lockstep's scheduler, which switches only at pthread calls, yields and sleeps, cannot
 * split it (explore is clean: the honest verdict). ThreadSanitizer reports the race.
 * `volatile` only stops the compiler from folding the 100 increments into one addition
 * (Python does every load and store); it is not synchronization. Twin: counter_locked;
 * the version with the yield restored is counter_unlocked_yield_race. Expected: 1000.
 *
 * lockstep-case: counter_unlocked_race
 * lockstep-source: 004 race-condition counter without lock, as written (no sleep), 10 x 100
 * lockstep-twin: counter_locked
 * lockstep-native: any
 * lockstep-expect run: target-failure?
 * lockstep-expect explore: clean
 * lockstep-expect tsan: data-race target-failure?
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define N_THREADS  10
#define INCREMENTS 100

static volatile int counter = 0;

static void *worker(void *arg)
{
    int n = *(const int *)arg;
    for (int i = 0; i < n; i++) {
        int current = counter;
        /* sched_yield(); -- the notes' "# time.sleep(0)" */
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
