/* perf_gen.h: stamps out 1000 small functions (each with an always-inlined helper and a
 * lexical block) and a table of their addresses, so the symbolizer's speed can be measured on
 * a binary with thousands of functions and inlined scopes. PERF_UNIT(p) defines p000..p999 and
 * perf_table_p. */
#ifndef LST_PERF_GEN_H
#define LST_PERF_GEN_H

int perf_sink(int x);

#define PERF_D0(M, p) M(p##0) M(p##1) M(p##2) M(p##3) M(p##4) M(p##5) M(p##6) M(p##7) M(p##8) M(p##9)
#define PERF_D1(M, p)                                                                              \
    PERF_D0(M, p##0) PERF_D0(M, p##1) PERF_D0(M, p##2) PERF_D0(M, p##3) PERF_D0(M, p##4)           \
    PERF_D0(M, p##5) PERF_D0(M, p##6) PERF_D0(M, p##7) PERF_D0(M, p##8) PERF_D0(M, p##9)
#define PERF_D2(M, p)                                                                              \
    PERF_D1(M, p##0) PERF_D1(M, p##1) PERF_D1(M, p##2) PERF_D1(M, p##3) PERF_D1(M, p##4)           \
    PERF_D1(M, p##5) PERF_D1(M, p##6) PERF_D1(M, p##7) PERF_D1(M, p##8) PERF_D1(M, p##9)

#define PERF_DEF(n)                                                                                \
    static inline __attribute__((always_inline)) int n##_h(int x)                                  \
    {                                                                                              \
        return perf_sink(x * 3 + __COUNTER__) + 1;                                                 \
    }                                                                                              \
    int n(int x);                                                                                  \
    __attribute__((noinline)) int n(int x)                                                         \
    {                                                                                              \
        int r = n##_h(x);                                                                          \
        if (r > 7) {                                                                               \
            int t = n##_h(r);                                                                      \
            r += t;                                                                                \
        }                                                                                          \
        return r;                                                                                  \
    }
#define PERF_PTR(n) n,

#define PERF_UNIT(p)                                                                               \
    PERF_D2(PERF_DEF, p)                                                                           \
    int (*const perf_table_##p[1000])(int) = {PERF_D2(PERF_PTR, p)};

#endif
