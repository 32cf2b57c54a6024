/* pingpong.c: the scheduler's throughput benchmark. Two threads hand a token back and forth
 * through one mutex and two condition variables: "ping" waits until it is its turn, passes
 * the turn and signals "pong", and the other way round, ROUNDS times each (default 10,000,
 * so 20,000 handovers). Every lock, unlock, wait and signal is a scheduling point under
 * `lockstep explore`, so the run measures the cost of a scheduling point; run natively it
 * is the baseline (real futex handovers between two threads).
 *
 * Usage: pingpong [ROUNDS [STATUS]]. Prints "pingpong ROUNDS rounds" and exits STATUS
 * (default 0); a non-zero STATUS makes explore save the schedule, whose `steps` line is the
 * number of scheduling points of the run. It also prints "pingpong wall-ns W cpu-ns C":
 * the wall and process CPU time from the first pthread_create to the last join.
 *
 * pingpong solo [PAIRS [STATUS]]: the main thread alone locks and unlocks one mutex PAIRS
 * times (default 1,000,000): 2 scheduling points per pair, none of which can switch
 * threads, so explore against `lockstep run` gives the cost of a non-switching point. It
 * also prints the loop's own time: "solo ns/pair X" (thread CPU time, so other load on the
 * machine does not count; the clock is not intercepted).
 *
 * pingpong futex [ROUNDS]: the floor of any handover, for comparison: the two threads hand
 * the turn over with a raw futex word each (wake the other, wait on mine with a 100 ms
 * timeout, as the scheduler's baton does), ROUNDS times each; no lock, so nothing for
 * lockstep to see. Prints "futex wall-ns W cpu-ns C" like the ping-pong. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv[2] = {PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER};
static int turn;   /* whose turn: 0 (ping) or 1 (pong) */
static long rounds = 10000, done[2];

static void *player(void *arg)
{
    int me = *(int *)arg, other = 1 - me;
    for (long i = 0; i < rounds; i++) {
        pthread_mutex_lock(&m);
        while (turn != me)
            pthread_cond_wait(&cv[me], &m);
        done[me]++;
        turn = other;
        pthread_cond_signal(&cv[other]);
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

static _Atomic unsigned word[2]; /* futex mode: 1 when it is that thread's turn */

static void *futex_player(void *arg)
{
    int me = *(int *)arg, other = 1 - me;
    struct timespec ts = {0, 100000000};
    for (long i = 0; i < rounds; i++) {
        while (atomic_load(&word[me]) == 0)
            syscall(SYS_futex, &word[me], FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
        atomic_store(&word[me], 0);
        done[me]++;
        atomic_store(&word[other], 1);
        syscall(SYS_futex, &word[other], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
    return NULL;
}

static int solo(int argc, char **argv)
{
    long pairs = argc > 2 ? atol(argv[2]) : 1000000;
    struct timespec t0, t1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    for (long i = 0; i < pairs; i++) {
        pthread_mutex_lock(&m);
        done[0]++;
        pthread_mutex_unlock(&m);
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    if (done[0] != pairs)
        return 90;
    double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
    printf("pingpong solo %ld pairs\nsolo ns/pair %.1f\n", pairs, pairs ? ns / (double)pairs : 0.0);
    return argc > 3 ? atoi(argv[3]) : 0;
}

int main(int argc, char **argv)
{
    static int ids[2] = {0, 1};
    if (argc > 1 && strcmp(argv[1], "solo") == 0)
        return solo(argc, argv);
    pthread_t t[2];
    int futex = argc > 1 && strcmp(argv[1], "futex") == 0;
    if (futex) {
        argv++;
        argc--;
        word[0] = 1;
    }
    if (argc > 1)
        rounds = atol(argv[1]);
    struct timespec w0, w1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, futex ? futex_player : player, &ids[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    if (done[0] != rounds || done[1] != rounds)
        return 90;
    printf("pingpong %ld rounds\n", rounds);
    printf("%s wall-ns %.0f cpu-ns %.0f\n", futex ? "futex" : "pingpong",
           (double)(w1.tv_sec - w0.tv_sec) * 1e9 + (double)(w1.tv_nsec - w0.tv_nsec),
           (double)(c1.tv_sec - c0.tv_sec) * 1e9 + (double)(c1.tv_nsec - c0.tv_nsec));
    return argc > 2 ? atoi(argv[2]) : 0;
}
