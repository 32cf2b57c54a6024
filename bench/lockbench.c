/* lockbench.c: the lock-heavy micro-benchmark of bench/lock_bench.sh. Scenarios: one contended
 * mutex, a private mutex per thread, and two locks nested in a fixed order; a little work sits
 * inside each critical section. Prints nanoseconds per lock+unlock pair, measured around the
 * threads' work only (not the process start). The `create` scenario creates and joins
 * ITERATIONS empty threads, THREADS at a time, and prints the process CPU time per
 * create+join in nanoseconds (all threads' CPU time, so the load of a shared machine and the
 * order in which creator and child happen to run weigh less than on the wall clock).
 * Usage: lockbench contended|private|nested|create THREADS ITERATIONS */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lockloop.h"

static int scenario;
static long iterations;
static _Atomic long sink;

static void *run(void *arg)
{
    pthread_mutex_t mine = PTHREAD_MUTEX_INITIALIZER;
    atomic_fetch_add(&sink, lockloop(scenario, &mine, iterations));
    return arg;
}

static void *empty(void *arg)
{
    return arg;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: lockbench contended|private|nested|create THREADS ITERATIONS\n");
        return 2;
    }
    scenario = !strcmp(argv[1], "create") ? 3 : lockloop_scenario(argv[1]);
    int n = atoi(argv[2]);
    iterations = atol(argv[3]);
    pthread_t t[64];
    if (scenario < 0 || n < 1 || n > 64 || iterations < 1)
        return 2;
    struct timespec s, e;
    if (scenario == 3) {
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &s);
        for (long done = 0; done < iterations; done += n) {
            for (int i = 0; i < n; i++)
                if (pthread_create(&t[i], NULL, empty, NULL) != 0)
                    return 1;
            for (int i = 0; i < n; i++)
                pthread_join(t[i], NULL);
        }
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &e);
        double ns = (double)(e.tv_sec - s.tv_sec) * 1e9 + (double)(e.tv_nsec - s.tv_nsec);
        printf("%.1f\n", ns / (double)((iterations + n - 1) / n * n));
        return 0;
    }
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
