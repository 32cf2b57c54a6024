/* Port of notes 000, "Locks Example": 5 threads each add 1 to a global shared_variable 10
 * times, each time between lock.acquire() and lock.release().
 *
 * A mutex-protected counter: correct. Expected: "Final value of shared variable: 50".
 *
 * lockstep-case: shared_variable_lock
 * lockstep-source: 000 "Locks Example" (shared_variable, 5 threads x 10, acquire/release)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static int shared_variable = 0;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *increment(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10; i++) {
        pthread_mutex_lock(&lock); /* Acquire the lock before modifying the variable */
        shared_variable += 1;
        pthread_mutex_unlock(&lock); /* Release the lock after modifying it */
    }
    return NULL;
}

int main(void)
{
    pthread_t threads[5];

    for (int i = 0; i < 5; i++)
        pthread_create(&threads[i], NULL, increment, NULL);
    for (int i = 0; i < 5; i++)
        pthread_join(threads[i], NULL);

    printf("Final value of shared variable: %d\n", shared_variable);
    if (shared_variable != 50) {
        printf("Expected: 50\nActual:   %d\n", shared_variable);
        return 1;
    }
    return 0;
}
