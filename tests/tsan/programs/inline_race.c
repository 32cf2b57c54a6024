/* inline_race: a race on the global `hits`, updated by record_hit() (inline_race.h),
 * which is always inlined into the two thread functions. ThreadSanitizer reports the race
 * with the inlined frame (inline_race.h) above the caller (inline_race.c).
 * Fixture program for tests/tsan (see fixtures/README.md). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "inline_race.h"

long hits;

static void *early(void *arg)
{
    (void)arg;
    record_hit(1); /* first thread */
    return NULL;
}

static void *late(void *arg)
{
    (void)arg;
    usleep(100 * 1000);
    record_hit(2); /* second thread */
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, early, NULL);
    pthread_create(&b, NULL, late, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("hits %ld\n", hits);
    return 0;
}
