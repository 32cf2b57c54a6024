/* symbolize_test.c: unit tests for the symbolizer (detectors/symbolize.h). The program records
 * return addresses at known lines (directly, inside an always-inlined function from a header,
 * three functions deep in inlined code, and in three helper libraries), registers its loaded
 * modules exactly as the shim does
 * (dl_iterate_phdr: dlpi_name or /proc/self/exe, dlpi_addr as bias, vdso skipped), then checks
 * what the symbolizer answers. It is built at -O1 and -O2 as a PIE and at -O1 as a non-PIE
 * executable. Usage: symbolize_test CASE; exit 0 = pass, 1 = fail, 77 = skipped. */
#define _GNU_SOURCE
#include "symbolize.h"
#include "symtest.h"
#include "symtest_inline.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SKIP 77

/* From the linked helper library (symtest_lib.c built with prefix symtest_lib_). */
void symtest_lib_call(symtest_cb cb);

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);              \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* --- recording ------------------------------------------------------------------------------ */

struct site {
    const char *tag;
    uint64_t pc;
    int line;
    const char *func;
    const char *file;
};
static struct site sites[64];
static int nsites;

static __attribute__((noinline)) void record(const char *tag, int line, const char *func,
                                             const char *file)
{
    if (nsites < (int)(sizeof sites / sizeof sites[0]))
        sites[nsites++] = (struct site){tag, (uintptr_t)__builtin_return_address(0), line, func,
                                        file};
    SYMTEST_BARRIER();
}

static __attribute__((noinline)) void plain_caller(void)
{
    SYMTEST_RECORD(record, "plain");
    SYMTEST_BARRIER();
}

static int inline_call_line; /* the line of inline_outer's call of symtest_inline_helper */

static __attribute__((noinline)) void inline_outer(void)
{
    symtest_inline_helper(record, "inline"), inline_call_line = __LINE__;
    SYMTEST_BARRIER();
}

/* chain_f() inlines chain_g(), which inlines chain_h(), which records the "chain" site. The
 * lines of the two calls travel down as arguments, so each is exactly its call's line. */
static int chain_f_call_line, chain_g_call_line;

static inline __attribute__((always_inline)) void chain_h(symtest_cb cb, int f_line, int g_line)
{
    chain_f_call_line = f_line;
    chain_g_call_line = g_line;
    SYMTEST_BARRIER();
    SYMTEST_RECORD(cb, "chain");
    SYMTEST_BARRIER();
}

static inline __attribute__((always_inline)) void chain_g(symtest_cb cb, int f_line)
{
    SYMTEST_BARRIER();
    chain_h(cb, f_line, __LINE__);
    SYMTEST_BARRIER();
}

static __attribute__((noinline)) void chain_f(void)
{
    SYMTEST_BARRIER();
    chain_g(record, __LINE__);
    SYMTEST_BARRIER();
}

static const struct site *site(const char *tag)
{
    for (int i = 0; i < nsites; i++)
        if (strcmp(sites[i].tag, tag) == 0)
            return &sites[i];
    return NULL;
}

/* An assembler label: no DWARF subprogram, no ELF type or size. */
__asm__(".text\n"
        ".globl symtest_asm_label\n"
        "symtest_asm_label:\n"
        "  nop\n"
        "  nop\n"
        "  ret\n");
void symtest_asm_label(void);

/* --- data ----------------------------------------------------------------------------------- */

pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
int accounts[4];
static pthread_mutex_t lock_static = PTHREAD_MUTEX_INITIALIZER;
static __thread int tls_var;

static __attribute__((noinline)) pthread_mutex_t *function_static(void)
{
    static pthread_mutex_t fn_lock = PTHREAD_MUTEX_INITIALIZER;
    return &fn_lock;
}

/* --- modules, registered like the shim ------------------------------------------------------ */

static void *vaddr_lib, *nodebug_lib;
/* valgrind asserts on a library loaded away from its non-zero link-time address (the
 * valgrind test sets LST_SYMTEST_VALGRIND), so there the vaddr library stays where linked. */
static int under_valgrind;
static char exe_path[4096];

struct reg {
    lst_symbolizer *s;
    int failed;
};

static int add_one(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct reg *r = arg;
    const char *path = info->dlpi_name;
    if (strstr(path, "linux-vdso") || strstr(path, "linux-gate"))
        return 0;
    if (!*path)
        path = exe_path;
    if (lst_symbolizer_add_module(r->s, path, info->dlpi_addr) != 0) {
        fprintf(stderr, "cannot add module %s\n", path);
        r->failed++;
    }
    return 0;
}

static lst_symbolizer *new_symbolizer(void)
{
    struct reg r = {lst_symbolizer_new(), 0};
    if (!r.s) {
        fprintf(stderr, "lst_symbolizer_new failed\n");
        exit(1);
    }
    dl_iterate_phdr(add_one, &r);
    CHECK(r.failed == 0, "%d modules could not be added", r.failed);
    return r.s;
}

static void setup(void)
{
    ssize_t n = readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
    if (n <= 0) {
        perror("readlink /proc/self/exe");
        exit(1);
    }
    exe_path[n] = '\0';
    /* Occupy the vaddr library's link-time address so the loader must move it: its load bias
     * is then non-zero and different from its start address. */
    under_valgrind = getenv("LST_SYMTEST_VALGRIND") != NULL;
    if (!under_valgrind) /* fails harmlessly when taken already (ASan's shadow is there) */
        mmap((void *)0x10000000, 1 << 20, PROT_NONE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    vaddr_lib = dlopen(SYMTEST_VADDR_LIB, RTLD_NOW | RTLD_LOCAL);
    nodebug_lib = dlopen(SYMTEST_NODEBUG_LIB, RTLD_NOW | RTLD_LOCAL);
    if (!vaddr_lib || !nodebug_lib) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        exit(1);
    }
    plain_caller();
    inline_outer();
    chain_f();
    symtest_lib_call(record);
    ((void (*)(symtest_cb))dlsym(vaddr_lib, "symtest_vaddr_call"))(record);
    ((void (*)(symtest_cb))dlsym(nodebug_lib, "symtest_nodebug_call"))(record);
}

static const char *base(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path;
}

static int streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

#define S(x) ((x) ? (x) : "(null)")

/* Symbolizes the site's return address and checks function, file basename, line and that the
 * module's basename contains module_part. */
static void check_site(lst_symbolizer *s, const char *tag, const char *module_part)
{
    const struct site *st = site(tag);
    CHECK(st, "site %s was not recorded", tag);
    if (!st)
        return;
    lst_sym out;
    int rc = lst_symbolize(s, st->pc, 1, &out);
    fprintf(stderr, "%-14s pc %#llx -> %s at %s:%d in %s\n", tag, (unsigned long long)st->pc,
            S(out.function), S(out.file), out.line, S(out.module));
    CHECK(rc == 0, "%s: rc %d", tag, rc);
    CHECK(streq(out.function, st->func), "%s: function %s, want %s", tag, S(out.function),
          st->func);
    CHECK(streq(base(out.file), base(st->file)), "%s: file %s, want %s", tag, S(out.file),
          base(st->file));
    CHECK(out.file && out.file[0] == '/', "%s: file %s is not absolute", tag, S(out.file));
    CHECK(out.line == st->line, "%s: line %d, want %d", tag, out.line, st->line);
    CHECK(out.module && strstr(base(out.module), module_part), "%s: module %s, want *%s*", tag,
          S(out.module), module_part);
}

/* --- cases ---------------------------------------------------------------------------------- */

static void case_return_address_resolves_to_call_line(void)
{
    lst_symbolizer *s = new_symbolizer();
    check_site(s, "plain", base(exe_path));
    /* The same pc as a non-return address (is_return 0) still lies in plain_caller. */
    lst_sym out;
    CHECK(lst_symbolize(s, site("plain")->pc, 0, &out) == 0, "rc");
    CHECK(streq(out.function, "plain_caller"), "function %s", S(out.function));
    lst_symbolizer_free(s);
}

static void case_inlined_function_reports_innermost(void)
{
    lst_symbolizer *s = new_symbolizer();
    check_site(s, "inline", base(exe_path));
    lst_symbolizer_free(s);
}

static void case_shared_library_with_load_bias(void)
{
    lst_symbolizer *s = new_symbolizer();
    check_site(s, "lib", "lst_symtest_lib");
    check_site(s, "lib_inline", "lst_symtest_lib");
    lst_symbolizer_free(s);
}

/* The library is linked with its first PT_LOAD at 0x10000000, so dlpi_addr (the bias) differs
 * from where the module starts. */
static int find_vaddr_bias(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    if (!strstr(info->dlpi_name, "lst_symtest_vaddr"))
        return 0;
    *(uint64_t *)arg = info->dlpi_addr;
    return 1;
}

static void case_shared_library_with_nonzero_vaddr(void)
{
    uint64_t bias = 0;
    dl_iterate_phdr(find_vaddr_bias, &bias);
    CHECK(bias != 0 || under_valgrind, "the vaddr library was loaded at its link-time address");
    lst_symbolizer *s = new_symbolizer();
    check_site(s, "vaddr", "lst_symtest_vaddr");
    check_site(s, "vaddr_inline", "lst_symtest_vaddr");
    uint64_t off = 99;
    int *counter = dlsym(vaddr_lib, "symtest_vaddr_counter");
    const char *name = lst_symbolize_data(s, (uintptr_t)&counter[3], &off);
    CHECK(streq(name, "symtest_vaddr_counter") && off == 12, "%s+%llu", S(name),
          (unsigned long long)off);
    lst_symbolizer_free(s);
}

/* No DWARF and no .symtab: the function comes from .dynsym, there is no file or line, and the
 * inlined site is attributed to the exported function it was inlined into. */
static void case_stripped_library_uses_dynsym(void)
{
    lst_symbolizer *s = new_symbolizer();
    const char *tags[] = {"nodebug", "nodebug_inline"};
    for (int i = 0; i < 2; i++) {
        const struct site *st = site(tags[i]);
        CHECK(st, "site %s missing", tags[i]);
        if (!st)
            continue;
        lst_sym out;
        int rc = lst_symbolize(s, st->pc, 1, &out);
        fprintf(stderr, "%-14s -> %s at %s:%d in %s\n", tags[i], S(out.function), S(out.file),
                out.line, S(out.module));
        CHECK(rc == 0, "rc %d", rc);
        CHECK(streq(out.function, "symtest_nodebug_call"), "function %s", S(out.function));
        CHECK(out.file == NULL && out.line == 0, "file %s line %d", S(out.file), out.line);
        CHECK(out.module && strstr(out.module, "lst_symtest_nodebug"), "module %s",
              S(out.module));
    }
    lst_symbolizer_free(s);
}

/* Code without a DWARF subprogram gets its name from the symbol table, even a sizeless one. */
static void case_assembler_label_from_symtab(void)
{
    lst_symbolizer *s = new_symbolizer();
    lst_sym out;
    int rc = lst_symbolize(s, (uintptr_t)symtest_asm_label + 1, 0, &out);
    fprintf(stderr, "asm label+1 -> %s at %s:%d\n", S(out.function), S(out.file), out.line);
    CHECK(rc == 0, "rc %d", rc);
    CHECK(streq(out.function, "symtest_asm_label"), "function %s", S(out.function));
    lst_symbolizer_free(s);
}

static void case_global_data_names(void)
{
    lst_symbolizer *s = new_symbolizer();
    uint64_t off = 99;
    const char *name = lst_symbolize_data(s, (uintptr_t)&lock_a, &off);
    CHECK(streq(name, "lock_a") && off == 0, "lock_a: %s+%llu", S(name), (unsigned long long)off);
    name = lst_symbolize_data(s, (uintptr_t)&lock_a + 8, &off);
    CHECK(streq(name, "lock_a") && off == 8, "lock_a+8: %s+%llu", S(name),
          (unsigned long long)off);
    name = lst_symbolize_data(s, (uintptr_t)&accounts[2], &off);
    CHECK(streq(name, "accounts") && off == 8, "accounts[2]: %s+%llu", S(name),
          (unsigned long long)off);
    name = lst_symbolize_data(s, (uintptr_t)&lock_static, &off);
    CHECK(streq(name, "lock_static") && off == 0, "lock_static: %s+%llu", S(name),
          (unsigned long long)off);
    /* GCC calls a function-scope static "fn_lock.0" (shown as "fn_lock"), clang
     * "function_static.fn_lock". */
    name = lst_symbolize_data(s, (uintptr_t)function_static(), &off);
    CHECK(streq(name, "fn_lock") || streq(name, "function_static.fn_lock"), "fn_lock: %s",
          S(name));
    /* An array in the linked library (or its copy-relocated twin in the executable). */
    int *counter = dlsym(RTLD_DEFAULT, "symtest_lib_counter");
    CHECK(counter, "dlsym symtest_lib_counter");
    name = counter ? lst_symbolize_data(s, (uintptr_t)&counter[5], &off) : NULL;
    CHECK(streq(name, "symtest_lib_counter") && off == 20, "counter[5]: %s+%llu", S(name),
          (unsigned long long)off);
    /* Heap, stack and thread-local addresses are no global's. */
    void *heap = malloc(16);
    int local = 0;
    CHECK(lst_symbolize_data(s, (uintptr_t)heap, &off) == NULL && off == 0, "heap named");
    CHECK(lst_symbolize_data(s, (uintptr_t)&local, &off) == NULL, "stack named");
    CHECK(lst_symbolize_data(s, (uintptr_t)&tls_var, &off) == NULL, "tls named");
    CHECK(lst_symbolize_data(s, 0x10, &off) == NULL, "0x10 named");
    free(heap);
    /* Memoized: the same pointer again, and offset may be NULL. */
    CHECK(lst_symbolize_data(s, (uintptr_t)&lock_a, NULL) ==
              lst_symbolize_data(s, (uintptr_t)&lock_a, &off),
          "not memoized");
    lst_symbolizer_free(s);
}

static void case_unknown_pc_returns_minus_one(void)
{
    lst_symbolizer *s = new_symbolizer();
    lst_sym out;
    out.function = "x";
    CHECK(lst_symbolize(s, 0x10, 0, &out) == -1, "0x10 resolved");
    CHECK(out.function == NULL && out.file == NULL && out.line == 0 && out.module == NULL,
          "out not cleared");
    CHECK(lst_symbolize(s, 0x10, 1, &out) == -1, "0x10 return resolved");
    CHECK(lst_symbolize(s, 0, 1, &out) == -1, "0 return resolved");
    CHECK(lst_symbolize(s, UINT64_MAX, 0, &out) == -1, "max resolved");
    void *heap = malloc(16);
    CHECK(lst_symbolize(s, (uintptr_t)heap, 0, &out) == -1, "heap resolved");
    free(heap);
    /* A second lookup of an unknown pc comes from the cache with the same answer. */
    CHECK(lst_symbolize(s, 0x10, 0, &out) == -1, "0x10 resolved the second time");
    lst_symbolizer_free(s);
    /* An empty symbolizer knows no address. */
    s = lst_symbolizer_new();
    CHECK(lst_symbolize(s, site("plain")->pc, 1, &out) == -1, "empty symbolizer resolved");
    CHECK(lst_symbolize_data(s, (uintptr_t)&lock_a, NULL) == NULL, "empty symbolizer named");
    lst_symbolizer_free(s);
    lst_symbolizer_free(NULL);
}

static int write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

static void case_missing_or_bad_module_path(void)
{
    char dir[] = "/tmp/lst_symtest.XXXXXX";
    CHECK(mkdtemp(dir), "mkdtemp");
    char text[512], empty[512], badelf[512];
    snprintf(text, sizeof text, "%s/not_elf.so", dir);
    snprintf(empty, sizeof empty, "%s/empty.so", dir);
    snprintf(badelf, sizeof badelf, "%s/truncated.so", dir);
    CHECK(write_file(text, "not an ELF file\n", 16) == 0, "write %s", text);
    CHECK(write_file(empty, "", 0) == 0, "write %s", empty);
    unsigned char hdr[40] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
    CHECK(write_file(badelf, hdr, sizeof hdr) == 0, "write %s", badelf);

    lst_symbolizer *s = lst_symbolizer_new();
    CHECK(lst_symbolizer_add_module(s, "/nonexistent/dir/libgone.so", 0x7f0000000000) == -1,
          "missing file accepted");
    CHECK(lst_symbolizer_add_module(s, text, 0x7f1000000000) == -1, "text file accepted");
    CHECK(lst_symbolizer_add_module(s, empty, 0x7f2000000000) == -1, "empty file accepted");
    CHECK(lst_symbolizer_add_module(s, badelf, 0x7f3000000000) == -1, "truncated ELF accepted");
    CHECK(lst_symbolizer_add_module(s, "/", 0x7f4000000000) == -1, "directory accepted");
    CHECK(lst_symbolizer_add_module(s, "", 0) == -1, "empty path accepted");
    CHECK(lst_symbolizer_add_module(s, NULL, 0) == -1, "NULL path accepted");
    lst_sym out;
    CHECK(lst_symbolize(s, 0x7f0000001000, 0, &out) == -1, "pc in missing module resolved");
    CHECK(lst_symbolize(s, 0x7f1000001000, 1, &out) == -1, "pc in text module resolved");

    /* The failures left the symbolizer usable; adding the same module twice is harmless. */
    struct reg r = {s, 0};
    dl_iterate_phdr(add_one, &r);
    dl_iterate_phdr(add_one, &r);
    CHECK(r.failed == 0, "%d modules failed", r.failed);
    check_site(s, "plain", base(exe_path));
    check_site(s, "lib", "lst_symtest_lib");
    lst_symbolizer_free(s);

    unlink(text);
    unlink(empty);
    unlink(badelf);
    rmdir(dir);
}

static void case_results_are_memoized(void)
{
    lst_symbolizer *s = new_symbolizer();
    lst_sym a, b, c;
    CHECK(lst_symbolize(s, site("plain")->pc, 1, &a) == 0, "rc");
    CHECK(lst_symbolize(s, site("plain")->pc, 1, &b) == 0, "rc");
    CHECK(a.function == b.function && a.file == b.file && a.module == b.module &&
              a.line == b.line,
          "second answer differs");
    /* is_return with pc + 1 is the same lookup as pc without. */
    CHECK(lst_symbolize(s, site("plain")->pc - 1, 0, &c) == 0 && c.function == a.function &&
              c.line == a.line,
          "pc-1 differs");
    /* Strings are interned: two sites in this file share the file and module strings. */
    lst_sym d;
    CHECK(lst_symbolize(s, site("inline")->pc, 1, &d) == 0, "rc");
    CHECK(d.module == a.module, "module string not shared");
    lst_symbolizer_free(s);
}

/* Finds the libc module's path, bias and GNU build-id (from its PT_NOTE in memory). */
struct libc_info {
    char path[4096];
    uint64_t bias;
    char build_id[128];
};

static int find_libc(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct libc_info *li = arg;
    if (!strstr(base(info->dlpi_name), "libc.so"))
        return 0;
    snprintf(li->path, sizeof li->path, "%s", info->dlpi_name);
    li->bias = info->dlpi_addr;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        const unsigned char *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
            const unsigned char *name = p + sizeof *nh;
            const unsigned char *desc = name + ((nh->n_namesz + 3) & ~3u);
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
                memcmp(name, "GNU", 4) == 0 && nh->n_descsz > 1 && nh->n_descsz < 60) {
                char *o = li->build_id;
                for (unsigned j = 0; j < nh->n_descsz; j++) {
                    o += sprintf(o, "%02x", desc[j]);
                    if (j == 0)
                        *o++ = '/';
                }
            }
            p = desc + ((nh->n_descsz + 3) & ~3u);
        }
    }
    return 1;
}

/* With libc6-dbg installed, libc's separate debuginfo (/usr/lib/debug/.build-id) is found. */
static void case_libc_separate_debuginfo(void)
{
    struct libc_info li = {0};
    dl_iterate_phdr(find_libc, &li);
    char dbg[512];
    snprintf(dbg, sizeof dbg, "/usr/lib/debug/.build-id/%s.debug", li.build_id);
    if (!li.build_id[0] || access(dbg, R_OK) != 0) {
        fprintf(stderr, "skipped: no separate debuginfo for libc (%s)\n", dbg);
        exit(SKIP);
    }
    lst_symbolizer *s = new_symbolizer();
    /* libc's own pthread_mutex_lock, not a sanitizer's interceptor of it. */
    void *libc = dlopen(li.path, RTLD_NOW | RTLD_NOLOAD);
    int (*lock)(pthread_mutex_t *) = libc ? dlsym(libc, "pthread_mutex_lock") : NULL;
    CHECK(lock, "no pthread_mutex_lock in %s", li.path);
    if (!lock)
        return;
    lst_sym out;
    int rc = lst_symbolize(s, (uintptr_t)lock + 4, 0, &out);
    fprintf(stderr, "pthread_mutex_lock+4 -> %s at %s:%d in %s\n", S(out.function), S(out.file),
            out.line, S(out.module));
    CHECK(rc == 0, "rc %d", rc);
    CHECK(out.function && strstr(out.function, "pthread_mutex_lock"), "function %s",
          S(out.function));
    CHECK(streq(base(out.file), "pthread_mutex_lock.c"), "file %s", S(out.file));
    CHECK(out.line > 0, "line %d", out.line);
    CHECK(streq(out.module, li.path), "module %s", S(out.module));
    lst_symbolizer_free(s);
    dlclose(libc);
}

static void case_executable_type(void)
{
    /* The non-PIE build really is ET_EXEC (bias 0), the PIE builds are not. */
    extern const char __executable_start[]; /* the linker's: the first byte of the image */
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)__executable_start;
#ifdef SYMTEST_NONPIE
    CHECK(eh->e_type == ET_EXEC, "e_type %d, want ET_EXEC", eh->e_type);
#else
    CHECK(eh->e_type == ET_DYN, "e_type %d, want ET_DYN", eh->e_type);
#endif
    lst_symbolizer *s = new_symbolizer();
    check_site(s, "plain", base(exe_path));
    lst_symbolizer_free(s);
}

/* --- inlined-frame chains ------------------------------------------------------------------- */

static void print_frames(const char *tag, const lst_sym *fr, int n)
{
    for (int i = 0; i < n; i++)
        fprintf(stderr, "%-14s #%d %s at %s:%d in %s\n", tag, i, S(fr[i].function), S(fr[i].file),
                fr[i].line, S(fr[i].module));
}

static int same_sym(const lst_sym *a, const lst_sym *b)
{
    return a->function == b->function && a->file == b->file && a->line == b->line &&
           a->module == b->module;
}

/* Resolves the site's chain into fr (up to max frames) and checks that frame 0 is exactly what
 * lst_symbolize() answers. Returns the frame count. */
static int site_chain(lst_symbolizer *s, const char *tag, lst_sym *fr, int max)
{
    const struct site *st = site(tag);
    CHECK(st, "site %s was not recorded", tag);
    if (!st)
        return -1;
    lst_sym one;
    CHECK(lst_symbolize(s, st->pc, 1, &one) == 0, "%s: lst_symbolize failed", tag);
    int n = lst_symbolize_inlined(s, st->pc, 1, fr, max);
    print_frames(tag, fr, n);
    CHECK(n >= 1, "%s: %d frames", tag, n);
    if (n >= 1)
        CHECK(same_sym(&fr[0], &one), "%s: frame 0 is not lst_symbolize's answer", tag);
    return n;
}

/* Checks one frame: function, file basename and line. */
static void check_frame(const char *tag, const lst_sym *fr, int i, const char *function,
                        const char *file, int line)
{
    CHECK(streq(fr[i].function, function), "%s #%d: function %s, want %s", tag, i,
          S(fr[i].function), function);
    CHECK(streq(base(fr[i].file), file), "%s #%d: file %s, want %s", tag, i, S(fr[i].file), file);
    CHECK(fr[i].file && fr[i].file[0] == '/', "%s #%d: file %s is not absolute", tag, i,
          S(fr[i].file));
    CHECK(fr[i].line == line, "%s #%d: line %d, want %d", tag, i, fr[i].line, line);
}

/* f inlines g inlines h: three frames, innermost first, each caller at its call's line. */
static void case_inlined_chain_three_deep(void)
{
    lst_symbolizer *s = new_symbolizer();
    const struct site *st = site("chain");
    const char *me = base(__FILE__);
    lst_sym fr[8];
    int n = site_chain(s, "chain", fr, 8);
    CHECK(n == 3, "%d frames, want 3", n);
    if (n == 3) {
        check_frame("chain", fr, 0, "chain_h", me, st->line);
        check_frame("chain", fr, 1, "chain_g", me, chain_g_call_line);
        check_frame("chain", fr, 2, "chain_f", me, chain_f_call_line);
        for (int i = 0; i < 3; i++)
            CHECK(streq(fr[i].module, exe_path), "#%d: module %s", i, S(fr[i].module));
    }
    /* max keeps the innermost frames. */
    lst_sym two[2], one[1];
    CHECK(lst_symbolize_inlined(s, st->pc, 1, two, 2) == 2 && same_sym(&two[0], &fr[0]) &&
              same_sym(&two[1], &fr[1]),
          "max 2");
    CHECK(lst_symbolize_inlined(s, st->pc, 1, one, 1) == 1 && same_sym(&one[0], &fr[0]),
          "max 1");
    /* is_return 0 with pc - 1 is the same lookup; a second lookup gives the same strings. */
    lst_sym again[8];
    CHECK(lst_symbolize_inlined(s, st->pc - 1, 0, again, 8) == n, "pc - 1 frame count");
    for (int i = 0; i < n && i < 8; i++)
        CHECK(same_sym(&again[i], &fr[i]), "pc - 1 frame %d differs", i);
    lst_symbolizer_free(s);
}

static void case_inlined_chain_edge_cases(void)
{
    lst_symbolizer *s = new_symbolizer();
    lst_sym fr[8];
    /* No inlining: one frame. */
    CHECK(site_chain(s, "plain", fr, 8) == 1, "plain: not 1 frame");
    /* One level, in this executable and in a library at a load bias. */
    if (site_chain(s, "inline", fr, 8) == 2) {
        check_frame("inline", fr, 0, "symtest_inline_helper", "symtest_inline.h",
                    site("inline")->line);
        check_frame("inline", fr, 1, "inline_outer", base(__FILE__), inline_call_line);
    } else {
        CHECK(0, "inline: not 2 frames");
    }
    if (site_chain(s, "lib_inline", fr, 8) == 2) {
        CHECK(streq(fr[1].function, "symtest_lib_call"), "lib_inline #1: %s", S(fr[1].function));
        CHECK(streq(base(fr[1].file), "symtest_lib.c") && fr[1].line > 0, "lib_inline #1: %s:%d",
              S(fr[1].file), fr[1].line);
        CHECK(fr[1].module == fr[0].module && strstr(fr[1].module, "lst_symtest_lib"),
              "lib_inline #1: module %s", S(fr[1].module));
    } else {
        CHECK(0, "lib_inline: not 2 frames");
    }
    /* No DWARF: the symbol table's function, one frame. */
    if (site_chain(s, "nodebug_inline", fr, 8) == 1)
        CHECK(streq(fr[0].function, "symtest_nodebug_call"), "nodebug_inline: %s",
              S(fr[0].function));
    else
        CHECK(0, "nodebug_inline: not 1 frame");
    CHECK(lst_symbolize_inlined(s, (uintptr_t)symtest_asm_label + 1, 0, fr, 8) == 1 &&
              streq(fr[0].function, "symtest_asm_label"),
          "asm label: %s", S(fr[0].function));
    /* Unknown addresses and bad arguments. */
    fr[0].function = "x";
    CHECK(lst_symbolize_inlined(s, 0x10, 0, fr, 8) == -1, "0x10 resolved");
    CHECK(fr[0].function == NULL && fr[0].file == NULL && fr[0].line == 0 &&
              fr[0].module == NULL,
          "out not cleared");
    CHECK(lst_symbolize_inlined(s, 0, 1, fr, 8) == -1, "0 return resolved");
    CHECK(lst_symbolize_inlined(s, site("plain")->pc, 1, fr, 0) == -1, "max 0 accepted");
    CHECK(lst_symbolize_inlined(s, site("plain")->pc, 1, NULL, 8) == -1, "NULL out accepted");
    CHECK(lst_symbolize_inlined(NULL, site("plain")->pc, 1, fr, 8) == -1, "NULL s accepted");
    lst_symbolizer_free(s);
}

struct test_case {
    const char *name;
    void (*fn)(void);
    int in_all; /* run by "all" (used under valgrind) */
};

static const struct test_case cases[] = {
    {"return_address_resolves_to_call_line", case_return_address_resolves_to_call_line, 1},
    {"inlined_function_reports_innermost", case_inlined_function_reports_innermost, 1},
    {"shared_library_with_load_bias", case_shared_library_with_load_bias, 1},
    {"shared_library_with_nonzero_vaddr", case_shared_library_with_nonzero_vaddr, 1},
    {"stripped_library_uses_dynsym", case_stripped_library_uses_dynsym, 1},
    {"assembler_label_from_symtab", case_assembler_label_from_symtab, 1},
    {"global_data_names", case_global_data_names, 1},
    {"unknown_pc_returns_minus_one", case_unknown_pc_returns_minus_one, 1},
    {"missing_or_bad_module_path", case_missing_or_bad_module_path, 1},
    {"results_are_memoized", case_results_are_memoized, 1},
    {"executable_type", case_executable_type, 1},
    {"inlined_chain_three_deep", case_inlined_chain_three_deep, 1},
    {"inlined_chain_edge_cases", case_inlined_chain_edge_cases, 1},
    {"libc_separate_debuginfo", case_libc_separate_debuginfo, 0},
};

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CASE|all\n", argv[0]);
        return 2;
    }
    setup();
    int found = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (strcmp(argv[1], cases[i].name) == 0 ||
            (strcmp(argv[1], "all") == 0 && cases[i].in_all)) {
            found = 1;
            cases[i].fn();
        }
    }
    if (!found) {
        fprintf(stderr, "unknown case %s\n", argv[1]);
        return 2;
    }
    dlclose(vaddr_lib);
    dlclose(nodebug_lib);
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
