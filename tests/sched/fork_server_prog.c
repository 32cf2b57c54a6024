/* fork_server_prog.c: a target for test_fork_server.py, the fork server of `lockstep
 * explore`. Two threads take one mutex a few times each (so every schedule has choices),
 * then the program ends as its first argument says:
 *
 *   exit N          exits with status N
 *   signal S        raises signal S (after the threads are joined)
 *   parent          prints "parent: NAME", NAME being the parent process's executable
 *                   (the target itself under the fork server, lockstep without it), exits 0
 *   spin            the threads never stop taking the mutex (a hang under --max-steps)
 *   block           reads a pipe nobody writes (only --timeout ends it)
 *   thread-before-main
 *                   a thread was started before main, behind lockstep's back (from
 *                   .preinit_array, with a raw clone): the fork server
 *                   must refuse to fork such a process; prints "parent: NAME" as above
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long total;
static int spin;

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3 || spin; i++) {
        pthread_mutex_lock(&m);
        total++;
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

/* A thread of the process that lockstep never saw start: it only sleeps. */
static int sleeper(void *arg)
{
    (void)arg;
    for (;;)
        syscall(SYS_pause);
    return 0;
}

/* Runs before every shared library's constructor, lockstep's included. */
static void before_main(int argc, char **argv, char **envp)
{
    (void)envp;
    static char stack[64 * 1024] __attribute__((aligned(16)));
    if (argc < 2 || strcmp(argv[1], "thread-before-main") != 0)
        return;
    if (clone(sleeper, stack + sizeof stack,
              CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM,
              NULL) < 0)
        _exit(91);
}
__attribute__((section(".preinit_array"), used)) static void (*preinit)(int, char **,
                                                                        char **) = before_main;

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "exit";
    long arg = argc > 2 ? atol(argv[2]) : 0;
    spin = strcmp(mode, "spin") == 0;
    if (strcmp(mode, "block") == 0) {
        int p[2];
        char c;
        if (pipe(p) == 0 && read(p[0], &c, 1) < 0)
            return 92;
        return 0;
    }
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    if (total != 6)
        return 90;
    if (strcmp(mode, "exit") == 0)
        return (int)arg;
    if (strcmp(mode, "signal") == 0) {
        signal((int)arg, SIG_DFL);
        raise((int)arg);
        return 93;
    }
    if (strcmp(mode, "parent") == 0 || strcmp(mode, "thread-before-main") == 0) {
        char path[64], exe[PATH_MAX];
        snprintf(path, sizeof path, "/proc/%d/exe", (int)getppid());
        ssize_t n = readlink(path, exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = 0;
        const char *base = strrchr(exe, '/');
        printf("parent: %s\n", base ? base + 1 : exe);
    }
    return 0;
}
