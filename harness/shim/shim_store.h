/* shim_store.h: the shim's writers into the store (store.h): lock identities, held-lock
 * chains, the stack depot, events. All lock-free and allocation-free; each table has a
 * fixed capacity and names its limit in one line when full. */
#ifndef LST_SHIM_STORE_H
#define LST_SHIM_STORE_H

#include <stdatomic.h>
#include <stdint.h>

#include "store.h"

#define LST_HIDDEN __attribute__((visibility("hidden")))

/* A per-thread direct-mapped cache of address -> lock instance, so that a known lock costs
 * no shared lookup. Any destroy or re-init anywhere bumps the epoch and empties every
 * thread's cache, which keeps "a destroyed lock whose address is reused is a new lock".
 * The tag is the address with the lock's kind class (mutex, rwlock, spinlock) in its two low
 * bits, so that the same address used as another kind of lock misses the cache and gets a
 * new instance without reading the lock record. Only 4-aligned addresses are cached. */
typedef struct lst_lcache_ent {
    uintptr_t tag; /* addr | kind class */
    uint32_t lock;
    uint32_t epoch; /* lst_lock_epoch + 1 when filled; 0 = empty */
} lst_lcache_ent;
#define LST_LCACHE 64
extern __thread lst_lcache_ent lst_lcache[LST_LCACHE] LST_HIDDEN;
extern _Atomic uint32_t lst_lock_epoch LST_HIDDEN;

/* The kind class of a lock: kinds of the same class share one pthread object type. */
static inline uintptr_t lst_kind_class(uint32_t kind)
{
    return kind == LST_LOCK_RWLOCK ? 1 : kind == LST_LOCK_SPIN ? 2 : 0;
}
static inline lst_lcache_ent *lst_lcache_slot(uintptr_t addr)
{
    return &lst_lcache[(addr >> 3 ^ addr >> 9) & (LST_LCACHE - 1)];
}

uint32_t lst_lock_get_miss(uintptr_t addr, uint32_t kind, lst_lcache_ent *e,
                           uint32_t ep) LST_HIDDEN;
uint32_t lst_lock_find_miss(uintptr_t addr) LST_HIDDEN;

/* Returns the current instance id of the lock at addr, creating one (of kind) if the address
 * is new or its previous instance was destroyed. Returns 0 when a table is full. */
static inline uint32_t lst_lock_get(uintptr_t addr, uint32_t kind)
{
    lst_lcache_ent *e = lst_lcache_slot(addr);
    uint32_t ep = atomic_load_explicit(&lst_lock_epoch, memory_order_acquire) + 1;
    if (__builtin_expect(
            e->tag == (addr | lst_kind_class(kind)) && e->epoch == ep && e->lock && !(addr & 3), 1))
        return e->lock;
    return lst_lock_get_miss(addr, kind, e, ep);
}
/* Returns the current instance id of the lock at addr without creating one (0: unknown). */
static inline uint32_t lst_lock_find(uintptr_t addr)
{
    lst_lcache_ent *e = lst_lcache_slot(addr);
    if ((e->tag & ~(uintptr_t)3) == addr &&
        e->epoch == atomic_load_explicit(&lst_lock_epoch, memory_order_acquire) + 1)
        return e->lock;
    return lst_lock_find_miss(addr);
}
/* Ends the identity of the lock at addr (destroy or re-init): its next use is a new lock. */
void lst_lock_forget(uintptr_t addr) __attribute__((visibility("hidden")));

/* Mixes a chain key from the context key, lock, mode and call site. Never 0. One 64x64->128
 * multiply folded (as in wyhash): it sits on the lock's critical path, so it must be short. */
static inline uint64_t lst_chain_key(uint64_t ctx, uint32_t lock, uint32_t mode, uint64_t pc)
{
    unsigned __int128 m = (unsigned __int128)(ctx ^ pc ^ 0x9e3779b97f4a7c15ULL) *
                          (((uint64_t)lock << 1 | mode) ^ 0xbf58476d1ce4e5b9ULL);
    uint64_t x = (uint64_t)m ^ (uint64_t)(m >> 64);
    return x ? x : 1;
}

/* A per-thread direct-mapped cache of the chains this thread has already looked up: chain key
 * -> (chain id, stack id). A hit needs no shared lookup: chains are never deleted, and this
 * thread has already been counted in the chain's `thread`/`multi`. */
typedef struct lst_ccache_ent {
    uint64_t key; /* 0 = empty (chain keys are never 0) */
    uint32_t chain;
    uint32_t stack;
} lst_ccache_ent;
#define LST_CCACHE 128
extern __thread lst_ccache_ent lst_ccache[LST_CCACHE] LST_HIDDEN;

uint32_t lst_chain_get_miss(uint64_t key, uint32_t parent, uint32_t lock, uint32_t mode,
                            uint32_t depth, uint64_t pc, uint32_t thread, uint32_t *stack,
                            lst_ccache_ent *e) LST_HIDDEN;

/* Looks up the chain `key`; when it is new, records it (parent chain, lock, mode, depth, pc)
 * with a freshly captured stack. Sets *stack to the chain's stack id. Returns the chain id,
 * or 0 when the table is full. This is the hot path: a chain this thread has seen costs one
 * thread-local probe, one seen by other threads only one shared probe. */
static inline uint32_t lst_chain_get(uint64_t key, uint32_t parent, uint32_t lock, uint32_t mode,
                                     uint32_t depth, uint64_t pc, uint32_t thread, uint32_t *stack)
{
    lst_ccache_ent *e = &lst_ccache[(key >> 40) & (LST_CCACHE - 1)];
    if (__builtin_expect(e->key == key, 1)) {
        *stack = e->stack;
        return e->chain;
    }
    return lst_chain_get_miss(key, parent, lock, mode, depth, pc, thread, stack, e);
}
/* A per-thread direct-mapped cache of whole acquisitions: a hash of (context key, lock
 * address, kind class, read mode, call site) -> lock id, chain, stack and the context key
 * after the acquisition. It is filled only when this thread took the lock fresh (not a relock,
 * not past max_held), so a hit means that the chain is already recorded and that this thread
 * does not hold the lock: the context key names the held sequence, which did not contain the
 * lock when the entry was filled. Epoch-checked like the lock cache, for the lock's identity.
 * A hit replaces the lock-cache probe, the chain-key multiply and the chain-cache probe. Like
 * chain keys, the 64-bit hash stands for the tuple. */
typedef struct lst_acache_ent {
    uint64_t hash; /* lst_acq_hash() of the acquisition */
    uint64_t pad;
    lst_held img; /* the held entry it pushes (key: the context after it; epoch: lst_lock_epoch
                   * + 1 when filled, 0 = empty) */
} lst_acache_ent;
#define LST_ACACHE 128
extern __thread lst_acache_ent lst_acache[LST_ACACHE] LST_HIDDEN;

/* One 64x64->128 multiply folded, like lst_chain_key(); the kind class and read mode sit in
 * address bits no user address has. */
static inline uint64_t lst_acq_hash(uint64_t ctx, uintptr_t addr, uint32_t cls, uint32_t mode,
                                    uint64_t pc)
{
    uint64_t b = (uint64_t)addr ^ (uint64_t)(cls << 1 | (mode & LST_MODE_READ)) << 58;
    unsigned __int128 m =
        (unsigned __int128)(ctx ^ pc ^ 0xa0761d6478bd642fULL) * (b ^ 0xe7037ed1a0b428dbULL);
    return (uint64_t)m ^ (uint64_t)(m >> 64);
}
static inline lst_acache_ent *lst_acache_slot(uint64_t hash)
{
    return &lst_acache[(hash >> 32) & (LST_ACACHE - 1)];
}
/* The entry for this acquisition, or NULL. */
static inline lst_acache_ent *lst_acache_find(uint64_t ctx, uintptr_t addr, uint32_t cls,
                                              uint32_t mode, uint64_t pc)
{
    uint64_t hash = lst_acq_hash(ctx, addr, cls, mode, pc);
    lst_acache_ent *e = lst_acache_slot(hash);
    if (__builtin_expect(e->hash == hash &&
                             e->img.epoch ==
                                 atomic_load_explicit(&lst_lock_epoch, memory_order_acquire) + 1,
                         1))
        return e;
    return 0;
}

/* The same, but a new chain takes stack `known` (where the lock was really taken) instead of
 * a fresh capture: used when the held list is re-chained after an out-of-order release. */
uint32_t lst_chain_get_known(uint64_t key, uint32_t parent, uint32_t lock, uint32_t mode,
                             uint32_t depth, uint64_t pc, uint32_t thread, uint32_t known)
    __attribute__((visibility("hidden")));

/* Empties the calling thread's lock and chain caches and restarts the chain table at its
 * first level, for a process whose store was replaced by an empty one (a fork server's fresh
 * store). The copy made for a forked child keeps the ids, so fork itself needs no reset. */
void lst_store_caches_reset(void) __attribute__((visibility("hidden")));

/* Captures the caller's stack (shim frames skipped) into the depot; returns its id or 0. */
uint32_t lst_stack_capture(void) __attribute__((visibility("hidden")));
/* Prepares stack capture: finds the shim's own code range and warms the unwinder up. */
void lst_stack_init(void) __attribute__((visibility("hidden")));
/* Sets libunwind's caches up in a process with no store yet (the fork server), so that every
 * child it forks inherits them. */
void lst_stack_warm(void) __attribute__((visibility("hidden")));
/* In a fork child: frees the unwinder if a thread that is gone held it at the fork. */
void lst_stack_fork_child(void) __attribute__((visibility("hidden")));

/* Reserves an event record of kind; fill it, then call lst_event_publish(). NULL if full. */
lst_event_rec *lst_event_new(uint32_t kind) __attribute__((visibility("hidden")));
void lst_event_publish(lst_event_rec *e) __attribute__((visibility("hidden")));

#endif
