/* symtest_inline.h: a static inline function that is always inlined into its caller, so the
 * recorded return address lies in inlined code whose file and line are this header's. */
#ifndef LST_SYMTEST_INLINE_H
#define LST_SYMTEST_INLINE_H

#include "symtest.h"

static inline __attribute__((always_inline)) void symtest_inline_helper(symtest_cb cb,
                                                                        const char *tag)
{
    SYMTEST_RECORD(cb, tag);
    SYMTEST_BARRIER();
}

#endif
