/* heap_race: a race on a malloc'd block. main allocates an array of 10 ints; thread T1
 * writes element 3, then, after a pause (no synchronization), thread T2 reads it.
 * ThreadSanitizer reports a data race on a "heap block of size 40" allocated by the main
 * thread. T2 waits for T1's write on a relaxed atomic flag, which orders the accesses but is
 * no synchronization for TSan. By default T2 also sleeps first, which TSan mentions in an
 * "As if synchronized via sleep" section; with the argument "spin" it only spins, and the
 * same race is reported without that section. Fixture program for tests/tsan (see
 * fixtures/README.md). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int spin;          /* set before the threads start */
static atomic_int written; /* relaxed: no happens-before for TSan */

static void pause_a_while(void)
{
    if (!spin)
        usleep(100 * 1000);
    while (!atomic_load_explicit(&written, memory_order_relaxed))
        ;
}

static void *writer(void *arg)
{
    int *block = arg;
    block[3] = 42; /* racing write */
    atomic_store_explicit(&written, 1, memory_order_relaxed);
    return NULL;
}

static void *reader(void *arg)
{
    int *block = arg;
    pause_a_while();
    printf("block[3] = %d\n", block[3]); /* racing read */
    return NULL;
}

int main(int argc, char **argv)
{
    int *block = calloc(10, sizeof *block); /* the heap block */
    pthread_t t1, t2;
    if (!block)
        return 1;
    spin = argc > 1 && strcmp(argv[1], "spin") == 0;
    pthread_create(&t1, NULL, writer, block);
    pthread_create(&t2, NULL, reader, block);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    free(block);
    return 0;
}
