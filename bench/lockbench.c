/* lockbench.c: the lock-heavy micro-benchmark of bench/lock_bench.sh. Scenarios: one contended
 * mutex, a private mutex per thread, and two locks nested in a fixed order; a little work sits
 * inside each critical section. Prints nanoseconds per lock+unlock pair.
 * Usage: lockbench contended|private|nested THREADS ITERATIONS */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t shared = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t outer = PTHREAD_MUTEX_INITIALIZER, inner = PTHREAD_MUTEX_INITIALIZER;
static int scenario;
static long iterations;
static volatile long sink;

static void *run(void *arg)
{
    pthread_mutex_t mine = PTHREAD_MUTEX_INITIALIZER;
    long x = 0;
    for (long i = 0; i < iterations; i++) {
        if (scenario == 0) {
            pthread_mutex_lock(&shared);
            x += i & 7;
            pthread_mutex_unlock(&shared);
        } else if (scenario == 1) {
            pthread_mutex_lock(&mine);
            x += i & 7;
            pthread_mutex_unlock(&mine);
        } else {
            pthread_mutex_lock(&outer);
            pthread_mutex_lock(&inner);
            x += i & 7;
            pthread_mutex_unlock(&inner);
            pthread_mutex_unlock(&outer);
        }
    }
    sink += x;
    return arg;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: lockbench contended|private|nested THREADS ITERATIONS\n");
        return 2;
    }
    scenario = !strcmp(argv[1], "contended") ? 0 : !strcmp(argv[1], "private") ? 1 : 2;
    int n = atoi(argv[2]);
    iterations = atol(argv[3]);
    pthread_t t[64];
    if (n < 1 || n > 64 || iterations < 1)
        return 2;
    struct timespec s, e;
    clock_gettime(CLOCK_MONOTONIC, &s);
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, run, NULL);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &e);
    double ns = (double)(e.tv_sec - s.tv_sec) * 1e9 + (double)(e.tv_nsec - s.tv_nsec);
    double pairs = (double)iterations * n * (scenario == 2 ? 2 : 1);
    printf("%.1f\n", ns / pairs);
    return 0;
}
