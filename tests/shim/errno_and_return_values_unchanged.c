/* errno_and_return_values_unchanged.c: the shim must be invisible to the program's error
 * handling. Each check calls a function whose result POSIX or glibc defines and compares the
 * return value (and errno where the function reports through it) with the documented one:
 * trylock of a held mutex is EBUSY (from another thread too), relock of an errorcheck mutex
 * is EDEADLK, unlock of an errorcheck mutex by a non-owner or when unlocked is EPERM, a
 * recursive trylock succeeds, timed locks time out with ETIMEDOUT, a write trylock of a
 * read-held rwlock is EBUSY, relocking a write-held rwlock is EDEADLK, sem_trywait on 0 is
 * -1/EAGAIN, a spin trylock of a held spinlock is EBUSY, a self-join is EDEADLK; and errno,
 * set to a sentinel before each successful call, is left alone. The program prints every
 * result and exits 1 if any differs; the checker also compares its stdout with a run without
 * lockstep. The two EPERM unlocks are misuse: lockstep must report them (and nothing else).
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: same-as-native
 * lockstep-test: stdout all results as documented
 * lockstep-test: finding lock-misuse 2
 * lockstep-test: message lock-misuse unlock by a thread that does not own the lock
 * lockstep-test: message lock-misuse unlock of a lock that is not locked
 * lockstep-test: frame lock-misuse unlock @EPERM_NOT_OWNER
 * lockstep-test: frame lock-misuse unlock @EPERM_UNLOCKED
 */
#define _GNU_SOURCE
#include <errno.h>
#include <semaphore.h>
#include <string.h>
#include <time.h>

#include "shim_test.h"

#define SENTINEL 4242

static int failures;

static const char *err_name(int e)
{
    const char *n = e ? strerrorname_np(e) : "0";
    return n ? n : "?";
}

static void expect(const char *what, int got, int want)
{
    printf("%-44s %-10s (want %s)\n", what, err_name(got), err_name(want));
    if (got != want)
        failures++;
}

/* errno must be what it was before a call that succeeded */
static void expect_errno_kept(const char *what)
{
    printf("%-44s errno %s\n", what, errno == SENTINEL ? "kept" : "CHANGED");
    if (errno != SENTINEL)
        failures++;
}

static pthread_mutex_t plain = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t checked;
static pthread_mutex_t recursive;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_spinlock_t spin;
static pthread_t main_thread;

static struct timespec soon(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 20 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Runs while main holds plain, checked and rw (for reading). */
static void *other_thread(void *arg)
{
    (void)arg;
    expect("trylock(plain) held by main", pthread_mutex_trylock(&plain), EBUSY);
    struct timespec ts = soon();
    expect("timedlock(plain) held by main", pthread_mutex_timedlock(&plain, &ts), ETIMEDOUT);
    int rc = pthread_mutex_unlock(&checked); /* @EPERM_NOT_OWNER */
    expect("unlock(errorcheck) held by main", rc, EPERM);
    expect("trywrlock(rw) read-held by main", pthread_rwlock_trywrlock(&rw), EBUSY);
    errno = SENTINEL;
    expect("tryrdlock(rw) read-held by main", pthread_rwlock_tryrdlock(&rw), 0);
    expect_errno_kept("tryrdlock(rw)");
    expect("rwlock_unlock(rw)", pthread_rwlock_unlock(&rw), 0);
    return NULL;
}

int main(void)
{
    main_thread = pthread_self();
    pthread_mutexattr_t attr;
    CHECK(pthread_mutexattr_init(&attr) == 0);
    CHECK(pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK) == 0);
    CHECK(pthread_mutex_init(&checked, &attr) == 0);
    CHECK(pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE) == 0);
    CHECK(pthread_mutex_init(&recursive, &attr) == 0);
    CHECK(pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE) == 0);

    errno = SENTINEL;
    expect("lock(plain)", pthread_mutex_lock(&plain), 0);
    expect_errno_kept("lock(plain)");
    expect("trylock(plain) held by self", pthread_mutex_trylock(&plain), EBUSY);
    errno = SENTINEL;
    expect("lock(errorcheck)", pthread_mutex_lock(&checked), 0);
    expect_errno_kept("lock(errorcheck)");
    expect("relock(errorcheck)", pthread_mutex_lock(&checked), EDEADLK);
    expect("trylock(errorcheck) held by self", pthread_mutex_trylock(&checked), EBUSY);
    errno = SENTINEL;
    expect("rdlock(rw)", pthread_rwlock_rdlock(&rw), 0);
    expect_errno_kept("rdlock(rw)");
    expect("trywrlock(rw) read-held by self", pthread_rwlock_trywrlock(&rw), EBUSY);

    run_alone(other_thread, NULL);

    errno = SENTINEL;
    expect("rwlock_unlock(rw)", pthread_rwlock_unlock(&rw), 0);
    expect_errno_kept("rwlock_unlock(rw)");
    errno = SENTINEL;
    expect("wrlock(rw)", pthread_rwlock_wrlock(&rw), 0);
    expect_errno_kept("wrlock(rw)");
    expect("wrlock(rw) write-held by self", pthread_rwlock_wrlock(&rw), EDEADLK);
    expect("rdlock(rw) write-held by self", pthread_rwlock_rdlock(&rw), EDEADLK);
    expect("rwlock_unlock(rw)", pthread_rwlock_unlock(&rw), 0);
    errno = SENTINEL;
    expect("unlock(errorcheck)", pthread_mutex_unlock(&checked), 0);
    expect_errno_kept("unlock(errorcheck)");
    int rc = pthread_mutex_unlock(&checked); /* @EPERM_UNLOCKED */
    expect("unlock(errorcheck) not locked", rc, EPERM);
    errno = SENTINEL;
    expect("unlock(plain)", pthread_mutex_unlock(&plain), 0);
    expect_errno_kept("unlock(plain)");

    errno = SENTINEL;
    expect("lock(recursive)", pthread_mutex_lock(&recursive), 0);
    expect("trylock(recursive) held by self", pthread_mutex_trylock(&recursive), 0);
    expect("unlock(recursive)", pthread_mutex_unlock(&recursive), 0);
    expect("unlock(recursive)", pthread_mutex_unlock(&recursive), 0);
    expect_errno_kept("recursive lock/trylock/unlock");

    errno = SENTINEL;
    expect("spin_lock(spin)", pthread_spin_lock(&spin), 0);
    expect("spin_trylock(spin) held", pthread_spin_trylock(&spin), EBUSY);
    expect("spin_unlock(spin)", pthread_spin_unlock(&spin), 0);
    expect_errno_kept("spin lock/unlock");

    sem_t sem;
    CHECK(sem_init(&sem, 0, 0) == 0);
    errno = 0;
    rc = sem_trywait(&sem);
    expect("sem_trywait(0) returns -1", rc == -1 ? 0 : EINVAL, 0);
    expect("sem_trywait(0) errno", errno, EAGAIN);
    struct timespec ts = soon();
    errno = 0;
    rc = sem_timedwait(&sem, &ts);
    expect("sem_timedwait(0) returns -1", rc == -1 ? 0 : EINVAL, 0);
    expect("sem_timedwait(0) errno", errno, ETIMEDOUT);
    errno = SENTINEL;
    expect("sem_post", sem_post(&sem), 0);
    expect("sem_wait(1)", sem_wait(&sem), 0);
    expect_errno_kept("sem_post/sem_wait");

    pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
    CHECK(pthread_mutex_lock(&plain) == 0);
    ts = soon();
    expect("cond_timedwait with no signal", pthread_cond_timedwait(&cond, &plain, &ts), ETIMEDOUT);
    expect("unlock(plain) after the timed wait", pthread_mutex_unlock(&plain), 0);

    expect("join(self)", pthread_join(main_thread, NULL), EDEADLK);

    printf(failures ? "%d results differ\n" : "all results as documented\n", failures);
    return failures ? 1 : 0;
}
