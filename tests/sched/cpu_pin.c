/* cpu_pin.c: prints how many CPUs the affinity mask of each of its threads allows, for the
 * test of explore's CPU pinning (test_cpu_pin.py): "main cpus N", then a thread's "thread
 * cpus N", then a forked child's "child cpus N" (the child runs free, so it must get the
 * program's whole mask back). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static int cpus(void)
{
    cpu_set_t s;
    return sched_getaffinity(0, sizeof s, &s) == 0 ? CPU_COUNT(&s) : -1;
}

static void *thread(void *arg)
{
    printf("thread cpus %d\n", cpus());
    return arg;
}

int main(void)
{
    printf("main cpus %d\n", cpus());
    pthread_t t;
    pthread_create(&t, NULL, thread, NULL);
    pthread_join(t, NULL);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        printf("child cpus %d\n", cpus());
        fflush(stdout);
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
