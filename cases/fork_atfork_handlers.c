/* Correct twin of fork_while_locked_deadlock (notes 003, "Important Note About
 * os.fork()"): the same program, but pthread_atfork() handlers take `lock` before fork()
 * and release it afterwards in both the parent and the child. fork() therefore waits until
 * no other thread holds the lock, and the child starts with the lock free (the child's
 * copy is owned by its only thread, which unlocks it). Thread T takes the lock, reports it
 * and releases it after a short sleep on its own, so termination does not depend on
 * timing. Writes in the child use write(2). Expected: the child gets the lock, exit 0.
 *
 * lockstep-case: fork_atfork_handlers
 * lockstep-source: 003 "Important Note About os.fork()", fixed with pthread_atfork handlers
 * lockstep-twin: fork_while_locked_deadlock
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "case_util.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static bool holding;

static void say(const char *s)
{
    if (write(STDOUT_FILENO, s, strlen(s)) < 0)
        _exit(2);
}

static void prepare(void)
{
    pthread_mutex_lock(&lock);
}

static void release(void)
{
    pthread_mutex_unlock(&lock);
}

/* T: takes lock, reports it, and releases it after a while on its own. */
static void *holder(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    pthread_mutex_lock(&gate);
    holding = true;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&gate);
    py_sleep(1);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t;

    setvbuf(stdout, NULL, _IOLBF, 0);
    pthread_atfork(prepare, release, release);
    pthread_create(&t, NULL, holder, NULL);
    pthread_mutex_lock(&gate);
    while (!holding)
        pthread_cond_wait(&changed, &gate);
    pthread_mutex_unlock(&gate);

    printf("Parent: forking (the prepare handler waits for the lock)\n");
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        say("Child: locking the lock\n");
        pthread_mutex_lock(&lock);
        say("Child: got the lock\n");
        pthread_mutex_unlock(&lock);
        _exit(0);
    }
    pthread_join(t, NULL);

    int status;
    waitpid(pid, &status, 0);
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    printf("Parent: child %s\n", ok ? "exited 0" : "failed");
    return ok ? 0 : 1;
}
