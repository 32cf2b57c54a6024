/* tls_dtor.c: thread-exit destructors that take locks: a pthread_key_create destructor and
 * a destructor registered for a __thread object with __cxa_thread_atexit_impl (what C++
 * thread_local uses). Each takes two locks, in opposite orders, so the lock-order cycle is
 * made only by the destructors. Each of 4 threads counts its destructors under a lock. */
#include "hostile.h"

extern int __cxa_thread_atexit_impl(void (*dtor)(void *), void *obj, void *dso);
extern void *__dso_handle;

static pthread_mutex_t la = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lb = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t key;
static int key_dtors, tls_dtors;
static __thread int tls_obj;

static void key_dtor(void *v)
{
    (void)v;
    pthread_mutex_lock(&la);
    pthread_mutex_lock(&lb); /* @KEY_DTOR */
    key_dtors++;
    pthread_mutex_unlock(&lb);
    pthread_mutex_unlock(&la);
}

static void tls_dtor(void *obj)
{
    (void)obj;
    pthread_mutex_lock(&lb);
    pthread_mutex_lock(&la); /* @TLS_DTOR */
    tls_dtors++;
    pthread_mutex_unlock(&la);
    pthread_mutex_unlock(&lb);
}

static void *worker(void *arg)
{
    pthread_setspecific(key, arg);
    tls_obj = 1;
    __cxa_thread_atexit_impl(tls_dtor, &tls_obj, &__dso_handle);
    return NULL;
}

int main(void)
{
    pthread_key_create(&key, key_dtor);
    for (long i = 1; i <= 4; i++) {
        pthread_t t;
        pthread_create(&t, NULL, worker, (void *)i);
        pthread_join(t, NULL);
    }
    SAY("key destructors %d, thread_local destructors %d\n", key_dtors, tls_dtors);
    return key_dtors == 4 && tls_dtors == 4 ? 0 : 1;
}
