/* shim.h: the shim's core, shared by every interceptor file: the real libc functions, the
 * options, the per-thread state and the re-entry guard, the mapped store, and the one-line
 * diagnostics. Everything declared here runs inside the target: no malloc, no stdio, no
 * pthread lock of our own. See docs/design.md for the data flow. */
#ifndef LST_SHIM_H
#define LST_SHIM_H

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "store.h"

#define LST_LIKELY(x)   __builtin_expect(!!(x), 1)
#define LST_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define LST_INTERNAL    __attribute__((visibility("hidden")))
#define LST_EXPORT      __attribute__((visibility("default")))

/* The real functions, resolved once with dlsym(RTLD_NEXT). */
typedef struct lst_real_fns {
    int (*mutex_init)(pthread_mutex_t *, const pthread_mutexattr_t *);
    int (*mutex_destroy)(pthread_mutex_t *);
    int (*mutex_lock)(pthread_mutex_t *);
    int (*mutex_trylock)(pthread_mutex_t *);
    int (*mutex_timedlock)(pthread_mutex_t *, const struct timespec *);
    int (*mutex_unlock)(pthread_mutex_t *);
    int (*rwlock_init)(pthread_rwlock_t *, const pthread_rwlockattr_t *);
    int (*rwlock_destroy)(pthread_rwlock_t *);
    int (*rwlock_rdlock)(pthread_rwlock_t *);
    int (*rwlock_tryrdlock)(pthread_rwlock_t *);
    int (*rwlock_timedrdlock)(pthread_rwlock_t *, const struct timespec *);
    int (*rwlock_wrlock)(pthread_rwlock_t *);
    int (*rwlock_trywrlock)(pthread_rwlock_t *);
    int (*rwlock_timedwrlock)(pthread_rwlock_t *, const struct timespec *);
    int (*rwlock_unlock)(pthread_rwlock_t *);
    int (*spin_init)(pthread_spinlock_t *, int);
    int (*spin_destroy)(pthread_spinlock_t *);
    int (*spin_lock)(pthread_spinlock_t *);
    int (*spin_trylock)(pthread_spinlock_t *);
    int (*spin_unlock)(pthread_spinlock_t *);
    int (*cond_wait)(pthread_cond_t *, pthread_mutex_t *);
    int (*cond_timedwait)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
    int (*cond_signal)(pthread_cond_t *);
    int (*cond_broadcast)(pthread_cond_t *);
    int (*sem_wait)(sem_t *);
    int (*sem_trywait)(sem_t *);
    int (*sem_timedwait)(sem_t *, const struct timespec *);
    int (*sem_post)(sem_t *);
    int (*barrier_wait)(pthread_barrier_t *);
    int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    int (*join)(pthread_t, void **);
    int (*timedjoin)(pthread_t, void **, const struct timespec *);
    void (*exit)(void *) __attribute__((noreturn));
    int (*detach)(pthread_t);
    int (*setname)(pthread_t, const char *);
    int (*cancel)(pthread_t);
    pid_t (*fork)(void);
    int (*sched_getaffinity)(pid_t, size_t, cpu_set_t *);
    int (*sched_setaffinity)(pid_t, size_t, const cpu_set_t *);
    int (*getaffinity_np)(pthread_t, size_t, cpu_set_t *);
    int (*setaffinity_np)(pthread_t, size_t, const cpu_set_t *);
} lst_real_fns;

extern lst_real_fns lst_real LST_INTERNAL;

/* Options (options.def), parsed from LOCKSTEP_OPTIONS at start-up. */
typedef struct lst_options {
#define O(name, type, def, help) LST_OPT_##type name;
#define LST_OPT_U32 uint32_t
#define LST_OPT_STR const char *
#include "options.def"
#undef O
} lst_options;
extern lst_options lst_opt LST_INTERNAL;

/* Per-thread state, in initial-exec TLS (no allocation, no lookup). */
typedef struct lst_tls {
    uint32_t depth;   /* re-entry counter: >0 means we are inside the shim */
    int32_t idx;      /* thread record index, -1 until registered */
    uint64_t key;     /* chain key of the locks held now (0: none) */
    lst_thread_rec *rec;
    lst_held *held;   /* this thread's held-lock array in the store */
    int forked;       /* this thread is the only one of a forked child */
} lst_tls;
extern __thread lst_tls lst_self LST_INTERNAL;

/* The mapped store of this process, or NULL when the shim is passive. */
extern lst_store_hdr *lst_store LST_INTERNAL;

/* Enters the shim for an intercepted call. Returns 1 when the call must be observed (the
 * caller then calls lst_leave()), 0 when it must pass straight to libc: re-entry from our
 * own work, a signal handler inside the shim, or a passive shim. */
int lst_enter_slow(void) LST_INTERNAL;
static inline int lst_enter(void)
{
    if (LST_UNLIKELY(lst_self.depth != 0 || lst_self.rec == NULL || lst_store == NULL))
        return lst_enter_slow();
    lst_self.depth = 1;
    return 1;
}
static inline void lst_leave(void)
{
    lst_self.depth = 0;
}

/* 1 once the shim's constructor ran (see shim_core.c). */
extern int lst_ctor_done LST_INTERNAL;

/* Makes sure the real functions are resolved (callable before the constructor ran). */
void lst_init(void) LST_INTERNAL;

/* Writes one line "lockstep: <msg>\n" to stderr with write(2); async-signal-safe. */
void lst_say(const char *msg) LST_INTERNAL;
/* Same, built from up to three parts and a number (-1: no number). */
void lst_say4(const char *a, const char *b, const char *c, long n) LST_INTERNAL;
/* Ends the target after a deadlock (or hang) has been recorded in the store: says `what` in
 * one line and exits with deadlock_exitcode. Never returns. */
void lst_end_target(const char *what) LST_INTERNAL __attribute__((noreturn));
/* Records that a capacity limit was hit and says so in one line, the first time only. */
void lst_limit_hit(uint32_t bit, const char *what, const char *option, uint32_t value) LST_INTERNAL;

/* Registers the calling thread (main thread or one started by pthread_create) in the store.
 * Returns its record, or NULL when the thread table is full. */
lst_thread_rec *lst_thread_register(int32_t idx) LST_INTERNAL;
/* Claims a fresh thread record for a thread about to be created; returns its index or -1. */
int32_t lst_thread_claim(void) LST_INTERNAL;

/* Monotonic milliseconds, for the deadlock-check delay. */
uint64_t lst_now_ms(void) LST_INTERNAL;
/* Sleeps ms milliseconds with the raw syscall (not our interposed nanosleep). */
void lst_sleep_ms(unsigned ms) LST_INTERNAL;
/* An absolute CLOCK_REALTIME deadline ms milliseconds from now (for timedlock). */
struct timespec lst_deadline_ms(unsigned ms) LST_INTERNAL;

/* pthread_atfork prepare handler: checks for locks held by other threads at the fork. */
void lst_fork_prepare(void) LST_INTERNAL;
/* The forking thread's held locks, saved just before fork: the parent goes on changing its
 * store while the child copies it, so the child restores its own list from this. */
#define LST_FORK_HELD 128
typedef struct lst_fork_snap {
    uint32_t nheld;
    uint64_t key;
    lst_held held[LST_FORK_HELD];
} lst_fork_snap;
void lst_fork_snapshot(lst_fork_snap *s) LST_INTERNAL;
/* Called in the child after fork: gives the child its own store, marks other threads gone,
 * and restores this thread's held locks from the snapshot. */
void lst_store_fork_child(const lst_fork_snap *s) LST_INTERNAL;
/* Re-reads the loaded modules (after a dlopen). */
void lst_modules_refresh(void) LST_INTERNAL;

#endif
