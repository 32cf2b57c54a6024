/* virtual_sleeps.c: sleeps that take virtual time only. Four threads; thread k (1..4)
 * calls sleep(1) 2k times (20 s of sleeps in total, 8 s for the longest) and then prints
 * "woke k". Under lockstep's scheduler the sleeps advance the virtual clock, so the
 * wakeups come in the order of the total sleep: 1, 2, 3, 4, whatever the interleaving.
 * The program also prints the real (CLOCK_MONOTONIC, read by syscall so no interceptor
 * can touch it) time it took, as "real_ms N". */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long real_ms(void)
{
    struct timespec ts;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *sleeper(void *arg)
{
    int k = *(int *)arg;
    for (int i = 0; i < 2 * k; i++)
        sleep(1);
    printf("woke %d\n", k);
    return NULL;
}

int main(void)
{
    static int ks[4] = {3, 1, 4, 2}; /* created out of order on purpose */
    pthread_t t[4];
    setvbuf(stdout, NULL, _IOLBF, 0);
    long long start = real_ms();
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, sleeper, &ks[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    printf("real_ms %lld\n", real_ms() - start);
    return 0;
}
