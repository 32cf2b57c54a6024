/* The sample's correct program: threads add to a counter under one mutex and call
 * lockstep_yield() (lockstep.h, found through lockstep::lockstep) between increments. It
 * prints the total and exits 0 when it is right. argv[1]: number of threads (default 2). */
#include <lockstep.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *work(void *arg)
{
    (void)arg;
    for (int i = 0; i < 50; i++) {
        pthread_mutex_lock(&mu);
        long v = counter;
        lockstep_yield();
        counter = v + 1;
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2;
    if (n < 1 || n > 16)
        n = 2;
    pthread_t t[16];
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    printf("counter %ld of %d\n", counter, 50 * n);
    return counter == 50L * n ? 0 : 1;
}
