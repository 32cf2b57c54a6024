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
static int open_root_store(const char *outdir, pid_t pid, lst_store_view *v)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/stores/store.%d.0", outdir, (int)pid);
    char err[256];
    if (access(path, R_OK) != 0)
        return -1;
    return lst_store_open(path, v, err, sizeof err);
}

int lst_run_target(const lst_run_opts *o, lst_run_result *res, lst_report *r, char *err,
                   size_t errlen)
{
    memset(res, 0, sizeof *res);
    res->exit_code = -1;
    const char *shim = lst_shim_path(err, errlen);
    if (!shim)
        return -1;
    char *preload = NULL, *opts = NULL;
    const char *old_pre = getenv("LD_PRELOAD");
    const char *old_opts = getenv("LOCKSTEP_OPTIONS");
    /* clang's static ThreadSanitizer: where its thread start routine is (see shim_thread.c) */
    uint64_t tsan_start = elf_symbol(o->argv[0], "__tsan_thread_start_func");
    if (asprintf(&preload, "%s%s%s", shim, old_pre && *old_pre ? ":" : "", old_pre ? old_pre : "") < 0 ||
        asprintf(&opts, "%s%sout=%s:cli=1:tsan_start=%llu%s%s", old_opts ? old_opts : "",
                 old_opts && *old_opts ? ":" : "", o->outdir, (unsigned long long)tsan_start,
                 o->options && *o->options ? ":" : "", o->options ? o->options : "") < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    fflush(NULL);
    int pipefd[2]; /* reports an exec failure from the child */
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        close(pipefd[0]);
        setenv("LD_PRELOAD", preload, 1);
        if (o->sched) {
            char *full = NULL;
            if (asprintf(&full, "%s:sched_pid=%d", opts, (int)getpid()) > 0)
                opts = full;
        }
        setenv("LOCKSTEP_OPTIONS", opts, 1);
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
    free(opts);
    close(pipefd[1]);
    int exec_errno = 0;
    if (read(pipefd[0], &exec_errno, sizeof exec_errno) == (ssize_t)sizeof exec_errno) {
        close(pipefd[0]);
        waitpid(pid, NULL, 0);
        snprintf(err, errlen, "cannot execute %s: %s", o->argv[0], strerror(exec_errno));
        return -1;
    }
    close(pipefd[0]);
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
    int status = 0;
    /* a pidfd wakes us the moment the target ends; without one, poll every 20 ms */
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    for (;;) {
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
        uint64_t t = now_ms();
        if (!root.h)
            open_root_store(o->outdir, pid, &root);
        if (root.h && o->stall_ms && !atomic_load(&root.h->ended) &&
            lst_stall_check(root.h, &stall, t, o->stall_ms)) {
            lst_ctx ctx;
            lst_ctx_init(&ctx, root.h);
            lst_detect_stall(&ctx, r);
            lst_ctx_free(&ctx);
            res->stalled = 1;
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        if (o->timeout_s && t - start >= (uint64_t)o->timeout_s * 1000) {
            res->timed_out = 1;
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
    }
    if (pfd >= 0)
        close(pfd);
    if (!root.h)
        open_root_store(o->outdir, pid, &root);
    if (root.h)
        res->ended_by_shim = atomic_load(&root.h->ended) != 0;
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
    return 0;
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
        if (lst_store_open(path, &v, err, sizeof err) != 0) {
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
        snprintf(path, sizeof path, "%s/stores/store.%d.0", outdir, f->process);
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
