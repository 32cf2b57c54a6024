/* analyze.h: the detectors that read a store (harness/common/store.h) after, or while, the
 * target runs, and turn what it holds into findings (finding.h): lock-order cycles, actual
 * deadlocks and self-deadlocks, misuse, and stalls (every live thread blocked). They run in
 * the lockstep process, may allocate, and never print. */
#ifndef LST_ANALYZE_H
#define LST_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "store.h"
#include "symbolize.h"

/* A store file mapped read-only. */
typedef struct lst_store_view {
    lst_store_hdr *h;
    size_t size;
    char path[4096];
} lst_store_view;

/* Maps the store at path and checks its header. Returns 0, or -1 with a one-line reason. */
int lst_store_open(const char *path, lst_store_view *v, char *err, size_t errlen);
void lst_store_close(lst_store_view *v);

/* What the detectors share: the store being read and the symbolizer for its modules. */
typedef struct lst_ctx {
    lst_store_hdr *h;
    lst_symbolizer *sym;
} lst_ctx;

/* Prepares ctx for the store h: registers its modules with a new symbolizer. */
void lst_ctx_init(lst_ctx *ctx, lst_store_hdr *h);
void lst_ctx_free(lst_ctx *ctx);

/* Adds thread t of the store to f (with its creation stack); returns its id in f. */
int lst_ctx_thread(lst_ctx *ctx, lst_finding *f, uint32_t t);
/* Adds lock instance `lock` to f, named after its global variable when it has one. */
int lst_ctx_lock(lst_ctx *ctx, lst_finding *f, uint32_t lock);
/* Adds the symbolized stack `stack` with a role; returns its index in f->stacks or -1. */
int lst_ctx_stack(lst_ctx *ctx, lst_finding *f, const char *role, uint32_t stack, int thread,
                  int lock);
/* Resolves, in place, the frames of s that carry only a module name and an offset (as
 * ThreadSanitizer prints them with symbolize=0) against the store's modules, expanding
 * inlined code into several frames. A variable of the form "global@MODULE+0xOFF" becomes
 * "global 'name'". Frames already symbolized are kept. */
void lst_ctx_resolve(lst_ctx *ctx, lst_finding *f);
/* A lock's display name ("lock_a", "accounts+16", "mutex@0x..."), malloc'd. */
char *lst_ctx_lock_name(lst_ctx *ctx, uint32_t lock);

/* Lock-order cycles from the chains: findings for potential deadlocks, notes for cycles
 * that cannot deadlock (single thread, gate lock, trylock, read-read). Identical cycles
 * (same acquisition sites) are merged with a count. max_cycles bounds the enumeration
 * (0: no bound); hitting it adds a limit line. */
void lst_detect_lockorder(lst_ctx *ctx, lst_report *r, unsigned max_cycles);
/* Deadlocks, self-deadlocks and misuse recorded by the shim as events. */
void lst_detect_events(lst_ctx *ctx, lst_report *r);
/* Capacity limits the shim hit, as report lines. */
void lst_detect_limits(lst_ctx *ctx, lst_report *r);

/* Stall watchdog state: every live thread blocked in an untimed wait, with no progress. */
typedef struct lst_stall {
    uint64_t since_ms;  /* when the current blocked state was first seen, 0: not stalled */
    uint64_t signature; /* hash of the wait sequence numbers seen then */
} lst_stall;
/* Looks at the live store; returns 1 once every live thread has been blocked, unchanged,
 * for at least stall_ms. */
int lst_stall_check(lst_store_hdr *h, lst_stall *s, uint64_t now_ms, unsigned stall_ms);
/* Reports the stall as a deadlock finding: each thread, what it waits in, and where. */
void lst_detect_stall(lst_ctx *ctx, lst_report *r);

/* Merges findings with the same fingerprint (adding counts); keeps the first. */
void lst_report_dedupe(lst_report *r);

#endif
