/* inline_race.h: the always-inlined helper of inline_race.c; the racy access is on this
 * header's line, inlined into two thread functions. */
#ifndef INLINE_RACE_H
#define INLINE_RACE_H

extern long hits;

static inline __attribute__((always_inline)) void record_hit(long n)
{
    hits += n; /* racing read-modify-write, inlined */
}

#endif
