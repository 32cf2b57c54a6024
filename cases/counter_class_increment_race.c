/* Port of notes 004, the unlocked Counter example: Counter() prints x = 0; two threads
 * call c.increment() (once as c.increment, once as Counter.increment(c)), which does
 * `self.x += 1` and prints x, without any lock.
 *
 * Pattern: unsynchronized read-modify-write on an object's field. The notes give no
 * invariant; the one they imply is x == 2 once both threads are done. A lost update needs
 * a switch inside `x += 1`, which natively is rare and lockstep's scheduler cannot produce
 * (no pthread call or yield inside it: explore is clean); ThreadSanitizer reports the
 * race. The notes never join the threads; here main joins them.
 * Correct twin: counter_class_increment_locked. Expected: 0, 1, 2 and x == 2.
 *
 * lockstep-case: counter_class_increment_race
 * lockstep-source: 004 class Counter, unlocked increment (x += 1), two threads
 * lockstep-twin: counter_class_increment_locked
 * lockstep-native: any
 * lockstep-expect run: target-failure?
 * lockstep-expect explore: clean
 * lockstep-expect tsan: data-race target-failure?
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

struct counter {
    int x;
};

static void counter_init(struct counter *self)
{
    self->x = 0;
    printf("%d\n", self->x);
}

static void *counter_increment(void *arg)
{
    struct counter *self = arg;
    self->x += 1; /* racy */
    printf("%d\n", self->x);
    return NULL;
}

int main(void)
{
    struct counter c;
    pthread_t t1, t2;

    counter_init(&c);
    pthread_create(&t1, NULL, counter_increment, &c); /* target=c.increment */
    pthread_create(&t2, NULL, counter_increment, &c); /* target=Counter.increment, args=(c,) */
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);

    printf("Expected: 2\nActual:   %d\n", c.x);
    return c.x != 2;
}
