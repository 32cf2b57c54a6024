/* self_deadlock_is_ended.c: a thread locks a plain (non-recursive) mutex and, through a helper
 * that forgets it is already held, locks it again: with a normal mutex that hangs forever.
 * lockstep must report one self-deadlock (where it was relocked and where it was first taken),
 * no lock-order cycle, and end the target with status 66.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 66
 * lockstep-test: finding self-deadlock 1
 * lockstep-test: lock-name self-deadlock table_lock
 * lockstep-test: message self-deadlock relocks table_lock
 * lockstep-test: frame self-deadlock acquire @RELOCK
 * lockstep-test: frame self-deadlock held @FIRST_LOCK
 * lockstep-test: timeout 40
 */
#include "shim_test.h"

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static int table_size;

static __attribute__((noinline)) void grow_table(void)
{
    pthread_mutex_lock(&table_lock); /* @RELOCK */
    table_size *= 2;
    pthread_mutex_unlock(&table_lock);
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&table_lock); /* @FIRST_LOCK */
    table_size = 1;
    grow_table();
    pthread_mutex_unlock(&table_lock);
    return NULL;
}

int main(void)
{
    run_alone(worker, NULL);
    printf("not reached: the worker relocks its own mutex\n");
    return 1;
}
