/* symbolize.c: the symbolizer behind symbolize.h. It reports each module the shim listed to an
 * offline elfutils Dwfl session (file path + load bias, so ASLR does not matter; separate
 * debuginfo is found through the standard build-id / debuglink search in /usr/lib/debug), then
 * answers code addresses from DWARF (innermost inlined function, line table) with the ELF
 * symbol table as the fallback, and data addresses from the STT_OBJECT symbols. Every answer is
 * memoized by address and every string handed out is interned, so all of it lives until
 * lst_symbolizer_free(). Runs in the lockstep process only: it allocates freely and aborts on
 * out-of-memory (except lst_symbolizer_new, which returns NULL), and it is not thread-safe. */
#define _GNU_SOURCE
#include "symbolize.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#define uthash_fatal(msg) abort()
#include <uthash.h>

/* From libstdc++ (the C++ ABI); declared here so this file stays C. */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

/* Deepest DIE nesting we follow when looking for the scope of a pc (real code is far less). */
#define MAX_SCOPE_DEPTH 128
/* How many lower-addressed data symbols we look at for one that contains an address. */
#define MAX_DATA_BACKTRACK 64

/* One interned string: the key is the flexible array itself. */
typedef struct interned {
    UT_hash_handle hh;
    char s[];
} interned;

/* One STT_OBJECT symbol of a module, at its run-time address. name points into libdwfl's
 * symbol table, which lives until dwfl_end(). */
typedef struct objsym {
    uint64_t addr;
    uint64_t size;
    const char *name;
    int bind; /* STB_* */
} objsym;

/* One registered module; the Dwfl_Module's userdata points back at it. */
typedef struct module {
    struct module *next;
    const char *path; /* interned */
    uint64_t bias;
    Dwfl_Module *dm;
    objsym *objs; /* sorted by addr; built on the first data lookup */
    size_t nobjs;
    int objs_loaded;
} module;

/* Memoized answer for one code address (the address actually looked up). */
typedef struct pc_entry {
    uint64_t key;
    int rc;
    lst_sym sym;
    UT_hash_handle hh;
} pc_entry;

/* Memoized answer for one data address; name is NULL when unknown. */
typedef struct data_entry {
    uint64_t key;
    const char *name;
    uint64_t offset;
    UT_hash_handle hh;
} data_entry;

struct lst_symbolizer {
    Dwfl *dwfl;
    module *modules;
    interned *strings;
    pc_entry *pcs;
    data_entry *data;
};

/* Offline session: modules come from files; the standard search finds separate debuginfo by
 * build-id or .gnu_debuglink (and asks debuginfod only if DEBUGINFOD_URLS is set). */
static char *debuginfo_path = NULL;
static const Dwfl_Callbacks offline_callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = &debuginfo_path,
};

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p)
        abort();
    return p;
}

/* Returns the symbolizer's single copy of the first len bytes of str (NUL-terminated). */
static const char *intern_n(lst_symbolizer *s, const char *str, size_t len)
{
    interned *e;
    HASH_FIND(hh, s->strings, str, len, e);
    if (e)
        return e->s;
    e = xcalloc(1, sizeof *e + len + 1);
    memcpy(e->s, str, len);
    e->s[len] = '\0';
    HASH_ADD_KEYPTR(hh, s->strings, e->s, len, e);
    return e->s;
}

static const char *intern(lst_symbolizer *s, const char *str)
{
    return str ? intern_n(s, str, strlen(str)) : NULL;
}

/* Interns a symbol name, demangled when it is a C++ (Itanium ABI) name. */
static const char *intern_symbol(lst_symbolizer *s, const char *raw)
{
    if (!raw || !*raw)
        return NULL;
    if (raw[0] == '_' && raw[1] == 'Z') {
        int status = -1;
        char *d = __cxa_demangle(raw, NULL, NULL, &status);
        if (d && status == 0) {
            const char *r = intern(s, d);
            free(d);
            return r;
        }
        free(d);
    }
    return intern(s, raw);
}

static module *module_of(Dwfl_Module *dm)
{
    void **userdata = NULL;
    if (!dwfl_module_info(dm, &userdata, NULL, NULL, NULL, NULL, NULL, NULL) || !userdata)
        return NULL;
    return *userdata;
}

lst_symbolizer *lst_symbolizer_new(void)
{
    lst_symbolizer *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->dwfl = dwfl_begin(&offline_callbacks);
    if (!s->dwfl) {
        free(s);
        return NULL;
    }
    dwfl_report_begin(s->dwfl);
    dwfl_report_end(s->dwfl, NULL, NULL);
    return s;
}

int lst_symbolizer_add_module(lst_symbolizer *s, const char *path, uint64_t bias)
{
    if (!s || !path || !*path)
        return -1;
    /* The same mapping twice is harmless; reporting it again to libdwfl is not (it would flag
     * the existing module as an overlap and drop it). */
    for (module *m = s->modules; m; m = m->next)
        if (m->bias == bias && strcmp(m->path, path) == 0)
            return 0;

    /* dlpi_addr is the load bias (run-time address minus ELF p_vaddr), so add_p_vaddr is true:
     * the module starts at bias + the first PT_LOAD's p_vaddr. That equals bias for ordinary
     * PIEs and DSOs (first p_vaddr 0) and is still right for objects linked at a non-zero
     * address. For ET_EXEC libdwfl ignores the bias and uses the file's addresses. */
    dwfl_report_begin_add(s->dwfl);
    Dwfl_Module *dm = dwfl_report_elf(s->dwfl, path, path, -1, bias, true);
    dwfl_report_end(s->dwfl, NULL, NULL);
    if (!dm)
        return -1;

    module *m = xcalloc(1, sizeof *m);
    m->path = intern(s, path);
    m->bias = bias;
    m->dm = dm;
    m->next = s->modules;
    s->modules = m;
    void **userdata = NULL;
    dwfl_module_info(dm, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
    if (userdata)
        *userdata = m;
    return 0;
}

/* Depth-first search below parent for the innermost scope containing pc (a DWARF address);
 * each DW_TAG_subprogram / DW_TAG_inlined_subroutine on the way down is stored in *fn.
 * Returns 1 once a containing scope was found at this level, 0 otherwise. Only one child per
 * level can contain pc, so the search descends into it and never backtracks, except through
 * namespaces, which have no addresses of their own. */
static int find_scope(Dwarf_Die *parent, Dwarf_Addr pc, Dwarf_Die *fn, int *have_fn, int depth)
{
    Dwarf_Die child;
    if (depth > MAX_SCOPE_DEPTH || dwarf_child(parent, &child) != 0)
        return 0;
    do {
        int tag = dwarf_tag(&child);
        switch (tag) {
        case DW_TAG_subprogram:
        case DW_TAG_inlined_subroutine:
        case DW_TAG_entry_point:
        case DW_TAG_lexical_block:
        case DW_TAG_with_stmt:
        case DW_TAG_catch_block:
        case DW_TAG_try_block:
        case DW_TAG_module:
            if (dwarf_haspc(&child, pc) != 1)
                break;
            if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
                tag == DW_TAG_entry_point) {
                *fn = child;
                *have_fn = 1;
            }
            if (dwarf_haschildren(&child))
                find_scope(&child, pc, fn, have_fn, depth + 1);
            return 1;
        case DW_TAG_namespace:
            if (dwarf_haschildren(&child) && find_scope(&child, pc, fn, have_fn, depth + 1))
                return 1;
            break;
        default:
            /* Types, variables, declarations, imported (dwz partial) units: no code. */
            break;
        }
    } while (dwarf_siblingof(&child, &child) == 0);
    return 0;
}

/* The name to show for a function DIE: the demangled linkage name (C++, gives "ns::f(int)"),
 * else DW_AT_name; both followed through abstract_origin / specification. */
static const char *die_function_name(lst_symbolizer *s, Dwarf_Die *fn)
{
    Dwarf_Attribute attr;
    const char *n = dwarf_formstring(dwarf_attr_integrate(fn, DW_AT_linkage_name, &attr));
    if (!n)
        n = dwarf_formstring(dwarf_attr_integrate(fn, DW_AT_MIPS_linkage_name, &attr));
    if (!n)
        n = dwarf_diename(fn);
    return intern_symbol(s, n);
}

/* Resolves one code address (already adjusted for return addresses) into *out. */
static int resolve_pc(lst_symbolizer *s, uint64_t addr, lst_sym *out)
{
    memset(out, 0, sizeof *out);
    Dwfl_Module *dm = dwfl_addrmodule(s->dwfl, addr);
    if (!dm)
        return -1;
    module *m = module_of(dm);
    out->module = m ? m->path
                    : intern(s, dwfl_module_info(dm, NULL, NULL, NULL, NULL, NULL, NULL, NULL));

    /* File and line: the line table row of addr, which is the innermost inlined location. */
    Dwfl_Line *ln = dwfl_module_getsrc(dm, addr);
    if (ln) {
        int line = 0;
        const char *file = dwfl_lineinfo(ln, NULL, &line, NULL, NULL, NULL);
        if (file) {
            out->file = intern(s, file);
            out->line = line > 0 ? line : 0;
        }
    }

    /* Function: the innermost subprogram or inlined subroutine containing addr. */
    Dwarf_Addr dwbias = 0;
    Dwarf_Die *cu = dwfl_module_addrdie(dm, addr, &dwbias);
    if (cu) {
        Dwarf_Die fn;
        int have_fn = 0;
        find_scope(cu, addr - dwbias, &fn, &have_fn, 0);
        if (have_fn)
            out->function = die_function_name(s, &fn);
    }

    /* No DWARF (or no DIE for this code): the ELF symbol table. */
    if (!out->function) {
        GElf_Off off = 0;
        GElf_Sym sym;
        const char *name = dwfl_module_addrinfo(dm, addr, &off, &sym, NULL, NULL, NULL);
        if (name && GELF_ST_TYPE(sym.st_info) != STT_OBJECT && GELF_ST_TYPE(sym.st_info) != STT_TLS)
            out->function = intern_symbol(s, name);
    }
    return 0;
}

int lst_symbolize(lst_symbolizer *s, uint64_t pc, int is_return, lst_sym *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!s || !out || (is_return && pc == 0))
        return -1;
    uint64_t key = is_return ? pc - 1 : pc;
    pc_entry *e;
    HASH_FIND(hh, s->pcs, &key, sizeof key, e);
    if (!e) {
        e = xcalloc(1, sizeof *e);
        e->key = key;
        e->rc = resolve_pc(s, key, &e->sym);
        HASH_ADD(hh, s->pcs, key, sizeof e->key, e);
    }
    *out = e->sym;
    return e->rc;
}

static int objsym_cmp(const void *a, const void *b)
{
    const objsym *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return 0;
}

/* Collects the module's STT_OBJECT symbols (symtab, or dynsym when stripped) into m->objs.
 * STT_TLS symbols are not objects at a fixed address and are left out. */
static void load_objects(module *m)
{
    m->objs_loaded = 1;
    int n = dwfl_module_getsymtab(m->dm);
    if (n <= 1)
        return;
    m->objs = xcalloc((size_t)n, sizeof *m->objs);
    for (int i = 1; i < n; i++) {
        GElf_Sym sym;
        GElf_Addr addr = 0;
        GElf_Word shndx = SHN_UNDEF;
        const char *name = dwfl_module_getsym_info(m->dm, i, &sym, &addr, &shndx, NULL, NULL);
        if (!name || !*name || GELF_ST_TYPE(sym.st_info) != STT_OBJECT)
            continue;
        if (shndx == SHN_UNDEF || shndx == SHN_ABS || shndx == SHN_COMMON)
            continue;
        m->objs[m->nobjs++] = (objsym){addr, sym.st_size, name, GELF_ST_BIND(sym.st_info)};
    }
    qsort(m->objs, m->nobjs, sizeof *m->objs, objsym_cmp);
}

static int bind_rank(int bind)
{
    return bind == STB_GLOBAL ? 2 : bind == STB_WEAK ? 1 : 0;
}

/* The object symbol containing addr (the closest one below it; a global over a weak over a
 * local alias), or NULL. */
static const objsym *find_object(module *m, uint64_t addr)
{
    size_t lo = 0, hi = m->nobjs; /* first index with objs[i].addr > addr */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->objs[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    const objsym *best = NULL;
    for (size_t i = lo, seen = 0; i-- > 0 && seen < MAX_DATA_BACKTRACK; seen++) {
        const objsym *o = &m->objs[i];
        if (best && o->addr < best->addr)
            break;
        uint64_t size = o->size ? o->size : 1;
        if (addr - o->addr >= size)
            continue;
        if (!best || bind_rank(o->bind) > bind_rank(best->bind))
            best = o;
    }
    return best;
}

/* Interns a variable's symbol name for display: demangled for C++, and without the ".N"
 * suffix GCC gives function-scope statics ("lock.0" -> "lock"). */
static const char *data_name(lst_symbolizer *s, const objsym *o)
{
    const char *raw = o->name;
    if (o->bind == STB_LOCAL && !(raw[0] == '_' && raw[1] == 'Z')) {
        const char *dot = strrchr(raw, '.');
        if (dot && dot > raw && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1))
            return intern_n(s, raw, (size_t)(dot - raw));
    }
    return intern_symbol(s, raw);
}

const char *lst_symbolize_data(lst_symbolizer *s, uint64_t addr, uint64_t *offset)
{
    if (offset)
        *offset = 0;
    if (!s)
        return NULL;
    data_entry *e;
    HASH_FIND(hh, s->data, &addr, sizeof addr, e);
    if (!e) {
        e = xcalloc(1, sizeof *e);
        e->key = addr;
        Dwfl_Module *dm = dwfl_addrmodule(s->dwfl, addr);
        module *m = dm ? module_of(dm) : NULL;
        if (m) {
            if (!m->objs_loaded)
                load_objects(m);
            const objsym *o = find_object(m, addr);
            if (o) {
                e->name = data_name(s, o);
                e->offset = addr - o->addr;
            }
        }
        HASH_ADD(hh, s->data, key, sizeof e->key, e);
    }
    if (offset && e->name)
        *offset = e->offset;
    return e->name;
}

void lst_symbolizer_free(lst_symbolizer *s)
{
    if (!s)
        return;
    pc_entry *p, *ptmp;
    HASH_ITER(hh, s->pcs, p, ptmp)
    {
        HASH_DEL(s->pcs, p);
        free(p);
    }
    data_entry *d, *dtmp;
    HASH_ITER(hh, s->data, d, dtmp)
    {
        HASH_DEL(s->data, d);
        free(d);
    }
    interned *i, *itmp;
    HASH_ITER(hh, s->strings, i, itmp)
    {
        HASH_DEL(s->strings, i);
        free(i);
    }
    for (module *m = s->modules, *next; m; m = next) {
        next = m->next;
        free(m->objs);
        free(m);
    }
    dwfl_end(s->dwfl);
    free(s);
}
