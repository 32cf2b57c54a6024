/* Port of notes 004, the worker example: three threads each print "Working...", sleep
 * 1 second and print "Done".
 *
 * Three independent threads; the notes never join them (the interpreter waits for them
 * at exit), here main joins them. Expected: three "Working..." and three "Done".
 *
 * lockstep-case: worker_three_threads
 * lockstep-source: 004 def worker(): print("Working..."); time.sleep(1); print("Done") x 3 threads
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include "case_util.h"

static void *worker(void *arg)
{
    (void)arg;
    printf("Working...\n");
    py_sleep(1);
    printf("Done\n");
    return NULL;
}

int main(void)
{
    pthread_t threads[3];

    for (int i = 0; i < 3; i++)
        pthread_create(&threads[i], NULL, worker, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(threads[i], NULL);
    return 0;
}
