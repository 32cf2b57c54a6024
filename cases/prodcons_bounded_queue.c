/* Port of notes 004, the producer-consumer with queue.Queue(maxsize=5) (In [21]):
 * producer "Amazon" put()s 10 items and sleeps random.uniform(0.1, 1) after each;
 * consumer "Customer" get()s 10 items, printing qsize() and calling task_done().
 *
 * queue.Queue is a bounded blocking queue: one mutex and two condition variables
 * (not_empty, not_full), waits in `while` loops, plus the unfinished-tasks count that
 * task_done() decrements. The notes' quirks are kept: the printed size is a separate
 * qsize() call after put()/get() (so it may already be stale), and the consumer's sleep
 * is outside its loop (it sleeps once, after the last item). Expected: Amazon-0..9
 * consumed in order, no unfinished tasks left, "All Done".
 *
 * lockstep-case: prodcons_bounded_queue
 * lockstep-source: 004 producer-consumer with queue.Queue(maxsize=5) (In [21])
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "case_util.h"

#define MAXSIZE  5
#define ITEM_LEN 24

/* queue.Queue(maxsize=MAXSIZE) */
struct queue {
    pthread_mutex_t mutex;
    pthread_cond_t not_empty, not_full;
    char items[MAXSIZE][ITEM_LEN];
    int head, size, unfinished_tasks;
};

static struct queue buffer = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                              PTHREAD_COND_INITIALIZER, {{0}}, 0, 0, 0};

static void queue_put(struct queue *q, const char *item)
{
    pthread_mutex_lock(&q->mutex);
    while (q->size >= MAXSIZE)
        pthread_cond_wait(&q->not_full, &q->mutex);
    snprintf(q->items[(q->head + q->size) % MAXSIZE], ITEM_LEN, "%s", item);
    q->size++;
    q->unfinished_tasks++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->mutex);
}

static void queue_get(struct queue *q, char *item)
{
    pthread_mutex_lock(&q->mutex);
    while (q->size == 0)
        pthread_cond_wait(&q->not_empty, &q->mutex);
    memcpy(item, q->items[q->head], ITEM_LEN);
    q->head = (q->head + 1) % MAXSIZE;
    q->size--;
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->mutex);
}

static int queue_qsize(struct queue *q)
{
    pthread_mutex_lock(&q->mutex);
    int n = q->size;
    pthread_mutex_unlock(&q->mutex);
    return n;
}

static void queue_task_done(struct queue *q)
{
    pthread_mutex_lock(&q->mutex);
    q->unfinished_tasks--;
    pthread_mutex_unlock(&q->mutex);
}

struct worker {
    const char *name;
    int n_items;
    unsigned seed;
    int out_of_order;
};

static void *producer(void *arg)
{
    struct worker *w = arg;
    char item[ITEM_LEN];

    for (int i = 0; i < w->n_items; i++) {
        snprintf(item, sizeof item, "%s-%d", w->name, i);
        queue_put(&buffer, item);
        printf("Producer %s produces %s (size=%d)\n", w->name, item, queue_qsize(&buffer));
        py_sleep(py_uniform(&w->seed, 0.1, 1));
    }
    return NULL;
}

static void *consumer(void *arg)
{
    struct worker *w = arg;
    char item[ITEM_LEN], expected[ITEM_LEN];

    for (int i = 0; i < w->n_items; i++) {
        queue_get(&buffer, item);
        printf("consumer %s consumes %s (size=%d)\n", w->name, item, queue_qsize(&buffer));
        queue_task_done(&buffer);
        snprintf(expected, sizeof expected, "Amazon-%d", i);
        w->out_of_order += strcmp(item, expected) != 0;
    }
    py_sleep(py_uniform(&w->seed, 0.1, 0.2)); /* outside the loop, as in the notes */
    return NULL;
}

int main(void)
{
    struct worker p = {"Amazon", 10, 1, 0}, c = {"Customer", 10, 2, 0};
    pthread_t prod, cons;

    pthread_create(&prod, NULL, producer, &p);
    pthread_create(&cons, NULL, consumer, &c);
    pthread_join(prod, NULL);
    pthread_join(cons, NULL);
    printf("All Done\n");

    if (c.out_of_order != 0 || buffer.unfinished_tasks != 0 || buffer.size != 0) {
        printf("Expected: Amazon-0..9 in order, 0 unfinished tasks\n");
        printf("Actual:   %d out of order, %d unfinished\n", c.out_of_order,
               buffer.unfinished_tasks);
        return 1;
    }
    return 0;
}
