/* read_stdin.c: a thread reads all of stdin in records of 1000 bytes (each stored under a
 * lock, whatever sizes the pipe's reads return, so the run takes the same steps every time)
 * and the main thread writes it back to stdout, so the test can check that piped input
 * reaches the target byte-exact. Prints the byte count and a checksum to stderr. */
#include <stdint.h>

#include "hostile.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static char *data;
static size_t len, cap;

static void *reader(void *arg)
{
    (void)arg;
    char buf[1000];
    for (;;) {
        ssize_t n = 0, got;
        while (n < (ssize_t)sizeof buf && (got = read(0, buf + n, sizeof buf - (size_t)n)) > 0)
            n += got;
        if (n <= 0)
            break;
        pthread_mutex_lock(&m);
        if (len + (size_t)n > cap) {
            cap = (cap + (size_t)n) * 2;
            data = realloc(data, cap);
            if (!data)
                exit(90);
        }
        memcpy(data + len, buf, (size_t)n);
        len += (size_t)n;
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

int main(void)
{
    hostile_abba(); /* a finding, so that explore saves a schedule to replay */
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    pthread_join(t, NULL);
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = sum * 31 + (unsigned char)data[i];
    if (len && fwrite(data, 1, len, stdout) != len)
        return 91;
    fflush(stdout);
    fprintf(stderr, "hostile: read %zu bytes, checksum %08x\n", len, sum);
    return 0;
}
