/* perf_unit_a.c: one compilation unit of generated functions for symbolize_perf (perf_gen.h). */
#include "perf_gen.h"

PERF_UNIT(a)
