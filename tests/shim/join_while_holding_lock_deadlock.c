/* join_while_holding_lock_deadlock.c: main locks state_lock, starts a worker that needs
 * state_lock, and joins it without unlocking: the worker waits for main's lock, main waits
 * for the worker to end. lockstep must report one deadlock (a wait-for cycle through a join)
 * and end the target with status 66.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 66
 * lockstep-test: finding deadlock 1
 * lockstep-test: message deadlock joins
 * lockstep-test: message deadlock waits for state_lock held by main
 * lockstep-test: frame deadlock blocked @LOCK_IN_WORKER
 * lockstep-test: frame deadlock blocked @JOIN
 * lockstep-test: frame deadlock held @LOCK_IN_MAIN
 * lockstep-test: timeout 40
 */
#include "shim_test.h"

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static int state;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&state_lock); /* @LOCK_IN_WORKER */
    state++;
    pthread_mutex_unlock(&state_lock);
    return NULL;
}

int main(void)
{
    pthread_mutex_lock(&state_lock); /* @LOCK_IN_MAIN */
    pthread_t t = start_thread(worker, NULL);
    pthread_join(t, NULL); /* @JOIN */
    pthread_mutex_unlock(&state_lock);
    printf("not reached: main and the worker deadlock\n");
    return 1;
}
