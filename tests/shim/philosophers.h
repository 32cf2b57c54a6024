/* philosophers.h: the dining philosophers, for dining_philosophers_5.c and _30.c, which
 * define PHILOSOPHERS. Philosopher i takes fork i (left) then fork i+1 (right, wrapping), the
 * order that deadlocks when they all sit down together. Here they eat one after the other
 * (each thread is joined before the next starts), so the run never deadlocks, and the
 * potential deadlock is one lock-order cycle through all the forks. */
#ifndef LST_PHILOSOPHERS_H
#define LST_PHILOSOPHERS_H

#include "shim_test.h"

static pthread_mutex_t forks[PHILOSOPHERS];
static int meals[PHILOSOPHERS];

static void *philosopher(void *arg)
{
    int i = (int)(long)arg;
    pthread_mutex_t *left = &forks[i], *right = &forks[(i + 1) % PHILOSOPHERS];
    pthread_mutex_lock(left);  /* @LEFT_FORK */
    pthread_mutex_lock(right); /* @RIGHT_FORK */
    meals[i]++;
    pthread_mutex_unlock(right);
    pthread_mutex_unlock(left);
    return NULL;
}

int main(void)
{
    for (int i = 0; i < PHILOSOPHERS; i++)
        CHECK(pthread_mutex_init(&forks[i], NULL) == 0);
    for (int i = 0; i < PHILOSOPHERS; i++)
        run_alone(philosopher, (void *)(long)i);
    for (int i = 0; i < PHILOSOPHERS; i++)
        CHECK(meals[i] == 1);
    return 0;
}

#endif
