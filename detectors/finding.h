/* finding.h: the findings structure, the only contract between lockstep's detectors and its
 * report writers. Detectors fill an lst_report (never printing anything); writers render one
 * (never seeing raw events). The JSON reader rebuilds the same structure from report.json, so
 * `lockstep report DIR` can render any output directory again. All strings are owned by the
 * structure (copied in) and freed by lst_report_free(). */
#ifndef LST_FINDING_H
#define LST_FINDING_H

#include <stddef.h>
#include <stdint.h>

#define LST_REPORT_SCHEMA_VERSION 1

typedef enum lst_kind {
#define X(e, name, desc) LST_KIND_##e,
#include "kinds.def"
#undef X
    LST_KIND_COUNT
} lst_kind;

/* One symbolized frame. Any string may be NULL when unknown; line is 0 when unknown. */
typedef struct lst_frame {
    uint64_t pc;
    char *function;
    char *file;
    int line;
    char *module;
} lst_frame;

/* A stack with the role it plays in the finding, e.g. "held" (where a held lock was taken),
 * "acquire" (where the next lock was requested), "blocked", "created" (thread creation),
 * "write"/"read" (a racing access), "alloc" (heap block allocation). thread and lock are ids
 * within the finding (-1 when not applicable). */
typedef struct lst_stack {
    char *role;
    int thread;
    int lock;
    lst_frame *frames;
    size_t nframes;
} lst_stack;

typedef struct lst_thread {
    int id;          /* lockstep's thread number: 0 is the main thread */
    char *name;      /* "main", "T1", or the name set with pthread_setname_np */
    int created;     /* index into stacks[] of the creation stack, or -1 */
} lst_thread;

typedef struct lst_lock {
    int id;          /* lockstep's lock instance number: a reused address is a new id */
    char *name;      /* a global's symbol name ("lock_a") or "mutex@0x..." */
    char *type;      /* "mutex", "recursive-mutex", "errorcheck-mutex", "rwlock", "spinlock" */
    uint64_t addr;
} lst_lock;

/* A lock-order edge: while holding from_lock (taken at held_stack) the thread requested
 * to_lock (at acquire_stack). mode is "write", "read" or "try" for the acquisition. */
typedef struct lst_edge {
    int from_lock;
    int to_lock;
    int thread;
    int held_stack;
    int acquire_stack;
    char *mode;
} lst_edge;

/* A memory access of a data race (from ThreadSanitizer). */
typedef struct lst_access {
    char *type;      /* "read" or "write" */
    int size;
    int thread;
    int stack;       /* index into stacks[] */
    int atomic;
} lst_access;

typedef struct lst_finding {
    lst_kind kind;
    char *message;
    char fingerprint[17]; /* 16 hex digits, stable across runs and machines */
    unsigned count;       /* how many times (runs, schedules) it was seen */
    char *reason;         /* for notes: why this is not reported as a finding */
    char *schedule;       /* schedule file that replays it, or NULL */
    char *variable;       /* data races: the variable or heap block, or NULL */
    int process;          /* pid of the process that saw it (0 when unknown) */
    int baselined;        /* its fingerprint is in the --baseline: reported, never fails */
    lst_thread *threads;
    size_t nthreads;
    lst_lock *locks;
    size_t nlocks;
    lst_stack *stacks;
    size_t nstacks;
    lst_edge *edges;
    size_t nedges;
    lst_access *accesses;
    size_t naccesses;
} lst_finding;

typedef struct lst_report {
    int schema_version;
    char *tool_version;
    char *mode;          /* "run", "explore", "replay" */
    char **argv;
    size_t argc;
    int exit_code;       /* the target's exit code, or -1 when it died of a signal */
    int exit_signal;     /* the signal that ended the target, or 0 */
    char *schedule;      /* the schedule file of this run, or NULL */
    unsigned schedules;  /* explore: how many schedules ran */
    unsigned shard;      /* explore --shard I/N: I (1-based) and N; both 0 when not sharded */
    unsigned shards;
    char *baseline;      /* the --baseline file the findings were compared with, or NULL */
    lst_finding *findings;
    size_t nfindings;
    lst_finding *notes;  /* patterns that are deliberately not findings (see docs/rules.md) */
    size_t nnotes;
    char **limits;       /* one line per capacity limit that was hit */
    size_t nlimits;
} lst_report;

/* Name of a kind as it appears in reports ("lock-order-cycle"). */
const char *lst_kind_name(lst_kind k);
/* One-line description of a kind. */
const char *lst_kind_desc(lst_kind k);
/* Kind from its report name; returns -1 when unknown. */
int lst_kind_from_name(const char *name);

/* Initializes an empty report. */
void lst_report_init(lst_report *r);
/* Frees everything the report owns; the report is left empty and reusable. */
void lst_report_free(lst_report *r);
/* Appends a zeroed finding (or note) of kind k and returns it; count starts at 1. */
lst_finding *lst_report_add_finding(lst_report *r, lst_kind k);
lst_finding *lst_report_add_note(lst_report *r, lst_kind k, const char *reason);
/* Frees what one finding owns (used when a duplicate is dropped); *f is zeroed. */
void lst_finding_release(lst_finding *f);
/* Moves *src (a finding or, with note != 0, a note) into dst; src is left zeroed. */
lst_finding *lst_report_take(lst_report *dst, lst_finding *src, int note);
/* Finds a finding (or note) of kind k with this fingerprint, or NULL. */
lst_finding *lst_report_find(lst_report *r, lst_kind k, const char *fingerprint, int note);
/* Records a capacity-limit line (copied). */
void lst_report_add_limit(lst_report *r, const char *line);
/* Sets the argv copy. */
void lst_report_set_argv(lst_report *r, int argc, char *const argv[]);

/* Builders: each copies its strings and returns the new element's index. */
int lst_finding_add_thread(lst_finding *f, int id, const char *name, int created_stack);
int lst_finding_add_lock(lst_finding *f, int id, const char *name, const char *type, uint64_t addr);
int lst_finding_add_stack(lst_finding *f, const char *role, int thread, int lock);
void lst_stack_add_frame(lst_stack *s, uint64_t pc, const char *function, const char *file,
                         int line, const char *module);
int lst_finding_add_edge(lst_finding *f, int from_lock, int to_lock, int thread, int held_stack,
                         int acquire_stack, const char *mode);
int lst_finding_add_access(lst_finding *f, const char *type, int size, int thread, int stack,
                           int atomic);
/* Sets a string field (message, reason, schedule, variable) from a printf format. */
void lst_finding_set_message(lst_finding *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Index of the thread/lock with that id in the finding, or -1. */
int lst_finding_thread_index(const lst_finding *f, int id);
int lst_finding_lock_index(const lst_finding *f, int id);

/* Computes f->fingerprint from the kind and the symbolized source sites (function, file
 * basename, line) of its stacks, so it is stable across runs, machines and ASLR. Sites are
 * sorted, so the same cycle found from another starting lock gets the same fingerprint. */
void lst_finding_fingerprint(lst_finding *f);

/* 64-bit FNV-1a over a buffer, continuing from h (start with LST_FNV_INIT). */
#define LST_FNV_INIT 0xcbf29ce484222325ULL
uint64_t lst_fnv1a(uint64_t h, const void *buf, size_t n);

#endif
