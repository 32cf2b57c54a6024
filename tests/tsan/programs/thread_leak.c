/* thread_leak: two joinable threads, created at two different lines, are never joined
 * (main sleeps until they have finished, then returns). ThreadSanitizer reports one
 * "thread leak" per creation site. Fixture program for tests/tsan (see fixtures/README.md). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *idle(void *arg)
{
    return arg;
}

int main(void)
{
    pthread_t first, second;
    pthread_create(&first, NULL, idle, NULL);  /* leaked: never joined */
    pthread_create(&second, NULL, idle, NULL); /* leaked too, from another line */
    usleep(200 * 1000);
    printf("leaving without joining\n");
    return 0;
}
