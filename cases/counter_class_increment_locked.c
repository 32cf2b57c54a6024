/* Correct twin of counter_class_increment_race (notes 004, unlocked Counter example): the
 * same Counter with a mutex, and increment() does `x += 1` and the print's read under it.
 * Not in the notes as such; it is the notes' Concurrent Counter fix (000) applied to this
 * class. Expected: 0, 1, 2 and x == 2; ThreadSanitizer reports nothing.
 *
 * lockstep-case: counter_class_increment_locked
 * lockstep-source: 004 class Counter with increment, fixed: with self.lock
 * lockstep-twin: counter_class_increment_race
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 * lockstep-expect tsan: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

struct counter {
    int x;
    pthread_mutex_t lock;
};

static void counter_init(struct counter *self)
{
    self->x = 0;
    pthread_mutex_init(&self->lock, NULL);
    printf("%d\n", self->x);
}

static void *counter_increment(void *arg)
{
    struct counter *self = arg;
    pthread_mutex_lock(&self->lock);
    self->x += 1;
    printf("%d\n", self->x);
    pthread_mutex_unlock(&self->lock);
    return NULL;
}

int main(void)
{
    struct counter c;
    pthread_t t1, t2;

    counter_init(&c);
    pthread_create(&t1, NULL, counter_increment, &c);
    pthread_create(&t2, NULL, counter_increment, &c);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);

    printf("Expected: 2\nActual:   %d\n", c.x);
    pthread_mutex_destroy(&c.lock);
    return c.x != 2;
}
