/* cli.h: what the lockstep subcommands share: exit codes, the one-line error helper, where
 * the shim is, checking a target program before running it, and running a target under the
 * shim with the watchdogs. Runs in the lockstep process. */
#ifndef LST_CLI_H
#define LST_CLI_H

#include <stddef.h>
#include <sys/types.h>

#include "finding.h"

/* Exit codes. Findings use 66 like ThreadSanitizer; never 77 or 99 (skip / hard error in
 * CTest, Automake and Meson). */
enum {
    LST_EXIT_OK = 0,
    LST_EXIT_USAGE = 2,     /* usage error or bad input (missing program, corrupt file...) */
    LST_EXIT_FINDINGS = 66,
    LST_EXIT_INTERNAL = 70, /* lockstep itself failed (EX_SOFTWARE) */
};

/* Prints "lockstep: <cmd>: <message>" on one line to stderr. */
void lst_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* After getopt_long (with opterr = 0 and ':' leading the option string, after any '+')
 * returned ch ('?' or ':'): names the unknown option, or the option missing its value, in one
 * line and returns LST_EXIT_USAGE. */
int lst_bad_option(const char *cmd, char **argv, int ch);

/* Path of liblockstep.so next to this binary (../lib/ from bin/), or NULL with err set. */
const char *lst_shim_path(char *err, size_t errlen);

/* Resolves prog like execvp would and checks that LD_PRELOAD can reach it: it exists, is a
 * regular executable file, is not setuid/setgid, and is dynamically linked (or a script).
 * Writes the resolved path. Returns 0, or -1 with a one-line reason in err. */
int lst_check_program(const char *prog, char *resolved, size_t n, char *err, size_t errlen);

/* Creates dir (and parents) and checks it is writable. Returns 0, or -1 with err set. */
int lst_prepare_outdir(const char *dir, char *err, size_t errlen);

typedef struct lst_run_opts {
    const char *cmd;       /* subcommand name, for messages */
    const char *outdir;    /* absolute output directory */
    char *const *argv;     /* target argv; argv[0] already resolved */
    unsigned timeout_s;    /* whole-run bound (0: none) -> hang */
    unsigned stall_ms;     /* every thread blocked this long -> deadlock (0: off) */
    const char *options;   /* extra LOCKSTEP_OPTIONS appended after the user's */
    int sched;             /* serialized mode: schedule the target process itself only */
    int quiet_target;      /* send the target's stdout/stderr to /dev/null */
    const char *suppressions; /* absolute path, also given to ThreadSanitizer, or NULL */
} lst_run_opts;

typedef struct lst_run_result {
    pid_t pid;
    int exit_code;         /* -1 when killed by a signal */
    int exit_signal;
    int ended_by_shim;     /* the shim stopped the target after a deadlock */
    int stalled;           /* our watchdog stopped it: all threads blocked */
    int timed_out;         /* our watchdog stopped it: timeout */
} lst_run_result;

/* Runs the target under the shim, passing stdin/stdout/stderr through, watching its store
 * for a stall and the clock for the timeout. A stall is analysed from the live store into
 * r before the target is killed. Returns 0, or -1 with err set when it could not start. */
int lst_run_target(const lst_run_opts *o, lst_run_result *res, lst_report *r, char *err,
                   size_t errlen);

/* A fork server: the target started once under the shim and stopped before main, which
 * forks one child per schedule (see store.h for the protocol, docs/design.md). */
typedef struct lst_server {
    pid_t pid; /* the server process (our child) */
    int fd;    /* our end of its socket */
} lst_server;

/* Starts a fork server for o->argv (o->outdir and o->options are not used: each request
 * carries its own). Returns 0 when it is ready; 1 when it cannot be used here (a script, a
 * ThreadSanitizer build, threads before main, the shim not reached), with the one-line
 * reason in err: the caller runs one process per schedule instead; -1 when the target could
 * not be started at all (err set). */
int lst_server_start(const lst_run_opts *o, lst_server *s, char *err, size_t errlen);
/* As lst_run_target, with the target forked by the server instead of exec'd. Returns 0, or
 * -1 when the server broke down (err set): the caller stops it and runs this schedule
 * again with lst_run_target. */
int lst_run_forked(lst_server *s, const lst_run_opts *o, lst_run_result *res, lst_report *r,
                   char *err, size_t errlen);
/* Ends the server (closes its socket; kills it if it does not exit) and reaps it. */
void lst_server_stop(lst_server *s);

/* Reads every store in outdir/stores and adds what the detectors find to r. */
void lst_collect(const char *outdir, lst_report *r, unsigned max_cycles);
/* The same, with the store file `name` (in OUTDIR/stores/) already open as *open_view, which
 * is used instead of mapping that file again and left open. */
struct lst_store_view;
void lst_collect_with(const char *outdir, lst_report *r, unsigned max_cycles, const char *name,
                      struct lst_store_view *open_view);

/* Adds the target's end (signal, non-zero exit when nonzero_is_failure, timeout) to r. */
void lst_add_exit_findings(lst_report *r, const lst_run_result *res, int nonzero_is_failure);

/* Subcommands. argv[0] is the subcommand's name. Each returns the process exit code. */
int lst_cmd_run(int argc, char **argv);
int lst_cmd_report(int argc, char **argv);
int lst_cmd_cases(int argc, char **argv);
int lst_cmd_explore(int argc, char **argv);
int lst_cmd_replay(int argc, char **argv);
int lst_cmd_baseline(int argc, char **argv);
int lst_cmd_merge(int argc, char **argv);
int lst_cmd_collect(int argc, char **argv);

/* Loads --suppressions FILE for command cmd (one-line error and NULL on a bad file); the
 * absolute path is written to abs for ThreadSanitizer. */
struct lst_suppressions *lst_load_suppressions(const char *cmd, const char *file, char *abs,
                                               size_t n);

/* Parses a non-negative decimal option value; returns -1 when invalid. */
long lst_num_arg(const char *s);
/* Removes a directory tree (best effort). */
void lst_rm_rf(const char *path);

#endif
