/* runner.c: starting a target under the shim and watching it. The target inherits our
 * stdin, stdout and stderr, so its own behaviour is untouched; we add LD_PRELOAD and our
 * LOCKSTEP_OPTIONS (after the user's, so ours win) to its environment. While it runs we
 * poll its store: when every live thread has been blocked, unchanged, for the stall bound,
 * we report a deadlock from the live store and end it, so the user never faces a silent
 * hang. Signals that stop us (Ctrl-C) are passed on to the target. */
#define _GNU_SOURCE
#include "cli.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "suppress.h"
#include "tsan_ingest.h"

void lst_err(const char *cmd, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "lockstep: %s: %s\n", cmd, buf);
    else
        fprintf(stderr, "lockstep: %s\n", buf);
}

int lst_bad_option(const char *cmd, char **argv, int ch)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    char shortopt[3] = {'-', (char)optopt, 0};
    if (optopt && strncmp(arg, "--", 2) != 0)
        arg = shortopt; /* a short option, perhaps inside a group like -qz */
    if (ch == ':')
        lst_err(cmd, "option '%s' needs a value (see lockstep %s --help)", arg, cmd);
    else
        lst_err(cmd, "unknown option '%s' (see lockstep %s --help)", arg, cmd);
    return LST_EXIT_USAGE;
}

const char *lst_shim_path(char *err, size_t errlen)
{
    static char path[PATH_MAX + 32];
    const char *env = getenv("LOCKSTEP_SHIM");
    if (env && *env) {
        snprintf(path, sizeof path, "%s", env);
    } else {
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0) {
            snprintf(err, errlen, "cannot find our own executable: %s", strerror(errno));
            return NULL;
        }
        self[n] = 0;
        char *slash = strrchr(self, '/');
        *slash = 0;
        snprintf(path, sizeof path, "%s/../lib/liblockstep.so", self);
    }
    char real[PATH_MAX];
    if (!realpath(path, real) || access(real, R_OK) != 0) {
        snprintf(err, errlen, "cannot find the shim %s (set LOCKSTEP_SHIM to its path)", path);
        return NULL;
    }
    snprintf(path, sizeof path, "%s", real);
    return path;
}

/* 1: dynamically linked ELF or script; 0: static ELF; -1: not a program we can run. */
static int is_dynamic(const char *path, char *why, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, n, "%s", strerror(errno));
        return -1;
    }
    unsigned char buf[4096];
    ssize_t got = read(fd, buf, sizeof buf);
    int rc = -1;
    if (got >= 2 && buf[0] == '#' && buf[1] == '!') {
        rc = 1; /* a script: its interpreter is what runs, and it is dynamic */
    } else if (got < (ssize_t)sizeof(Elf64_Ehdr) || memcmp(buf, ELFMAG, SELFMAG) != 0) {
        snprintf(why, n, "not an ELF executable or script");
    } else if (buf[EI_CLASS] != ELFCLASS64) {
        snprintf(why, n, "32-bit programs are not supported");
    } else {
        Elf64_Ehdr eh;
        memcpy(&eh, buf, sizeof eh);
        rc = 0;
        for (int i = 0; i < eh.e_phnum; i++) {
            Elf64_Phdr ph;
            if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
                (ssize_t)sizeof ph)
                break;
            if (ph.p_type == PT_INTERP)
                rc = 1;
        }
    }
    close(fd);
    return rc;
}

/* 1 when path starts with "#!". */
static int is_script(const char *path)
{
    char b[2] = {0, 0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, b, 2);
    close(fd);
    return n == 2 && b[0] == '#' && b[1] == '!';
}

/* Offset (st_value) of the symbol `name` in the ELF file's .symtab, or 0. */
static uint64_t elf_symbol(const char *path, const char *name)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    uint64_t value = 0;
    if (fstat(fd, &st) == 0 && (size_t)st.st_size > sizeof(Elf64_Ehdr)) {
        const unsigned char *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            const Elf64_Ehdr *eh = (const void *)m;
            size_t size = (size_t)st.st_size;
            if (!memcmp(eh->e_ident, ELFMAG, SELFMAG) && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
                eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) <= size) {
                const Elf64_Shdr *sh = (const void *)(m + eh->e_shoff);
                for (int i = 0; i < eh->e_shnum && !value; i++) {
                    if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
                        continue;
                    const Elf64_Shdr *strs = &sh[sh[i].sh_link];
                    if (sh[i].sh_offset + sh[i].sh_size > size || strs->sh_offset + strs->sh_size > size)
                        continue;
                    const Elf64_Sym *sym = (const void *)(m + sh[i].sh_offset);
                    size_t n = sh[i].sh_size / sizeof *sym;
                    for (size_t k = 0; k < n; k++)
                        if (sym[k].st_name < strs->sh_size &&
                            !strcmp((const char *)m + strs->sh_offset + sym[k].st_name, name)) {
                            value = sym[k].st_value;
                            break;
                        }
                }
            }
            munmap((void *)m, size);
        }
    }
    close(fd);
    return value;
}

int lst_check_program(const char *prog, char *resolved, size_t n, char *err, size_t errlen)
{
    char cand[PATH_MAX];
    if (!prog || !*prog) {
        snprintf(err, errlen, "no program given");
        return -1;
    }
    if (strchr(prog, '/')) {
        snprintf(cand, sizeof cand, "%s", prog);
    } else {
        const char *path = getenv("PATH");
        if (!path)
            path = "/usr/local/bin:/usr/bin:/bin";
        int found = 0;
        while (*path && !found) {
            const char *c = strchr(path, ':');
            size_t len = c ? (size_t)(c - path) : strlen(path);
            snprintf(cand, sizeof cand, "%.*s/%s", (int)len, len ? path : ".", prog);
            struct stat st;
            if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
                found = 1;
            path += len + (c ? 1 : 0);
        }
        if (!found) {
            snprintf(err, errlen, "program '%s' not found in PATH", prog);
            return -1;
        }
    }
    struct stat st;
    if (stat(cand, &st) != 0) {
        snprintf(err, errlen, "program '%s': %s", prog, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "program '%s' is a directory", prog);
        return -1;
    }
    if (!S_ISREG(st.st_mode) || access(cand, X_OK) != 0) {
        snprintf(err, errlen, "program '%s' is not an executable file", prog);
        return -1;
    }
    if (st.st_mode & (S_ISUID | S_ISGID)) {
        snprintf(err, errlen,
                 "program '%s' is setuid/setgid: the loader ignores LD_PRELOAD for it", prog);
        return -1;
    }
    char why[256] = "";
    int dyn = is_dynamic(cand, why, sizeof why);
    if (dyn < 0) {
        snprintf(err, errlen, "program '%s': %s", prog, why);
        return -1;
    }
    if (dyn == 0) {
        snprintf(err, errlen,
                 "program '%s' is statically linked: LD_PRELOAD cannot reach it (link it "
                 "dynamically)", prog);
        return -1;
    }
    char abs[PATH_MAX];
    snprintf(resolved, n, "%s", realpath(cand, abs) ? abs : cand);
    return 0;
}

int lst_prepare_outdir(const char *dir, char *err, size_t errlen)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0755);
            *p = '/';
        }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create output directory %s: %s", dir, strerror(errno));
        return -1;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "output path %s is not a directory", dir);
        return -1;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(err, errlen, "output directory %s is not writable", dir);
        return -1;
    }
    /* stores and sanitizer logs of an earlier run in the same directory would mix in */
    char tsan[PATH_MAX];
    snprintf(tsan, sizeof tsan, "%s/tsan", dir);
    lst_rm_rf(tsan);
    mkdir(tsan, 0755);
    char stores[PATH_MAX];
    snprintf(stores, sizeof stores, "%s/stores", dir);
    DIR *d = opendir(stores);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)))
            if (strncmp(de->d_name, "store.", 6) == 0) {
                char p[PATH_MAX + 300];
                snprintf(p, sizeof p, "%s/%s", stores, de->d_name);
                unlink(p);
            }
        closedir(d);
    }
    return 0;
}

static pid_t child_pid;

static void forward_signal(int sig)
{
    if (child_pid > 0)
        kill(child_pid, sig);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Maps the root process's store once the shim has created it. */
static void root_store_path(char *path, size_t size, const char *outdir, pid_t pid)
{
    snprintf(path, size, "%s/stores/store.%d.0", outdir, (int)pid);
}

static int open_root_store(const char *outdir, pid_t pid, lst_store_view *v)
{
    char path[PATH_MAX];
    root_store_path(path, sizeof path, outdir, pid);
    char err[256];
    if (access(path, R_OK) != 0)
        return -1;
    return lst_store_open(path, v, err, sizeof err);
}

/* Whether the shim ended the target (the root store's `ended`), from one read of the store's
 * header rather than a mapping of the whole store. 0 when there is no valid store. */
static int root_ended(const char *outdir, pid_t pid)
{
    char path[PATH_MAX];
    root_store_path(path, sizeof path, outdir, pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    static lst_store_hdr h;
    ssize_t n = pread(fd, &h, sizeof h, 0);
    close(fd);
    return n == (ssize_t)sizeof h && h.magic == LST_STORE_MAGIC && h.version == LST_STORE_VERSION &&
           atomic_load(&h.ended) != 0;
}

/* The target's LOCKSTEP_OPTIONS: the user's, then ours (ours win). With sched, it ends in
 * "sched_pid=" and the caller appends the scheduled process's pid. Returns NULL when out of
 * memory. The caller frees it. */
static char *target_options(const lst_run_opts *o)
{
    const char *old_opts = getenv("LOCKSTEP_OPTIONS");
    /* clang's static ThreadSanitizer: where its thread start routine is (see shim_thread.c);
     * looked up once per program, since explore starts the same one for every schedule */
    static char last_prog[PATH_MAX];
    static uint64_t tsan_start;
    if (strcmp(last_prog, o->argv[0]) != 0) {
        tsan_start = elf_symbol(o->argv[0], "__tsan_thread_start_func");
        snprintf(last_prog, sizeof last_prog, "%s", o->argv[0]);
    }
    char *opts = NULL;
    if (asprintf(&opts, "%s%sout=%s:cli=1:tsan_start=%llu%s%s%s", old_opts ? old_opts : "",
                 old_opts && *old_opts ? ":" : "", o->outdir, (unsigned long long)tsan_start,
                 o->options && *o->options ? ":" : "", o->options ? o->options : "",
                 o->sched ? ":sched_pid=" : "") < 0)
        return NULL;
    return opts;
}

/* Forks and execs the target with the shim preloaded and LOCKSTEP_OPTIONS=opts (plus the
 * child's pid when it ends in "sched_pid="). keep_fd (-1: none) stays open across the exec;
 * with it, the target dies with us (PR_SET_PDEATHSIG). Returns the pid, or -1 with err set. */
static pid_t spawn_target(const lst_run_opts *o, const char *opts, int keep_fd, char *err,
                          size_t errlen)
{
    const char *shim = lst_shim_path(err, errlen);
    if (!shim)
        return -1;
    char *preload = NULL;
    const char *old_pre = getenv("LD_PRELOAD");
    if (asprintf(&preload, "%s%s%s", shim, old_pre && *old_pre ? ":" : "", old_pre ? old_pre : "") <
        0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    fflush(NULL);
    int pipefd[2]; /* reports an exec failure from the child */
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        free(preload);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        free(preload);
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (pid == 0) {
        close(pipefd[0]);
        setenv("LD_PRELOAD", preload, 1);
        size_t n = strlen(opts);
        if (n >= 10 && !strcmp(opts + n - 10, "sched_pid=")) {
            char *full = NULL;
            if (asprintf(&full, "%s%d", opts, (int)getpid()) > 0)
                opts = full;
        }
        setenv("LOCKSTEP_OPTIONS", opts, 1);
        if (keep_fd >= 0) {
            fcntl(keep_fd, F_SETFD, 0);
            prctl(PR_SET_PDEATHSIG, SIGKILL);
        }
        /* A ThreadSanitizer build reports into our directory; its exit status stays the
         * program's own; lock-order inversions are ours to report (and TSan's detector
         * aborts above 64 held locks). The user's other TSAN_OPTIONS are kept. */
        const char *old_tsan = getenv("TSAN_OPTIONS");
        char *tsan = NULL;
        if (asprintf(&tsan, "%s%slog_path=%s/tsan/report exitcode=0 detect_deadlocks=0 symbolize=0%s%s",
                     old_tsan ? old_tsan : "", old_tsan && *old_tsan ? " " : "", o->outdir,
                     o->suppressions ? " suppressions=" : "",
                     o->suppressions ? o->suppressions : "") > 0)
            setenv("TSAN_OPTIONS", tsan, 1);
        if (o->quiet_target) {
            int dn = open("/dev/null", O_WRONLY);
            if (dn >= 0) {
                dup2(dn, 1);
                dup2(dn, 2);
                close(dn);
            }
        }
        execv(o->argv[0], o->argv);
        int e = errno;
        ssize_t w = write(pipefd[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    free(preload);
    close(pipefd[1]);
    int exec_errno = 0;
    if (read(pipefd[0], &exec_errno, sizeof exec_errno) == (ssize_t)sizeof exec_errno) {
        close(pipefd[0]);
        waitpid(pid, NULL, 0);
        snprintf(err, errlen, "cannot execute %s: %s", o->argv[0], strerror(exec_errno));
        return -1;
    }
    close(pipefd[0]);
    return pid;
}

/* Reads one message of the fork server; waits at most ms (-1: forever). Returns 1 with *m
 * filled, 0 on timeout, -1 when the server is gone or broke the protocol. */
static int server_read(int fd, lst_fs_msg *m, int ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    int k = poll(&p, 1, ms);
    if (k == 0)
        return 0;
    if (k < 0)
        return errno == EINTR ? 0 : -1;
    char *b = (char *)m;
    size_t got = 0;
    while (got < sizeof *m) {
        ssize_t r = read(fd, b + got, sizeof *m - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 1;
}

/* Watches a running target (pid) until it ends: the stall watchdog, the timeout, signals
 * passed on. The end is seen by waitpid (server < 0: our own child) or by the fork server's
 * STATUS message on its socket. Returns 0, or -1 when the fork server broke down (err set;
 * the target was killed). */
static int watch_target(const lst_run_opts *o, pid_t pid, int server, lst_run_result *res,
                        lst_report *r, char *err, size_t errlen)
{
    res->pid = pid;
    child_pid = pid;
    struct sigaction sa, old_int, old_term, old_hup;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);

    lst_store_view root = {0};
    lst_stall stall = {0};
    uint64_t start = now_ms();
    int status = 0, rc = 0, killed = 0;
    /* a pidfd (or the server's socket) wakes us the moment the target ends; without one,
     * poll every 20 ms */
    int pfd = server >= 0 ? -1 : (int)syscall(SYS_pidfd_open, pid, 0);
    for (;;) {
        if (server >= 0) {
            lst_fs_msg m;
            int k = server_read(server, &m, killed ? -1 : 50);
            if (k > 0 && m.type == LST_FS_STATUS && m.a == pid) {
                status = m.b;
                break;
            }
            if (k != 0) {
                snprintf(err, errlen, "the fork server broke down");
                kill(pid, SIGKILL);
                rc = -1;
                break;
            }
            if (killed)
                continue;
        } else {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid)
                break;
            if (w < 0 && errno != EINTR) {
                snprintf(err, errlen, "waitpid: %s", strerror(errno));
                break;
            }
            if (pfd >= 0) {
                struct pollfd p = {pfd, POLLIN, 0};
                poll(&p, 1, 50);
            } else {
                struct timespec ts = {0, 20 * 1000000L};
                nanosleep(&ts, NULL);
            }
        }
        uint64_t t = now_ms();
        if (!root.h)
            open_root_store(o->outdir, pid, &root);
        int end = 0;
        if (root.h && o->stall_ms && !atomic_load(&root.h->ended) &&
            lst_stall_check(root.h, &stall, t, o->stall_ms)) {
            lst_ctx ctx;
            lst_ctx_init(&ctx, root.h);
            lst_detect_stall(&ctx, r);
            lst_ctx_free(&ctx);
            res->stalled = 1;
            end = 1;
        } else if (o->timeout_s && t - start >= (uint64_t)o->timeout_s * 1000) {
            res->timed_out = 1;
            end = 1;
        }
        if (end) {
            kill(pid, SIGKILL);
            if (server >= 0) {
                killed = 1; /* the server reports the status */
                continue;
            }
            waitpid(pid, &status, 0);
            break;
        }
    }
    if (pfd >= 0)
        close(pfd);
    res->ended_by_shim = root.h ? atomic_load(&root.h->ended) != 0 : root_ended(o->outdir, pid);
    lst_store_close(&root);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    child_pid = 0;
    if (WIFEXITED(status)) {
        res->exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res->exit_signal = WTERMSIG(status);
    }
    return rc;
}

int lst_run_target(const lst_run_opts *o, lst_run_result *res, lst_report *r, char *err,
                   size_t errlen)
{
    memset(res, 0, sizeof *res);
    res->exit_code = -1;
    char *opts = target_options(o);
    if (!opts) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pid_t pid = spawn_target(o, opts, -1, err, errlen);
    free(opts);
    if (pid < 0)
        return -1;
    watch_target(o, pid, -1, res, r, err, errlen);
    return 0;
}

int lst_server_start(const lst_run_opts *o, lst_server *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    char why[256] = "";
    if (is_dynamic(o->argv[0], why, sizeof why) != 1 || is_script(o->argv[0])) {
        snprintf(err, errlen, "%s is a script", o->argv[0]);
        return 1;
    }
    if (elf_symbol(o->argv[0], "__tsan_thread_start_func")) {
        snprintf(err, errlen, "%s is built with ThreadSanitizer (its runtime is per process)",
                 o->argv[0]);
        return 1;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        return 1;
    }
    char opts[64];
    snprintf(opts, sizeof opts, "fork_server=%d", sv[1]);
    pid_t pid = spawn_target(o, opts, sv[1], err, errlen);
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        return -1;
    }
    s->pid = pid;
    s->fd = sv[0];
    lst_fs_msg m;
    uint64_t t0 = now_ms(), bound = (o->timeout_s ? o->timeout_s : 60) * 1000ULL;
    int k = 0;
    while ((k = server_read(s->fd, &m, 100)) == 0 && now_ms() - t0 < bound)
        ;
    if (k > 0 && m.type == LST_FS_READY)
        return 0;
    if (k > 0 && m.type == LST_FS_REFUSED)
        snprintf(err, errlen, "%s",
                 m.a == LST_FS_WHY_THREADS ? "the target runs threads before main"
                 : m.a == LST_FS_WHY_TSAN  ? "the target is built with ThreadSanitizer"
                                           : "the target refused it");
    else
        snprintf(err, errlen, "the target did not start it (is the shim preloaded?)");
    lst_server_stop(s);
    return 1;
}

int lst_run_forked(lst_server *s, const lst_run_opts *o, lst_run_result *res, lst_report *r,
                   char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    res->exit_code = -1;
    char *opts = target_options(o);
    if (!opts) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t n = strlen(opts);
    if (n > LST_FS_MAX_REQUEST) {
        free(opts);
        snprintf(err, errlen, "LOCKSTEP_OPTIONS too long for the fork server");
        return -1;
    }
    uint32_t len = (uint32_t)n;
    char buf[sizeof len + LST_FS_MAX_REQUEST];
    memcpy(buf, &len, sizeof len);
    memcpy(buf + sizeof len, opts, n);
    free(opts);
    fflush(NULL);
    lst_fs_msg m;
    if (write(s->fd, buf, sizeof len + n) != (ssize_t)(sizeof len + n) ||
        server_read(s->fd, &m, -1) <= 0 || m.type != LST_FS_CHILD || m.a <= 0) {
        snprintf(err, errlen, "the fork server did not start a child");
        return -1;
    }
    return watch_target(o, (pid_t)m.a, s->fd, res, r, err, errlen);
}

void lst_server_stop(lst_server *s)
{
    if (s->fd >= 0)
        close(s->fd); /* the server reads EOF and exits */
    s->fd = -1;
    if (s->pid > 0) {
        int st;
        pid_t w;
        for (int i = 0; i < 100 && (w = waitpid(s->pid, &st, WNOHANG)) == 0; i++) {
            struct timespec ts = {0, 10 * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (waitpid(s->pid, &st, WNOHANG) == 0) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &st, 0);
        }
    }
    s->pid = 0;
}

struct lst_suppressions *lst_load_suppressions(const char *cmd, const char *file, char *abs,
                                               size_t n)
{
    char err[1024];
    struct lst_suppressions *s = lst_suppressions_load(file, err, sizeof err);
    if (!s) {
        lst_err(cmd, "%s", err);
        return NULL;
    }
    if (!realpath(file, abs))
        snprintf(abs, n, "%s", file);
    return s;
}

long lst_num_arg(const char *s)
{
    char *end;
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    long v = strtol(s, &end, 10);
    return *end || errno || v < 0 || v > INT_MAX ? -1 : v;
}

void lst_rm_rf(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d))) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            char p[PATH_MAX + 300];
            snprintf(p, sizeof p, "%s/%s", path, de->d_name);
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
                lst_rm_rf(p);
            else
                unlink(p);
        }
        closedir(d);
    }
    rmdir(path);
}

/* Orders store.<pid>.<gen> names by pid, then generation, as numbers. */
static int cmp_store(const void *a, const void *b)
{
    unsigned long pa = 0, ga = 0, pb = 0, gb = 0;
    sscanf(*(char *const *)a, "store.%lu.%lu", &pa, &ga);
    sscanf(*(char *const *)b, "store.%lu.%lu", &pb, &gb);
    if (pa != pb)
        return pa < pb ? -1 : 1;
    return ga < gb ? -1 : ga > gb;
}

void lst_collect(const char *outdir, lst_report *r, unsigned max_cycles)
{
    lst_collect_with(outdir, r, max_cycles, NULL, NULL);
}

void lst_collect_with(const char *outdir, lst_report *r, unsigned max_cycles, const char *name,
                      lst_store_view *open_view)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/stores", outdir);
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strncmp(de->d_name, "store.", 6) != 0)
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_store);
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX + 300], err[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        lst_store_view v;
        int given = name && open_view && strcmp(names[i], name) == 0;
        if (given) {
            v = *open_view;
        } else if (lst_store_open(path, &v, err, sizeof err) != 0) {
            lst_report_add_limit(r, err);
            free(names[i]);
            continue;
        }
        lst_ctx ctx;
        lst_ctx_init(&ctx, v.h);
        lst_detect_events(&ctx, r);
        lst_detect_lockorder(&ctx, r, max_cycles);
        lst_detect_limits(&ctx, r);
        lst_ctx_free(&ctx);
        if (!given)
            lst_store_close(&v);
        free(names[i]);
    }
    free(names);
    /* ThreadSanitizer's reports, symbolized against the modules of their own process */
    lst_report tsan;
    lst_report_init(&tsan);
    snprintf(dir, sizeof dir, "%s/tsan", outdir);
    lst_tsan_collect(dir, &tsan);
    for (size_t i = 0; i < tsan.nfindings; i++) {
        lst_finding *f = &tsan.findings[i];
        char path[PATH_MAX + 64], err[512];
        root_store_path(path, sizeof path, outdir, f->process);
        lst_store_view v;
        if (lst_store_open(path, &v, err, sizeof err) == 0) {
            lst_ctx ctx;
            lst_ctx_init(&ctx, v.h);
            lst_ctx_resolve(&ctx, f);
            lst_ctx_free(&ctx);
            lst_store_close(&v);
        }
        lst_tsan_describe(f);
        lst_finding_fingerprint(f);
        lst_report_take(r, f, 0);
    }
    for (size_t i = 0; i < tsan.nlimits; i++)
        lst_report_add_limit(r, tsan.limits[i]);
    tsan.nfindings = 0;
    lst_report_free(&tsan);
    lst_report_dedupe(r);
}

void lst_add_exit_findings(lst_report *r, const lst_run_result *res, int nonzero_is_failure)
{
    r->exit_code = res->exit_signal ? -1 : res->exit_code;
    r->exit_signal = res->exit_signal;
    if (res->ended_by_shim || res->stalled)
        return; /* the deadlock finding says it all; we ended the target */
    lst_finding *f = NULL;
    if (res->timed_out) {
        f = lst_report_add_finding(r, LST_KIND_HANG);
        lst_finding_set_message(f, "hang: the target did not finish within the time bound and was "
                                   "stopped");
    } else if (res->exit_signal) {
        f = lst_report_add_finding(r, LST_KIND_TARGET_FAILURE);
        lst_finding_set_message(f, "target-failure: the target was killed by signal %d (%s)",
                                res->exit_signal, strsignal(res->exit_signal));
    } else if (nonzero_is_failure && res->exit_code != 0) {
        f = lst_report_add_finding(r, LST_KIND_TARGET_FAILURE);
        lst_finding_set_message(f, "target-failure: the target exited with status %d",
                                res->exit_code);
    }
    if (f) {
        f->process = res->pid;
        lst_finding_fingerprint(f);
    }
}
