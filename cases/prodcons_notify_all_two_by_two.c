/* Correct twin of prodcons_notify_one_bug (notes 004, producer-consumer with a
 * Condition): the same two producers, two consumers, one shared condition variable and
 * one-item buffer, but every change is announced with notify_all()
 * (pthread_cond_broadcast), as the notes do. Every waiter re-checks its own predicate, so
 * the one that can make progress always gets to run: no wakeup is lost.
 * Expected: 20 items, each consumed once in its producer's order, "All Done".
 *
 * lockstep-case: prodcons_notify_all_two_by_two
 * lockstep-source: 004 producer-consumer with Condition (notify_all), 2 producers, 2 consumers
 * lockstep-twin: prodcons_notify_one_bug
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_ITEMS   1
#define N_ITEMS     10
#define N_PRODUCERS 2

struct item {
    int producer, seq;
};

static struct item buffer[MAX_ITEMS];
static int head, size;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t condition = PTHREAD_COND_INITIALIZER;
static const char *const producer_names[N_PRODUCERS] = {"Amazon", "Flipkart"};
static int next_seq[N_PRODUCERS], bad_items;

static void *producer(void *arg)
{
    int p = *(const int *)arg;

    for (int i = 0; i < N_ITEMS; i++) {
        pthread_mutex_lock(&mutex);
        while (size >= MAX_ITEMS)
            pthread_cond_wait(&condition, &mutex);
        buffer[(head + size) % MAX_ITEMS] = (struct item){p, i};
        size++;
        printf("Producer %s produces %s-%d (size=%d)\n", producer_names[p], producer_names[p], i,
               size);
        pthread_cond_broadcast(&condition); /* notify_all() */
        pthread_mutex_unlock(&mutex);
        sched_yield();
    }
    return NULL;
}

static void *consumer(void *arg)
{
    const char *name = arg;

    for (int i = 0; i < N_ITEMS; i++) {
        pthread_mutex_lock(&mutex);
        while (size == 0)
            pthread_cond_wait(&condition, &mutex);
        struct item it = buffer[head];
        head = (head + 1) % MAX_ITEMS;
        size--;
        printf("consumer %s consumes %s-%d (size=%d)\n", name, producer_names[it.producer], it.seq,
               size);
        bad_items += it.seq != next_seq[it.producer]++;
        pthread_cond_broadcast(&condition); /* notify_all() */
        pthread_mutex_unlock(&mutex);
        sched_yield();
    }
    return NULL;
}

int main(void)
{
    static const int ids[N_PRODUCERS] = {0, 1};
    pthread_t prod[N_PRODUCERS], cons[2];

    for (int i = 0; i < N_PRODUCERS; i++)
        pthread_create(&prod[i], NULL, producer, (void *)&ids[i]);
    pthread_create(&cons[0], NULL, consumer, "Customer-1");
    pthread_create(&cons[1], NULL, consumer, "Customer-2");
    for (int i = 0; i < N_PRODUCERS; i++)
        pthread_join(prod[i], NULL);
    pthread_join(cons[0], NULL);
    pthread_join(cons[1], NULL);
    printf("All Done\n");

    if (bad_items != 0 || next_seq[0] != N_ITEMS || next_seq[1] != N_ITEMS) {
        printf("Expected: %d items from each producer, in order\n", N_ITEMS);
        printf("Actual:   %d and %d, %d out of order\n", next_seq[0], next_seq[1], bad_items);
        return 1;
    }
    return 0;
}
