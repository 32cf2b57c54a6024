/* sample_more_work() with a change that brings a new data race: two threads store to
 * new_total without a lock. The CI gate (--baseline) must fail on it. */
#include <pthread.h>

void sample_more_work(void);

static long new_total;

static void *add_new(void *arg)
{
    (void)arg;
    new_total += 2;
    return NULL;
}

void sample_more_work(void)
{
    pthread_t t1, t2;
    pthread_create(&t1, NULL, add_new, NULL);
    pthread_create(&t2, NULL, add_new, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
}
