/* cpu_pin.c: prints, for each of its threads, how many CPUs its affinity mask allows as the
 * program sees it (sched_getaffinity, pthread_getaffinity_np) and as the kernel has it (the
 * raw system call, which lockstep does not intercept), for the test of explore's CPU pinning
 * (test_cpu_pin.py): "main cpus N real M", a thread's "thread cpus N real M", a forked
 * child's "child cpus N real M" (the child runs free: its real mask is the program's whole
 * mask again). With the argument `set`, main then sets its own mask to one CPU and prints
 * "set cpus N real M": the program's own mask is what it sees from then on. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *who)
{
    cpu_set_t s, p, r;
    CPU_ZERO(&r);
    int seen = sched_getaffinity(0, sizeof s, &s) == 0 ? CPU_COUNT(&s) : -1;
    int seen_np = pthread_getaffinity_np(pthread_self(), sizeof p, &p) == 0 ? CPU_COUNT(&p) : -2;
    int real = syscall(SYS_sched_getaffinity, 0, sizeof r, &r) > 0 ? CPU_COUNT(&r) : -1;
    if (seen != seen_np)
        printf("%s: sched_getaffinity %d but pthread_getaffinity_np %d\n", who, seen, seen_np);
    printf("%s cpus %d real %d\n", who, seen, real);
}

static void *thread(void *arg)
{
    show("thread");
    return arg;
}

int main(int argc, char **argv)
{
    show("main");
    pthread_t t;
    pthread_create(&t, NULL, thread, NULL);
    pthread_join(t, NULL);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        show("child");
        fflush(stdout);
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    if (argc > 1 && strcmp(argv[1], "set") == 0) {
        cpu_set_t s, one;
        sched_getaffinity(0, sizeof s, &s);
        CPU_ZERO(&one);
        for (int c = 0; c < CPU_SETSIZE; c++)
            if (CPU_ISSET(c, &s)) {
                CPU_SET(c, &one);
                break;
            }
        if (sched_setaffinity(0, sizeof one, &one) != 0)
            printf("set: sched_setaffinity failed\n");
        show("set");
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
