/* Port of notes 003, "threading.local": data = local(); each of 3 threads stores its own
 * thread name in data.x and prints it.
 *
 * threading.local is a __thread variable: every thread has its own data_x, so no thread
 * can see another's name. A sched_yield() between the store and the print gives the other
 * threads a chance to overwrite it if it were shared. The notebook never joins the
 * threads (the interpreter waits for them at exit); here main joins them. Expected: each
 * thread prints and reads back its own name.
 *
 * lockstep-case: thread_local_name
 * lockstep-source: 003 "threading.local" (data.x = threading.current_thread().name)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static __thread const char *data_x; /* data = local(); data.x */
static atomic_int mismatches;

static void *worker(void *arg)
{
    data_x = arg; /* data.x = threading.current_thread().name */
    sched_yield();
    printf("%s\n", data_x);
    if (data_x != arg)
        atomic_fetch_add(&mismatches, 1);
    return NULL;
}

int main(void)
{
    static const char *const names[3] = {"Thread-1 (worker)", "Thread-2 (worker)",
                                         "Thread-3 (worker)"};
    pthread_t threads[3];

    for (int i = 0; i < 3; i++)
        pthread_create(&threads[i], NULL, worker, (void *)names[i]);
    for (int i = 0; i < 3; i++)
        pthread_join(threads[i], NULL);

    if (atomic_load(&mismatches) != 0) {
        printf("Expected: every thread sees its own data.x\nActual:   %d saw another's\n",
               atomic_load(&mismatches));
        return 1;
    }
    return 0;
}
