/* symtest.h: what the symbolizer tests' executables and their helper libraries share: the
 * recording callback type. A site records its own line, __func__ and __FILE__ next to the
 * return address, so each test knows what the symbolizer should answer. */
#ifndef LST_SYMTEST_H
#define LST_SYMTEST_H

/* Records __builtin_return_address(0) of the call together with the expected answer. */
typedef void (*symtest_cb)(const char *tag, int line, const char *func, const char *file);

#define SYMTEST_RECORD(cb, tag) (cb)((tag), __LINE__, __func__, __FILE__)
#define SYMTEST_BARRIER()       __asm__ volatile("" ::: "memory")

#endif
