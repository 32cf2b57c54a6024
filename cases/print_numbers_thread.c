/* Port of notes 002, "Threading Module" example: a thread runs print_numbers(), which
 * prints 0..4; the main thread starts and joins it.
 *
 * The smallest create/start/join program. Expected: 0 1 2 3 4 on separate lines.
 *
 * lockstep-case: print_numbers_thread
 * lockstep-source: 002 "Key Features of Python Threads" (threading.Thread(target=print_numbers))
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static void *print_numbers(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++)
        printf("%d\n", i);
    return NULL;
}

int main(void)
{
    pthread_t thread;

    pthread_create(&thread, NULL, print_numbers, NULL);
    pthread_join(thread, NULL);
    return 0;
}
