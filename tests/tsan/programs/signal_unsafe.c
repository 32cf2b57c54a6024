/* signal_unsafe: a SIGUSR1 handler calls malloc(), which is not async-signal-safe; main
 * sends the signal to itself. ThreadSanitizer reports "signal-unsafe call inside of a
 * signal". Fixture program for tests/tsan (see fixtures/README.md). */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t handled;
static void *volatile keep;

static void on_usr1(int sig)
{
    (void)sig;
    keep = malloc(32); /* not async-signal-safe */
    handled = 1;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    kill(getpid(), SIGUSR1);
    while (!handled)
        usleep(1000);
    free(keep);
    printf("handled\n");
    return 0;
}
