/* outside_pipe_read.c: a thread that blocks outside lockstep's interceptors while it holds
 * the scheduler's baton. The reader thread calls read() on a pipe at once; the writer thread
 * first makes 100 pthread calls (each a scheduling point, so the reader is all but certain
 * to have been scheduled and to be blocked in read() by then) and only then writes the byte.
 * Under `lockstep explore` nothing but the scheduler's watchdog (outside_ms) can get the
 * writer going again: it must let the reader run free and mark the schedule not replayable.
 *
 * Usage: outside_pipe_read [STATUS]: prints "reader got x" and "writer done 50", exits
 * STATUS (default 0), so that a test can make every schedule a finding and get its file. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int fds[2];
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int counter;

static void *reader(void *arg)
{
    (void)arg;
    char c = 0;
    ssize_t n = read(fds[0], &c, 1);
    printf("reader got %c (%zd)\n", c, n);
    return NULL;
}

static void *writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 50; i++) {
        pthread_mutex_lock(&m);
        counter++;
        pthread_mutex_unlock(&m);
    }
    if (write(fds[1], "x", 1) != 1)
        abort();
    printf("writer done %d\n", counter);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t r, w;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (pipe(fds) != 0)
        return 90;
    pthread_create(&r, NULL, reader, NULL);
    pthread_create(&w, NULL, writer, NULL);
    pthread_join(r, NULL);
    pthread_join(w, NULL);
    return argc > 1 ? atoi(argv[1]) : 0;
}
