/* Port of notes 003, "Use case: Bidirectional communication": two pipes, pr/pw (parent
 * writes, child reads) and cr/cw (child writes, parent reads). The child reads a message,
 * prints it and replies "Message received!"; the parent waits 2 seconds, sends
 * "Hello child!" and prints the reply.
 *
 * Request/response over two pipes after fork. Each side reads once, as in the notes (a
 * message shorter than PIPE_BUF arrives in one piece); the parent then waits for the
 * child. Expected: "Child got: Hello child!", "Parent got: Message received!", exit 0.
 *
 * lockstep-case: fork_pipe_bidirectional
 * lockstep-source: 003 "Use case: Bidirectional communication" (two os.pipe(), os.fork)
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
#include "case_util.h"

/* os.read(fd, 1024) into a NUL-terminated buffer; returns the length or -1. */
static ssize_t read_message(int fd, char *buf, size_t size)
{
    ssize_t n = read(fd, buf, size - 1);
    buf[n > 0 ? n : 0] = '\0';
    return n;
}

int main(void)
{
    static const char hello[] = "Hello child!", reply[] = "Message received!";
    int p[2], c[2];

    if (pipe(p) != 0 || pipe(c) != 0) {
        perror("pipe");
        return 1;
    }
    int pr = p[0], pw = p[1]; /* parent writes, child reads */
    int cr = c[0], cw = c[1]; /* child writes, parent reads */
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) { /* --- Child --- */
        char msg[1024];
        close(pw);
        close(cr);
        read_message(pr, msg, sizeof msg);
        printf("Child got: %s\n", msg);
        fflush(stdout);
        ssize_t n = write(cw, reply, strlen(reply));
        close(pr);
        close(cw);
        _exit(strcmp(msg, hello) == 0 && n == (ssize_t)strlen(reply) ? 0 : 1);
    }

    /* --- Parent --- */
    char got[1024];
    close(pr);
    close(cw);
    printf("[Parent] Started, waiting 2 seconds before sending message...\n");
    py_sleep(2);
    if (write(pw, hello, strlen(hello)) != (ssize_t)strlen(hello))
        perror("write");
    read_message(cr, got, sizeof got);
    printf("Parent got: %s\n", got);
    close(pw);
    close(cr);

    int status;
    waitpid(pid, &status, 0);
    if (strcmp(got, reply) != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("Expected: Parent got: %s, child exit 0\n", reply);
        return 1;
    }
    return 0;
}
