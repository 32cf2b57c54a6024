/* cond_single_waiter.c: one consumer, one producer, one flag, one condition variable.
 * Usage: cond_single_waiter if|while. With "if" the consumer waits with
 * `if (!ready) pthread_cond_wait(...)`: the only way it can then see !ready is a spurious
 * wakeup (the producer signals once, after setting ready), so the program aborts only when
 * spurious wakeups happen. With "while" it re-checks and is always correct. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int ready, use_while;

static void *consumer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    if (use_while) {
        while (!ready)
            pthread_cond_wait(&c, &m);
    } else if (!ready) {
        pthread_cond_wait(&c, &m);
    }
    if (!ready) {
        printf("consumer: woke up but nothing is ready\n");
        fflush(stdout);
        abort();
    }
    pthread_mutex_unlock(&m);
    printf("consumer: got it\n");
    return NULL;
}

static void *producer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    ready = 1;
    pthread_cond_signal(&c);
    pthread_mutex_unlock(&m);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t a, b;
    if (argc != 2 || (strcmp(argv[1], "if") && strcmp(argv[1], "while")))
        return 90;
    use_while = !strcmp(argv[1], "while");
    pthread_create(&a, NULL, consumer, NULL);
    pthread_create(&b, NULL, producer, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
}
