/* gate.c: --exitcode, --fail-on, --baseline and --suppressions, the options that decide
 * whether a command fails a CI build (see gate.h). The files are read once, up front, so a
 * missing or corrupt one stops the command before it runs anything. */
#define _GNU_SOURCE
#include "gate.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"

#define ALL_KINDS ((1u << LST_KIND_COUNT) - 1)

void lst_gate_init(lst_gate *g, const char *cmd)
{
    memset(g, 0, sizeof *g);
    g->cmd = cmd;
    g->exitcode = LST_EXIT_FINDINGS;
    g->kinds = ALL_KINDS;
    lst_baseline_init(&g->baseline);
}

/* Parses "all" or "kind,kind,..." into a bit set; returns -1 after one line on a bad list. */
static int parse_kinds(const char *cmd, const char *arg, unsigned *out)
{
    if (!strcmp(arg, "all")) {
        *out = ALL_KINDS;
        return 0;
    }
    unsigned set = 0;
    char *copy = strdup(arg), *save = NULL;
    for (char *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
        if (!strcmp(k, "all")) {
            set = ALL_KINDS;
            continue;
        }
        int kind = lst_kind_from_name(k);
        if (kind < 0) {
            char known[512] = "";
            for (int i = 0; i < LST_KIND_COUNT; i++) {
                strcat(known, i ? "," : "");
                strcat(known, lst_kind_name((lst_kind)i));
            }
            lst_err(cmd, "unknown finding kind '%s' in --fail-on (want all or some of %s)", k,
                    known);
            free(copy);
            return -1;
        }
        set |= 1u << kind;
    }
    free(copy);
    if (!set) {
        lst_err(cmd, "--fail-on needs a kind (all, or e.g. data-race,deadlock)");
        return -1;
    }
    *out = set;
    return 0;
}

int lst_gate_option(lst_gate *g, int opt, const char *arg)
{
    switch (opt) {
    case LST_OPT_FAIL_ON:
        g->fail_on = arg;
        return parse_kinds(g->cmd, arg, &g->kinds) ? LST_EXIT_USAGE : 0;
    case LST_OPT_BASELINE:
        g->baseline_arg = arg;
        return 0;
    case LST_OPT_SUPPRESSIONS:
        g->supp_arg = arg;
        return 0;
    case LST_OPT_EXITCODE:
        g->exitcode = lst_num_arg(arg);
        if (g->exitcode < 0 || g->exitcode > 255) {
            lst_err(g->cmd, "invalid value '%s' for --exitcode (want 0-255)", arg);
            return LST_EXIT_USAGE;
        }
        return 0;
    }
    return LST_EXIT_USAGE;
}

int lst_gate_load(lst_gate *g)
{
    if (g->supp_arg) {
        g->supp = lst_load_suppressions(g->cmd, g->supp_arg, g->supp_path, sizeof g->supp_path);
        if (!g->supp)
            return LST_EXIT_USAGE;
    }
    if (g->baseline_arg) {
        char err[1024];
        int rc = lst_baseline_load(g->baseline_arg, &g->baseline, err, sizeof err);
        if (rc == 1) {
            lst_report r;
            if (lst_read_json(g->baseline_arg, &r, err, sizeof err) != 0) {
                rc = -1;
            } else {
                lst_baseline_add_report(&g->baseline, &r);
                lst_report_free(&r);
                rc = 0;
            }
        }
        if (rc != 0) {
            lst_err(g->cmd, "--baseline: %s", err);
            return LST_EXIT_USAGE;
        }
        if (!realpath(g->baseline_arg, g->baseline_path))
            snprintf(g->baseline_path, sizeof g->baseline_path, "%s", g->baseline_arg);
        g->have_baseline = 1;
    }
    return 0;
}

const char *lst_gate_supp_path(const lst_gate *g)
{
    return g->supp ? g->supp_path : NULL;
}

void lst_gate_apply(const lst_gate *g, lst_report *r)
{
    lst_suppress(g->supp, r);
    if (g->have_baseline) {
        lst_baseline_apply(&g->baseline, r);
        free(r->baseline);
        r->baseline = strdup(g->baseline_path);
    }
}

size_t lst_gate_failing(const lst_gate *g, const lst_report *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        n += !r->findings[i].baselined && (g->kinds >> r->findings[i].kind & 1u);
    return n;
}

void lst_gate_summary(const lst_gate *g, const lst_report *r, FILE *out)
{
    if ((!g->fail_on && !g->have_baseline) || !r->nfindings)
        return;
    size_t baselined = 0, other = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        if (r->findings[i].baselined)
            baselined++;
        else if (!(g->kinds >> r->findings[i].kind & 1u))
            other++;
    }
    fprintf(out, "lockstep: gate: %zu of %zu finding%s fail%s the build", lst_gate_failing(g, r),
            r->nfindings, r->nfindings == 1 ? "" : "s", lst_gate_failing(g, r) == 1 ? "s" : "");
    if (baselined)
        fprintf(out, "; %zu baselined (%s)", baselined, g->baseline_arg);
    if (other)
        fprintf(out, "; %zu not of a --fail-on kind (%s)", other, g->fail_on);
    fputc('\n', out);
}

void lst_gate_free(lst_gate *g)
{
    lst_suppressions_free(g->supp);
    g->supp = NULL;
    lst_baseline_free(&g->baseline);
}
