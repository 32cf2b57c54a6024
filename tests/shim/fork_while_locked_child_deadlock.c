/* fork_while_locked_child_deadlock.c: a holder thread locks log_lock and stays inside it while
 * main forks; the child, a copy of main alone, then locks log_lock, which no thread of the
 * child will ever release. lockstep must report, in the parent's process, one lock-misuse
 * (fork while another thread holds a lock) and, in the child's process, one deadlock (a lock
 * held by a thread that is gone after fork), and end the child with status 66. The parent
 * waits for the child (giving up after 20 s), checks it was ended with 66, lets the holder
 * go, and exits 0. The fork happened once: the misuse must be reported once, not once more
 * from the child (whose records start as a copy of the parent's).
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-misuse 1
 * lockstep-test: finding deadlock 1
 * lockstep-test: message lock-misuse fork while another thread holds a lock
 * lockstep-test: message deadlock deadlock after fork
 * lockstep-test: lock-name deadlock log_lock
 * lockstep-test: count lock-misuse 1  (the fork happened once, in the parent)
 * lockstep-test: count deadlock 1
 * lockstep-test: process lock-misuse parent
 * lockstep-test: process deadlock child
 * lockstep-test: frame lock-misuse fork @FORK
 * lockstep-test: frame lock-misuse held @HOLDER_LOCK
 * lockstep-test: frame deadlock blocked @CHILD_LOCK
 * lockstep-test: stdout child ended with status 66
 * lockstep-test: timeout 40
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shim_test.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t locked, forked;

static void *holder(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&log_lock); /* @HOLDER_LOCK */
    pthread_barrier_wait(&locked);
    pthread_barrier_wait(&forked);
    pthread_mutex_unlock(&log_lock);
    return NULL;
}

int main(void)
{
    CHECK(pthread_barrier_init(&locked, NULL, 2) == 0);
    CHECK(pthread_barrier_init(&forked, NULL, 2) == 0);
    pthread_t t = start_thread(holder, NULL);
    pthread_barrier_wait(&locked);
    printf("@pid parent %d\n", (int)getpid());
    fflush(stdout);
    pid_t child = fork(); /* @FORK */
    CHECK(child >= 0);
    if (child == 0) {
        pthread_mutex_lock(&log_lock); /* @CHILD_LOCK */
        _exit(3); /* not reached: the holder does not exist in the child */
    }
    printf("@pid child %d\n", (int)child);
    int status = 0, waited = 0;
    for (int i = 0; i < 2000 && waited == 0; i++) {
        waited = (int)waitpid(child, &status, WNOHANG);
        if (waited == 0)
            nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
    }
    if (waited == 0) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
        printf("child hung and was killed\n");
    }
    pthread_barrier_wait(&forked);
    join_thread(t);
    if (WIFEXITED(status))
        printf("child ended with status %d\n", WEXITSTATUS(status));
    else
        printf("child ended by signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 66 ? 0 : 1;
}
