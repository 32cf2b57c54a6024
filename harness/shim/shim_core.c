/* shim_core.c: start-up and plumbing of liblockstep.so. Resolves the real libc functions,
 * parses LOCKSTEP_OPTIONS, creates and maps this process's store, lists the loaded modules
 * for later symbolization, registers threads, and prints one-line diagnostics with write(2).
 * Start-up may run before main, from any first intercepted call, so it allocates nothing
 * and takes no lock of its own: a small atomic state machine makes it run once. */
#define _GNU_SOURCE
#include "shim.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim_lockdep.h"
#include "shim_sched.h"
#include "shim_store.h"

lst_real_fns lst_real;
#define O(name, type, def, help) .name = def,
lst_options lst_opt = {
#include "options.def"
};
static const lst_options opt_defaults = {
#include "options.def"
};
#undef O
__thread lst_tls lst_self __attribute__((tls_model("initial-exec"))) = {0, -1, 0, NULL, NULL, 0};
lst_store_hdr *lst_store;

/* 0: not started, 1: starting, 2: ready (store mapped), 3: passive (no store). */
static _Atomic int init_state;
static _Atomic pid_t init_tid;
static char opt_buf[1024];   /* copy of LOCKSTEP_OPTIONS; STR options point into it */
static char store_path[PATH_MAX];
static int store_fd = -1;

/* ---- diagnostics ------------------------------------------------------------------- */

static size_t put(char *buf, size_t at, size_t cap, const char *s)
{
    while (s && *s && at + 1 < cap)
        buf[at++] = *s++;
    return at;
}

/* Appends the decimal digits of v. */
static size_t put_u(char *buf, size_t at, size_t cap, unsigned long v)
{
    char num[24];
    int k = sizeof num;
    num[--k] = 0;
    do {
        num[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v && k > 0);
    return put(buf, at, cap, num + k);
}

void lst_say4(const char *a, const char *b, const char *c, long n)
{
    char buf[512];
    size_t at = put(buf, 0, sizeof buf, "lockstep: ");
    at = put(buf, at, sizeof buf, a);
    at = put(buf, at, sizeof buf, b);
    at = put(buf, at, sizeof buf, c);
    if (n >= 0)
        at = put_u(buf, at, sizeof buf - 1, (unsigned long)n);
    buf[at++] = '\n';
    ssize_t w = write(2, buf, at);
    (void)w;
}

void lst_say(const char *msg)
{
    lst_say4(msg, NULL, NULL, -1);
}

void lst_limit_hit(uint32_t bit, const char *what, const char *option, uint32_t value)
{
    if (!lst_store)
        return;
    uint32_t old = atomic_fetch_or(&lst_store->limits_hit, bit);
    if (old & bit)
        return;
    char buf[200];
    size_t at = put(buf, 0, sizeof buf, what);
    at = put(buf, at, sizeof buf, "; raise it with LOCKSTEP_OPTIONS=");
    at = put(buf, at, sizeof buf, option);
    at = put(buf, at, sizeof buf, "=N (now ");
    at = put_u(buf, at, sizeof buf, (unsigned long)value);
    at = put(buf, at, sizeof buf, ")");
    buf[at] = 0;
    lst_say4("limit: ", buf, NULL, -1);
}

void lst_end_target(const char *what)
{
    atomic_store(&lst_store->ended, 1);
    if (lst_opt.cli)
        lst_say4(what, "; the target was stopped", NULL, -1);
    else
        lst_say4(what, "; the target was stopped; store in ", lst_opt.out, -1);
    _exit((int)lst_opt.deadlock_exitcode);
}

/* ---- time ------------------------------------------------------------------------- */

uint64_t lst_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void lst_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    syscall(SYS_nanosleep, &ts, NULL);
}

struct timespec lst_deadline_ms(unsigned ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* ---- real functions ----------------------------------------------------------------- */

static void *real_sym(const char *name, const char *version)
{
    void *p = version ? dlvsym(RTLD_NEXT, name, version) : NULL;
    if (!p)
        p = dlsym(RTLD_NEXT, name);
    if (!p)
        lst_say4("cannot find the real ", name, "; calls to it will fail", -1);
    return p;
}

static void resolve_real(void)
{
#define R(field, name) *(void **)&lst_real.field = real_sym(name, NULL)
#define RV(field, name, ver) *(void **)&lst_real.field = real_sym(name, ver)
    R(mutex_init, "pthread_mutex_init");
    R(mutex_destroy, "pthread_mutex_destroy");
    R(mutex_lock, "pthread_mutex_lock");
    R(mutex_trylock, "pthread_mutex_trylock");
    R(mutex_timedlock, "pthread_mutex_timedlock");
    R(mutex_unlock, "pthread_mutex_unlock");
    R(rwlock_init, "pthread_rwlock_init");
    R(rwlock_destroy, "pthread_rwlock_destroy");
    R(rwlock_rdlock, "pthread_rwlock_rdlock");
    R(rwlock_tryrdlock, "pthread_rwlock_tryrdlock");
    R(rwlock_timedrdlock, "pthread_rwlock_timedrdlock");
    R(rwlock_wrlock, "pthread_rwlock_wrlock");
    R(rwlock_trywrlock, "pthread_rwlock_trywrlock");
    R(rwlock_timedwrlock, "pthread_rwlock_timedwrlock");
    R(rwlock_unlock, "pthread_rwlock_unlock");
    R(spin_init, "pthread_spin_init");
    R(spin_destroy, "pthread_spin_destroy");
    R(spin_lock, "pthread_spin_lock");
    R(spin_trylock, "pthread_spin_trylock");
    R(spin_unlock, "pthread_spin_unlock");
    RV(cond_wait, "pthread_cond_wait", "GLIBC_2.3.2");
    RV(cond_timedwait, "pthread_cond_timedwait", "GLIBC_2.3.2");
    RV(cond_signal, "pthread_cond_signal", "GLIBC_2.3.2");
    RV(cond_broadcast, "pthread_cond_broadcast", "GLIBC_2.3.2");
    R(sem_wait, "sem_wait");
    R(sem_trywait, "sem_trywait");
    R(sem_timedwait, "sem_timedwait");
    R(sem_post, "sem_post");
    R(barrier_wait, "pthread_barrier_wait");
    R(create, "pthread_create");
    R(join, "pthread_join");
    R(timedjoin, "pthread_timedjoin_np");
    R(exit, "pthread_exit");
    R(detach, "pthread_detach");
    R(setname, "pthread_setname_np");
    R(cancel, "pthread_cancel");
    R(fork, "fork");
    R(sched_getaffinity, "sched_getaffinity");
    R(sched_setaffinity, "sched_setaffinity");
    R(getaffinity_np, "pthread_getaffinity_np");
    R(setaffinity_np, "pthread_setaffinity_np");
#undef R
#undef RV
}

/* ---- options -------------------------------------------------------------------------- */

static int parse_u32(const char *s, size_t n, uint32_t *out)
{
    uint64_t v = 0;
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > UINT32_MAX)
            return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

/* Parses "k=v:k=v" in place in opt_buf. Unknown keys and bad values are named in one line
 * and ignored, so a typo never stops the target. */
static void parse_options(void)
{
    const char *env = getenv("LOCKSTEP_OPTIONS");
    if (!env)
        return;
    size_t n = strlen(env);
    if (n >= sizeof opt_buf) {
        lst_say("LOCKSTEP_OPTIONS is too long; ignored");
        return;
    }
    memcpy(opt_buf, env, n + 1);
    char *p = opt_buf;
    while (*p) {
        char *end = strchr(p, ':');
        if (end)
            *end = 0;
        char *eq = strchr(p, '=');
        if (eq && eq != p) {
            *eq = 0;
            const char *v = eq + 1;
            int known = 0, bad = 0;
#define O(name, type, def, help)                                                                 \
    if (strcmp(p, #name) == 0) {                                                                 \
        known = 1;                                                                               \
        bad = set_##type((void *)&lst_opt.name, v);                                               \
    }
#define set_U32(dst, v) parse_u32(v, strlen(v), (uint32_t *)(dst))
#define set_STR(dst, v) (*(const char **)(dst) = (v), 0)
#include "options.def"
#undef O
#undef set_U32
#undef set_STR
            if (!known)
                lst_say4("unknown option '", p, "' in LOCKSTEP_OPTIONS; ignored", -1);
            else if (bad)
                lst_say4("bad value for option '", p, "' in LOCKSTEP_OPTIONS; ignored", -1);
        } else if (*p) {
            lst_say4("malformed LOCKSTEP_OPTIONS entry '", p, "' (want key=value); ignored", -1);
        }
        if (!end)
            break;
        p = end + 1;
    }
}

static uint32_t pow2_at_least(uint32_t v)
{
    uint32_t p = 16;
    while (p < v && p < (1u << 30))
        p <<= 1;
    return p;
}

/* ---- the store file ----------------------------------------------------------------- */

/* buf = dir + sub + pid + "." + gen */
static void fmt_path(char *buf, size_t cap, const char *dir, const char *sub, long pid, long gen)
{
    size_t at = put(buf, 0, cap, dir);
    at = put(buf, at, cap, sub);
    at = put_u(buf, at, cap, (unsigned long)pid);
    at = put(buf, at, cap, ".");
    at = put_u(buf, at, cap, (unsigned long)gen);
    buf[at] = 0;
}

static void mkdir_p(const char *path)
{
    char tmp[PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof tmp)
        return;
    memcpy(tmp, path, n + 1);
    for (size_t i = 1; i < n; i++)
        if (tmp[i] == '/') {
            tmp[i] = 0;
            mkdir(tmp, 0755);
            tmp[i] = '/';
        }
    mkdir(tmp, 0755);
}

/* Creates OUT/stores/store.<pid>.<gen> (gen: first free number, since exec keeps the pid),
 * sizes it sparse, and maps it. Returns the mapping or NULL. */
static lst_store_hdr *store_create(const lst_caps *caps, int *fd_out)
{
    char dir[PATH_MAX];
    size_t at = put(dir, 0, sizeof dir, lst_opt.out);
    at = put(dir, at, sizeof dir, "/stores");
    dir[at] = 0;
    mkdir_p(dir);
    lst_store_hdr probe;
    memset(&probe, 0, sizeof probe);
    lst_store_layout(&probe, caps);
    for (long gen = 0; gen < 1000; gen++) {
        fmt_path(store_path, sizeof store_path, dir, "/store.", (long)getpid(), gen);
        int fd = open(store_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) {
            if (errno == EEXIST)
                continue;
            lst_say4("cannot create the store ", store_path, "; lockstep is passive", -1);
            return NULL;
        }
        if (ftruncate(fd, (off_t)probe.size) != 0) {
            close(fd);
            unlink(store_path);
            lst_say4("cannot size the store ", store_path, "; lockstep is passive", -1);
            return NULL;
        }
        void *m = mmap(NULL, probe.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED) {
            close(fd);
            unlink(store_path);
            lst_say4("cannot map the store ", store_path, "; lockstep is passive", -1);
            return NULL;
        }
        lst_store_hdr *h = m;
        lst_store_layout(h, caps);
        h->pid = getpid();
        h->ppid = getppid();
        h->generation = (uint32_t)gen;
        ssize_t k = readlink("/proc/self/exe", h->exe, sizeof h->exe - 1);
        h->exe[k > 0 ? k : 0] = 0;
        *fd_out = fd;
        return h;
    }
    return NULL;
}

/* ---- modules ------------------------------------------------------------------------ */

static int module_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    lst_store_hdr *h = lst_store;
    const char *name = info->dlpi_name;
    if (name && strstr(name, "linux-vdso"))
        return 0;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uint64_t a = info->dlpi_addr + ph->p_vaddr;
        if (a < lo)
            lo = a;
        if (a + ph->p_memsz > hi)
            hi = a + ph->p_memsz;
    }
    if (hi == 0)
        return 0;
    uint32_t n = atomic_load(&h->nmodules);
    for (uint32_t i = 0; i < n; i++) {
        lst_module_rec *m = lst_st_module(h, i);
        if (m->lo == lo && m->hi == hi)
            return 0;
    }
    if (n >= h->caps.modules) {
        lst_limit_hit(LST_LIMIT_MODULES, "too many loaded modules", "max_modules", h->caps.modules);
        return 1;
    }
    lst_module_rec *m = lst_st_module(h, n);
    m->bias = info->dlpi_addr;
    m->lo = lo;
    m->hi = hi;
    const char *path = (name && *name) ? name : h->exe;
    size_t k = strlen(path);
    if (k >= sizeof m->path)
        k = sizeof m->path - 1;
    memcpy(m->path, path, k);
    m->path[k] = 0;
    atomic_store(&m->valid, 1);
    atomic_store(&h->nmodules, n + 1);
    return 0;
}

void lst_modules_refresh(void)
{
    if (lst_store)
        dl_iterate_phdr(module_cb, NULL);
}

/* ---- threads ------------------------------------------------------------------------ */

int32_t lst_thread_claim(void)
{
    lst_store_hdr *h = lst_store;
    if (!h)
        return -1;
    uint32_t i = atomic_fetch_add(&h->nthreads, 1);
    if (i >= h->caps.threads) {
        atomic_store(&h->nthreads, h->caps.threads);
        lst_limit_hit(LST_LIMIT_THREADS, "too many threads; further threads are not tracked",
                      "max_threads", h->caps.threads);
        return -1;
    }
    lst_thread_rec *r = lst_st_thread(h, i);
    atomic_store(&r->state, LST_THREAD_STARTING);
    return (int32_t)i;
}

lst_thread_rec *lst_thread_register(int32_t idx)
{
    lst_store_hdr *h = lst_store;
    if (!h)
        return NULL;
    if (idx < 0)
        idx = lst_thread_claim();
    if (idx < 0)
        return NULL;
    lst_thread_rec *r = lst_st_thread(h, (uint32_t)idx);
    r->tid = (int32_t)syscall(SYS_gettid);
    r->self = (uint64_t)pthread_self();
    if (!r->name[0]) {
        size_t at = put(r->name, 0, sizeof r->name, idx == 0 ? "main" : "T");
        if (idx != 0)
            at = put_u(r->name, at, sizeof r->name, (unsigned long)idx);
        r->name[at] = 0;
    }
    lst_self.idx = idx;
    lst_self.rec = r;
    lst_self.held = lst_st_held(h, (uint32_t)idx);
    lst_self.key = 0;
    atomic_store(&r->state, LST_THREAD_RUNNING);
    return r;
}

/* ---- the fork server ----------------------------------------------------------------- */

/* explore starts the target once with fork_server=FD and drives it over that socket (the
 * protocol is in store.h): start-up stops here, before the store exists and before main,
 * and forks one child per schedule. Only a child returns, with the schedule's options in
 * place; the server itself never runs the program. */

static char env_buf[sizeof "LOCKSTEP_OPTIONS=" + LST_FS_MAX_REQUEST + 16];

static int fs_send(int fd, uint32_t type, int32_t a, int32_t b)
{
    lst_fs_msg m = {type, a, b};
    const char *p = (const char *)&m;
    size_t left = sizeof m;
    while (left) {
        ssize_t w = send(fd, p, left, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        left -= (size_t)w;
    }
    return 0;
}

static int fs_recv(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Threads of this process, from /proc/self/status (0 when it cannot be read). */
static unsigned proc_threads(void)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    const char *t = strstr(buf, "\nThreads:");
    if (!t)
        return 0;
    t += 9;
    while (*t == ' ' || *t == '\t')
        t++;
    unsigned v = 0;
    while (*t >= '0' && *t <= '9')
        v = v * 10 + (unsigned)(*t++ - '0');
    return v;
}

/* In a new child: installs the schedule's LOCKSTEP_OPTIONS (req, NUL-terminated) in the
 * environment, so that a program it execs sees them as under exec-per-schedule, and parses
 * them from scratch. No allocation: the environ entry is pointed at a static buffer. */
static void fs_child_options(const char *req)
{
    size_t at = put(env_buf, 0, sizeof env_buf, "LOCKSTEP_OPTIONS=");
    at = put(env_buf, at, sizeof env_buf, req);
    size_t n = strlen(req);
    if (n >= 10 && strcmp(req + n - 10, "sched_pid=") == 0)
        at = put_u(env_buf, at, sizeof env_buf, (unsigned long)getpid());
    env_buf[at] = 0;
    extern char **environ;
    for (char **e = environ; e && *e; e++)
        if (strncmp(*e, "LOCKSTEP_OPTIONS=", 17) == 0) {
            *e = env_buf;
            break;
        }
    lst_opt = opt_defaults;
    parse_options();
}

/* Serves fork requests until the socket closes (then exits), or refuses once (and exits)
 * when forking here would not reproduce an exec: another thread already runs, or a
 * ThreadSanitizer runtime is loaded (its state and log file are per process). Returns only
 * in a child, or at once when the descriptor is not a socket (then the shim goes on as
 * usual). */
static void fork_server(void)
{
    int fd = (int)lst_opt.fork_server;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        lst_say("LOCKSTEP_OPTIONS fork_server= is not a socket of lockstep explore; ignored");
        lst_opt.fork_server = 0;
        return;
    }
    int why = 0;
    if (proc_threads() != 1)
        why = LST_FS_WHY_THREADS;
    else if (dlsym(RTLD_DEFAULT, "__tsan_init"))
        why = LST_FS_WHY_TSAN;
    if (why) {
        fs_send(fd, LST_FS_REFUSED, why, 0);
        _exit(0);
    }
    /* _Fork runs no atfork handler: a handler some constructor registered would not run
     * for an exec'd schedule either */
    pid_t (*do_fork)(void) = (pid_t(*)(void))dlsym(RTLD_NEXT, "_Fork");
    if (!do_fork)
        do_fork = lst_real.fork;
    static char req[LST_FS_MAX_REQUEST + 1];
    /* libunwind sets up its caches on first use (its tables, this thread's register-state
     * cache): done once here, every child inherits them */
    lst_stack_warm();
    if (fs_send(fd, LST_FS_READY, 0, 0) != 0)
        _exit(0);
    for (;;) {
        uint32_t len;
        if (fs_recv(fd, &len, sizeof len) != 0 || len > LST_FS_MAX_REQUEST ||
            fs_recv(fd, req, len) != 0)
            _exit(0);
        req[len] = 0;
        pid_t pid = do_fork();
        if (pid == 0) {
            close(fd);
            atomic_store(&init_tid, (pid_t)syscall(SYS_gettid));
            fs_child_options(req);
            return;
        }
        if (fs_send(fd, LST_FS_CHILD, pid < 0 ? -errno : pid, 0) != 0)
            _exit(0);
        if (pid < 0)
            continue;
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        if (fs_send(fd, LST_FS_STATUS, pid, st) != 0)
            _exit(0);
    }
}

/* ---- start-up ----------------------------------------------------------------------- */

static void init_store(void)
{
    lst_caps caps = {
        .threads = lst_opt.max_threads ? lst_opt.max_threads : 1,
        .held = lst_opt.max_held ? lst_opt.max_held : 1,
        .lock_slots = pow2_at_least(lst_opt.lock_slots),
        .locks = lst_opt.max_locks + 1,
        .chain_slots = pow2_at_least(lst_opt.chain_slots),
        .chains = lst_opt.max_chains + 1,
        .stack_slots = pow2_at_least(lst_opt.stack_slots),
        .stacks = lst_opt.max_stacks + 1,
        .events = lst_opt.max_events,
        .modules = lst_opt.max_modules,
        .depth = lst_opt.stack_depth > LST_MAX_FRAMES ? LST_MAX_FRAMES : lst_opt.stack_depth,
        .trace = lst_opt.sched ? lst_opt.max_trace : 0,
    };
    lst_store_hdr *h = store_create(&caps, &store_fd);
    if (!h)
        return;
    atomic_store(&h->nlocks, 1); /* id 0 means "none" */
    atomic_store(&h->nchains, 1);
    atomic_store(&h->nstacks, 1);
    lst_store = h;
    lst_stack_init();
    lst_modules_refresh();
}

void lst_init(void)
{
    int expect = 0;
    pid_t me = (pid_t)syscall(SYS_gettid);
    if (atomic_compare_exchange_strong(&init_state, &expect, 1)) {
        int e = errno; /* start-up must not leave a trace in the program's errno */
        atomic_store(&init_tid, me);
        lst_self.depth++; /* our own start-up calls are not observed */
        resolve_real();
        parse_options();
        if (lst_opt.fork_server)
            fork_server(); /* returns in each forked child, with the schedule's options */
        init_store();
        if (lst_store) {
            lst_thread_register(lst_thread_claim());
            lst_sched_init();
            /* registered before the program's handlers, so it runs after their prepare
             * handlers have taken their locks: it sees the locks held at the fork itself */
            pthread_atfork(lst_fork_prepare, NULL, NULL);
        }
        lst_self.depth--;
        atomic_store(&init_state, lst_store ? 2 : 3);
        errno = e;
        return;
    }
    /* Another thread is starting us up: wait for it; the starting thread itself passes. */
    while (atomic_load(&init_state) == 1 && atomic_load(&init_tid) != me)
        sched_yield();
}

int lst_enter_slow(void)
{
    if (lst_self.depth != 0)
        return 0;
    if (atomic_load(&init_state) < 2)
        lst_init();
    if (!lst_store)
        return 0;
    if (!lst_self.rec) {
        /* A thread we did not see start (created before start-up or past the table limit). */
        if (lst_self.idx == -2)
            return 0;
        lst_self.depth = 1;
        if (!lst_thread_register(-1))
            lst_self.idx = -2;
        lst_self.depth = 0;
        if (!lst_self.rec)
            return 0;
    }
    lst_self.depth = 1;
    return 1;
}

/* 1 once our constructor ran: threads created before it belong to a runtime started in
 * preinit (clang's ThreadSanitizer background thread), not to the program. */
int lst_ctor_done;

__attribute__((constructor)) static void lst_ctor(void)
{
    if (atomic_load(&init_state) == 0)
        lst_init();
    lst_ctor_done = 1;
}

__attribute__((destructor)) static void lst_dtor(void)
{
    if (lst_store)
        atomic_store(&lst_store->exiting, 1);
}

/* pthread_atfork prepare handler: fork while another thread holds a lock is misuse. */
void lst_fork_prepare(void)
{
    if (lst_store && lst_self.rec)
        lst_fork_check();
}

/* ---- fork --------------------------------------------------------------------------- */

/* Copies the parent's store (only its data extents: the file is sparse) into a new file for
 * this child, maps it in place of the parent's, and marks every thread but this one gone. */
void lst_fork_snapshot(lst_fork_snap *s)
{
    s->nheld = 0;
    s->key = lst_self.key;
    if (!lst_self.rec)
        return;
    uint32_t n = atomic_load(&lst_self.rec->nheld);
    if (n > LST_FORK_HELD)
        n = LST_FORK_HELD;
    memcpy(s->held, lst_self.held, n * sizeof *s->held);
    s->nheld = n;
}

void lst_store_fork_child(const lst_fork_snap *snap)
{
    lst_stack_fork_child();
    lst_store_hdr *old = lst_store;
    int old_fd = store_fd;
    if (!old)
        return;
    lst_store = NULL;
    lst_caps caps = old->caps;
    int fd = -1;
    lst_store_hdr *h = store_create(&caps, &fd);
    if (!h) {
        munmap(old, old->size);
        close(old_fd);
        return;
    }
    int32_t pid = h->pid, ppid = h->ppid;
    uint32_t gen = h->generation;
    /* copy data extents */
    off_t pos = 0, end = (off_t)old->size;
    while (pos < end) {
        off_t d = lseek(old_fd, pos, SEEK_DATA);
        if (d < 0)
            break;
        off_t e = lseek(old_fd, d, SEEK_HOLE);
        if (e < 0 || e > end)
            e = end;
        memcpy((char *)h + d, (char *)old + d, (size_t)(e - d));
        pos = e;
    }
    h->parent_store_pid = old->pid;
    /* the parent's events are the parent's to report; this store reports the child's own */
    uint32_t nev = atomic_load(&h->nevents);
    memset(lst_st_event(h, 0), 0,
           (size_t)(nev < h->caps.events ? nev : h->caps.events) * sizeof(lst_event_rec));
    atomic_store(&h->nevents, 0);
    h->pid = pid;
    h->ppid = ppid;
    h->generation = gen;
    atomic_store(&h->ended, 0);
    munmap(old, old->size);
    close(old_fd);
    store_fd = fd;
    lst_store = h;
    uint32_t n = atomic_load(&h->nthreads);
    for (uint32_t i = 0; i < n && i < h->caps.threads; i++) {
        lst_thread_rec *r = lst_st_thread(h, i);
        if ((int32_t)i != lst_self.idx && atomic_load(&r->state) == LST_THREAD_RUNNING)
            atomic_store(&r->state, LST_THREAD_GONE);
    }
    lst_self.forked = 1;
    if (lst_self.idx >= 0) {
        lst_self.rec = lst_st_thread(h, (uint32_t)lst_self.idx);
        lst_self.held = lst_st_held(h, (uint32_t)lst_self.idx);
        lst_self.rec->tid = (int32_t)syscall(SYS_gettid);
        memcpy(lst_self.held, snap->held, snap->nheld * sizeof *snap->held);
        atomic_store(&lst_self.rec->nheld, snap->nheld);
        atomic_store(&lst_self.rec->wait_kind, LST_WAIT_NONE);
        lst_self.key = snap->key;
    }
}
