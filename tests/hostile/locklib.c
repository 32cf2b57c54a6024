/* locklib.c: the library that dlopen_locks.c loads: two entry points that take its two
 * locks in opposite orders (a lock-order cycle inside a dlopen'ed library). */
#include <pthread.h>

static pthread_mutex_t lib_x = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lib_y = PTHREAD_MUTEX_INITIALIZER;

void *locklib_one(void *arg)
{
    pthread_mutex_lock(&lib_x);
    pthread_mutex_lock(&lib_y); /* @LIB_XY */
    pthread_mutex_unlock(&lib_y);
    pthread_mutex_unlock(&lib_x);
    return arg;
}

void *locklib_two(void *arg)
{
    pthread_mutex_lock(&lib_y);
    pthread_mutex_lock(&lib_x); /* @LIB_YX */
    pthread_mutex_unlock(&lib_x);
    pthread_mutex_unlock(&lib_y);
    return arg;
}
