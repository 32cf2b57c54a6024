/* Port of notes 003, "Use case: call a function from child process": after os.fork()
 * the child calls my_func(10, 20) and leaves with os._exit(0); the parent prints the
 * child's PID.
 *
 * _exit() does not flush stdio, so the child flushes stdout first (Python's print to a
 * terminal is line-buffered and needs no flush there). The notes' parent does not wait;
 * here it waits and checks the child's exit status. Expected: both lines, exit 0.
 *
 * lockstep-case: fork_child_call
 * lockstep-source: 003 "Use case: call a function from child process" (my_func(10, 20))
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void my_func(int x, int y)
{
    printf("Child running my_func with x=%d and y=%d\n", x, y);
}

int main(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        my_func(10, 20);
        fflush(stdout);
        _exit(0);
    }
    printf("Parent: child PID is %d\n", (int)pid);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("Expected: the child exits 0\n");
        return 1;
    }
    return 0;
}
