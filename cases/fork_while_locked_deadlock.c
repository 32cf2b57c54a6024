/* Port of the prose of notes 003, "Important Note About os.fork()": "It's dangerous in
 * multi-threaded programs ... because it copies threads and resources, leading to
 * potential deadlocks." (The notes have no code for it.)
 *
 * Pattern: fork() while another thread holds a mutex. The child gets a copy of the locked
 * mutex but not the thread that owns it, so nobody will ever unlock it there, and the
 * child's pthread_mutex_lock() blocks forever. Thread T takes `lock` and tells the main
 * thread (a handshake under `gate`) before main forks, so the hang is deterministic. The
 * parent then lets T finish and waits for the child: forever. The child asks for SIGKILL
 * when its parent dies, so that killing the parent does not leave it behind. Writes in
 * the child use write(2): only async-signal-safe calls are allowed there.
 * Expected: hangs. Correct twin: fork_atfork_handlers.
 *
 * lockstep-case: fork_while_locked_deadlock
 * lockstep-source: 003 "Important Note About os.fork()" (prose: fork can deadlock)
 * lockstep-twin: fork_atfork_handlers
 * lockstep-native: hang
 * lockstep-expect run: deadlock lock-misuse target-failure?
 * lockstep-expect explore: deadlock lock-misuse target-failure?
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static bool holding, forked;

static void say(const char *s)
{
    if (write(STDOUT_FILENO, s, strlen(s)) < 0)
        _exit(2);
}

/* T: takes lock, reports it, and keeps it until the main thread has forked. */
static void *holder(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    pthread_mutex_lock(&gate);
    holding = true;
    pthread_cond_broadcast(&changed);
    while (!forked)
        pthread_cond_wait(&changed, &gate);
    pthread_mutex_unlock(&gate);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pid_t parent = getpid();

    setvbuf(stdout, NULL, _IOLBF, 0);
    pthread_create(&t, NULL, holder, NULL);
    pthread_mutex_lock(&gate);
    while (!holding)
        pthread_cond_wait(&changed, &gate);
    pthread_mutex_unlock(&gate);

    printf("Parent: forking while thread T holds the lock\n");
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(3);
        say("Child: locking the lock (its owner T does not exist here)\n");
        pthread_mutex_lock(&lock); /* blocks forever */
        say("Child: got the lock\n");
        pthread_mutex_unlock(&lock);
        _exit(0);
    }

    pthread_mutex_lock(&gate);
    forked = true;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&gate);
    pthread_join(t, NULL);

    printf("Parent: waiting for child %d\n", (int)pid);
    int status;
    waitpid(pid, &status, 0);
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    printf("Parent: child %s\n", ok ? "exited 0" : "failed");
    return ok ? 0 : 1;
}
