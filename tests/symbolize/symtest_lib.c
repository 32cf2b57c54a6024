/* symtest_lib.c: the helper shared library of the symbolizer tests, built three times with a
 * different SYMTEST_PREFIX: linked normally (a second module with a non-zero load bias), linked
 * at a non-zero first p_vaddr (load bias != load address), and without debug info and stripped
 * (names only from .dynsym). Each exports PREFIX_call(cb) and a data array PREFIX_counter. */
#include "symtest.h"
#include "symtest_inline.h"

#define SYMTEST_CAT_(a, b) a##b
#define SYMTEST_CAT(a, b)  SYMTEST_CAT_(a, b)
#define SYMTEST_FN(x)      SYMTEST_CAT(SYMTEST_PREFIX, x)

void SYMTEST_FN(call)(symtest_cb cb);
extern int SYMTEST_FN(counter)[8];

int SYMTEST_FN(counter)[8];

/* Records a site in this library, then one inside an inlined function. */
void SYMTEST_FN(call)(symtest_cb cb)
{
    SYMTEST_RECORD(cb, SYMTEST_TAG);
    SYMTEST_BARRIER();
    symtest_inline_helper(cb, SYMTEST_TAG "_inline");
    SYMTEST_BARRIER();
}
