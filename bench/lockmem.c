/* lockmem.c: the memory benchmark of bench/lock_bench.sh. `lockmem locks N` initialises N
 * heap mutexes and locks and unlocks each once, all N staying alive; `lockmem edges N` makes
 * about N distinct lock-order edges: with K = sqrt(N) outer and K inner mutexes, it takes every
 * outer one and, while holding it, every inner one (K*K pairs). It prints the process's peak
 * resident set in KiB (getrusage; under lockstep this includes the pages of the store that
 * were touched), so that the script can compare it with a native run.
 * Usage: lockmem locks|edges N */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "locks") && strcmp(argv[1], "edges"))) {
        fprintf(stderr, "usage: lockmem locks|edges N\n");
        return 2;
    }
    long n = atol(argv[2]);
    if (n < 1)
        return 2;
    int edges = !strcmp(argv[1], "edges");
    long k = edges ? (long)ceil(sqrt((double)n)) : n;
    long count = edges ? 2 * k : n;
    pthread_mutex_t *m = malloc((size_t)count * sizeof *m);
    if (!m)
        return 1;
    for (long i = 0; i < count; i++)
        pthread_mutex_init(&m[i], NULL);
    if (edges) {
        for (long i = 0; i < k; i++) {
            pthread_mutex_lock(&m[i]);
            for (long j = 0; j < k; j++) {
                pthread_mutex_lock(&m[k + j]);
                pthread_mutex_unlock(&m[k + j]);
            }
            pthread_mutex_unlock(&m[i]);
        }
    } else {
        for (long i = 0; i < n; i++) {
            pthread_mutex_lock(&m[i]);
            pthread_mutex_unlock(&m[i]);
        }
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%ld\n", ru.ru_maxrss);
    return 0;
}
