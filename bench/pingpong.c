/* pingpong.c: the scheduler's throughput benchmark. Two threads hand a token back and forth
 * through one mutex and two condition variables: "ping" waits until it is its turn, passes
 * the turn and signals "pong", and the other way round, ROUNDS times each (default 10,000,
 * so 20,000 handovers). Every lock, unlock, wait and signal is a scheduling point under
 * `lockstep explore`, so the run measures the cost of a scheduling point; run natively it
 * is the baseline (real futex handovers between two threads).
 *
 * Usage: pingpong [ROUNDS [STATUS]]. Prints "pingpong ROUNDS rounds" and exits STATUS
 * (default 0); a non-zero STATUS makes explore save the schedule, whose `steps` line is the
 * number of scheduling points of the run. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

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

int main(int argc, char **argv)
{
    static int ids[2] = {0, 1};
    pthread_t t[2];
    if (argc > 1)
        rounds = atol(argv[1]);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, player, &ids[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    if (done[0] != rounds || done[1] != rounds)
        return 90;
    printf("pingpong %ld rounds\n", rounds);
    return argc > 2 ? atoi(argv[2]) : 0;
}
