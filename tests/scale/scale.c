/* scale.c: the scale targets of tests/scale/, one program with a mode per test:
 *
 *   scale ring N       N threads alive at once; thread i takes lock i then lock i+1 (mod N),
 *                      one thread after the other (semaphores hand the turn on), so the run
 *                      never deadlocks and the potential deadlock is one cycle of N locks
 *                      made by N threads.
 *   scale mutexes N    N heap mutexes, all live at once: each is initialized, locked and
 *                      unlocked; then two threads take the first and the last in opposite
 *                      orders (a 2-lock cycle that needs the N-th lock to be tracked).
 *   scale hold N       the main thread holds N mutexes at once, takes one more, x, and
 *                      releases all; a second thread takes x then the N-th mutex. The 2-lock
 *                      cycle (x, mutex N) exists only if the N-th held lock was tracked.
 *   scale ops N        4 threads take N locks in all (N lock+unlock pairs, as nested pairs
 *                      over 8 locks per thread, always in one order: no cycle).
 *   scale misuse N     N unlocks of an unlocked mutex (N misuse events).
 *   scale stacks N     N mutexes, each locked through its own call path (the bits of its index
 *                      choose one of two call sites at each of 8 levels): up to 256 distinct
 *                      stacks, one per mutex.
 *   scale deep N       two threads, one after the other, each N calls deep, take two locks in
 *                      opposite orders (a 2-lock cycle whose stacks are N + 2 frames deep).
 *
 * Every mode prints "scale: MODE N done" and its peak RSS ("scale: VmHWM K kB") to stderr,
 * and exits with STATUS (the optional third argument, default 0). Exit 90: a call failed. */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x)) {                                                                                \
            fprintf(stderr, "scale: %s:%d: %s failed\n", __FILE__, __LINE__, #x);                  \
            exit(90);                                                                              \
        }                                                                                          \
    } while (0)

static long n;
static pthread_mutex_t *locks;
static sem_t *turns;

static void *ring_thread(void *arg)
{
    long i = (long)arg;
    CHECK(sem_wait(&turns[i]) == 0);
    pthread_mutex_lock(&locks[i]);
    pthread_mutex_lock(&locks[(i + 1) % n]); /* @RING */
    pthread_mutex_unlock(&locks[(i + 1) % n]);
    pthread_mutex_unlock(&locks[i]);
    if (i + 1 < n)
        CHECK(sem_post(&turns[i + 1]) == 0);
    return NULL;
}

static void ring(void)
{
    locks = calloc((size_t)n, sizeof *locks);
    turns = calloc((size_t)n, sizeof *turns);
    pthread_t *t = calloc((size_t)n, sizeof *t);
    CHECK(locks && turns && t);
    pthread_attr_t attr;
    CHECK(pthread_attr_init(&attr) == 0);
    CHECK(pthread_attr_setstacksize(&attr, 64 * 1024) == 0);
    for (long i = 0; i < n; i++) {
        CHECK(pthread_mutex_init(&locks[i], NULL) == 0);
        CHECK(sem_init(&turns[i], 0, 0) == 0);
    }
    for (long i = 0; i < n; i++)
        CHECK(pthread_create(&t[i], &attr, ring_thread, (void *)i) == 0);
    CHECK(sem_post(&turns[0]) == 0); /* every thread is alive now */
    for (long i = 0; i < n; i++)
        CHECK(pthread_join(t[i], NULL) == 0);
}

static pthread_mutex_t x = PTHREAD_MUTEX_INITIALIZER;

static void *first_then_last(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&locks[0]);
    pthread_mutex_lock(&locks[n - 1]); /* @FIRST_LAST */
    pthread_mutex_unlock(&locks[n - 1]);
    pthread_mutex_unlock(&locks[0]);
    return NULL;
}

static void *last_then_first(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&locks[n - 1]);
    pthread_mutex_lock(&locks[0]); /* @LAST_FIRST */
    pthread_mutex_unlock(&locks[0]);
    pthread_mutex_unlock(&locks[n - 1]);
    return NULL;
}

static void one_after_other(void *(*a)(void *), void *(*b)(void *))
{
    pthread_t t;
    CHECK(pthread_create(&t, NULL, a, NULL) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(pthread_create(&t, NULL, b, NULL) == 0);
    CHECK(pthread_join(t, NULL) == 0);
}

static void mutexes(void)
{
    locks = calloc((size_t)n, sizeof *locks);
    CHECK(locks);
    for (long i = 0; i < n; i++) {
        CHECK(pthread_mutex_init(&locks[i], NULL) == 0);
        CHECK(pthread_mutex_lock(&locks[i]) == 0);
        CHECK(pthread_mutex_unlock(&locks[i]) == 0);
    }
    one_after_other(first_then_last, last_then_first);
    for (long i = 0; i < n; i++)
        CHECK(pthread_mutex_destroy(&locks[i]) == 0);
}

static void *x_then_last(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&x);
    pthread_mutex_lock(&locks[n - 1]); /* @X_LAST */
    pthread_mutex_unlock(&locks[n - 1]);
    pthread_mutex_unlock(&x);
    return NULL;
}

/* deep: descend() recurses n levels (no tail call: it uses the result), then takes the locks. */
static pthread_mutex_t deep_a = PTHREAD_MUTEX_INITIALIZER, deep_b = PTHREAD_MUTEX_INITIALIZER;

static __attribute__((noinline)) int take_two(pthread_mutex_t *first, pthread_mutex_t *second)
{
    pthread_mutex_lock(first);
    int rc = pthread_mutex_lock(second); /* @DEEP_TAKE */
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(first);
    return rc;
}

static __attribute__((noinline)) int descend(long level, int ab)
{
    if (level == 0)
        return ab ? take_two(&deep_a, &deep_b) : take_two(&deep_b, &deep_a);
    int rc = descend(level - 1, ab); /* @DESCEND */
    __asm__ volatile("" ::: "memory");
    return rc + 0 * (int)level;
}

static void *deep_ab(void *arg)
{
    (void)arg;
    CHECK(descend(n, 1) == 0);
    return NULL;
}

static void *deep_ba(void *arg)
{
    (void)arg;
    CHECK(descend(n, 0) == 0);
    return NULL;
}

/* stacks: the call path to the lock spells the mutex's index in binary. */
static __attribute__((noinline)) void lock_via(long bits, int levels, pthread_mutex_t *m, int site)
{
    __asm__ volatile("" ::"r"(site) : "memory");
    if (levels == 0) {
        CHECK(pthread_mutex_lock(m) == 0);
        CHECK(pthread_mutex_unlock(m) == 0);
    } else if (bits & 1) {
        lock_via(bits >> 1, levels - 1, m, 1);
    } else {
        lock_via(bits >> 1, levels - 1, m, 2);
    }
    __asm__ volatile("" ::: "memory");
}

static void stacks(void)
{
    locks = calloc((size_t)n, sizeof *locks);
    CHECK(locks);
    for (long i = 0; i < n; i++) {
        CHECK(pthread_mutex_init(&locks[i], NULL) == 0);
        lock_via(i, 8, &locks[i], 0);
    }
}

static void hold(void)
{
    locks = calloc((size_t)n, sizeof *locks);
    CHECK(locks);
    for (long i = 0; i < n; i++)
        CHECK(pthread_mutex_init(&locks[i], NULL) == 0);
    for (long i = 0; i < n; i++)
        CHECK(pthread_mutex_lock(&locks[i]) == 0);
    CHECK(pthread_mutex_lock(&x) == 0); /* @HOLD_X */
    fprintf(stderr, "scale: holding %ld locks\n", n + 1);
    CHECK(pthread_mutex_unlock(&x) == 0);
    for (long i = n; i-- > 0;)
        CHECK(pthread_mutex_unlock(&locks[i]) == 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, x_then_last, NULL) == 0);
    CHECK(pthread_join(t, NULL) == 0);
}

static void *ops_thread(void *arg)
{
    pthread_mutex_t *m = arg;
    long pairs = n / 4; /* this thread's lock+unlock pairs */
    for (long k = 0; k < pairs; k += 2) {
        int a = (int)(k / 2 % 7);
        pthread_mutex_lock(&m[a]);
        pthread_mutex_lock(&m[a + 1]);
        pthread_mutex_unlock(&m[a + 1]);
        pthread_mutex_unlock(&m[a]);
    }
    return NULL;
}

static void ops(void)
{
    static pthread_mutex_t m[4][8];
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            CHECK(pthread_mutex_init(&m[i][j], NULL) == 0);
    for (int i = 0; i < 4; i++)
        CHECK(pthread_create(&t[i], NULL, ops_thread, m[i]) == 0);
    for (int i = 0; i < 4; i++)
        CHECK(pthread_join(t[i], NULL) == 0);
}

static void misuse(void)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    for (long i = 0; i < n; i++)
        pthread_mutex_unlock(&m); /* @MISUSE */
}

static void print_hwm(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            fprintf(stderr, "scale: VmHWM %ld kB\n", strtol(line + 6, NULL, 10));
    if (f)
        fclose(f);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: scale ring|mutexes|hold|ops|misuse|stacks|deep N [STATUS]\n");
        return 2;
    }
    n = atol(argv[2]);
    CHECK(n >= 2);
    if (!strcmp(argv[1], "ring"))
        ring();
    else if (!strcmp(argv[1], "mutexes"))
        mutexes();
    else if (!strcmp(argv[1], "hold"))
        hold();
    else if (!strcmp(argv[1], "ops"))
        ops();
    else if (!strcmp(argv[1], "misuse"))
        misuse();
    else if (!strcmp(argv[1], "stacks"))
        stacks();
    else if (!strcmp(argv[1], "deep"))
        one_after_other(deep_ab, deep_ba);
    else
        return 2;
    fprintf(stderr, "scale: %s %ld done\n", argv[1], n);
    print_hwm();
    return argc > 3 ? atoi(argv[3]) : 0;
}
