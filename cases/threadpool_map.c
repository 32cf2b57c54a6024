/* Port of notes 003, "Thread Pool": ThreadPool(processes=2).map(work, [1..8]) where work
 * prints pool._pool and returns x*x, then ThreadPool(processes=4).map(work, [1, 2, 3, 4]).
 *
 * A fixed pool of worker threads over a work queue: one mutex, a condition variable for
 * "work available" and one for "all results in". map() publishes the inputs, waits until
 * every task is done and returns; the workers stay until the pool is closed (Python's
 * pool lives on; here it is closed and joined at the end). Workers store results outside
 * the lock, one slot each; map() reads them after seeing `finished == n` under the lock.
 * Expected: [1, 4, 9, 16, 25, 36, 49, 64] and [1, 4, 9, 16].
 *
 * lockstep-case: threadpool_map
 * lockstep-source: 003 "Thread Pool" (multiprocessing.pool.ThreadPool(2).map and ThreadPool(4).map)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#define MAX_WORKERS 4

struct pool {
    pthread_mutex_t mutex;
    pthread_cond_t work_ready;
    pthread_cond_t all_done;
    const int *in;
    int *out;
    int n, next, finished;
    bool closing;
    int nworkers;
    pthread_t workers[MAX_WORKERS];
};

/* work(x): print(pool._pool); return x*x */
static int work(const struct pool *p, int x)
{
    printf("[");
    for (int i = 0; i < p->nworkers; i++)
        printf("%s<DummyProcess(Thread-%d, started daemon)>", i ? ", " : "", i + 1);
    printf("]\n");
    return x * x;
}

static void *worker(void *arg)
{
    struct pool *p = arg;

    pthread_mutex_lock(&p->mutex);
    for (;;) {
        while (p->next >= p->n && !p->closing)
            pthread_cond_wait(&p->work_ready, &p->mutex);
        if (p->next >= p->n)
            break; /* closing, and no work left */
        int i = p->next++;
        pthread_mutex_unlock(&p->mutex);
        int result = work(p, p->in[i]);
        p->out[i] = result;
        pthread_mutex_lock(&p->mutex);
        if (++p->finished == p->n)
            pthread_cond_signal(&p->all_done);
    }
    pthread_mutex_unlock(&p->mutex);
    return NULL;
}

static void pool_start(struct pool *p, int processes)
{
    pthread_mutex_init(&p->mutex, NULL);
    pthread_cond_init(&p->work_ready, NULL);
    pthread_cond_init(&p->all_done, NULL);
    p->n = p->next = p->finished = 0;
    p->closing = false;
    p->nworkers = processes;
    for (int i = 0; i < processes; i++)
        pthread_create(&p->workers[i], NULL, worker, p);
}

/* pool.map(work, in): blocks until out[i] = work(in[i]) for every i. */
static void pool_map(struct pool *p, const int *in, int *out, int n)
{
    pthread_mutex_lock(&p->mutex);
    p->in = in;
    p->out = out;
    p->n = n;
    p->next = p->finished = 0;
    pthread_cond_broadcast(&p->work_ready);
    while (p->finished < n)
        pthread_cond_wait(&p->all_done, &p->mutex);
    p->n = p->next = 0;
    pthread_mutex_unlock(&p->mutex);
}

static void pool_close(struct pool *p)
{
    pthread_mutex_lock(&p->mutex);
    p->closing = true;
    pthread_cond_broadcast(&p->work_ready);
    pthread_mutex_unlock(&p->mutex);
    for (int i = 0; i < p->nworkers; i++)
        pthread_join(p->workers[i], NULL);
    pthread_cond_destroy(&p->all_done);
    pthread_cond_destroy(&p->work_ready);
    pthread_mutex_destroy(&p->mutex);
}

/* Runs one ThreadPool(processes).map over in[], prints the list, checks the squares. */
static int run_map(int processes, const int *in, int n)
{
    struct pool pool;
    int results[8];
    int failed = 0;

    pool_start(&pool, processes);
    pool_map(&pool, in, results, n);
    pool_close(&pool);

    printf("[");
    for (int i = 0; i < n; i++) {
        printf("%s%d", i ? ", " : "", results[i]);
        failed |= results[i] != in[i] * in[i];
    }
    printf("]\n");
    return failed;
}

int main(void)
{
    static const int first[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const int second[4] = {1, 2, 3, 4};
    int failed = 0;

    failed |= run_map(2, first, 8);
    failed |= run_map(4, second, 4);
    if (failed)
        printf("Expected: the squares of the inputs\n");
    return failed;
}
