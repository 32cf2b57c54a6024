/* big_stdout.c: writes argv[1] megabytes (default 8) of a deterministic byte pattern to
 * stdout from two threads, one after the other, each chunk written under a lock, with stdio
 * buffering. The test compares every byte with the native run. */
#include "hostile.h"

static pthread_mutex_t out = PTHREAD_MUTEX_INITIALIZER;
static long chunks;

static void *writer(void *arg)
{
    long part = (long)arg;
    char buf[4096];
    for (long c = part * chunks / 2; c < (part + 1) * chunks / 2; c++) {
        for (int i = 0; i < (int)sizeof buf; i++)
            buf[i] = (char)((c * 131 + i * 7) % 251);
        pthread_mutex_lock(&out);
        fwrite(buf, 1, sizeof buf, stdout);
        pthread_mutex_unlock(&out);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long mb = argc > 1 ? atol(argv[1]) : 8;
    hostile_abba(); /* a finding, so that explore saves a schedule to replay */
    chunks = mb * 256;
    for (long p = 0; p < 2; p++) {
        pthread_t t;
        pthread_create(&t, NULL, writer, (void *)p);
        pthread_join(t, NULL);
    }
    fflush(stdout);
    fprintf(stderr, "hostile: wrote %ld bytes\n", chunks * 4096);
    return 0;
}
