/* fuzz_util.h: what the libFuzzer targets in tests/fuzz/ share. Three of the parsers read a
 * path, not a buffer, so the input is written to an anonymous memory file (memfd) and the
 * parser is given its /proc/self/fd path: no disk, and nothing left behind. */
#ifndef LST_FUZZ_UTIL_H
#define LST_FUZZ_UTIL_H

#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Replaces the memory file's contents with data[0..size) and returns its path (static
 * storage), or aborts: a harness that cannot feed its parser must not pass quietly. */
static inline const char *lst_fuzz_file(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("lst_fuzz", MFD_CLOEXEC);
        if (fd < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) {
        perror("lst_fuzz_file");
        abort();
    }
    return path;
}

#endif
