/* exit_holding.c: exit(3) from main while one thread holds a lock (and waits on a condition
 * variable that is never signalled) and another is blocked in pthread_mutex_lock on it. The
 * process must end with status 3 and the output written so far, not hang. */
#include <semaphore.h>

#include "hostile.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t inner = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static sem_t holding;
static sem_t blocking;

static void *holder(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    pthread_mutex_lock(&inner);
    SAY("holder holds m\n");
    sem_post(&holding);
    for (;;)
        pthread_cond_wait(&never, &inner);
    return NULL;
}

static void *blocker(void *arg)
{
    (void)arg;
    SAY("blocker wants m\n");
    sem_post(&blocking);
    pthread_mutex_lock(&m);
    SAY("not reached\n");
    return NULL;
}

int main(void)
{
    sem_init(&holding, 0, 0);
    sem_init(&blocking, 0, 0);
    hostile_abba();
    pthread_t t1, t2;
    pthread_create(&t1, NULL, holder, NULL);
    sem_wait(&holding);
    pthread_create(&t2, NULL, blocker, NULL);
    sem_wait(&blocking);           /* it is in, or about to enter, pthread_mutex_lock(&m) */
    printf("main exits with 3\n"); /* buffered: exit() must flush it */
    exit(3);
}
