/* Correct twin of prodcons_cond_if_bug (notes 004, producer-consumer with a Condition):
 * one producer ("Amazon", 10 items) and TWO consumers ("Customer-1", "Customer-2", 5 items
 * each), waiting with `while` as the notes do. The consumer that loses the race for an
 * item re-checks the buffer and waits again, so nobody pops from an empty buffer, even
 * with spurious wakeups. Expected: Amazon-0..9 consumed in order, "All Done".
 *
 * lockstep-case: prodcons_cond_while_two_consumers
 * lockstep-source: 004 producer-consumer with Condition (`while`), two consumers
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

static char buffer[MAX_ITEMS][ITEM_LEN];
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
    if (size == 0)
        abort();
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
        pthread_cond_broadcast(&condition);
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
        pthread_cond_broadcast(&condition);
        pthread_mutex_unlock(&mutex);
        py_sleep(py_uniform(&w->seed, 0.1, 0.2));
    }
    return NULL;
}

int main(void)
{
    struct worker p = {"Amazon", 10, 1}, c1 = {"Customer-1", 5, 2}, c2 = {"Customer-2", 5, 3};
    pthread_t prod, cons1, cons2;

    pthread_create(&prod, NULL, producer, &p);
    pthread_create(&cons1, NULL, consumer, &c1);
    pthread_create(&cons2, NULL, consumer, &c2);
    pthread_join(prod, NULL);
    pthread_join(cons1, NULL);
    pthread_join(cons2, NULL);
    printf("All Done\n");

    if (next_expected != 10 || out_of_order != 0 || size != 0) {
        printf("Expected: Amazon-0..9 consumed in order\n");
        printf("Actual:   %d consumed, %d out of order\n", next_expected, out_of_order);
        return 1;
    }
    return 0;
}
