/* misuse_unlock_of_unlocked.c: two unlocks of a mutex nobody holds: used_lock is locked,
 * unlocked, and unlocked again; never_locked is unlocked without ever being locked. glibc
 * returns 0 for both (normal mutexes do not check), but each is a bug. lockstep must report
 * two lock-misuse findings, one at each bad unlock.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-misuse 2
 * lockstep-test: message lock-misuse unlock of a lock that is not locked: main unlocks used_lock
 * lockstep-test: message lock-misuse unlock of a lock that is not locked: main unlocks never_locked
 * lockstep-test: frame lock-misuse unlock @SECOND_UNLOCK
 * lockstep-test: frame lock-misuse unlock @NEVER_LOCKED_UNLOCK
 */
#include "shim_test.h"

static pthread_mutex_t used_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t never_locked = PTHREAD_MUTEX_INITIALIZER;

int main(void)
{
    pthread_mutex_lock(&used_lock);
    pthread_mutex_unlock(&used_lock);
    pthread_mutex_unlock(&used_lock); /* @SECOND_UNLOCK */
    pthread_mutex_unlock(&never_locked); /* @NEVER_LOCKED_UNLOCK */
    return 0;
}
