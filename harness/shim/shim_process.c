/* shim_process.c: interceptors for process-level events: fork (fork while another thread
 * holds a lock is misuse; the child gets its own store, where the other threads are gone,
 * so a lock they held is reported as a deadlock when the child waits for it), and the CPU
 * affinity calls, which do not show the program the one-CPU pin of explore (pin=1). dlopen is not
 * intercepted, since glibc resolves RUNPATH from its caller: new modules are found when a
 * recorded stack has an address outside the known ones (shim_store.c). */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"
#include "shim_lockdep.h"
#include "shim_sched.h"

LST_EXPORT pid_t fork(void)
{
    if (!lst_enter()) {
        if (!lst_real.fork)
            lst_init();
        return lst_real.fork();
    }
    int e = errno;
    if (lst_sched_on())
        lst_sched_point(LST_OP_FORK, 0);
    lst_fork_snap snap;
    lst_fork_snapshot(&snap);
    pid_t p = lst_real.fork();
    if (p == 0) {
        lst_sched_fork_child(); /* only the forking thread exists in the child: it runs free */
        lst_store_fork_child(&snap);
    }
    else if (p < 0)
        e = errno;
    errno = e;
    lst_leave();
    return p;
}

/* ---- CPU affinity ---------------------------------------------------------------------- */

LST_EXPORT int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set)
{
    if (!lst_real.sched_getaffinity)
        lst_init();
    if ((pid == 0 || pid == getpid() || pid == gettid()) && lst_sched_hide_pin(set, size))
        return 0;
    return lst_real.sched_getaffinity(pid, size, set);
}

LST_EXPORT int pthread_getaffinity_np(pthread_t t, size_t size, cpu_set_t *set)
{
    if (!lst_real.getaffinity_np)
        lst_init();
    if (lst_sched_hide_pin(set, size))
        return 0;
    return lst_real.getaffinity_np(t, size, set);
}

LST_EXPORT int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set)
{
    if (!lst_real.sched_setaffinity)
        lst_init();
    lst_sched_pin_overridden();
    return lst_real.sched_setaffinity(pid, size, set);
}

LST_EXPORT int pthread_setaffinity_np(pthread_t t, size_t size, const cpu_set_t *set)
{
    if (!lst_real.setaffinity_np)
        lst_init();
    lst_sched_pin_overridden();
    return lst_real.setaffinity_np(t, size, set);
}
