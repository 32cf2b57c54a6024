/* Buggy twin of the notes 004 producer-consumer with a Condition: notify() (one waiter,
 * pthread_cond_signal) instead of notify_all(), with TWO producers ("Amazon",
 * "Flipkart") and TWO consumers ("Customer-1", "Customer-2"), 10 items each, sharing ONE
 * condition variable for "not full" and "not empty".
 *
 * Pattern: lost wakeup. A signal meant for a producer can wake the other consumer (and
 * vice versa), which finds nothing to do and waits again; the thread that could have made
 * progress is never woken, and all four threads end up waiting while main waits in join.
 * The buffer holds ONE item here, not the notes' 5: with two producers and two consumers
 * the all-waiting state is unreachable for any capacity >= 2 (checked by exhaustive
 * search of the interleavings and wakeup choices), and reachable with capacity 1
 * (consumers C1, C2 wait; P1 puts and wakes C1; P1 and P2 find it full and wait; C1 takes
 * and its signal wakes C2; C1 and C2 find it empty and wait). The notes' random sleeps
 * are sched_yield() here, so that virtual time does not keep the threads in lockstep.
 * The consumers check that every item arrives exactly once, in each producer's order.
 * Correct twin: prodcons_notify_all_two_by_two. Expected: "All Done", or a hang.
 *
 * lockstep-case: prodcons_notify_one_bug
 * lockstep-source: 004 producer-consumer with Condition, notify() for notify_all(), 2 + 2 threads
 * lockstep-twin: prodcons_notify_all_two_by_two
 * lockstep-native: any
 * lockstep-expect run: deadlock?
 * lockstep-expect explore: deadlock
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
        pthread_cond_signal(&condition); /* the bug: notify(), not notify_all() */
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
        pthread_cond_signal(&condition); /* the bug: notify(), not notify_all() */
        pthread_mutex_unlock(&mutex);
        sched_yield();
    }
    return NULL;
}

int main(void)
{
    static const int ids[N_PRODUCERS] = {0, 1};
    pthread_t prod[N_PRODUCERS], cons[2];

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 0; i < N_PRODUCERS; i++)
        pthread_create(&prod[i], NULL, producer, (void *)&ids[i]);
    pthread_create(&cons[0], NULL, consumer, "Customer-1");
    pthread_create(&cons[1], NULL, consumer, "Customer-2");
    for (int i = 0; i < N_PRODUCERS; i++)
        pthread_join(prod[i], NULL);
    pthread_join(cons[0], NULL);
    pthread_join(cons[1], NULL);
    printf("All Done\n");
    return bad_items != 0 || next_seq[0] != N_ITEMS || next_seq[1] != N_ITEMS;
}
