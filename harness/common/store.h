/* store.h: the layout of a lockstep store, the file through which the shim (inside the
 * target) hands what it saw to the lockstep process. The shim maps it MAP_SHARED and fills
 * it while the program runs; the CLI maps it too, watches it live (stall watchdog) and reads
 * it afterwards, even when the target crashed or was killed. Every table has a fixed
 * capacity chosen at creation, is append-only, and is written lock-free: a record is filled
 * first and published last (release store of its id or valid flag). One store per process:
 * a forked child copies its parent's store into its own file. */
#ifndef LST_STORE_H
#define LST_STORE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define LST_STORE_MAGIC   0x31524f5453545344ULL /* "DSTSTOR1" */
#define LST_STORE_VERSION 3
#define LST_MAX_FRAMES    32
#define LST_PATH_MAX      256

/* Lock kinds, as recorded in a lock instance. */
enum {
    LST_LOCK_MUTEX = 0,     /* PTHREAD_MUTEX_NORMAL / DEFAULT */
    LST_LOCK_RECURSIVE = 1, /* PTHREAD_MUTEX_RECURSIVE */
    LST_LOCK_ERRORCHECK = 2,
    LST_LOCK_RWLOCK = 3,
    LST_LOCK_SPIN = 4,
};

/* Acquisition modes (bits). */
enum {
    LST_MODE_WRITE = 0, /* exclusive: mutex, spinlock, rwlock write */
    LST_MODE_READ = 1,  /* shared: rwlock read */
    LST_MODE_TRY = 2,   /* acquired by a successful trylock or timedlock */
};

/* What a thread is blocked in (thread record's wait_kind). */
enum {
    LST_WAIT_NONE = 0,
    LST_WAIT_MUTEX,   /* wait_obj: mutex/spinlock address; wait_lock: instance */
    LST_WAIT_RDLOCK,  /* rwlock read */
    LST_WAIT_WRLOCK,  /* rwlock write */
    LST_WAIT_COND,    /* wait_obj: condvar; wait_lock: the mutex instance */
    LST_WAIT_SEM,
    LST_WAIT_JOIN,    /* wait_lock: joined thread's index */
    LST_WAIT_BARRIER,
    LST_WAIT_COUNT
};

/* Thread record states. */
enum {
    LST_THREAD_FREE = 0,
    LST_THREAD_STARTING, /* record claimed by pthread_create, thread not yet running */
    LST_THREAD_RUNNING,
    LST_THREAD_EXITED,
    LST_THREAD_GONE,     /* existed in the parent; not copied into this child by fork */
    LST_THREAD_FAILED,   /* pthread_create failed */
};

/* Event kinds (events region). */
enum {
    LST_EV_NONE = 0,
    LST_EV_SELF_DEADLOCK,   /* thread relocks a non-recursive lock it holds */
    LST_EV_DEADLOCK,        /* one record per thread of a wait-for cycle, same group */
    LST_EV_UNLOCK_NOT_OWNER,
    LST_EV_UNLOCK_UNLOCKED,
    LST_EV_DESTROY_LOCKED,
    LST_EV_EXIT_HOLDING,    /* thread exited while holding lock */
    LST_EV_FORK_HELD,       /* fork while another thread holds lock */
    LST_EV_COUNT
};

/* Capacity limits (bits of header.limits_hit). */
enum {
    LST_LIMIT_THREADS = 1u << 0,
    LST_LIMIT_HELD = 1u << 1,
    LST_LIMIT_LOCK_SLOTS = 1u << 2,
    LST_LIMIT_LOCKS = 1u << 3,
    LST_LIMIT_CHAINS = 1u << 4,
    LST_LIMIT_STACKS = 1u << 5,
    LST_LIMIT_EVENTS = 1u << 6,
    LST_LIMIT_MODULES = 1u << 7,
    LST_LIMIT_TRACE = 1u << 8,
    LST_LIMIT_STACK_SLOTS = 1u << 9,
};

typedef struct lst_caps {
    uint32_t threads;     /* thread records */
    uint32_t held;        /* locks held at once by one thread */
    uint32_t lock_slots;  /* address table slots, power of two */
    uint32_t locks;       /* lock instance records */
    uint32_t chain_slots; /* chain hash slots, power of two */
    uint32_t chains;      /* chain records */
    uint32_t stack_slots; /* stack depot slots, power of two */
    uint32_t stacks;      /* stack records */
    uint32_t events;
    uint32_t modules;
    uint32_t depth;       /* frames captured per stack, <= LST_MAX_FRAMES */
    uint32_t trace;       /* scheduler choices recorded */
} lst_caps;

/* A lock this thread holds. lock is atomically cleared to 0 if another thread unlocks it. */
typedef struct lst_held {
    _Atomic uint32_t lock; /* lock instance id, 0 = empty slot */
    uint32_t chain;        /* chain record of this acquisition */
    uint32_t stack;        /* stack record where it was taken */
    uint16_t mode;
    uint16_t recursion;    /* extra recursive acquisitions */
    uint64_t key;          /* chain key of the context after this acquisition */
    uint64_t pc;           /* caller's return address */
    uint64_t addr;         /* the lock's address (the shim's unlock fast path) */
    uint32_t epoch;        /* the shim's lock epoch + 1 when lock was looked up at addr */
    uint32_t pad;
} lst_held;

typedef struct lst_thread_rec {
    _Atomic uint32_t state;
    int32_t tid;                 /* kernel thread id */
    int32_t parent;              /* creating thread's index, -1 for the main thread */
    uint32_t create_stack;       /* stack where pthread_create was called */
    uint64_t self;               /* pthread_t */
    uint64_t start_fn;           /* start routine (for naming), set by pthread_create */
    uint64_t start_arg;
    char name[16];
    _Atomic uint32_t wait_kind;  /* LST_WAIT_* */
    _Atomic uint32_t wait_seq;   /* bumped at every new wait; a stalled thread keeps it */
    _Atomic uint64_t wait_obj;
    _Atomic uint32_t wait_lock;
    _Atomic uint32_t wait_stack;
    _Atomic uint32_t nheld;
    _Atomic uint32_t ops;        /* intercepted calls, for liveness */
    _Atomic uint32_t holes;      /* 1: another thread released one of this thread's locks */
    uint32_t pad;
} lst_thread_rec;

/* A slot of the lock address table: one word, tag << 32 | lock instance id, 0 = free. The tag
 * is the high half of the address's hash; the address itself is in the lock record, which a
 * probe reads only when the tag matches. A destroy marks the record (LST_LOCKF_DESTROYED);
 * the next use of the address swaps a new instance id into the same slot. */
typedef struct lst_lock_slot {
    _Atomic uint64_t word;
} lst_lock_slot;

typedef struct lst_lock_rec {
    uint64_t addr;
    _Atomic uint32_t chain0; /* its first chain taken with nothing held (depth 0), found from
                                here rather than through the chain table; 0 = none yet */
    uint16_t kind;
    _Atomic uint16_t flags; /* LST_LOCKF_* */
} lst_lock_rec;
#define LST_LOCKF_DESTROYED   1u
#define LST_LOCKF_WRITER_PREF 2u /* an rwlock preferring writers: a reader can wait behind readers */

/* A slot of the stack depot's index: the key and the id of its record. */
typedef struct lst_slot {
    _Atomic uint64_t key;
    _Atomic uint32_t id;
    uint32_t pad;
} lst_slot;

/* A slot of the chain table: one word, (key >> 32) << 32 | chain id, 0 = free. The full key
 * is in the chain record, which a probe reads only when the high half matches. */
typedef struct lst_chain_slot {
    _Atomic uint64_t word;
} lst_chain_slot;

/* A chain: the acquisition of lock `lock` in `mode` while the locks of chain `parent` were
 * held (parent 0: nothing held). The call site is mixed into `key` and kept in `stack`.
 * Edges (held lock -> lock) are derived by the CLI from the parent links, so recording an
 * acquisition costs one hash lookup once seen. A lock's first chain with nothing held is
 * reached from its lock record (chain0), without a chain slot: a program with many locks
 * taken one at a time pays no chain-table slot for them. */
typedef struct lst_chain_rec {
    uint64_t key;
    uint32_t parent;
    uint32_t lock;
    uint32_t stack;
    uint32_t thread; /* first thread that made it */
    uint16_t mode;
    uint16_t depth;        /* number of locks held before this one */
    _Atomic uint8_t multi; /* 1 once a second thread made it too */
    _Atomic uint8_t valid; /* 1 once filled (just before it is published); 0: unused (its
                              key was published by another thread first, or no slot) */
    uint16_t pad;
} lst_chain_rec;
/* The store's memory per lock and per lock order depends on these sizes (README, Benchmarks). */
_Static_assert(sizeof(lst_lock_slot) == 8 && sizeof(lst_lock_rec) == 16, "lock record size");
_Static_assert(sizeof(lst_chain_slot) == 8 && sizeof(lst_chain_rec) == 32, "chain record size");

typedef struct lst_stack_rec {
    _Atomic uint32_t valid;
    uint32_t n;
    uint64_t pcs[LST_MAX_FRAMES];
} lst_stack_rec;

typedef struct lst_event_rec {
    _Atomic uint32_t valid;
    uint32_t kind;
    uint32_t group;   /* deadlock: shared by the records of one cycle */
    uint32_t thread;
    uint32_t lock;    /* lock instance concerned */
    uint32_t stack;   /* where it happened (for deadlock: where the thread blocks) */
    uint32_t stack2;  /* deadlock: where the awaited lock was taken by its holder; misuse: where the lock was taken */
    uint32_t other;   /* deadlock: thread holding the awaited lock; misuse: owning thread */
    uint32_t wait_kind;
    uint32_t pad;
    uint64_t addr;
} lst_event_rec;

typedef struct lst_module_rec {
    _Atomic uint32_t valid;
    uint32_t pad;
    uint64_t bias;
    uint64_t lo, hi;
    char path[LST_PATH_MAX];
} lst_module_rec;

/* Scheduler state of one thread (serialized mode). Only the thread holding the baton writes
 * these, except `turn`, the futex word through which the baton is handed over. */
enum {
    LST_SCHED_NONE = 0,
    LST_SCHED_RUNNABLE,
    LST_SCHED_BLOCKED,  /* waits for block_obj (lock, condvar, semaphore, join, barrier) */
    LST_SCHED_SLEEPING, /* waits for the virtual clock to reach wake_ns */
    LST_SCHED_EXITED,
    LST_SCHED_OUTSIDE,  /* blocked outside intercepted calls: runs free, unscheduled */
};
typedef struct lst_sched_rec {
    _Atomic uint32_t turn;  /* 1: holds the baton; 0: waits; 2: asleep in FUTEX_WAIT */
    uint32_t state;
    uint32_t block_kind;    /* LST_WAIT_* */
    uint32_t wake_reason;   /* LST_WAKE_* */
    uint64_t block_obj;
    uint64_t wake_ns;       /* SLEEPING or timed wait: virtual deadline (0: none) */
    uint64_t prio;          /* PCT priority */
    uint64_t cond_seq;      /* order of arrival in a condition wait */
} lst_sched_rec;
enum { LST_WAKE_NONE = 0, LST_WAKE_SIGNAL, LST_WAKE_TIMEOUT, LST_WAKE_SPURIOUS, LST_WAKE_CANCEL };

/* A recorded choice: value in the low 24 bits, kind in the top 8. */
enum {
    LST_CHOICE_THREAD = 1,   /* value: thread index that runs next */
    LST_CHOICE_WAKE = 2,     /* value: index among a condvar's waiters that a signal wakes */
    LST_CHOICE_SPURIOUS = 3, /* value: 0/1, or 1 + waiter index woken spuriously */
    LST_CHOICE_TIMEOUT = 4,  /* value: thread index whose timed wait times out now */
};
#define LST_CHOICE(kind, v) (((uint32_t)(kind) << 24) | ((uint32_t)(v) & 0xffffff))

/* Operations at a scheduling point (hashed into the replay check, listed in traces). */
#define LST_OPS(X)                                                                               \
    X(LOCK, "lock") X(TRYLOCK, "trylock") X(UNLOCK, "unlock") X(COND_WAIT, "cond-wait")          \
    X(COND_SIGNAL, "cond-signal") X(COND_BROADCAST, "cond-broadcast") X(SEM_WAIT, "sem-wait")    \
    X(SEM_POST, "sem-post") X(BARRIER, "barrier") X(CREATE, "create") X(JOIN, "join")            \
    X(EXIT, "exit") X(YIELD, "yield") X(SLEEP, "sleep") X(FORK, "fork") X(START, "start")
enum {
    LST_OP_NONE = 0,
#define X(e, name) LST_OP_##e,
    LST_OPS(X)
#undef X
    LST_OP_COUNT
};

/* One scheduling point of the interleaving (serialized mode): who, doing what, on which
 * object (a lock id or thread index; 0 when it has no stable identity). */
typedef struct lst_step_rec {
    uint32_t thread;
    uint32_t op;
    uint64_t obj;
} lst_step_rec;

/* Scheduler flags (header.sched_flags). */
enum {
    LST_SF_DEADLOCK = 1u << 0,       /* every thread blocked */
    LST_SF_HANG = 1u << 1,           /* step bound exceeded */
    LST_SF_NOT_REPLAYABLE = 1u << 2, /* a thread blocked outside intercepted calls */
    LST_SF_DIVERGED = 1u << 3,       /* replay: the target did not follow the schedule */
    LST_SF_TRACE_FULL = 1u << 4,
};

typedef struct lst_store_hdr {
    uint64_t magic;
    uint32_t version;
    uint32_t hdr_size;
    uint64_t size;            /* file size */
    lst_caps caps;
    uint64_t off_threads, off_held, off_lock_slots, off_locks, off_chain_slots, off_chains,
        off_stack_slots, off_stacks, off_events, off_modules;
    int32_t pid;
    int32_t ppid;
    int32_t parent_store_pid; /* pid whose store this one was copied from at fork, or 0 */
    uint32_t generation;      /* exec generation within the pid */
    _Atomic uint32_t nthreads, nlocks, nchains, nstacks, nevents, nmodules;
    _Atomic uint32_t limits_hit;
    _Atomic uint32_t ended;   /* 1: the shim ended the target after a deadlock */
    _Atomic uint32_t exiting; /* 1: exit() has begun */
    _Atomic uint64_t ops;     /* intercepted calls in total */
    char exe[LST_PATH_MAX];
    /* serialized mode */
    uint32_t sched_on;
    _Atomic uint32_t sched_current; /* thread holding the baton */
    _Atomic uint64_t sched_steps;   /* scheduling points passed */
    uint64_t sched_hash;            /* FNV-1a over (thread, operation, object) of each point */
    uint64_t vclock_ns;             /* virtual time */
    _Atomic uint32_t sched_flags;   /* LST_SF_* */
    _Atomic uint32_t ntrace;        /* choices recorded */
    uint32_t trace_cap;
    uint32_t diverged_at;           /* replay: index of the first choice that did not fit */
    uint64_t off_sched, off_trace, off_steps;
} lst_store_hdr;

/* Typed accessors over a mapped store base (valid in both the shim and the CLI). */
#define LST_AT(base, off, type) ((type *)((char *)(base) + (off)))
static inline lst_thread_rec *lst_st_thread(lst_store_hdr *h, uint32_t i)
{
    return LST_AT(h, h->off_threads, lst_thread_rec) + i;
}
static inline lst_held *lst_st_held(lst_store_hdr *h, uint32_t thread)
{
    return LST_AT(h, h->off_held, lst_held) + (size_t)thread * h->caps.held;
}
static inline lst_lock_slot *lst_st_lock_slots(lst_store_hdr *h)
{
    return LST_AT(h, h->off_lock_slots, lst_lock_slot);
}
static inline lst_lock_rec *lst_st_lock(lst_store_hdr *h, uint32_t id)
{
    return LST_AT(h, h->off_locks, lst_lock_rec) + id;
}
static inline lst_chain_slot *lst_st_chain_slots(lst_store_hdr *h)
{
    return LST_AT(h, h->off_chain_slots, lst_chain_slot);
}
static inline lst_chain_rec *lst_st_chain(lst_store_hdr *h, uint32_t id)
{
    return LST_AT(h, h->off_chains, lst_chain_rec) + id;
}
static inline lst_slot *lst_st_stack_slots(lst_store_hdr *h)
{
    return LST_AT(h, h->off_stack_slots, lst_slot);
}
static inline lst_stack_rec *lst_st_stack(lst_store_hdr *h, uint32_t id)
{
    return LST_AT(h, h->off_stacks, lst_stack_rec) + id;
}
static inline lst_event_rec *lst_st_event(lst_store_hdr *h, uint32_t i)
{
    return LST_AT(h, h->off_events, lst_event_rec) + i;
}
static inline lst_module_rec *lst_st_module(lst_store_hdr *h, uint32_t i)
{
    return LST_AT(h, h->off_modules, lst_module_rec) + i;
}
static inline lst_sched_rec *lst_st_sched(lst_store_hdr *h, uint32_t i)
{
    return LST_AT(h, h->off_sched, lst_sched_rec) + i;
}
static inline lst_step_rec *lst_st_steps(lst_store_hdr *h)
{
    return LST_AT(h, h->off_steps, lst_step_rec);
}
static inline uint32_t *lst_st_trace(lst_store_hdr *h)
{
    return LST_AT(h, h->off_trace, uint32_t);
}

/* Computes the region offsets and total size for caps into the (zeroed) header h.
 * Ids 0 of locks, chains and stacks are reserved as "none". */
static inline void lst_store_layout(lst_store_hdr *h, const lst_caps *caps)
{
    uint64_t off = (sizeof(lst_store_hdr) + 4095) & ~4095ULL;
#define LST_REGION(field, count, type)                                                           \
    do {                                                                                         \
        h->field = off;                                                                          \
        off += ((uint64_t)(count) * sizeof(type) + 4095) & ~4095ULL;                             \
    } while (0)
    h->caps = *caps;
    LST_REGION(off_threads, caps->threads, lst_thread_rec);
    LST_REGION(off_held, (uint64_t)caps->threads * caps->held, lst_held);
    LST_REGION(off_lock_slots, caps->lock_slots, lst_lock_slot);
    LST_REGION(off_locks, caps->locks, lst_lock_rec);
    LST_REGION(off_chain_slots, caps->chain_slots, lst_chain_slot);
    LST_REGION(off_chains, caps->chains, lst_chain_rec);
    LST_REGION(off_stack_slots, caps->stack_slots, lst_slot);
    LST_REGION(off_stacks, caps->stacks, lst_stack_rec);
    LST_REGION(off_events, caps->events, lst_event_rec);
    LST_REGION(off_modules, caps->modules, lst_module_rec);
    LST_REGION(off_sched, caps->threads, lst_sched_rec);
    LST_REGION(off_trace, caps->trace, uint32_t);
    LST_REGION(off_steps, caps->trace, lst_step_rec);
    h->trace_cap = caps->trace;
#undef LST_REGION
    h->magic = LST_STORE_MAGIC;
    h->version = LST_STORE_VERSION;
    h->hdr_size = sizeof(lst_store_hdr);
    h->size = off;
}

/* The fork server's protocol (explore's worker <-> the shim in a target stopped before main,
 * over a socketpair whose target end is LOCKSTEP_OPTIONS fork_server=FD). The server sends
 * one READY or REFUSED first. Then, per schedule, the worker sends a u32 length and that
 * many bytes: the complete LOCKSTEP_OPTIONS of the schedule, ending in "sched_pid=" (the
 * child appends its pid). The server forks, answers CHILD with the child's pid, waits for
 * it and answers STATUS with its raw wait status. EOF on the socket ends the server. */
enum {
    LST_FS_READY = 1,
    LST_FS_REFUSED = 2, /* a: LST_FS_WHY_* */
    LST_FS_CHILD = 3,   /* a: pid of the child (-errno when fork failed) */
    LST_FS_STATUS = 4,  /* a: pid, b: wait status */
};
enum {
    LST_FS_WHY_THREADS = 1, /* the process had more than one thread at start-up */
    LST_FS_WHY_TSAN = 2,    /* a ThreadSanitizer runtime is loaded */
};
#define LST_FS_MAX_REQUEST 1000 /* LOCKSTEP_OPTIONS must stay below the shim's 1024 */
typedef struct lst_fs_msg {
    uint32_t type;
    int32_t a, b;
} lst_fs_msg;

#endif
