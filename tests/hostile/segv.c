/* segv.c: a lock-order inversion, then a NULL dereference in a second thread while the main
 * thread holds a lock. The target dies of SIGSEGV; lockstep must keep the cycle it saw. */
#include "hostile.h"

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;

static void *crash(void *arg)
{
    volatile int *p = arg;
    SAY("crashing\n");
    *p = 1;
    return NULL;
}

int main(void)
{
    hostile_abba();
    SAY("inversion done\n");
    pthread_mutex_lock(&held);
    pthread_t t;
    pthread_create(&t, NULL, crash, NULL);
    pthread_join(t, NULL);
    SAY("not reached\n");
    return 0;
}
