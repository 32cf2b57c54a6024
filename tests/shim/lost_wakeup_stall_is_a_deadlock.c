/* lost_wakeup_stall_is_a_deadlock.c: a lost wakeup. The producer signals data_ready before
 * anyone waits (the signal is lost: condition variables keep no memory); the consumer, started
 * after the producer ended, waits without checking a predicate and sleeps forever; main joins
 * the consumer. No lock is involved, so only the stall watchdog can see it: every live thread
 * is blocked (a condition wait, a join) and stays so. Run with --stall-ms 500 (from the CMake
 * registration), lockstep must report one deadlock with where each thread waits and kill the
 * target.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit signal 9
 * lockstep-test: finding deadlock 1
 * lockstep-test: message deadlock every live thread is blocked
 * lockstep-test: message deadlock waits on a condition variable (with data_lock)
 * lockstep-test: frame deadlock blocked @CONSUMER_WAIT
 * lockstep-test: frame deadlock blocked @MAIN_JOIN
 * lockstep-test: timeout 40
 */
#include "shim_test.h"

static pthread_mutex_t data_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t data_ready = PTHREAD_COND_INITIALIZER;
static int data;

static void *producer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&data_lock);
    data = 42;
    pthread_cond_signal(&data_ready);
    pthread_mutex_unlock(&data_lock);
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&data_lock);
    pthread_cond_wait(&data_ready, &data_lock); /* @CONSUMER_WAIT */
    pthread_mutex_unlock(&data_lock);
    return NULL;
}

int main(void)
{
    run_alone(producer, NULL);
    pthread_t c = start_thread(consumer, NULL);
    pthread_join(c, NULL); /* @MAIN_JOIN */
    printf("not reached: the wakeup was lost\n");
    return 1;
}
