/* fork_exec.c: after a lock-order inversion the main thread forks; the child execs
 * /bin/sh -c '...; exit 6' at once (a fresh image, under the shim again), and the parent
 * waits for it and exits with the child's status plus one (7). */
#include <sys/wait.h>

#include "hostile.h"

int main(void)
{
    hostile_abba();
    SAY("before fork\n");
    pid_t pid = fork();
    if (pid < 0)
        return 90;
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", "echo from sh; echo from sh >&2; exit 6", (char *)NULL);
        _exit(127);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid)
        return 91;
    SAY("child status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return WIFEXITED(st) ? WEXITSTATUS(st) + 1 : 92;
}
