/* abort_.c: a lock-order inversion, then abort() in a thread while another thread waits in
 * pthread_join. The target dies of SIGABRT; lockstep must keep the cycle it saw. */
#include "hostile.h"

static void *die(void *arg)
{
    (void)arg;
    SAY("aborting\n");
    abort();
}

int main(void)
{
    hostile_abba();
    SAY("inversion done\n");
    pthread_t t;
    pthread_create(&t, NULL, die, NULL);
    pthread_join(t, NULL);
    SAY("not reached\n");
    return 0;
}
