/* Port of notes 000, "Semaphore Example": threading.Semaphore(2) guards a shared resource;
 * 5 threads acquire it, "access" the resource for time.sleep(0.002), release it.
 *
 * A counting semaphore (POSIX sem_t) limits the resource to 2 holders at once. An atomic
 * holder count checks the invariant the notes describe: never more than 2 threads between
 * acquire and release. Expected: every thread acquires and releases, max holders <= 2.
 *
 * lockstep-case: semaphore_two_of_five
 * lockstep-source: 000 "Semaphore Example" (Semaphore(2), 5 threads, access_resource)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include "case_util.h"

#define LIMIT 2

static sem_t semaphore;
static atomic_int holders, max_holders;

static void *access_resource(void *arg)
{
    int thread_id = (int)(intptr_t)arg;

    printf("Thread %d is trying to acquire the semaphore.\n", thread_id);
    sem_wait(&semaphore);
    int now = atomic_fetch_add(&holders, 1) + 1;
    int seen = atomic_load(&max_holders);
    while (now > seen && !atomic_compare_exchange_weak(&max_holders, &seen, now))
        ;
    printf("Thread %d has acquired the semaphore.\n", thread_id);
    printf("Thread %d is accessing the shared resource.\n", thread_id);
    py_sleep(0.002);
    atomic_fetch_sub(&holders, 1);
    sem_post(&semaphore);
    printf("Thread %d has released the semaphore.\n", thread_id);
    return NULL;
}

int main(void)
{
    pthread_t threads[5];

    sem_init(&semaphore, 0, LIMIT);
    for (int i = 0; i < 5; i++)
        pthread_create(&threads[i], NULL, access_resource, (void *)(intptr_t)i);
    for (int i = 0; i < 5; i++)
        pthread_join(threads[i], NULL);
    printf("All threads have completed their execution.\n");
    sem_destroy(&semaphore);

    printf("Expected: at most %d holders at once\n", LIMIT);
    printf("Actual:   at most %d holders at once\n", atomic_load(&max_holders));
    return atomic_load(&max_holders) > LIMIT;
}
