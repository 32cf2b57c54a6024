/* lockstep.h: lockstep's public header. One optional hint for programs that want more
 * interleavings explored: lockstep_yield() marks a point where, under lockstep's
 * deterministic scheduler, another thread may run (as a pthread call or sched_yield does).
 * Without lockstep (the shim not preloaded) it does nothing, so it can stay in production
 * code. Header-only: nothing to link. */
#ifndef LOCKSTEP_H
#define LOCKSTEP_H

#ifdef __cplusplus
extern "C" {
#endif

/* Defined by liblockstep.so; a weak reference is null when the shim is not loaded. */
extern void __lockstep_yield(void) __attribute__((weak));

/* A scheduling point under lockstep's scheduler; a no-op otherwise. */
static inline void lockstep_yield(void)
{
    if (__lockstep_yield)
        __lockstep_yield();
}

#ifdef __cplusplus
}
#endif

#endif
