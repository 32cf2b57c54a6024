/* Port of notes 004, "Internal Working of Threads" example: thread "Getting Numbers"
 * prints Number: 0..3 and thread "Getting Letters" prints Letter: A..D, each line
 * prefixed with threading.current_thread().name and followed by time.sleep(1).
 *
 * Two named threads interleaving at their sleeps. Each thread names itself
 * (pthread_setname_np: both names are exactly 15 characters, the Linux limit) and prints
 * the name it reads back. Expected: 4 numbers, 4 letters, "Program Executed!...".
 *
 * lockstep-case: numbers_letters_threads
 * lockstep-source: 004 "Internal Working of Threads" (print_numbers / print_letters threads)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "case_util.h"

static const char *current_thread_name(char *buf, size_t size)
{
    if (pthread_getname_np(pthread_self(), buf, size) != 0)
        snprintf(buf, size, "?");
    return buf;
}

static void *print_numbers(void *arg)
{
    char name[16];
    pthread_setname_np(pthread_self(), arg);
    for (int i = 0; i < 4; i++) {
        printf("[%s] Number: %d\n", current_thread_name(name, sizeof name), i);
        py_sleep(1);
    }
    return NULL;
}

static void *print_letters(void *arg)
{
    char name[16];
    pthread_setname_np(pthread_self(), arg);
    for (const char *ch = "ABCD"; *ch; ch++) {
        printf("[%s] Letter: %c\n", current_thread_name(name, sizeof name), *ch);
        py_sleep(1);
    }
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;

    pthread_create(&t1, NULL, print_numbers, "Getting Numbers");
    pthread_create(&t2, NULL, print_letters, "Getting Letters");
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("Program Executed!...\n");
    return 0;
}
