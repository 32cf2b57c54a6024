/* non_owner_unlock_releases_the_lock.c: after another thread unlocks a normal mutex (misuse,
 * but glibc does release it), the former owner no longer holds it. Main locks job_lock, a
 * worker unlocks it; main then takes other_lock, holding nothing; later an inverter takes
 * other_lock then job_lock. Main never held job_lock while taking other_lock, so there is no
 * job_lock -> other_lock order and no cycle: lockstep must report the one misuse and nothing
 * else.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-misuse 1
 * lockstep-test: message lock-misuse unlock by a thread that does not own the lock
 * lockstep-test: finding lock-order-cycle 0
 */
#include "shim_test.h"

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t other_lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    (void)arg;
    CHECK(pthread_mutex_unlock(&job_lock) == 0);
    return NULL;
}

static void *inverter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&other_lock);
    pthread_mutex_lock(&job_lock);
    pthread_mutex_unlock(&job_lock);
    pthread_mutex_unlock(&other_lock);
    return NULL;
}

int main(void)
{
    pthread_mutex_lock(&job_lock);
    run_alone(worker, NULL);
    pthread_mutex_lock(&other_lock); /* main holds nothing else here */
    pthread_mutex_unlock(&other_lock);
    run_alone(inverter, NULL);
    return 0;
}
