/* Port of notes 003, "Use case: Pipes for Parent-Child Communication": r, w = os.pipe();
 * after fork the child closes r and writes "Hello from child!" to w; the parent closes w,
 * reads from r and prints what it received.
 *
 * One-way pipe between a parent and its child, each closing the end it does not use.
 * The notes' parent reads once; here it reads until end of file (the child closes w),
 * then waits for the child. Expected: "Parent received: Hello from child!", exit 0.
 *
 * lockstep-case: fork_pipe_oneway
 * lockstep-source: 003 "Use case: Pipes for Parent-Child Communication" (os.pipe + os.fork)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    static const char message[] = "Hello from child!";
    int fds[2];

    if (pipe(fds) != 0) {
        perror("pipe");
        return 1;
    }
    int r = fds[0], w = fds[1];
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) { /* --- Child process --- */
        close(r);
        ssize_t n = write(w, message, strlen(message));
        close(w);
        _exit(n == (ssize_t)strlen(message) ? 0 : 1);
    }

    /* --- Parent process --- */
    close(w);
    char data[1024];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof data - 1 && (n = read(r, data + len, sizeof data - 1 - len)) > 0)
        len += (size_t)n;
    data[len] = '\0';
    printf("Parent received: %s\n", data);
    close(r);

    int status;
    waitpid(pid, &status, 0);
    if (strcmp(data, message) != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("Expected: %s, child exit 0\n", message);
        return 1;
    }
    return 0;
}
