/* Port of notes 000, "Problem: Concurrent Counter with Locks": a Counter class whose
 * increment(), decrement() and get_count() each run under the counter's own lock; one
 * thread increments 1000 times while another decrements 100 times.
 *
 * A lock-protected object: correct. Expected: "Final count: 900".
 *
 * lockstep-case: counter_class_locked
 * lockstep-source: 000 "Problem: Concurrent Counter with Locks" (class Counter, 1000 inc / 100 dec)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

struct counter {
    int count;
    pthread_mutex_t lock;
};

static struct counter counter = {0, PTHREAD_MUTEX_INITIALIZER};

static void counter_increment(struct counter *c)
{
    pthread_mutex_lock(&c->lock); /* Acquire the lock before modifying the counter */
    c->count += 1;
    pthread_mutex_unlock(&c->lock);
}

static void counter_decrement(struct counter *c)
{
    pthread_mutex_lock(&c->lock);
    c->count -= 1;
    pthread_mutex_unlock(&c->lock);
}

static int counter_get_count(struct counter *c)
{
    pthread_mutex_lock(&c->lock); /* Acquire the lock before reading the counter */
    int count = c->count;
    pthread_mutex_unlock(&c->lock);
    return count;
}

static void *increment_counter(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++)
        counter_increment(&counter);
    return NULL;
}

static void *decrement_counter(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++)
        counter_decrement(&counter);
    return NULL;
}

int main(void)
{
    pthread_t thread1, thread2;

    pthread_create(&thread1, NULL, increment_counter, NULL);
    pthread_create(&thread2, NULL, decrement_counter, NULL);
    pthread_join(thread1, NULL);
    pthread_join(thread2, NULL);

    int final = counter_get_count(&counter);
    printf("Final count: %d\n", final);
    if (final != 900) {
        printf("Expected: 900\nActual:   %d\n", final);
        return 1;
    }
    return 0;
}
