/* shim_store.c: lock-free, allocation-free writers for the store's tables. Every hash table
 * uses open addressing with linear probing and claims a slot with one compare-and-swap; a
 * record is filled before its id is published, so a reader never sees a half-written one.
 * Keys are never deleted: a destroyed lock keeps its address slot, and its record is marked
 * destroyed until a new instance takes the slot. */
#define _GNU_SOURCE
#include "shim_store.h"

#include <dlfcn.h>
#include <pthread.h>
#include <link.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "shim.h"

static inline uint64_t mix_addr(uint64_t a)
{
    a ^= a >> 33;
    a *= 0xff51afd7ed558ccdULL;
    a ^= a >> 33;
    return a;
}

/* Linear probing in the slot tables stops after this many slots: a (nearly) full table then
 * costs a bounded search per lookup instead of a scan of every slot, and counts as full. */
#define MAX_PROBES 1024u

/* Takes the next index of a fixed-capacity table (its counter in the header). When the table
 * is full, names the limit once and returns FULL. */
#define FULL UINT32_MAX
static uint32_t alloc_id(_Atomic uint32_t *counter, uint32_t cap, uint32_t bit, const char *what,
                         const char *option, uint32_t shown)
{
    uint32_t id = atomic_fetch_add(counter, 1);
    if (LST_LIKELY(id < cap))
        return id;
    atomic_store(counter, cap);
    lst_limit_hit(bit, what, option, shown);
    return FULL;
}

/* ---- levels ----------------------------------------------------------------------- */

/* The lock address table and the chain table are split in levels: level 0 is slots
 * [0, LEVEL0), level l >= 1 is [LEVEL0 << (l-1), LEVEL0 << l). Keys go to the first levels
 * first, so the pages of a table that a process touches grow with its keys, not with the
 * table's size: a single sparse table touches every one of its pages once it holds a few
 * thousand keys. A table of at most LEVEL0 slots is one level. */
#define LEVEL0 4096u

static void level_range(uint32_t l, uint32_t nslots, uint32_t *base, uint32_t *size)
{
    if (nslots <= LEVEL0) {
        *base = 0;
        *size = nslots;
        return;
    }
    *base = l ? LEVEL0 << (l - 1) : 0;
    *size = l ? LEVEL0 << (l - 1) : LEVEL0;
}

static uint32_t level_count(uint32_t nslots)
{
    uint32_t n = 1;
    while (nslots > (LEVEL0 << (n - 1)))
        n++;
    return n;
}

/* ---- locks ------------------------------------------------------------------------ */

/* An address's probe sequence in the lock address table: LOCK_WINDOW slots from its home
 * slot in level 0, then LOCK_WINDOW from its home in level 1 (another hash), and so on, and
 * up to MAX_PROBES in the last level. An address goes into the first free slot of its
 * sequence and slots are never freed, so two threads that insert one address at once meet
 * at the same slot (one identity), and a lookup ends at the first free slot it meets. A
 * level takes keys until their windows fill (most of its slots), then they spill over. */
#define LOCK_WINDOW 32u
typedef struct lock_seq {
    uint64_t hash;
    uint32_t nslots, nlevels, level, base, mask, i, left;
} lock_seq;

static void seq_level(lock_seq *q)
{
    uint32_t size;
    level_range(q->level, q->nslots, &q->base, &size);
    q->mask = size - 1;
    q->i = (uint32_t)(q->level ? mix_addr(q->hash + q->level) : q->hash) & q->mask;
    uint32_t window = q->level + 1 >= q->nlevels ? MAX_PROBES : LOCK_WINDOW;
    q->left = size < window ? size : window;
}

static void seq_start(lock_seq *q, lst_store_hdr *h, uint64_t hash)
{
    q->hash = hash;
    q->nslots = h->caps.lock_slots;
    q->nlevels = level_count(q->nslots);
    q->level = 0;
    seq_level(q);
}

/* The next slot of the sequence, or NULL at its end (the table counts as full). */
static lst_lock_slot *seq_next(lock_seq *q, lst_lock_slot *slots)
{
    while (q->left == 0) {
        if (q->level + 1 >= q->nlevels)
            return NULL;
        q->level++;
        seq_level(q);
    }
    q->left--;
    lst_lock_slot *s = &slots[q->base + q->i];
    q->i = (q->i + 1) & q->mask;
    return s;
}

/* The address table holds one word per slot (store.h, lst_lock_slot): a tag from the
 * address's hash and the id of the address's current lock record, which holds the address.
 * So a slot costs 8 bytes, and a probe reads a record only when the tag matches. */
static inline uint64_t slot_word(uint32_t tag, uint32_t id)
{
    return (uint64_t)tag << 32 | id;
}

/* 1 when the slot word w is that of addr (tag, then the address in its record). */
static inline int slot_is(lst_store_hdr *h, uint64_t w, uint32_t tag, uintptr_t addr)
{
    return (uint32_t)(w >> 32) == tag && lst_st_lock(h, (uint32_t)w)->addr == (uint64_t)addr;
}

static void lock_slots_full(void)
{
    lst_limit_hit(LST_LIMIT_LOCK_SLOTS,
                  "too many distinct lock addresses; further locks are not tracked", "lock_slots",
                  lst_store->caps.lock_slots);
}

/* The slot of addr, with its word in *w; NULL when addr has none. */
static lst_lock_slot *lock_slot_find(uintptr_t addr, uint64_t *w)
{
    lst_store_hdr *h = lst_store;
    lst_lock_slot *slots = lst_st_lock_slots(h), *s;
    uint64_t hash = mix_addr(addr);
    uint32_t tag = (uint32_t)(hash >> 32);
    lock_seq q;
    seq_start(&q, h, hash);
    while ((s = seq_next(&q, slots))) {
        *w = atomic_load_explicit(&s->word, memory_order_acquire);
        if (*w == 0)
            return NULL;
        if (slot_is(h, *w, tag, addr))
            return s;
    }
    lock_slots_full();
    return NULL;
}

__thread lst_lcache_ent lst_lcache[LST_LCACHE] __attribute__((tls_model("initial-exec")));
_Atomic uint32_t lst_lock_epoch;

static uint32_t lock_get_slow(uintptr_t addr, uint32_t kind);

uint32_t lst_lock_get_miss(uintptr_t addr, uint32_t kind, lst_lcache_ent *e, uint32_t ep)
{
    uint32_t id = lock_get_slow(addr, kind);
    if (LST_LIKELY(!(addr & 3))) {
        e->tag = addr | lst_kind_class(kind);
        e->lock = id;
        e->epoch = ep;
    }
    return id;
}

/* A new lock record for addr (not yet published); 0 when the table is full. */
static uint32_t lock_new(uintptr_t addr, uint32_t kind)
{
    lst_store_hdr *h = lst_store;
    uint32_t nid = alloc_id(&h->nlocks, h->caps.locks, LST_LIMIT_LOCKS,
                            "too many lock instances; further locks are not tracked", "max_locks",
                            h->caps.locks - 1);
    if (nid == FULL)
        return 0;
    lst_lock_rec *r = lst_st_lock(h, nid);
    r->addr = addr;
    r->kind = (uint16_t)kind;
    /* glibc honours only PREFER_WRITER_NONRECURSIVE_NP; PREFER_WRITER_NP behaves as readers */
    if (kind == LST_LOCK_RWLOCK &&
        ((pthread_rwlock_t *)addr)->__data.__flags == PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP)
        atomic_store(&r->flags, LST_LOCKF_WRITER_PREF);
    return nid;
}

/* 1 when instance id is still the lock at its address for a use as kind. */
static inline int lock_current(lst_store_hdr *h, uint32_t id, uint32_t kind)
{
    lst_lock_rec *r = lst_st_lock(h, id);
    return !(atomic_load_explicit(&r->flags, memory_order_relaxed) & LST_LOCKF_DESTROYED) &&
           lst_kind_class(r->kind) == lst_kind_class(kind);
}

/* Finds addr's slot, or claims a free one with a new record. A destroyed instance, or the
 * same address now used as another kind of lock (freed without destroy), gets a new record
 * swapped into the same slot. A record made for a race that another thread won stays unused. */
static uint32_t lock_get_slow(uintptr_t addr, uint32_t kind)
{
    lst_store_hdr *h = lst_store;
    lst_lock_slot *slots = lst_st_lock_slots(h), *s;
    uint64_t hash = mix_addr(addr);
    uint32_t tag = (uint32_t)(hash >> 32), nid = 0;
    lock_seq q;
    seq_start(&q, h, hash);
    while ((s = seq_next(&q, slots))) {
        uint64_t w = atomic_load_explicit(&s->word, memory_order_acquire);
        if (w == 0) {
            if (!nid && !(nid = lock_new(addr, kind)))
                return 0;
            if (atomic_compare_exchange_strong(&s->word, &w, slot_word(tag, nid)))
                return nid;
            /* w: the word of whoever took the slot first */
        }
        if (!slot_is(h, w, tag, addr))
            continue;
        for (;;) {
            if (LST_LIKELY(lock_current(h, (uint32_t)w, kind)))
                return (uint32_t)w;
            if (!nid && !(nid = lock_new(addr, kind)))
                return 0;
            if (atomic_compare_exchange_strong(&s->word, &w, slot_word(tag, nid)))
                return nid;
        }
    }
    lock_slots_full();
    return 0;
}

uint32_t lst_lock_find_miss(uintptr_t addr)
{
    uint64_t w;
    if (!lock_slot_find(addr, &w))
        return 0;
    uint32_t id = (uint32_t)w;
    lst_lock_rec *r = lst_st_lock(lst_store, id);
    return atomic_load_explicit(&r->flags, memory_order_acquire) & LST_LOCKF_DESTROYED ? 0 : id;
}

void lst_lock_forget(uintptr_t addr)
{
    atomic_fetch_add_explicit(&lst_lock_epoch, 1, memory_order_acq_rel);
    uint64_t w;
    if (lock_slot_find(addr, &w))
        atomic_fetch_or(&lst_st_lock(lst_store, (uint32_t)w)->flags, LST_LOCKF_DESTROYED);
}

/* ---- chains ----------------------------------------------------------------------- */

static uint32_t chain_get(uint64_t key, uint32_t parent, uint32_t lock, uint32_t mode,
                          uint32_t depth, uint32_t thread, uint32_t *stack, uint32_t known);

__thread lst_ccache_ent lst_ccache[LST_CCACHE] __attribute__((tls_model("initial-exec")));
__thread lst_acache_ent lst_acache[LST_ACACHE] __attribute__((tls_model("initial-exec")));

uint32_t lst_chain_get_miss(uint64_t key, uint32_t parent, uint32_t lock, uint32_t mode,
                            uint32_t depth, uint64_t pc, uint32_t thread, uint32_t *stack,
                            lst_ccache_ent *e)
{
    (void)pc; /* mixed into key; the record keeps the stack */
    uint32_t id = chain_get(key, parent, lock, mode, depth, thread, stack, 0);
    if (id) {
        e->key = key;
        e->chain = id;
        e->stack = *stack;
    }
    return id;
}

uint32_t lst_chain_get_known(uint64_t key, uint32_t parent, uint32_t lock, uint32_t mode,
                             uint32_t depth, uint64_t pc, uint32_t thread, uint32_t known)
{
    uint32_t stack;
    (void)pc;
    return chain_get(key, parent, lock, mode, depth, thread, &stack, known ? known : UINT32_MAX);
}

/* The chain slots (caps.chain_slots, a power of two) are filled level by level (see levels
 * above). New keys go into the newest level; a lookup probes every level up to the newest.
 * A level takes keys until it is half full (the last one, 3/4), which keeps
 * probes short; then the free slots of every level are used, so the capacity is still
 * chain_slots. Two threads that race to record one new key while
 * the newest level changes may both record it (two chains with one key): harmless, both carry
 * the same lock order and the detectors merge instances per edge. */
static _Atomic uint32_t chain_top;      /* newest level */
static _Atomic uint32_t chain_used[33]; /* keys claimed per level */

/* A chain to record: its fields, and the id of its record once made (0: not yet; FULL: the
 * chain records are used up). The record is made only when a free slot is found for it. */
typedef struct chain_req {
    uint64_t key;
    uint32_t parent, lock, mode, depth, thread, known;
    uint32_t id;
} chain_req;

/* Makes the record of q (once), filled and marked valid: it is valid before it is published,
 * so that a target killed in between leaves it readable (a duplicate chain at worst, which the
 * detectors merge). Returns its id, or 0 when the chain records are used up. */
static uint32_t chain_new(lst_store_hdr *h, chain_req *q)
{
    if (q->id)
        return q->id == FULL ? 0 : q->id;
    q->id = alloc_id(&h->nchains, h->caps.chains, LST_LIMIT_CHAINS,
                     "too many held-lock chains; new lock orders are not recorded", "max_chains",
                     h->caps.chains - 1);
    if (q->id == FULL)
        return 0;
    lst_chain_rec *c = lst_st_chain(h, q->id);
    c->key = q->key;
    c->parent = q->parent;
    c->lock = q->lock;
    c->stack = q->known == UINT32_MAX ? 0 : q->known ? q->known : lst_stack_capture();
    c->thread = q->thread;
    c->mode = (uint16_t)q->mode;
    c->depth = (uint16_t)(q->depth > 0xffff ? 0xffff : q->depth);
    atomic_store_explicit(&c->valid, 1, memory_order_release);
    return q->id;
}

/* Leaves the record of q (if made) unused: the key was published by another thread first,
 * or there was no slot for it. */
static void chain_drop(lst_store_hdr *h, chain_req *q)
{
    if (q->id && q->id != FULL)
        atomic_store_explicit(&lst_st_chain(h, q->id)->valid, 0, memory_order_release);
}

/* Probes slots[base, base+size) for key (a slot holds the key's high half and a chain id; a
 * match is confirmed on the chain's own key). Returns the chain id found; or, when q is not
 * NULL, publishes the record of q (made now if need be) in a free slot and returns its id; or
 * 0 when key is not there (q: no free slot within reach, or no record left). */
static uint32_t level_probe(lst_store_hdr *h, lst_chain_slot *slots, uint32_t base, uint32_t size,
                            uint64_t key, chain_req *q)
{
    uint32_t mask = size - 1, tag = (uint32_t)(key >> 32);
    uint32_t i = (uint32_t)key & mask;
    for (uint32_t probes = 0; probes < size && probes < MAX_PROBES; probes++, i = (i + 1) & mask) {
        lst_chain_slot *s = &slots[base + i];
        uint64_t w = atomic_load_explicit(&s->word, memory_order_acquire);
        if (w == 0) {
            if (!q || !chain_new(h, q))
                return 0;
            if (atomic_compare_exchange_strong(&s->word, &w, (uint64_t)tag << 32 | q->id))
                return q->id;
            /* w: the word of whoever took the slot first */
        }
        if ((uint32_t)(w >> 32) == tag && lst_st_chain(h, (uint32_t)w)->key == key)
            return (uint32_t)w;
    }
    return 0;
}

/* Looks key up in every level up to the newest: its chain id, or 0. */
static uint32_t chain_lookup(lst_store_hdr *h, uint64_t key)
{
    lst_chain_slot *slots = lst_st_chain_slots(h);
    uint32_t nslots = h->caps.chain_slots, nlevels = level_count(nslots), base, size;
    uint32_t top = atomic_load_explicit(&chain_top, memory_order_acquire);
    if (top >= nlevels)
        top = nlevels - 1;
    for (uint32_t l = 0; l <= top; l++) {
        level_range(l, nslots, &base, &size);
        uint32_t id = level_probe(h, slots, base, size, key, NULL);
        if (id)
            return id;
    }
    return 0;
}

/* Publishes the chain of q in the newest level with room. Returns its id, or the id of a
 * chain with the same key that another thread published first, or 0 when the table is full
 * or no record is left (q->id == FULL). */
static uint32_t chain_insert(lst_store_hdr *h, chain_req *q)
{
    lst_chain_slot *slots = lst_st_chain_slots(h);
    uint32_t nslots = h->caps.chain_slots, nlevels = level_count(nslots), base, size;
    uint32_t top = atomic_load_explicit(&chain_top, memory_order_acquire);
    if (top >= nlevels)
        top = nlevels - 1;
    for (;;) {
        level_range(top, nslots, &base, &size);
        int last = top + 1 >= nlevels;
        uint32_t limit = last ? size / 4 * 3 : size / 2;
        int room = atomic_load_explicit(&chain_used[top], memory_order_relaxed) < limit;
        uint32_t id = level_probe(h, slots, base, size, q->key, room ? q : NULL);
        if (id) {
            if (id == q->id && atomic_fetch_add(&chain_used[top], 1) + 1 >= limit && !last) {
                uint32_t t = top;
                atomic_compare_exchange_strong(&chain_top, &t, top + 1);
            }
            return id;
        }
        if (last || q->id == FULL)
            break;
        uint32_t t = top; /* this level is as full as it may be: on to the next */
        atomic_compare_exchange_strong(&chain_top, &t, top + 1);
        top++;
    }
    /* all at their limit: fill the free slots */
    for (uint32_t l = 0; l < nlevels && q->id != FULL; l++) {
        level_range(l, nslots, &base, &size);
        uint32_t id = level_probe(h, slots, base, size, q->key, q);
        if (id)
            return id;
    }
    return 0;
}

/* A chain found (made earlier, possibly by another thread): marks it as made by several
 * threads when thread is not its first, and sets *stack. */
static uint32_t chain_found(lst_store_hdr *h, uint32_t id, uint32_t thread, uint32_t *stack)
{
    lst_chain_rec *c = lst_st_chain(h, id);
    if (LST_UNLIKELY(c->thread != thread) && !atomic_load_explicit(&c->multi, memory_order_relaxed))
        atomic_store_explicit(&c->multi, 1, memory_order_relaxed);
    *stack = c->stack;
    return id;
}

/* Finds or records chain key. A chain with nothing held is first looked for in its lock's
 * record (chain0): most locks have one such chain, and it then takes no chain slot. Every
 * other chain goes through the chain table: a lookup, then for a new key an insert, which
 * makes the record when it finds a free slot. */
static uint32_t chain_get(uint64_t key, uint32_t parent, uint32_t lock, uint32_t mode,
                          uint32_t depth, uint32_t thread, uint32_t *stack, uint32_t known)
{
    lst_store_hdr *h = lst_store;
    chain_req q = {key, parent, lock, mode, depth, thread, known, 0};
    uint32_t id;
    *stack = 0;
    if (parent == 0 && depth == 0 && lock && lock < h->caps.locks) {
        lst_lock_rec *r = lst_st_lock(h, lock);
        uint32_t c0 = atomic_load_explicit(&r->chain0, memory_order_acquire);
        if (c0 == 0) {
            if (!chain_new(h, &q))
                return 0;
            if (atomic_compare_exchange_strong(&r->chain0, &c0, q.id))
                return *stack = lst_st_chain(h, q.id)->stack, q.id;
        }
        if (lst_st_chain(h, c0)->key == key) {
            chain_drop(h, &q);
            return chain_found(h, c0, thread, stack);
        }
    }
    id = chain_lookup(h, key);
    if (!id) {
        id = chain_insert(h, &q);
        if (id && id == q.id)
            return *stack = lst_st_chain(h, id)->stack, id;
    }
    chain_drop(h, &q);
    if (LST_LIKELY(id != 0))
        return chain_found(h, id, thread, stack);
    if (q.id != FULL)
        lst_limit_hit(LST_LIMIT_CHAINS,
                      "held-lock chain table is full; new lock orders are not recorded",
                      "chain_slots", h->caps.chain_slots);
    return 0;
}

void lst_store_caches_reset(void)
{
    atomic_fetch_add_explicit(&lst_lock_epoch, 1, memory_order_acq_rel);
    for (int i = 0; i < LST_CCACHE; i++)
        lst_ccache[i].key = 0;
    atomic_store(&chain_top, 0);
    for (int i = 0; i < 33; i++)
        atomic_store(&chain_used[i], 0);
}

/* ---- stacks ----------------------------------------------------------------------- */

static uintptr_t shim_lo, shim_hi;

static int find_self_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    uintptr_t me = (uintptr_t)data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (me >= lo && me < hi) {
            shim_lo = lo;
            shim_hi = hi;
            return 1;
        }
    }
    return 0;
}

/* A thread's first LST_STEP_CAPTURES stacks are unwound step by step, with libunwind's
 * register-state cache; only a thread that captures more moves on to unw_backtrace(), which
 * is cheaper per stack but sets up a 256 KiB trace cache for each thread on its first call
 * (2^14 16-byte frames, mmap'd and filled at once: 64 page faults, 256 KiB of RSS). Most
 * threads capture a few stacks (one per new lock-order chain), so 1,000 threads or a forked
 * schedule's threads no longer pay that. With a ThreadSanitizer runtime loaded, every stack
 * is unwound step by step: the trace cache's TSD destructor runs after TSan has torn the
 * thread down (gcc's libtsan then crashes in its pthread_mutex_unlock interceptor).
 *
 * The register-state cache: Debian's libunwind 1.6.2 is built without per-thread caches,
 * so UNW_CACHE_PER_THREAD means one process-wide cache with no lock, and UNW_CACHE_GLOBAL
 * takes a pthread mutex (through our own interceptors) and masks signals twice per frame;
 * UNW_CACHE_NONE parses DWARF at every frame (about 12 us per stack). We keep the
 * process-wide cache and serialize our unwinds with a spin lock of our own (unw_backtrace's
 * slow path uses that cache too). A signal handler that interrupts the holder, or a fork
 * child of another holder, gets no stack rather than a hang; a fork child resets the lock. */
#define LST_STEP_CAPTURES 64
#define LST_UNWIND_SPINS  100000
static int step_unwind;
static __thread uint32_t step_captures __attribute__((tls_model("initial-exec")));
static _Atomic(uintptr_t) unwind_owner; /* &lst_self of the unwinding thread, or 0 */

static void unwind_setup(void)
{
    step_unwind = dlsym(RTLD_DEFAULT, "__tsan_init") != NULL;
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
}

static int unwind_lock(void)
{
    uintptr_t me = (uintptr_t)&lst_self;
    for (uint32_t spins = 0;; spins++) {
        uintptr_t cur = 0;
        if (atomic_compare_exchange_weak_explicit(&unwind_owner, &cur, me, memory_order_acquire,
                                                  memory_order_relaxed))
            return 1;
        if (cur == me || spins >= LST_UNWIND_SPINS)
            return 0;
        if (spins >= 64)
            syscall(SYS_sched_yield); /* not sched_yield(): that one is a scheduling point */
    }
}

void lst_stack_fork_child(void)
{
    if (atomic_load_explicit(&unwind_owner, memory_order_relaxed) != 0) {
        unw_flush_cache(unw_local_addr_space, 0, 0); /* another thread was inside it */
        atomic_store_explicit(&unwind_owner, 0, memory_order_release);
    }
}

/* Fills raw[] with up to max return addresses of the calling thread, innermost first. */
static int unwind(void **raw, int max)
{
    if (!unwind_lock())
        return 0;
    int n = 0;
    if (!step_unwind && step_captures >= LST_STEP_CAPTURES) {
        n = unw_backtrace(raw, max);
    } else {
        step_captures++;
        unw_context_t uc;
        unw_cursor_t cur;
        if (unw_getcontext(&uc) == 0 && unw_init_local(&cur, &uc) == 0) {
            do {
                unw_word_t ip;
                if (unw_get_reg(&cur, UNW_REG_IP, &ip) != 0 || ip == 0)
                    break;
                raw[n++] = (void *)(uintptr_t)ip;
            } while (n < max && unw_step(&cur) > 0);
        }
    }
    atomic_store_explicit(&unwind_owner, 0, memory_order_release);
    return n;
}

void lst_stack_warm(void)
{
    void *raw[LST_MAX_FRAMES];
    unwind_setup();
    unwind(raw, LST_MAX_FRAMES);
}

void lst_stack_init(void)
{
    dl_iterate_phdr(find_self_cb, (void *)(uintptr_t)&lst_stack_init);
    unwind_setup();
    lst_stack_capture(); /* first use sets up libunwind's caches */
}

/* 1 when every pc lies in a module the store already lists. */
static int known_modules(void *const *pcs, int n)
{
    lst_store_hdr *h = lst_store;
    uint32_t nm = atomic_load(&h->nmodules);
    for (int i = 0; i < n; i++) {
        uint64_t pc = (uint64_t)(uintptr_t)pcs[i];
        uint32_t j = 0;
        while (j < nm && !(pc >= lst_st_module(h, j)->lo && pc < lst_st_module(h, j)->hi))
            j++;
        if (j == nm)
            return 0;
    }
    return 1;
}

uint32_t lst_stack_capture(void)
{
    lst_store_hdr *h = lst_store;
    void *raw[LST_MAX_FRAMES + 8];
    int n = unwind(raw, (int)(h->caps.depth + 8));
    int skip = 0;
    while (skip < n && (uintptr_t)raw[skip] >= shim_lo && (uintptr_t)raw[skip] < shim_hi)
        skip++;
    n -= skip;
    if (n > (int)h->caps.depth)
        n = (int)h->caps.depth;
    if (n <= 0)
        return 0;
    uint64_t key = 0x84222325cbf29ce4ULL;
    for (int i = 0; i < n; i++)
        key = mix_addr(key ^ (uint64_t)(uintptr_t)raw[skip + i]) + (uint64_t)i;
    key = key ? key : 1;
    uint32_t mask = h->caps.stack_slots - 1;
    lst_slot *slots = lst_st_stack_slots(h);
    uint32_t i = (uint32_t)key & mask, probes;
    for (probes = 0; probes <= mask && probes < MAX_PROBES; probes++, i = (i + 1) & mask) {
        uint64_t k = atomic_load_explicit(&slots[i].key, memory_order_acquire);
        if (k == key) {
            uint32_t id = atomic_load_explicit(&slots[i].id, memory_order_acquire);
            if (id)
                return id;
            break; /* being published: store our own copy, unindexed */
        }
        if (k == 0) {
            uint64_t zero = 0;
            if (atomic_compare_exchange_strong(&slots[i].key, &zero, key))
                goto insert;
            if (zero == key)
                break;
        }
    }
    if (probes > mask || probes >= MAX_PROBES) /* no free slot: stored unindexed, not shared */
        lst_limit_hit(LST_LIMIT_STACK_SLOTS,
                      "stack depot index is full; equal stacks are stored again", "stack_slots",
                      h->caps.stack_slots);
    i = UINT32_MAX;
insert:;
    uint32_t id = alloc_id(&h->nstacks, h->caps.stacks, LST_LIMIT_STACKS,
                           "stack depot is full; new stacks are not recorded", "max_stacks",
                           h->caps.stacks - 1);
    if (id == FULL)
        return 0;
    lst_stack_rec *s = lst_st_stack(h, id);
    s->n = (uint32_t)n;
    if (!known_modules(raw + skip, n))
        lst_modules_refresh(); /* code from a library loaded since (dlopen) */
    for (int j = 0; j < n; j++)
        s->pcs[j] = (uint64_t)(uintptr_t)raw[skip + j];
    atomic_store_explicit(&s->valid, 1, memory_order_release);
    if (i != UINT32_MAX)
        atomic_store_explicit(&slots[i].id, id, memory_order_release);
    return id;
}

/* ---- events ----------------------------------------------------------------------- */

lst_event_rec *lst_event_new(uint32_t kind)
{
    lst_store_hdr *h = lst_store;
    uint32_t i = alloc_id(&h->nevents, h->caps.events, LST_LIMIT_EVENTS,
                          "too many misuse/deadlock events; further ones are dropped",
                          "max_events", h->caps.events);
    if (i == FULL)
        return NULL;
    lst_event_rec *e = lst_st_event(h, i);
    e->kind = kind;
    e->thread = (uint32_t)lst_self.idx;
    return e;
}

void lst_event_publish(lst_event_rec *e)
{
    if (e)
        atomic_store_explicit(&e->valid, 1, memory_order_release);
}
