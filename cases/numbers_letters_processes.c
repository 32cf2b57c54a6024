/* Port of notes 004, the multiprocessing version of print_numbers / print_letters:
 * Process "Numbers Pool" prints Number: 0..3 and Process "Letter Pool" prints
 * Letter: A..D, each line prefixed with current_process().name and followed by
 * time.sleep(1); the parent starts and joins both.
 *
 * multiprocessing.Process on Linux forks: here each process is a fork()ed child running
 * the function, and join() is waitpid(). The single-process examples of notes 002
 * (Process(target=print_numbers)) and 003 (Process(target=worker)) follow the same
 * pattern. Expected: 4 numbers, 4 letters, both children exit 0.
 *
 * lockstep-case: numbers_letters_processes
 * lockstep-source: 004 multiprocessing.Process print_numbers / print_letters
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "case_util.h"

static void print_numbers(const char *name)
{
    for (int i = 0; i < 4; i++) {
        printf("[%s] Number: %d\n", name, i);
        fflush(stdout);
        py_sleep(1);
    }
}

static void print_letters(const char *name)
{
    for (const char *ch = "ABCD"; *ch; ch++) {
        printf("[%s] Letter: %c\n", name, *ch);
        fflush(stdout);
        py_sleep(1);
    }
}

/* multiprocessing.Process(target=fn, name=name).start() */
static pid_t process_start(void (*fn)(const char *), const char *name)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        fn(name);
        _exit(0);
    }
    return pid;
}

/* process.join(): returns 0 when the child exited 0. */
static int process_join(pid_t pid)
{
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return 1;
    return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
    pid_t p1 = process_start(print_numbers, "Numbers Pool");
    pid_t p2 = process_start(print_letters, "Letter Pool");
    int failed = process_join(p1) | process_join(p2);
    if (failed)
        printf("Expected: both processes exit 0\n");
    return failed;
}
