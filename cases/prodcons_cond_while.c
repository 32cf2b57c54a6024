/* Port of notes 004, the producer-consumer with threading.Condition (In [6]): a deque of
 * at most MAX_ITEMS = 5; producer "Amazon" appends 10 items, consumer "Customer" pops 10.
 * Both wait in `while` loops under the condition, notify_all() after each change and
 * sleep random.uniform(0.1, 1) (producer) or (0.1, 0.2) (consumer) outside the lock.
 *
 * The correct bounded buffer: the `while` re-checks the predicate after every wakeup, so
 * spurious or stolen wakeups are harmless, and notify_all() wakes every waiter, so no
 * wakeup is lost. The consumer checks that it gets Amazon-0..9 in order.
 * Buggy twins: prodcons_cond_if_bug (`if` instead of `while`) and prodcons_notify_one_bug
 * (notify() instead of notify_all()). Expected: 10 produced, 10 consumed, "All Done".
 *
 * lockstep-case: prodcons_cond_while
 * lockstep-source: 004 producer-consumer with threading.Condition (In [6], deque, MAX_ITEMS = 5)
 * lockstep-twin: prodcons_cond_if_bug
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "case_util.h"

#define MAX_ITEMS 5
#define ITEM_LEN  24

static char buffer[MAX_ITEMS][ITEM_LEN]; /* deque: a ring of MAX_ITEMS slots */
static int head, size;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t condition = PTHREAD_COND_INITIALIZER;
static int next_expected, out_of_order;

struct worker {
    const char *name;
    int n_items;
    unsigned seed;
};

static void append(const char *item)
{
    if (size >= MAX_ITEMS)
        abort();
    snprintf(buffer[(head + size) % MAX_ITEMS], ITEM_LEN, "%s", item);
    size++;
}

static void popleft(char *item)
{
    memcpy(item, buffer[head], ITEM_LEN);
    head = (head + 1) % MAX_ITEMS;
    size--;
}

static void *producer(void *arg)
{
    struct worker *w = arg;
    char item[ITEM_LEN];

    for (int i = 0; i < w->n_items; i++) {
        snprintf(item, sizeof item, "%s-%d", w->name, i);
        pthread_mutex_lock(&mutex);
        while (size >= MAX_ITEMS)
            pthread_cond_wait(&condition, &mutex);
        append(item);
        printf("Producer %s produces %s (size=%d)\n", w->name, item, size);
        pthread_cond_broadcast(&condition); /* notify_all() */
        pthread_mutex_unlock(&mutex);
        py_sleep(py_uniform(&w->seed, 0.1, 1));
    }
    return NULL;
}

static void *consumer(void *arg)
{
    struct worker *w = arg;
    char item[ITEM_LEN], expected[ITEM_LEN];

    for (int i = 0; i < w->n_items; i++) {
        pthread_mutex_lock(&mutex);
        while (size == 0)
            pthread_cond_wait(&condition, &mutex);
        popleft(item);
        printf("consumer %s consumes %s (size=%d)\n", w->name, item, size);
        snprintf(expected, sizeof expected, "Amazon-%d", next_expected++);
        out_of_order += strcmp(item, expected) != 0;
        pthread_cond_broadcast(&condition); /* notify_all() */
        pthread_mutex_unlock(&mutex);
        py_sleep(py_uniform(&w->seed, 0.1, 0.2));
    }
    return NULL;
}

int main(void)
{
    struct worker p = {"Amazon", 10, 1}, c = {"Customer", 10, 2};
    pthread_t prod, cons;

    pthread_create(&prod, NULL, producer, &p);
    pthread_create(&cons, NULL, consumer, &c);
    pthread_join(prod, NULL);
    pthread_join(cons, NULL);
    printf("All Done\n");

    if (next_expected != 10 || out_of_order != 0 || size != 0) {
        printf("Expected: Amazon-0..9 consumed in order\n");
        printf("Actual:   %d consumed, %d out of order\n", next_expected, out_of_order);
        return 1;
    }
    return 0;
}
