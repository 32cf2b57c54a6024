/* killed.c: a lock-order inversion, then the target writes its pid to the file named by
 * argv[1] and waits for SIGKILL from outside (the test sends it). The report must still hold
 * the cycle seen before the kill. */
#include <fcntl.h>
#include <stdint.h>

#include "hostile.h"

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    hostile_abba();
    SAY("inversion done\n");
    char tmp[4096], buf[32];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int n = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
    if (fd < 0 || write(fd, buf, (size_t)n) != n || close(fd) != 0 || rename(tmp, argv[1]) != 0)
        return 90;
    for (;;)
        pause();
}
