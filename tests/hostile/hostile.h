/* hostile.h: helpers shared by the hostile targets of tests/hostile/. Each target writes a
 * few lines to stdout and to stderr (stderr lines start with "hostile:" so that the test
 * can pick them out of lockstep's own text) and ends in its own hostile way. */
#ifndef LST_HOSTILE_H
#define LST_HOSTILE_H

#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Prints one line to stdout and one to stderr, unbuffered, so that nothing is lost when the
 * target dies without flushing. Each line is one write(2): lockstep's own progress lines share
 * stderr and must not land inside it. */
#define SAY(...)                                                                                   \
    do {                                                                                           \
        char say_buf_[256] = "hostile: ";                                                          \
        int say_n_ = snprintf(say_buf_ + 9, sizeof say_buf_ - 9, __VA_ARGS__);                     \
        ssize_t say_w_ = write(1, say_buf_ + 9, (size_t)say_n_);                                   \
        say_w_ = write(2, say_buf_, (size_t)say_n_ + 9);                                           \
        (void)say_w_;                                                                              \
    } while (0)

/* A lock-order inversion that never deadlocks: two threads, one after the other, take the
 * two locks in opposite orders. */
static pthread_mutex_t hostile_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t hostile_b = PTHREAD_MUTEX_INITIALIZER;

static void *hostile_ab(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&hostile_a);
    pthread_mutex_lock(&hostile_b); /* @AB */
    pthread_mutex_unlock(&hostile_b);
    pthread_mutex_unlock(&hostile_a);
    return NULL;
}

static void *hostile_ba(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&hostile_b);
    pthread_mutex_lock(&hostile_a); /* @BA */
    pthread_mutex_unlock(&hostile_a);
    pthread_mutex_unlock(&hostile_b);
    return NULL;
}

static inline void hostile_abba(void)
{
    pthread_t t;
    pthread_create(&t, NULL, hostile_ab, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, hostile_ba, NULL);
    pthread_join(t, NULL);
}

#endif
