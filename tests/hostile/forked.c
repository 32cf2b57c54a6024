/* forked.c: the parent takes a lock, forks while no other thread holds one, and the child
 * makes a lock-order inversion of its own with two threads and exits 5. The parent waits
 * for it, prints its status and exits 4. */
#include <sys/wait.h>

#include "hostile.h"

static pthread_mutex_t p = PTHREAD_MUTEX_INITIALIZER;

int main(void)
{
    pthread_mutex_lock(&p);
    SAY("parent holds p\n");
    pthread_mutex_unlock(&p);
    pid_t pid = fork();
    if (pid < 0)
        return 90;
    if (pid == 0) {
        pthread_mutex_lock(&p);
        pthread_mutex_unlock(&p);
        hostile_abba();
        SAY("child done\n");
        _exit(5);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid)
        return 91;
    SAY("child status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 4;
}
