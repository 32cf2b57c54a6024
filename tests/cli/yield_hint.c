/* yield_hint.c: the unsafe counter with lockstep_yield() (include/lockstep.h) between the read
 * and the write. Natively the hint does nothing and the count is right; under lockstep's
 * scheduler it is a scheduling point, so exploration finds the lost update. */
#include <pthread.h>
#include <stdio.h>

#include "lockstep.h"

static int counter;

static void *worker(void *arg)
{
    for (int i = 0; i < 50; i++) {
        int current = counter;
        lockstep_yield();
        counter = current + 1;
    }
    return arg;
}

int main(void)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("Expected: 100\nActual:   %d\n", counter);
    return counter != 100;
}
