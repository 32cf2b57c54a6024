/* fork_with_threads.c: fork (and optionally exec) while other threads are running, under
 * the deterministic scheduler. Two workers count to 200 under a mutex; the first, halfway,
 * forks while it holds the mutex itself (so no other thread holds a lock at the fork, which
 * would be a legitimate misuse finding). The child either execs /bin/true (argument
 * "exec") or unlocks, starts and joins a thread of its own that takes the mutex, and leaves
 * with status 7. The parent waits for it and prints what the child's status was.
 *
 * Usage: fork_with_threads fork|exec [STATUS]. Prints "child status N" and "total 400";
 * exits STATUS (default 0), or 90 when something went wrong. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int total, use_exec, child_status = -1;

static void *child_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    total += 1000;
    pthread_mutex_unlock(&m);
    return NULL;
}

static void do_fork(void)
{
    pid_t p = fork();
    if (p < 0)
        exit(90);
    if (p == 0) {
        if (use_exec) {
            execl("/bin/true", "true", (char *)NULL);
            _exit(127);
        }
        pthread_mutex_unlock(&m);
        pthread_t t;
        if (pthread_create(&t, NULL, child_thread, NULL) != 0 || pthread_join(t, NULL) != 0)
            _exit(91);
        _exit(total >= 1000 ? 7 : 92);
    }
    int st;
    if (waitpid(p, &st, 0) != p)
        exit(90);
    child_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void *worker(void *arg)
{
    int forker = *(int *)arg;
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&m);
        total++;
        if (forker && i == 100)
            do_fork();
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    static int one = 1, zero = 0;
    pthread_t a, b;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2 || (strcmp(argv[1], "fork") && strcmp(argv[1], "exec")))
        return 90;
    use_exec = !strcmp(argv[1], "exec");
    pthread_create(&a, NULL, worker, &one);
    pthread_create(&b, NULL, worker, &zero);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("child status %d\n", child_status);
    printf("total %d\n", total);
    if (total != 400 || child_status != (use_exec ? 0 : 7))
        return 90;
    return argc > 2 ? atoi(argv[2]) : 0;
}
