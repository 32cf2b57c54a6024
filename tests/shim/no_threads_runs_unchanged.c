/* no_threads_runs_unchanged.c: a program that uses no threads and no locks must run under
 * lockstep exactly as without it: same stdout (fully buffered, since it is a pipe, and flushed
 * at exit), same stderr first, and its own exit status (3), which lockstep passes on since
 * there is nothing to report. It also prints errno as main found it: ISO C says errno is zero
 * at program startup, so a preloaded library's constructor must leave it so.
 *
 * lockstep-test: exit 3
 * lockstep-test: target-exit 3
 * lockstep-test: same-as-native
 * lockstep-test: stdout sum of squares 1..1000 = 333833500
 * lockstep-test: stdout errno at the start of main = 0
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    int errno_at_start = errno;
    long sum = 0;
    for (long i = 1; i <= 1000; i++)
        sum += i * i;
    printf("sum of squares 1..1000 = %ld\n", sum);
    const char *slash = strrchr(argv[0], '/');
    printf("argc = %d, program %s\n", argc, slash ? slash + 1 : argv[0]);
    printf("errno at the start of main = %d\n", errno_at_start);
    fprintf(stderr, "a line on stderr\n");
    exit(3);
}
