/* Port of notes 003, "Child process will be copied global variables from parent" (a
 * diagram without code): after os.fork() the child reads global_var = 42 and
 * shared_list as they were at fork time, then sets its own copy to 99; the parent is
 * unaffected (copy-on-write).
 *
 * Processes do not share memory: the child's write is invisible to the parent. Expected:
 * the child sees 42 and [1, 2, 3]; after the child has exited the parent still has 42.
 *
 * lockstep-case: fork_global_copy
 * lockstep-source: 003 "Child process will be copied global variables from parent" (diagram)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static int global_var = 42;
static int shared_list[3] = {1, 2, 3};

int main(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        int saw = global_var;
        printf("Child reads global_var = %d, shared_list = [%d, %d, %d]\n", saw,
               shared_list[0], shared_list[1], shared_list[2]);
        global_var = 99;
        shared_list[0] = 99;
        printf("Child modifies its own copy: global_var = %d\n", global_var);
        fflush(stdout);
        _exit(saw == 42 && shared_list[1] == 2 ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("Parent: global_var = %d, shared_list[0] = %d (unaffected)\n", global_var,
           shared_list[0]);
    if (global_var != 42 || shared_list[0] != 1 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        printf("Expected: child saw 42, parent still has 42\n");
        return 1;
    }
    return 0;
}
