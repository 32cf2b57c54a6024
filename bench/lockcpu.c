/* lockcpu.c: the single-thread lock+unlock pair of bench/lock_cpu.sh, timed in CPU time so
 * that a loaded machine disturbs it less than lockbench.c's wall clock. The same scenarios and
 * the same work inside the critical section as lockbench.c (contended and private are the same
 * with one thread: one mutex, taken over and over). The ITERATIONS are split into 40 chunks,
 * each timed with CLOCK_THREAD_CPUTIME_ID; it prints the fastest chunk's nanoseconds per pair,
 * which leaves out the chunks that another process's cache traffic or an interrupt slowed.
 * Usage: lockcpu contended|private|nested ITERATIONS */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNKS 40

static pthread_mutex_t shared = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t outer = PTHREAD_MUTEX_INITIALIZER, inner = PTHREAD_MUTEX_INITIALIZER;
static volatile long sink;

static double cpu_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: lockcpu contended|private|nested ITERATIONS\n");
        return 2;
    }
    int scenario = !strcmp(argv[1], "contended") ? 0
                   : !strcmp(argv[1], "private") ? 1
                   : !strcmp(argv[1], "nested")  ? 2
                                                 : -1;
    long chunk = atol(argv[2]) / CHUNKS;
    if (scenario < 0 || chunk < 1)
        return 2;
    pthread_mutex_t mine = PTHREAD_MUTEX_INITIALIZER;
    long x = 0;
    double best = -1;
    for (int c = 0; c < CHUNKS; c++) {
        double s = cpu_ns();
        for (long i = 0; i < chunk; i++) {
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
        double ns = (cpu_ns() - s) / (double)(chunk * (scenario == 2 ? 2 : 1));
        if (best < 0 || ns < best)
            best = ns;
    }
    sink = x;
    printf("%.2f\n", best);
    return 0;
}
