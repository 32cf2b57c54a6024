/* shim_store.h: the shim's writers into the store (store.h): lock identities, held-lock
 * chains, the stack depot, events. All lock-free and allocation-free; each table has a
 * fixed capacity and names its limit in one line when full. */
#ifndef LST_SHIM_STORE_H
#define LST_SHIM_STORE_H

#include <stdint.h>

#include "store.h"

/* Returns the current instance id of the lock at addr, creating one (of kind) if the address
 * is new or its previous instance was destroyed. Returns 0 when a table is full. */
uint32_t lst_lock_get(uintptr_t addr, uint32_t kind) __attribute__((visibility("hidden")));
/* Returns the current instance id of the lock at addr without creating one (0: unknown). */
uint32_t lst_lock_find(uintptr_t addr) __attribute__((visibility("hidden")));
/* Ends the identity of the lock at addr (destroy or re-init): its next use is a new lock. */
void lst_lock_forget(uintptr_t addr) __attribute__((visibility("hidden")));

/* Mixes a chain key from the context key, lock, mode and call site. Never 0. */
static inline uint64_t lst_chain_key(uint64_t ctx, uint32_t lock, uint32_t mode, uint64_t pc)
{
    uint64_t x = ctx ^ ((uint64_t)lock * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)mode << 61) ^
                 (pc * 0xc2b2ae3d27d4eb4fULL);
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 29;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 32;
    return x ? x : 1;
}

/* Looks up the chain `key`; when it is new, records it (parent chain, lock, mode, depth, pc)
 * with a freshly captured stack. Sets *stack to the chain's stack id. Returns the chain id,
 * or 0 when the table is full. This is the hot path: a known chain costs one probe. */
uint32_t lst_chain_get(uint64_t key, uint32_t parent, uint32_t lock, uint32_t mode,
                       uint32_t depth, uint64_t pc, uint32_t thread, uint32_t *stack)
    __attribute__((visibility("hidden")));
/* The same, but a new chain takes stack `known` (where the lock was really taken) instead of
 * a fresh capture: used when the held list is re-chained after an out-of-order release. */
uint32_t lst_chain_get_known(uint64_t key, uint32_t parent, uint32_t lock, uint32_t mode,
                             uint32_t depth, uint64_t pc, uint32_t thread, uint32_t known)
    __attribute__((visibility("hidden")));

/* Captures the caller's stack (shim frames skipped) into the depot; returns its id or 0. */
uint32_t lst_stack_capture(void) __attribute__((visibility("hidden")));
/* Prepares stack capture: finds the shim's own code range and warms the unwinder up. */
void lst_stack_init(void) __attribute__((visibility("hidden")));

/* Reserves an event record of kind; fill it, then call lst_event_publish(). NULL if full. */
lst_event_rec *lst_event_new(uint32_t kind) __attribute__((visibility("hidden")));
void lst_event_publish(lst_event_rec *e) __attribute__((visibility("hidden")));

#endif
