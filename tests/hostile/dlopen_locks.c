/* dlopen_locks.c: loads the library named by argv[1] (hostile_locklib.so) with dlopen and
 * calls its two entry points from two threads, one after the other: they take the library's
 * two locks in opposite orders. lockstep must report the cycle with the library's file:line.
 * Then dlclose. */
#include <dlfcn.h>

#include "hostile.h"

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) {
        SAY("dlopen: %s\n", dlerror());
        return 90;
    }
    void *(*one)(void *) = (void *(*)(void *))dlsym(h, "locklib_one");
    void *(*two)(void *) = (void *(*)(void *))dlsym(h, "locklib_two");
    if (!one || !two)
        return 91;
    pthread_t t;
    pthread_create(&t, NULL, one, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, two, NULL);
    pthread_join(t, NULL);
    SAY("library calls done\n");
    dlclose(h);
    return 0;
}
