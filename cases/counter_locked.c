/* Port of notes 004, the race-condition counter WITH the lock: 10 threads each run
 * `with lock: current = counter; time.sleep(0); counter = current + 1` 1000 times.
 *
 * The read-modify-write, including the yield (time.sleep(0) is sched_yield()) between the
 * read and the write, happens under one mutex, so no update is lost however the threads
 * are scheduled. Correct twin of counter_unlocked_yield_race and counter_unlocked_race.
 * Expected: 10000, printed as the notes print it ("Expected:" / "Actual:").
 *
 * lockstep-case: counter_locked
 * lockstep-source: 004 race-condition counter with lock (sleep(0) inside the lock), 10 x 1000
 * lockstep-twin: counter_unlocked_yield_race
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 * lockstep-expect tsan: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#define N_THREADS  10
#define INCREMENTS 1000

static int counter = 0;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    int n = *(const int *)arg;
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&lock);
        int current = counter;
        sched_yield(); /* time.sleep(0) */
        counter = current + 1;
        pthread_mutex_unlock(&lock);
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
