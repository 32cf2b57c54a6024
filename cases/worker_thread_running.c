/* Port of notes 003, "Threads (threading module)" example: worker() prints "Thread is
 * running"; the main thread starts and joins it.
 *
 * A single create/start/join. Expected: one line, exit 0.
 *
 * lockstep-case: worker_thread_running
 * lockstep-source: 003 "Threads (threading module)" (def worker: print("Thread is running"))
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static void *worker(void *arg)
{
    (void)arg;
    printf("Thread is running\n");
    return NULL;
}

int main(void)
{
    pthread_t t;

    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    return 0;
}
