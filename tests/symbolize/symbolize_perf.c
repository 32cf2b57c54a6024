/* symbolize_perf.c: measures the symbolizer on many distinct pcs. Pass 1 resolves 12,000 pcs
 * in 4,000 generated functions of this executable (4 CUs, inlined helpers; perf_gen.h) with a
 * fresh symbolizer and fails if that takes over LIMIT_SECONDS (the goal is well under a second)
 * or if any pc lands in the wrong function. Pass 2 repeats every lookup (all cache hits). Pass
 * 3 does pass 1 again from the symbol table only (NODEBUG_COPY: this executable without debug
 * info). Pass 4, only when libc's separate debuginfo is installed, resolves 10,000 pcs spread
 * over libc's code (a real, dwz-compressed DWARF) and reports the time.
 * Usage: symbolize_perf [NODEBUG_COPY]; exit 0 = pass, 1 = fail. */
#define _GNU_SOURCE
#include "symbolize.h"

#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LIMIT_SECONDS 2.0
#define OFFSETS       3

extern int (*const perf_table_a[1000])(int);
extern int (*const perf_table_b[1000])(int);
extern int (*const perf_table_c[1000])(int);
extern int (*const perf_table_d[1000])(int);

int perf_sink(int x);
__attribute__((noinline)) int perf_sink(int x)
{
    __asm__ volatile("" ::: "memory");
    return x;
}

static char exe_path[4096];
static uint64_t exe_bias, libc_lo, libc_hi;

static int add_one(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    const char *path = info->dlpi_name;
    if (strstr(path, "linux-vdso"))
        return 0;
    if (!*path) {
        path = exe_path;
        exe_bias = info->dlpi_addr;
    }
    lst_symbolizer_add_module(arg, path, info->dlpi_addr);
    const char *slash = strrchr(path, '/');
    if (strstr(slash ? slash + 1 : path, "libc.so"))
        for (int i = 0; i < info->dlpi_phnum; i++)
            if (info->dlpi_phdr[i].p_type == PT_LOAD && (info->dlpi_phdr[i].p_flags & PF_X)) {
                libc_lo = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
                libc_hi = libc_lo + info->dlpi_phdr[i].p_memsz;
            }
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static lst_symbolizer *fresh(void)
{
    lst_symbolizer *s = lst_symbolizer_new();
    if (!s)
        exit(1);
    dl_iterate_phdr(add_one, s);
    return s;
}

int main(int argc, char **argv)
{
    const char *nodebug_path = argc > 1 ? argv[1] : NULL;
    ssize_t n = readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
    if (n <= 0)
        return 1;
    exe_path[n] = '\0';
    int (*const *tables[4])(int) = {perf_table_a, perf_table_b, perf_table_c, perf_table_d};
    const char prefix[4] = {'a', 'b', 'c', 'd'};
    int failures = 0;

    /* Pass 1: cold. */
    lst_symbolizer *s = fresh();
    double t0 = now();
    for (int t = 0; t < 4; t++)
        for (int f = 0; f < 1000; f++)
            for (int k = 0; k < OFFSETS; k++) {
                lst_sym out;
                uint64_t pc = (uintptr_t)tables[t][f] + 2 * k;
                char want[16];
                snprintf(want, sizeof want, "%c%03d", prefix[t], f);
                /* The entry may be attributed to the inlined helper (n_h) or n itself. */
                if (lst_symbolize(s, pc, 0, &out) != 0 || !out.function ||
                    strncmp(out.function, want, 4) != 0 || out.line <= 0) {
                    if (failures++ < 5)
                        fprintf(stderr, "pc %#llx: %s line %d, want %s\n",
                                (unsigned long long)pc, out.function ? out.function : "(null)",
                                out.line, want);
                }
            }
    double cold = now() - t0;

    /* Pass 2: the same pcs again, all memoized. */
    t0 = now();
    for (int t = 0; t < 4; t++)
        for (int f = 0; f < 1000; f++)
            for (int k = 0; k < OFFSETS; k++) {
                lst_sym out;
                lst_symbolize(s, (uintptr_t)tables[t][f] + 2 * k, 0, &out);
            }
    double warm = now() - t0;
    lst_symbolizer_free(s);
    printf("generated: %d distinct pcs: cold %.3f s, cached %.4f s\n", 4 * 1000 * OFFSETS, cold,
           warm);

    /* Pass 3: symbol table only: a copy of this executable without debug info, registered at
     * this executable's bias. Every pc must land in its function's symbol. */
    if (nodebug_path) {
        s = lst_symbolizer_new();
        if (!s || lst_symbolizer_add_module(s, nodebug_path, exe_bias) != 0) {
            fprintf(stderr, "cannot add %s\n", nodebug_path);
            return 1;
        }
        t0 = now();
        for (int t = 0; t < 4; t++)
            for (int f = 0; f < 1000; f++)
                for (int k = 0; k < OFFSETS; k++) {
                    lst_sym out;
                    uint64_t pc = (uintptr_t)tables[t][f] + 2 * k;
                    char want[16];
                    snprintf(want, sizeof want, "%c%03d", prefix[t], f);
                    if (lst_symbolize(s, pc, 0, &out) != 0 || !out.function ||
                        strcmp(out.function, want) != 0 || out.file || out.line) {
                        if (failures++ < 5)
                            fprintf(stderr, "symtab: pc %#llx: %s at %s:%d, want %s\n",
                                    (unsigned long long)pc,
                                    out.function ? out.function : "(null)",
                                    out.file ? out.file : "(null)", out.line, want);
                    }
                }
        double symtab = now() - t0;
        lst_symbolizer_free(s);
        printf("symbol table only: %d distinct pcs: %.3f s\n", 4 * 1000 * OFFSETS, symtab);
        if (symtab > LIMIT_SECONDS) {
            fprintf(stderr, "too slow: %.3f s > %.1f s\n", symtab, LIMIT_SECONDS);
            failures++;
        }
    }

    /* Pass 4: libc, when its debuginfo is installed. */
    s = fresh();
    if (libc_hi > libc_lo) {
        uint64_t step = (libc_hi - libc_lo) / 10000;
        int with_line = 0, with_fn = 0;
        t0 = now();
        lst_sym first;
        lst_symbolize(s, libc_lo, 0, &first);
        double load = now() - t0;
        for (int i = 0; i < 10000; i++) {
            lst_sym out;
            lst_symbolize(s, libc_lo + (uint64_t)i * step, 0, &out);
            with_fn += out.function != NULL;
            with_line += out.line > 0;
        }
        printf("libc: 10000 distinct pcs: %.3f s, of which %.3f s for the first (loading the "
               "debuginfo); %d with a function, %d with a line\n",
               now() - t0, load, with_fn, with_line);
    }
    lst_symbolizer_free(s);

    if (failures)
        fprintf(stderr, "%d pcs resolved wrongly\n", failures);
    if (cold > LIMIT_SECONDS)
        fprintf(stderr, "too slow: %.3f s > %.1f s\n", cold, LIMIT_SECONDS);
    return failures || cold > LIMIT_SECONDS ? 1 : 0;
}
