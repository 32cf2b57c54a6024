/* The sample's racy program, for a ThreadSanitizer build: known_hits is incremented by two
 * threads without a lock (the race the project has lived with: it goes in the baseline),
 * and so is stats_hits (a race the project has decided to ignore: lockstep.supp suppresses
 * it). sample_more_work() comes from races_none.c, or from races_new.c (a new race) with
 * -DSAMPLE_NEW_RACE=ON; keeping it in another file leaves this file's lines, and so the
 * fingerprints of its races, unchanged. The program always exits 0. */
#include <pthread.h>
#include <stdio.h>

void sample_more_work(void);

static long known_hits;
static long stats_hits;

static void *count_known(void *arg)
{
    (void)arg;
    known_hits++;
    return NULL;
}

static void *count_stats(void *arg)
{
    (void)arg;
    stats_hits++;
    return NULL;
}

static void pair(void *(*fn)(void *))
{
    pthread_t t1, t2;
    pthread_create(&t1, NULL, fn, NULL);
    pthread_create(&t2, NULL, fn, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
}

int main(void)
{
    pair(count_known);
    pair(count_stats);
    sample_more_work();
    printf("known %ld stats %ld\n", known_hits, stats_hits);
    return 0;
}
