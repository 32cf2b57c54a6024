/* shim_process.c: interceptors for process-level events: fork (fork while another thread
 * holds a lock is misuse; the child gets its own store, where the other threads are gone,
 * so a lock they held is reported as a deadlock when the child waits for it). dlopen is not
 * intercepted, since glibc resolves RUNPATH from its caller: new modules are found when a
 * recorded stack has an address outside the known ones (shim_store.c). */
#define _GNU_SOURCE
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
