/* symbolize.h: turns code addresses recorded by the shim into function, file and line, and
 * data addresses into global variable names, after the target has exited. Uses elfutils'
 * libdwfl on the module files the shim listed (path + load bias), so ASLR does not matter. */
#ifndef LST_SYMBOLIZE_H
#define LST_SYMBOLIZE_H

#include <stdint.h>

typedef struct lst_symbolizer lst_symbolizer;

/* One resolved location. Strings point into memory owned by the symbolizer and stay valid
 * until lst_symbolizer_free(). Any of them may be NULL; line is 0 when unknown. */
typedef struct lst_sym {
    const char *function; /* demangled for C++ */
    const char *file;     /* absolute path when DWARF has it */
    int line;
    const char *module;   /* path of the module the address falls in */
} lst_sym;

/* Creates an empty symbolizer; returns NULL on out-of-memory. */
lst_symbolizer *lst_symbolizer_new(void);
/* Registers a loaded module: its file path and load bias (dl_iterate_phdr's dlpi_addr).
 * Returns 0, or -1 when the file cannot be opened as ELF (its addresses stay unknown). */
int lst_symbolizer_add_module(lst_symbolizer *s, const char *path, uint64_t bias);
/* Resolves a code address. is_return != 0 means pc is a return address, so pc - 1 is looked
 * up to land on the call instruction's line. Fills *out (function and file may be NULL) and
 * returns 0, or -1 when pc is in no registered module. If the address is inside inlined
 * code, *out describes the innermost inlined function and its line. */
int lst_symbolize(lst_symbolizer *s, uint64_t pc, int is_return, lst_sym *out);
/* Resolves a code address into its inlined-frame chain, innermost first, like
 * `addr2line -i -f`: out[0] is what lst_symbolize() answers (the innermost, possibly inlined,
 * function and the line of pc); out[1] is the function that inlined out[0]'s, with file and
 * line of that call (DW_AT_call_file / DW_AT_call_line); and so on up to the out-of-line
 * function containing pc, whose frame is last. Fills at most max frames (the innermost ones)
 * and returns how many (>= 1; exactly 1 when pc is in no inlined code or has no DWARF), or -1
 * when pc is in no registered module or out is NULL or max < 1. Strings as for
 * lst_symbolize(); every frame has the same module. */
int lst_symbolize_inlined(lst_symbolizer *s, uint64_t pc, int is_return, lst_sym *out, int max);
/* Resolves a data address to the global or static variable containing it, e.g. "lock_a".
 * Returns the name (owned by the symbolizer) and sets *offset, or NULL when unknown. */
const char *lst_symbolize_data(lst_symbolizer *s, uint64_t addr, uint64_t *offset);
/* Frees the symbolizer and every string it handed out. */
void lst_symbolizer_free(lst_symbolizer *s);

#endif
