/* Port of notes 001, "7. Simple Demonstration": task(name, duration) prints a start line
 * with the PID and thread name, sleeps `duration` seconds and prints a completion line.
 * Tasks A, B and C run sequentially, then in three threads that are started and joined.
 *
 * The third part of the demonstration (the same tasks in multiprocessing.Process
 * children) is a timing comparison and is left out. The printed times are real elapsed
 * times of the scaled sleeps (see case_util.h). Expected: all six tasks complete.
 *
 * lockstep-case: task_threads_abc
 * lockstep-source: 001 "7. Simple Demonstration" (task A/B/C: sequential and threading parts)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#include "case_util.h"

struct task_args {
    const char *name;
    double duration;
    const char *thread_name;
};

static atomic_int completed;

static void task(const struct task_args *t)
{
    printf("Task %s starting (PID: %d, Thread: %s)\n", t->name, (int)getpid(), t->thread_name);
    py_sleep(t->duration);
    printf("Task %s completed\n", t->name);
    atomic_fetch_add(&completed, 1);
}

static void *task_thread(void *arg)
{
    task(arg);
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    static const char *const names[3] = {"A", "B", "C"};
    static const char *const thread_names[3] = {"Thread-1 (task)", "Thread-2 (task)",
                                                "Thread-3 (task)"};
    struct task_args args[3];
    pthread_t threads[3];

    printf("=== Sequential Execution ===\n");
    double start = now();
    for (int i = 0; i < 3; i++) {
        args[i] = (struct task_args){names[i], 1, "MainThread"};
        task(&args[i]);
    }
    printf("Time taken: %.2f seconds\n\n", now() - start);

    printf("=== Threading (Concurrent) ===\n");
    start = now();
    for (int i = 0; i < 3; i++) {
        args[i] = (struct task_args){names[i], 1, thread_names[i]};
        pthread_create(&threads[i], NULL, task_thread, &args[i]);
    }
    for (int i = 0; i < 3; i++)
        pthread_join(threads[i], NULL);
    printf("Time taken: %.2f seconds\n\n", now() - start);

    if (atomic_load(&completed) != 6) {
        printf("Expected: 6 tasks completed\nActual:   %d\n", atomic_load(&completed));
        return 1;
    }
    return 0;
}
