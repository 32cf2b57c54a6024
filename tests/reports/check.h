/* check.h: the few assertion macros the reports tests use. A failed CHECK prints the file,
 * line and expression and makes the test exit non-zero at the end of its case. */
#ifndef LST_TEST_CHECK_H
#define LST_TEST_CHECK_H

#include <stdio.h>

extern int lst_test_failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            lst_test_failures++;                                                                   \
        }                                                                                          \
    } while (0)

#define CHECKF(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            lst_test_failures++;                                                                   \
        }                                                                                          \
    } while (0)

#endif
