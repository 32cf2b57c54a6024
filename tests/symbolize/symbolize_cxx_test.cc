/* symbolize_cxx_test.cc: C++ tests for the symbolizer: demangled function names
 * ("ns::worker(int)", a template, an inline member function), a std::mutex::lock() and a
 * std::lock_guard whose call to pthread_mutex_lock is inlined into the caller (the return
 * address the shim would record is caught by interposing pthread_mutex_lock here, as the shim
 * does) with the inlined-frame chain leading back to the user's line, and demangled global and
 * function-static variable names. Built at -O1 and -O2.
 * Usage: symbolize_cxx_test CASE; exit 0 = pass, 1 = fail. */
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>

extern "C" {
#include "symbolize.h"
}

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);         \
            std::fprintf(stderr, __VA_ARGS__);                                                     \
            std::fputc('\n', stderr);                                                              \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define S(x) ((x) ? (x) : "(null)")

namespace {

struct site {
    const char *tag;
    uint64_t pc;
    int line;
};
site sites[16];
int nsites;
/* The tag pthread_mutex_lock() records its return address under, or null. */
const char *recording;

__attribute__((noinline)) void record(const char *tag, int line)
{
    if (nsites < 16)
        sites[nsites++] = site{tag, (uintptr_t)__builtin_return_address(0), line};
    __asm__ volatile("" ::: "memory");
}

const site *find_site(const char *tag)
{
    for (int i = 0; i < nsites; i++)
        if (std::strcmp(sites[i].tag, tag) == 0)
            return &sites[i];
    return nullptr;
}

} // namespace

/* Interposes libc's pthread_mutex_lock, like the shim: the return address is in whatever
 * called it, here the code std::mutex::lock() was inlined into. noinline: the shim's copy is
 * in another module, this one must not be inlined into its caller either. */
extern "C" __attribute__((noinline)) int pthread_mutex_lock(pthread_mutex_t *m) noexcept
{
    using lock_fn = int (*)(pthread_mutex_t *);
    static lock_fn real;
    if (!real)
        real = reinterpret_cast<lock_fn>(dlsym(RTLD_NEXT, "pthread_mutex_lock"));
    if (recording && nsites < 16)
        sites[nsites++] = site{recording, (uintptr_t)__builtin_return_address(0), 0};
    return real(m);
}

namespace ns {

std::mutex big_lock;
int balance_total;

struct Account {
    int balance;
    /* Defined in the class: an inline member function. */
    void deposit(int v)
    {
        balance += v;
        record("member", __LINE__);
        __asm__ volatile("" ::: "memory");
    }
};

template <typename T> __attribute__((noinline)) T twice(T v)
{
    record("template", __LINE__);
    __asm__ volatile("" ::: "memory");
    return v + v;
}

std::mutex *local_lock_addr;

/* Internal linkage: GCC gives these no DW_AT_linkage_name, so the name is qualified from the
 * enclosing DWARF scopes. */
static __attribute__((noinline)) void static_helper()
{
    record("static", __LINE__);
    __asm__ volatile("" ::: "memory");
}

namespace {
__attribute__((noinline)) void anon_helper()
{
    record("anon", __LINE__);
    __asm__ volatile("" ::: "memory");
}
} // namespace

__attribute__((noinline)) void worker(int n)
{
    static std::mutex local_lock;
    local_lock_addr = &local_lock;
    record("worker", __LINE__);
    __asm__ volatile("" ::: "memory");
    recording = "lock";
    big_lock.lock(); /* @mark:mutex_lock */
    recording = nullptr;
    Account a{n};
    a.deposit(twice(n));
    static_helper();
    anon_helper();
    balance_total += a.balance;
    big_lock.unlock();
}

__attribute__((noinline)) void guarded_add(int v)
{
    recording = "lock_guard";
    std::lock_guard<std::mutex> guard(big_lock); /* @mark:lock_guard */
    recording = nullptr;
    balance_total += v;
}

} // namespace ns

static char exe_path[4096];

static int add_one(struct dl_phdr_info *info, size_t, void *arg)
{
    lst_symbolizer *s = static_cast<lst_symbolizer *>(arg);
    const char *path = info->dlpi_name;
    if (std::strstr(path, "linux-vdso"))
        return 0;
    if (!*path)
        path = exe_path;
    if (lst_symbolizer_add_module(s, path, info->dlpi_addr) != 0) {
        std::fprintf(stderr, "cannot add module %s\n", path);
        failures++;
    }
    return 0;
}

static const char *base(const char *path)
{
    const char *slash = path ? std::strrchr(path, '/') : nullptr;
    return slash ? slash + 1 : path;
}

static bool streq(const char *a, const char *b)
{
    return a && b && std::strcmp(a, b) == 0;
}

static lst_sym lookup(lst_symbolizer *s, const char *tag)
{
    lst_sym out{};
    const site *st = find_site(tag);
    CHECK(st, "site %s not recorded", tag);
    if (!st)
        return out;
    int rc = lst_symbolize(s, st->pc, 1, &out);
    std::fprintf(stderr, "%-9s -> %s at %s:%d\n", tag, S(out.function), S(out.file), out.line);
    CHECK(rc == 0, "%s: rc %d", tag, rc);
    return out;
}

/* want2: an alternative spelling (clang keeps linkage names where GCC drops them). */
static void check_named(lst_symbolizer *s, const char *tag, const char *want,
                        const char *want2 = nullptr)
{
    lst_sym out = lookup(s, tag);
    CHECK(streq(out.function, want) || streq(out.function, want2), "%s: function %s, want %s",
          tag, S(out.function), want);
    CHECK(streq(base(out.file), "symbolize_cxx_test.cc"), "%s: file %s", tag, S(out.file));
    CHECK(out.line == find_site(tag)->line, "%s: line %d, want %d", tag, out.line,
          find_site(tag)->line);
}

static void case_namespaced_function_demangled(lst_symbolizer *s)
{
    check_named(s, "worker", "ns::worker(int)");
    check_named(s, "template", "int ns::twice<int>(int)");
    check_named(s, "static", "ns::static_helper", "ns::static_helper()");
    check_named(s, "anon", "ns::(anonymous namespace)::anon_helper",
                "ns::(anonymous namespace)::anon_helper()");
}

static void case_inline_member_function(lst_symbolizer *s)
{
    check_named(s, "member", "ns::Account::deposit(int)");
}

/* std::mutex::lock() -> __gthread_mutex_lock() -> pthread_mutex_lock(): both are inline, so
 * the innermost function is libstdc++'s static __gthread_mutex_lock (no linkage name with GCC,
 * so no parameter list), in a libstdc++ header, at a known line. */
static void case_std_mutex_lock_inlined(lst_symbolizer *s)
{
    lst_sym out = lookup(s, "lock");
    CHECK(streq(out.function, "__gthread_mutex_lock") ||
              streq(out.function, "__gthread_mutex_lock(pthread_mutex_t*)"),
          "function %s", S(out.function));
    CHECK(streq(base(out.file), "gthr-default.h"), "file %s", S(out.file));
    CHECK(out.file && !std::strstr(out.file, "/../") && !std::strstr(out.file, "/./"),
          "file %s is not normalized", S(out.file));
    CHECK(out.line > 0, "line %d", out.line);
    CHECK(streq(out.module, exe_path), "module %s, want %s", S(out.module), exe_path);
}

/* The line of this file that carries the comment "@mark:NAME", or 0. */
static int marker_line(const char *name)
{
    std::ifstream in(__FILE__);
    std::string want = std::string("@mark:") + name + " ", line;
    for (int n = 1; std::getline(in, line); n++)
        if (line.find(want) != std::string::npos)
            return n;
    return 0;
}

static void print_frames(const char *tag, const lst_sym *fr, int n)
{
    for (int i = 0; i < n; i++)
        std::fprintf(stderr, "%-10s #%d %s at %s:%d\n", tag, i, S(fr[i].function), S(fr[i].file),
                     fr[i].line);
}

/* The inlined-frame chain of a pthread_mutex_lock() call reached through libstdc++'s inline
 * std::mutex::lock() (and, with via_guard, std::lock_guard's constructor): frame 0 is what
 * lst_symbolize() says (__gthread_mutex_lock in gthr-default.h), then std::mutex::lock() in
 * std_mutex.h, optionally the lock_guard constructor, and last the user's function at the
 * line of the marked statement. */
static void check_lock_chain(lst_symbolizer *s, const char *tag, const char *marker,
                             const char *user_fn, bool via_guard)
{
    const site *st = find_site(tag);
    CHECK(st, "site %s not recorded", tag);
    if (!st)
        return;
    int want_line = marker_line(marker);
    CHECK(want_line > 0, "marker %s not found in %s", marker, __FILE__);
    lst_sym one{}, fr[16];
    CHECK(lst_symbolize(s, st->pc, 1, &one) == 0, "%s: lst_symbolize failed", tag);
    int n = lst_symbolize_inlined(s, st->pc, 1, fr, 16);
    print_frames(tag, fr, n);
    int want_n = via_guard ? 4 : 3;
    CHECK(n == want_n, "%s: %d frames, want %d", tag, n, want_n);
    if (n < 2)
        return;
    CHECK(fr[0].function == one.function && fr[0].file == one.file && fr[0].line == one.line &&
              fr[0].module == one.module,
          "%s: frame 0 is not lst_symbolize's answer", tag);
    CHECK(streq(base(fr[0].file), "gthr-default.h"), "%s: frame 0 file %s", tag,
          S(fr[0].file));
    CHECK(streq(fr[1].function, "std::mutex::lock()") || streq(fr[1].function, "std::mutex::lock"),
          "%s: frame 1 function %s", tag, S(fr[1].function));
    CHECK(streq(base(fr[1].file), "std_mutex.h") && fr[1].line > 0, "%s: frame 1 at %s:%d", tag,
          S(fr[1].file), fr[1].line);
    if (via_guard && n == 4) {
        CHECK(fr[2].function && std::strstr(fr[2].function, "std::lock_guard<std::mutex>"),
              "%s: frame 2 function %s", tag, S(fr[2].function));
        CHECK(streq(base(fr[2].file), "std_mutex.h") && fr[2].line > 0,
              "%s: frame 2 at %s:%d", tag, S(fr[2].file), fr[2].line);
    }
    const lst_sym &user = fr[n - 1];
    CHECK(streq(user.function, user_fn), "%s: last frame function %s, want %s", tag,
          S(user.function), user_fn);
    CHECK(streq(user.file, __FILE__) || streq(base(user.file), "symbolize_cxx_test.cc"),
          "%s: last frame file %s", tag, S(user.file));
    CHECK(user.line == want_line, "%s: last frame line %d, want %d (the @mark:%s line)", tag,
          user.line, want_line, marker);
    for (int i = 0; i < n; i++)
        CHECK(streq(fr[i].module, exe_path), "%s: frame %d module %s", tag, i, S(fr[i].module));
}

static void case_std_mutex_lock_chain(lst_symbolizer *s)
{
    check_lock_chain(s, "lock", "mutex_lock", "ns::worker(int)", false);
}

static void case_lock_guard_chain(lst_symbolizer *s)
{
    check_lock_chain(s, "lock_guard", "lock_guard", "ns::guarded_add(int)", true);
}

static void case_data_names_demangled(lst_symbolizer *s)
{
    uint64_t off = 99;
    const char *name = lst_symbolize_data(s, (uintptr_t)&ns::big_lock, &off);
    CHECK(streq(name, "ns::big_lock") && off == 0, "big_lock: %s+%llu", S(name),
          (unsigned long long)off);
    name = lst_symbolize_data(s, (uintptr_t)ns::local_lock_addr + 4, &off);
    CHECK(streq(name, "ns::worker(int)::local_lock") && off == 4, "local_lock: %s+%llu",
          S(name), (unsigned long long)off);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CASE\n", argv[0]);
        return 2;
    }
    ssize_t n = readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
    if (n <= 0)
        return 1;
    exe_path[n] = '\0';
    ns::worker(20);
    ns::guarded_add(22);

    lst_symbolizer *s = lst_symbolizer_new();
    dl_iterate_phdr(add_one, s);
    const struct {
        const char *name;
        void (*fn)(lst_symbolizer *);
    } cases[] = {
        {"namespaced_function_demangled", case_namespaced_function_demangled},
        {"inline_member_function", case_inline_member_function},
        {"std_mutex_lock_inlined", case_std_mutex_lock_inlined},
        {"std_mutex_lock_chain", case_std_mutex_lock_chain},
        {"lock_guard_chain", case_lock_guard_chain},
        {"data_names_demangled", case_data_names_demangled},
    };
    int found = 0;
    for (const auto &c : cases)
        if (std::strcmp(argv[1], c.name) == 0 || std::strcmp(argv[1], "all") == 0) {
            found = 1;
            c.fn(s);
        }
    lst_symbolizer_free(s);
    if (!found) {
        std::fprintf(stderr, "unknown case %s\n", argv[1]);
        return 2;
    }
    if (failures)
        std::fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
