/* symbolize.c: the symbolizer behind symbolize.h. It reports each module the shim listed to an
 * offline elfutils Dwfl session (file path + load bias, so ASLR does not matter; separate
 * debuginfo is found through the standard build-id / debuglink search in /usr/lib/debug), then
 * answers code addresses from DWARF (innermost inlined function, line table; on request the
 * chain of functions it was inlined into, with their call lines) with the ELF symbol table as
 * the fallback, and data addresses from the STT_OBJECT symbols.
 *
 * Speed: everything that would otherwise be a linear scan per address is indexed once and
 * binary-searched: a CU's subprograms by address range, a module's CUs (only when the file has
 * no usable .debug_aranges, as with clang), and a module's function and object symbols. Every
 * answer is memoized by address and every string handed out is interned, so all of it lives
 * until lst_symbolizer_free(). Runs in the lockstep process only: it allocates freely and
 * aborts on out-of-memory (except lst_symbolizer_new, which returns NULL); not thread-safe. */
#define _GNU_SOURCE
#include "symbolize.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define uthash_fatal(msg) abort()
#include <uthash.h>

/* From libstdc++ (the C++ ABI); declared here so this file stays C. */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

/* Deepest DIE nesting we follow when looking for the scope of a pc (real code is far less). */
#define MAX_SCOPE_DEPTH 128
/* How many lower-addressed entries of a sorted table we look at for one containing an
 * address (aliases and nested symbols put a few entries between it and the address). */
#define MAX_BACKTRACK 64

/* One interned string: the key is the flexible array itself. */
typedef struct interned {
    UT_hash_handle hh;
    char s[];
} interned;

/* One ELF symbol at its run-time address. name points into libdwfl's symbol table, which
 * lives until dwfl_end(). */
typedef struct symbol {
    uint64_t addr;
    uint64_t size;
    const char *name;
    unsigned char bind; /* STB_* */
    unsigned char type; /* STT_* */
    GElf_Word shndx;
} symbol;

/* A sorted array of address ranges [lo, hi) with a DIE each: a CU's subprograms (DWARF
 * addresses) or a module's CUs. */
typedef struct die_range {
    uint64_t lo, hi;
    Dwarf_Die die;
} die_range;

typedef struct range_table {
    die_range *r;
    size_t n, cap;
} range_table;

/* One registered module; the Dwfl_Module's userdata points back at it. */
typedef struct module {
    struct module *next;
    const char *path; /* interned */
    uint64_t bias;
    Dwfl_Module *dm;
    int syms_loaded;
    symbol *objs; /* STT_OBJECT symbols, sorted by addr */
    size_t nobjs;
    symbol *funcs; /* STT_FUNC, STT_GNU_IFUNC and STT_NOTYPE symbols, sorted by addr */
    size_t nfuncs;
    int cus_loaded;
    range_table cus; /* all CUs by address range: used when dwfl_module_addrdie fails */
    Dwarf_Addr dwbias;
} module;

/* The subprograms of one CU sorted by address, built on its first lookup, so a pc finds its
 * function by binary search instead of a walk over every DIE of the CU. Keyed by the CU DIE's
 * address in the (mapped) .debug_info, which is unique across modules. */
typedef struct cu_index {
    const void *key;
    range_table fns;
    UT_hash_handle hh;
} cu_index;

/* The qualified name of one C++ function DIE that has no linkage name, keyed like cu_index. */
typedef struct qual_name {
    const void *key;
    const char *name;
    UT_hash_handle hh;
} qual_name;

/* Memoized answer for one code address (the address actually looked up). The inlined-frame
 * chain is built on the first lst_symbolize_inlined() of the address: nframes is 0 until then,
 * and callers holds frames 1..nframes-1 (frame 0 is sym). */
typedef struct pc_entry {
    uint64_t key;
    int rc;
    lst_sym sym;
    int nframes;
    lst_sym *callers;
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
    cu_index *cus;
    qual_name *quals;
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

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        abort();
    return q;
}

/* --- strings -------------------------------------------------------------------------------- */

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

static int is_mangled(const char *name)
{
    return name[0] == '_' && name[1] == 'Z';
}

/* Interns a symbol name, demangled when it is a C++ (Itanium ABI) name. */
static const char *intern_symbol(lst_symbolizer *s, const char *raw)
{
    if (!raw || !*raw)
        return NULL;
    if (is_mangled(raw)) {
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

/* Interns a source path, with "." and ".." components of an absolute path removed lexically
 * (clang records "/usr/bin/../lib/gcc/.../../../../include/..." for libstdc++ headers). */
static const char *intern_path(lst_symbolizer *s, const char *path)
{
    if (!path || path[0] != '/' || (!strstr(path, "/./") && !strstr(path, "/../")))
        return intern(s, path);
    size_t len = strlen(path);
    char *buf = xcalloc(1, len + 1);
    size_t o = 0; /* buf[0..o) is the normalized prefix, without a trailing slash */
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *end = strchrnul(p, '/');
        size_t n = (size_t)(end - p);
        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* nothing */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (o > 0 && buf[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
        } else {
            buf[o++] = '/';
            memcpy(buf + o, p, n);
            o += n;
        }
        p = end;
    }
    if (o == 0)
        buf[o++] = '/';
    const char *r = intern_n(s, buf, o);
    free(buf);
    return r;
}

/* --- modules -------------------------------------------------------------------------------- */

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

/* --- ELF symbol tables ---------------------------------------------------------------------- */

static int symbol_cmp(const void *a, const void *b)
{
    const symbol *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return 0;
}

/* Splits the module's symbol table (.symtab, else .dynsym; plus libdwfl's auxiliary table)
 * into sorted object and function tables. STT_TLS symbols have no fixed address: left out. */
static void load_symbols(module *m)
{
    m->syms_loaded = 1;
    int n = dwfl_module_getsymtab(m->dm);
    if (n <= 1)
        return;
    m->objs = xcalloc((size_t)n, sizeof *m->objs);
    m->funcs = xcalloc((size_t)n, sizeof *m->funcs);
    for (int i = 1; i < n; i++) {
        GElf_Sym sym;
        GElf_Addr addr = 0;
        GElf_Word shndx = SHN_UNDEF;
        const char *name = dwfl_module_getsym_info(m->dm, i, &sym, &addr, &shndx, NULL, NULL);
        if (!name || !*name || shndx == SHN_UNDEF || shndx == SHN_ABS || shndx == SHN_COMMON)
            continue;
        int type = GELF_ST_TYPE(sym.st_info);
        symbol e = {addr, sym.st_size, name, GELF_ST_BIND(sym.st_info), type, shndx};
        if (type == STT_OBJECT)
            m->objs[m->nobjs++] = e;
        else if (type == STT_FUNC || type == STT_GNU_IFUNC || type == STT_NOTYPE)
            m->funcs[m->nfuncs++] = e;
    }
    qsort(m->objs, m->nobjs, sizeof *m->objs, symbol_cmp);
    qsort(m->funcs, m->nfuncs, sizeof *m->funcs, symbol_cmp);
}

/* Ranks aliases at one address: a global over a weak over a local, a function over a label. */
static int symbol_rank(const symbol *e)
{
    int bind = e->bind == STB_GLOBAL ? 2 : e->bind == STB_WEAK ? 1 : 0;
    return 2 * bind + (e->type != STT_NOTYPE);
}

/* Index of the first entry with addr > x in a table sorted by addr. */
static size_t upper_bound(const symbol *t, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].addr <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The sized symbol containing addr: the closest one below it, best-ranked among aliases.
 * With labels != 0 (code), a sizeless symbol (an assembler label) is the answer when no sized
 * symbol contains addr, none ends between the label and addr, and the label lies in addr's
 * section (label_shndx), like dwfl_module_addrsym does. */
static const symbol *find_symbol(const symbol *t, size_t n, uint64_t addr, int labels,
                                 GElf_Word label_shndx)
{
    const symbol *best = NULL, *label = NULL;
    uint64_t min_label = 0;
    size_t seen = 0;
    for (size_t i = upper_bound(t, n, addr); i-- > 0 && seen < MAX_BACKTRACK; seen++) {
        const symbol *e = &t[i];
        if (best && e->addr < best->addr)
            break;
        if (e->size == 0) {
            if (!label || (e->addr == label->addr && symbol_rank(e) > symbol_rank(label)))
                label = e; /* the closest label, best-ranked among aliases */
            if (!labels && e->addr == addr && (!best || symbol_rank(e) > symbol_rank(best)))
                best = e; /* a sizeless object exactly at addr */
            continue;
        }
        if (addr - e->addr < e->size) {
            if (!best || symbol_rank(e) > symbol_rank(best))
                best = e;
        } else if (e->addr + e->size > min_label) {
            min_label = e->addr + e->size;
        }
    }
    if (best || !labels || !label)
        return best;
    return label->addr >= min_label && label->shndx == label_shndx ? label : NULL;
}

/* --- DWARF ---------------------------------------------------------------------------------- */

static void range_add(range_table *t, uint64_t lo, uint64_t hi, Dwarf_Die *die)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->r = xrealloc(t->r, t->cap * sizeof *t->r);
    }
    t->r[t->n++] = (die_range){lo, hi, *die};
}

/* Adds every address range of die to t. */
static void range_add_die(range_table *t, Dwarf_Die *die)
{
    Dwarf_Addr base, lo, hi;
    ptrdiff_t off = 0;
    while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0)
        if (lo < hi)
            range_add(t, lo, hi, die);
}

static int range_cmp(const void *a, const void *b)
{
    const die_range *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return x->hi < y->hi ? -1 : x->hi > y->hi;
}

static void range_sort(range_table *t)
{
    if (t->n)
        qsort(t->r, t->n, sizeof *t->r, range_cmp);
}

/* The range containing pc (the closest one below it), or NULL. */
static const die_range *range_find(const range_table *t, uint64_t pc)
{
    size_t lo = 0, hi = t->n; /* first range with lo > pc */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->r[mid].lo <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo, seen = 0; i-- > 0 && seen < MAX_BACKTRACK; seen++)
        if (pc < t->r[i].hi)
            return &t->r[i];
    return NULL;
}

/* The CU containing addr and its bias. dwfl_module_addrdie relies on .debug_aranges, which
 * clang does not emit and which may miss CUs; then the module's CUs are indexed by their own
 * ranges (once) and searched. */
static Dwarf_Die *find_cu(module *m, Dwfl_Module *dm, uint64_t addr, Dwarf_Addr *bias,
                          Dwarf_Die *mem)
{
    Dwarf_Die *cu = dwfl_module_addrdie(dm, addr, bias);
    if (cu || !m)
        return cu;
    if (!m->cus_loaded) {
        m->cus_loaded = 1;
        if (dwfl_module_getdwarf(dm, &m->dwbias)) {
            Dwarf_Addr b;
            for (Dwarf_Die *c = dwfl_module_nextcu(dm, NULL, &b); c;
                 c = dwfl_module_nextcu(dm, c, &b))
                range_add_die(&m->cus, c);
            range_sort(&m->cus);
        }
    }
    const die_range *r = range_find(&m->cus, addr - m->dwbias);
    if (!r)
        return NULL;
    *mem = r->die;
    *bias = m->dwbias;
    return mem;
}

/* The functions whose code contains one pc, outermost first: the out-of-line subprogram, then
 * each inlined subroutine it contains down to the innermost one (die[n - 1]). */
typedef struct fn_chain {
    Dwarf_Die die[MAX_SCOPE_DEPTH + 2];
    int n;
} fn_chain;

/* Depth-first search below parent for the innermost scope containing pc (a DWARF address);
 * each DW_TAG_inlined_subroutine on the way down is appended to *chain, and a
 * DW_TAG_subprogram / DW_TAG_entry_point (out-of-line code) restarts it. Only one child per
 * level can contain pc, so the search descends into it and never backtracks. */
static void find_scope(Dwarf_Die *parent, Dwarf_Addr pc, fn_chain *chain, int depth)
{
    Dwarf_Die child;
    if (depth > MAX_SCOPE_DEPTH || dwarf_child(parent, &child) != 0)
        return;
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
            if (dwarf_haspc(&child, pc) != 1)
                break;
            if (tag == DW_TAG_subprogram || tag == DW_TAG_entry_point)
                chain->n = 0;
            if ((tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
                 tag == DW_TAG_entry_point) &&
                chain->n < (int)(sizeof chain->die / sizeof chain->die[0]))
                chain->die[chain->n++] = child;
            if (dwarf_haschildren(&child))
                find_scope(&child, pc, chain, depth + 1);
            return;
        default:
            /* Types, variables, parameters, call sites: no code of their own. */
            break;
        }
    } while (dwarf_siblingof(&child, &child) == 0);
}

/* Adds every subprogram with code below parent (through namespaces, modules and types, which
 * may own member function definitions) to t. */
static void index_subprograms(range_table *t, Dwarf_Die *parent, int depth)
{
    Dwarf_Die child;
    if (depth > MAX_SCOPE_DEPTH || dwarf_child(parent, &child) != 0)
        return;
    do {
        switch (dwarf_tag(&child)) {
        case DW_TAG_subprogram:
            range_add_die(t, &child);
            break;
        case DW_TAG_namespace:
        case DW_TAG_module:
        case DW_TAG_class_type:
        case DW_TAG_structure_type:
        case DW_TAG_union_type:
            if (dwarf_haschildren(&child))
                index_subprograms(t, &child, depth + 1);
            break;
        default:
            break;
        }
    } while (dwarf_siblingof(&child, &child) == 0);
}

static cu_index *cu_index_of(lst_symbolizer *s, Dwarf_Die *cu)
{
    const void *key = cu->addr;
    cu_index *ci;
    HASH_FIND(hh, s->cus, &key, sizeof key, ci);
    if (ci)
        return ci;
    ci = xcalloc(1, sizeof *ci);
    ci->key = key;
    index_subprograms(&ci->fns, cu, 0);
    range_sort(&ci->fns);
    HASH_ADD(hh, s->cus, key, sizeof ci->key, ci);
    return ci;
}

/* Finds the functions containing the DWARF address pc of the CU (see fn_chain): the subprogram
 * by binary search in the CU's index, then the inlined subroutines inside it. Returns
 * chain->n, 0 when no function contains pc. */
static int function_chain(lst_symbolizer *s, Dwarf_Die *cu, Dwarf_Addr pc, fn_chain *chain)
{
    chain->n = 0;
    const die_range *r = range_find(&cu_index_of(s, cu)->fns, pc);
    if (!r)
        return 0;
    chain->die[chain->n++] = r->die;
    if (dwarf_haschildren(&chain->die[0]))
        find_scope(&chain->die[0], pc, chain, 1);
    return chain->n;
}

/* Finds the innermost function (subprogram or inlined subroutine) containing the DWARF address
 * pc of the CU. Returns 1 and sets *fn, or 0. */
static int innermost_function(lst_symbolizer *s, Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *fn)
{
    fn_chain chain;
    int n = function_chain(s, cu, pc, &chain);
    if (n)
        *fn = chain.die[n - 1];
    return n > 0;
}

static int is_cplusplus(Dwarf_Die *die)
{
    Dwarf_Die cu;
    if (!dwarf_diecu(die, &cu, NULL, NULL))
        return 0;
    switch (dwarf_srclang(&cu)) {
    case DW_LANG_C_plus_plus:
    case DW_LANG_C_plus_plus_03:
    case DW_LANG_C_plus_plus_11:
    case DW_LANG_C_plus_plus_14:
        return 1;
    default:
        return 0;
    }
}

/* "ns::Class::name" for a C++ function DIE without a linkage name (static and some inline
 * functions): the enclosing namespaces and types of its declaration, found once per DIE with
 * dwarf_getscopes_die and cached. Falls back to the plain name. */
static const char *qualified_name(lst_symbolizer *s, Dwarf_Die *fn, const char *name)
{
    Dwarf_Die decl = *fn;
    for (int i = 0; i < 8; i++) {
        Dwarf_Attribute attr;
        Dwarf_Die next;
        if (!dwarf_attr(&decl, DW_AT_abstract_origin, &attr) &&
            !dwarf_attr(&decl, DW_AT_specification, &attr))
            break;
        if (!dwarf_formref_die(&attr, &next))
            break;
        decl = next;
    }
    const void *key = decl.addr;
    qual_name *q;
    HASH_FIND(hh, s->quals, &key, sizeof key, q);
    if (q)
        return q->name;
    q = xcalloc(1, sizeof *q);
    q->key = key;
    q->name = intern(s, name);

    Dwarf_Die *scopes = NULL;
    int n = dwarf_getscopes_die(&decl, &scopes);
    if (n > 2) {
        size_t len = strlen(name) + 1;
        for (int i = 1; i < n - 1; i++)
            len += (dwarf_diename(&scopes[i]) ? strlen(dwarf_diename(&scopes[i])) : 21) + 2;
        char *buf = xcalloc(1, len), *o = buf;
        for (int i = n - 2; i >= 1; i--) {
            const char *part = dwarf_diename(&scopes[i]);
            if (!part)
                part = dwarf_tag(&scopes[i]) == DW_TAG_namespace ? "(anonymous namespace)"
                                                                 : "(anonymous)";
            o = stpcpy(stpcpy(o, part), "::");
        }
        strcpy(o, name);
        q->name = intern(s, buf);
        free(buf);
    }
    free(scopes);
    HASH_ADD(hh, s->quals, key, sizeof q->key, q);
    return q->name;
}

/* The name to show for a function DIE: the demangled linkage name (C++, gives "ns::f(int)"),
 * else DW_AT_name (qualified by its namespaces for C++); both followed through abstract_origin
 * and specification. */
static const char *die_function_name(lst_symbolizer *s, Dwarf_Die *fn)
{
    Dwarf_Attribute attr;
    const char *n = dwarf_formstring(dwarf_attr_integrate(fn, DW_AT_linkage_name, &attr));
    if (!n)
        n = dwarf_formstring(dwarf_attr_integrate(fn, DW_AT_MIPS_linkage_name, &attr));
    /* Only a mangled linkage name says more than DW_AT_name; a C one is an assembler alias
     * such as glibc's "__GI___gconv_open" for __gconv_open. */
    if (n && is_mangled(n))
        return intern_symbol(s, n);
    n = dwarf_diename(fn);
    if (!n)
        return NULL;
    return is_cplusplus(fn) ? qualified_name(s, fn, n) : intern(s, n);
}

/* --- code addresses ------------------------------------------------------------------------- */

/* The function symbol containing addr, for code without DWARF. */
static const char *symtab_function(lst_symbolizer *s, module *m, uint64_t addr)
{
    if (!m->syms_loaded)
        load_symbols(m);
    GElf_Word shndx = SHN_UNDEF;
    Dwarf_Addr a = addr, bias = 0;
    Elf_Scn *scn = dwfl_module_address_section(m->dm, &a, &bias);
    if (scn)
        shndx = (GElf_Word)elf_ndxscn(scn);
    const symbol *e = find_symbol(m->funcs, m->nfuncs, addr, 1, shndx);
    return e ? intern_symbol(s, e->name) : NULL;
}

/* Resolves one code address (already adjusted for return addresses) into *out. */
static int resolve_pc(lst_symbolizer *s, uint64_t addr, lst_sym *out)
{
    memset(out, 0, sizeof *out);
    Dwfl_Module *dm = dwfl_addrmodule(s->dwfl, addr);
    module *m = dm ? module_of(dm) : NULL;
    if (!m)
        return -1;
    out->module = m->path;

    Dwarf_Addr dwbias = 0;
    Dwarf_Die cu_mem;
    Dwarf_Die *cu = find_cu(m, dm, addr, &dwbias, &cu_mem);
    if (cu) {
        /* File and line: the line table row of addr, the innermost inlined location. */
        Dwarf_Line *ln = dwarf_getsrc_die(cu, addr - dwbias);
        const char *file = ln ? dwarf_linesrc(ln, NULL, NULL) : NULL;
        int line = 0;
        if (file && dwarf_lineno(ln, &line) == 0) {
            out->file = intern_path(s, file);
            out->line = line > 0 ? line : 0;
        }
        /* Function: the innermost subprogram or inlined subroutine containing addr. */
        Dwarf_Die fn;
        if (innermost_function(s, cu, addr - dwbias, &fn))
            out->function = die_function_name(s, &fn);
    }
    /* No DWARF (or no DIE for this code): the ELF symbol table. */
    if (!out->function)
        out->function = symtab_function(s, m, addr);
    return 0;
}

/* The call site of an inlined subroutine DIE (DW_AT_call_file / DW_AT_call_line) into
 * f->file and f->line. A concrete DIE without them is followed to its DW_AT_abstract_origin
 * (an inlined subroutine nested in an abstract instance may carry them instead); the file
 * index is one of the CU of the DIE that has them. */
static void call_site(lst_symbolizer *s, Dwarf_Die *inlined, lst_sym *f)
{
    Dwarf_Die die = *inlined;
    Dwarf_Attribute attr;
    for (int i = 0; !dwarf_attr(&die, DW_AT_call_line, &attr); i++) {
        Dwarf_Die origin;
        if (i == 8 || !dwarf_attr(&die, DW_AT_abstract_origin, &attr) ||
            !dwarf_formref_die(&attr, &origin))
            return;
        die = origin;
    }
    Dwarf_Word line = 0, file = 0;
    if (dwarf_formudata(&attr, &line) == 0 && line > 0)
        f->line = line > INT_MAX ? 0 : (int)line;
    Dwarf_Die cu;
    Dwarf_Files *files = NULL;
    size_t nfiles = 0;
    if (dwarf_formudata(dwarf_attr(&die, DW_AT_call_file, &attr), &file) != 0 ||
        !dwarf_diecu(&die, &cu, NULL, NULL) || dwarf_getsrcfiles(&cu, &files, &nfiles) != 0 ||
        file >= nfiles)
        return;
    /* libdw names the unused entry 0 of a DWARF 4 file table "???". */
    const char *name = dwarf_filesrc(files, file, NULL, NULL);
    if (name && strcmp(name, "???") != 0)
        f->file = intern_path(s, name);
}

/* Builds e's inlined-frame chain (e->rc == 0): for each inlined subroutine containing the
 * address, the function it was inlined into with the line of the call. */
static void resolve_callers(lst_symbolizer *s, pc_entry *e)
{
    e->nframes = 1;
    Dwfl_Module *dm = dwfl_addrmodule(s->dwfl, e->key);
    module *m = dm ? module_of(dm) : NULL;
    Dwarf_Addr dwbias = 0;
    Dwarf_Die cu_mem;
    Dwarf_Die *cu = m ? find_cu(m, dm, e->key, &dwbias, &cu_mem) : NULL;
    fn_chain chain;
    if (!cu || function_chain(s, cu, e->key - dwbias, &chain) < 2)
        return;
    int n = chain.n;
    e->callers = xcalloc((size_t)n - 1, sizeof *e->callers);
    for (int i = 1; i < n; i++) {
        lst_sym *f = &e->callers[i - 1];
        f->module = m->path;
        /* Frame i is the function that inlined frame i - 1, at the call's line. */
        f->function = die_function_name(s, &chain.die[n - 1 - i]);
        call_site(s, &chain.die[n - i], f);
    }
    if (!e->callers[n - 2].function)
        e->callers[n - 2].function = symtab_function(s, m, e->key);
    e->nframes = n;
}

/* The memoized answer for the code address key, resolved on first use. */
static pc_entry *pc_lookup(lst_symbolizer *s, uint64_t key)
{
    pc_entry *e;
    HASH_FIND(hh, s->pcs, &key, sizeof key, e);
    if (!e) {
        e = xcalloc(1, sizeof *e);
        e->key = key;
        e->rc = resolve_pc(s, key, &e->sym);
        HASH_ADD(hh, s->pcs, key, sizeof e->key, e);
    }
    return e;
}

int lst_symbolize(lst_symbolizer *s, uint64_t pc, int is_return, lst_sym *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!s || !out || (is_return && pc == 0))
        return -1;
    pc_entry *e = pc_lookup(s, is_return ? pc - 1 : pc);
    *out = e->sym;
    return e->rc;
}

int lst_symbolize_inlined(lst_symbolizer *s, uint64_t pc, int is_return, lst_sym *out, int max)
{
    if (out && max > 0)
        memset(out, 0, sizeof *out);
    if (!s || !out || max < 1 || (is_return && pc == 0))
        return -1;
    pc_entry *e = pc_lookup(s, is_return ? pc - 1 : pc);
    if (e->rc != 0)
        return -1;
    if (!e->nframes)
        resolve_callers(s, e);
    int n = e->nframes < max ? e->nframes : max;
    out[0] = e->sym;
    for (int i = 1; i < n; i++)
        out[i] = e->callers[i - 1];
    return n;
}

/* --- data addresses ------------------------------------------------------------------------- */

/* Interns a variable's symbol name for display: demangled for C++, and without the ".N"
 * suffix GCC gives function-scope statics ("lock.0" -> "lock"). */
static const char *data_name(lst_symbolizer *s, const symbol *o)
{
    const char *raw = o->name;
    if (o->bind == STB_LOCAL && !is_mangled(raw)) {
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
            if (!m->syms_loaded)
                load_symbols(m);
            const symbol *o = find_symbol(m->objs, m->nobjs, addr, 0, SHN_UNDEF);
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
        free(p->callers);
        free(p);
    }
    data_entry *d, *dtmp;
    HASH_ITER(hh, s->data, d, dtmp)
    {
        HASH_DEL(s->data, d);
        free(d);
    }
    cu_index *c, *ctmp;
    HASH_ITER(hh, s->cus, c, ctmp)
    {
        HASH_DEL(s->cus, c);
        free(c->fns.r);
        free(c);
    }
    qual_name *q, *qtmp;
    HASH_ITER(hh, s->quals, q, qtmp)
    {
        HASH_DEL(s->quals, q);
        free(q);
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
        free(m->funcs);
        free(m->cus.r);
        free(m);
    }
    dwfl_end(s->dwfl);
    free(s);
}
