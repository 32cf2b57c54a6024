/* Port of notes 004, "Semaphore - limit concurrency (counting lock)": Semaphore(2) is "the
 * system"; 7 named employees wait for it, hold it for random.uniform(0.5, 1.5) seconds
 * and release it.
 *
 * A counting semaphore (POSIX sem_t) admits at most 2 holders; an atomic holder count
 * checks that invariant. Each employee draws its sleep from its own fixed seed.
 * Expected: every employee acquires and releases, at most 2 at once, "You did it".
 *
 * lockstep-case: semaphore_employees
 * lockstep-source: 004 "Semaphore - limit concurrency (counting lock)" (Semaphore(2), 7 employees)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include "case_util.h"

#define LIMIT       2
#define N_EMPLOYEES 7

struct employee {
    const char *member;
    unsigned seed;
};

static sem_t sem;
static atomic_int holders, max_holders;

static void *employee(void *arg)
{
    struct employee *e = arg;

    printf("%s waiting for the system.....\n", e->member);
    sem_wait(&sem);
    int now = atomic_fetch_add(&holders, 1) + 1;
    int seen = atomic_load(&max_holders);
    while (now > seen && !atomic_compare_exchange_weak(&max_holders, &seen, now))
        ;
    printf("%s aquired the system\n\n", e->member);
    py_sleep(py_uniform(&e->seed, 0.5, 1.5));
    printf("%s release the system!!!\n", e->member);
    atomic_fetch_sub(&holders, 1);
    sem_post(&sem);
    return NULL;
}

int main(void)
{
    static const char *const members[N_EMPLOYEES] = {"Rishikesh", "Alberto", "Harry", "Ron",
                                                     "Aniket", "Atharv", "William"};
    struct employee employees[N_EMPLOYEES];
    pthread_t threads[N_EMPLOYEES];

    sem_init(&sem, 0, LIMIT);
    for (int i = 0; i < N_EMPLOYEES; i++) {
        employees[i] = (struct employee){members[i], 1000u + (unsigned)i};
        pthread_create(&threads[i], NULL, employee, &employees[i]);
    }
    for (int i = 0; i < N_EMPLOYEES; i++)
        pthread_join(threads[i], NULL);
    printf("You did it\n");
    sem_destroy(&sem);

    printf("Expected: at most %d holders at once\n", LIMIT);
    printf("Actual:   at most %d holders at once\n", atomic_load(&max_holders));
    return atomic_load(&max_holders) > LIMIT;
}
