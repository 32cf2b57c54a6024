/* Port of notes 003, "What is os.fork": pid = os.fork(); the child prints "I am the child
 * process!", the parent prints its child's PID.
 *
 * A single-threaded fork: safe. stdout is flushed before fork() so that buffered output
 * is not printed twice. The notes' parent does not wait; here it waits for the child and
 * checks that it exited 0. Expected: both lines, exit 0.
 *
 * lockstep-case: fork_hello
 * lockstep-source: 003 "What is os.fork" (pid = os.fork(); child/parent prints)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        printf("I am the child process!\n");
        return 0;
    }
    printf("I am the parent process. My child has PID %d\n", (int)pid);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("Expected: the child exits 0\n");
        return 1;
    }
    return 0;
}
