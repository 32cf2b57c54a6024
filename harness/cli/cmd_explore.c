/* cmd_explore.c: `lockstep explore` and `lockstep replay`, the deterministic scheduler's
 * commands. explore runs the target under N schedules (one process each, -j in parallel),
 * each from a seed derived from --seed and the schedule's number, so a whole exploration is
 * reproducible; a schedule with findings is saved as a schedule file (and its interleaving
 * as a trace). Findings are merged by fingerprint across schedules, each keeping the first
 * schedule that shows it. replay re-executes one schedule file exactly and checks, by step
 * count and event hash, that the target followed it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "cli.h"
#include "gate.h"
#include "report.h"
#include "schedule_file.h"
#include "suppress.h"

typedef struct explore_cfg {
    const char *outdir;     /* absolute */
    const char *scratch;    /* where each schedule's stores go while it runs (tmpfs if any) */
    char **targv;           /* argv[0] resolved */
    int targc;
    char *const *user_argv; /* as given */
    const char *strategy;
    uint32_t seed, depth, pct_steps, spurious, max_steps;
    unsigned schedules, jobs, timeout_s, budget_s;
    unsigned shard, shards; /* --shard I/N (0/0: all schedules) */
    unsigned planned;       /* schedules of this shard */
    int stop_on_first, quiet;
    int fork_server;          /* fork each schedule from a server stopped before main */
    int pin;                  /* keep each schedule's process on one CPU (pin=1) */
    const char *suppressions; /* absolute path or NULL */
    const char *choices;    /* replay: choices file */
    uint64_t binary_hash;
} explore_cfg;

/* Shared between the explore workers and the parent, for progress and --stop-on-first. */
typedef struct shared_state {
    _Atomic unsigned done;
    _Atomic unsigned with_findings;
    _Atomic unsigned stop;
} shared_state;

/* A scratch directory for the stores of running schedules: on tmpfs (/dev/shm) when it is
 * writable, since creating and deleting a store on a journalled disk costs milliseconds. */
static void scratch_dir(const char *outdir, char *buf, size_t n)
{
    snprintf(buf, n, "/dev/shm/lockstep-%d", (int)getpid());
    if (access("/dev/shm", W_OK) != 0 || (mkdir(buf, 0700) != 0 && errno != EEXIST))
        snprintf(buf, n, "%s/runs", outdir);
}

static uint32_t schedule_seed(uint32_t seed, unsigned i)
{
    uint64_t x = ((uint64_t)seed << 32 | i) * 0x9e3779b97f4a7c15ULL;
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 29;
    return (uint32_t)x;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *op_name(uint32_t op)
{
    static const char *const names[] = {"none",
#define X(e, name) name,
                                        LST_OPS(X)
#undef X
    };
    return op < LST_OP_COUNT ? names[op] : "?";
}

/* Writes the interleaving (one scheduling point per line) of the store h to path. The text
 * uses thread numbers and lock ids only, so replays of one schedule give identical files. */
static int write_trace(lst_store_hdr *h, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    uint64_t n = atomic_load(&h->sched_steps);
    if (n > h->trace_cap)
        n = h->trace_cap;
    fprintf(f, "# lockstep trace: step thread operation object\n");
    for (uint64_t i = 0; i < n; i++) {
        lst_step_rec *s = &lst_st_steps(h)[i];
        char name[17];
        memcpy(name, lst_st_thread(h, s->thread)->name, 16);
        name[16] = 0;
        const char *what = s->op == LST_OP_CREATE || s->op == LST_OP_JOIN || s->op == LST_OP_START
                               ? "T"
                           : s->obj ? "lock#" : "";
        if (*what)
            fprintf(f, "%" PRIu64 " T%u %s %s %s%" PRIu64 "\n", i + 1, s->thread, name,
                    op_name(s->op), what, s->obj);
        else
            fprintf(f, "%" PRIu64 " T%u %s %s\n", i + 1, s->thread, name, op_name(s->op));
    }
    fprintf(f, "# steps %" PRIu64 " hash %016" PRIx64 "\n", (uint64_t)atomic_load(&h->sched_steps),
            h->sched_hash);
    return fclose(f);
}

/* Fills a schedule from the root store of a run. */
static void schedule_from_store(const explore_cfg *c, uint32_t seed, lst_store_hdr *h,
                                lst_schedule *s)
{
    memset(s, 0, sizeof *s);
    s->program = c->targv[0];
    s->argv = (char **)c->user_argv;
    s->argc = c->targc;
    static char cwd[PATH_MAX];
    s->cwd = getcwd(cwd, sizeof cwd) ? cwd : "/";
    s->strategy = (char *)c->strategy;
    s->seed = seed;
    s->depth = c->depth;
    s->pct_steps = c->pct_steps;
    s->spurious = c->spurious;
    s->max_steps = c->max_steps;
    s->binary_hash = c->binary_hash;
    s->steps = atomic_load(&h->sched_steps);
    s->hash = h->sched_hash;
    uint32_t flags = atomic_load(&h->sched_flags);
    s->replayable = !(flags & (LST_SF_NOT_REPLAYABLE | LST_SF_TRACE_FULL));
    s->choices = lst_st_trace(h);
    s->nchoices = atomic_load(&h->ntrace);
}

typedef struct sched_result {
    int have_store;
    uint64_t steps, hash;
    uint32_t flags, diverged_at;
} sched_result;

/* Runs schedule number i (or the replay when c->choices is set) and fills r with what it
 * found. Saves the schedule file and trace under outdir/schedules when there are findings
 * (or always, for a replay: into sched_path). */
static int run_one(const explore_cfg *c, unsigned i, uint32_t seed, lst_report *r,
                   sched_result *sr, const char *sched_path, lst_server *srv)
{
    char rundir[PATH_MAX], err[1024], opts[PATH_MAX + 512];
    snprintf(rundir, sizeof rundir, "%s/%u", c->scratch, i);
    lst_rm_rf(rundir);
    if (lst_prepare_outdir(rundir, err, sizeof err) != 0) {
        lst_err("explore", "%s", err);
        return -1;
    }
    snprintf(opts, sizeof opts,
             "sched=1:strategy=%s:seed=%" PRIu32 ":pct_depth=%" PRIu32 ":pct_steps=%" PRIu32
             ":spurious=%" PRIu32 ":max_steps=%" PRIu32 "%s%s%s",
             c->strategy, seed, c->depth, c->pct_steps, c->spurious, c->max_steps,
             c->pin ? ":pin=1" : "", c->choices ? ":replay=" : "", c->choices ? c->choices : "");
    lst_run_opts o = {"explore", rundir, c->targv, c->timeout_s, 3000, opts, 1,
                      c->quiet && !c->choices, c->suppressions};
    lst_run_result res;
    memset(sr, 0, sizeof *sr);
    if (srv && srv->fd >= 0 && lst_run_forked(srv, &o, &res, r, err, sizeof err) != 0) {
        /* the server broke down: say so, stop it, and run this schedule by exec */
        if (!c->quiet)
            lst_err("explore",
                    "fork server: %s; running one process per schedule from schedule %u on",
                    err, i);
        lst_server_stop(srv);
        lst_report_free(r);
        lst_report_init(r);
        lst_rm_rf(rundir);
        if (lst_prepare_outdir(rundir, err, sizeof err) != 0) {
            lst_err("explore", "%s", err);
            return -1;
        }
    }
    if ((!srv || srv->fd < 0) && lst_run_target(&o, &res, r, err, sizeof err) != 0) {
        lst_err(c->choices ? "replay" : "explore", "%s", err);
        return -1;
    }
    char root[PATH_MAX + 128], name[64];
    snprintf(name, sizeof name, "store.%d.0", (int)res.pid);
    snprintf(root, sizeof root, "%s/stores/%s", rundir, name);
    lst_store_view v;
    int have = lst_store_open(root, &v, err, sizeof err) == 0;
    lst_collect_with(rundir, r, 100000, name, have ? &v : NULL); /* one mapping of the root */
    if (have) {
        sr->have_store = 1;
        sr->steps = atomic_load(&v.h->sched_steps);
        sr->hash = v.h->sched_hash;
        sr->flags = atomic_load(&v.h->sched_flags);
        sr->diverged_at = v.h->diverged_at;
        if (sr->flags & LST_SF_DEADLOCK) {
            lst_ctx ctx;
            lst_ctx_init(&ctx, v.h);
            lst_detect_stall(&ctx, r);
            lst_ctx_free(&ctx);
        } else if (sr->flags & LST_SF_HANG) {
            lst_finding *f = lst_report_add_finding(r, LST_KIND_HANG);
            lst_finding_set_message(f, "hang: the schedule exceeded %" PRIu32
                                       " scheduling points (a livelock, or --max-steps too low)",
                                    c->max_steps);
            f->process = res.pid;
            lst_finding_fingerprint(f);
        }
    }
    res.ended_by_shim = res.ended_by_shim || (sr->flags & (LST_SF_DEADLOCK | LST_SF_HANG));
    lst_add_exit_findings(r, &res, 1);
    lst_report_dedupe(r);
    if (have && (r->nfindings || sched_path)) {
        char path[PATH_MAX], trace[PATH_MAX + 16];
        if (sched_path)
            snprintf(path, sizeof path, "%s", sched_path);
        else
            snprintf(path, sizeof path, "%s/schedules/%u.schedule", c->outdir, i);
        if (!sched_path) {
            lst_schedule s;
            schedule_from_store(c, seed, v.h, &s);
            s.has_index = 1;
            s.index = i;
            s.shard = c->shard;
            s.shards = c->shards;
            if (lst_schedule_write(&s, path) != 0)
                lst_err("explore", "cannot write %s: %s", path, strerror(errno));
            snprintf(trace, sizeof trace, "%s/schedules/%u.trace", c->outdir, i);
        } else {
            snprintf(trace, sizeof trace, "%s/trace.txt", c->outdir);
        }
        write_trace(v.h, trace);
        for (size_t k = 0; k < r->nfindings; k++) {
            free(r->findings[k].schedule);
            r->findings[k].schedule = strdup(path);
        }
    }
    if (have)
        lst_store_close(&v);
    lst_rm_rf(rundir);
    return 0;
}

/* Merges the findings and notes of one schedule into the exploration's report. */
static void merge(lst_report *all, lst_report *one)
{
    for (int note = 0; note < 2; note++) {
        lst_finding *v = note ? one->notes : one->findings;
        size_t n = note ? one->nnotes : one->nfindings;
        for (size_t i = 0; i < n; i++) {
            lst_finding *have = lst_report_find(all, v[i].kind, v[i].fingerprint, note);
            if (have)
                have->count += v[i].count;
            else
                lst_report_take(all, &v[i], note);
        }
    }
    for (size_t i = 0; i < one->nlimits; i++)
        lst_report_add_limit(all, one->limits[i]);
}

/* The global number of the k-th schedule of this shard: with --shard I/N, schedule i runs
 * in shard i % N + 1, so the shards together run the unsharded exploration's schedules with
 * the same seeds. UINT_MAX when k is past the last one. */
static unsigned shard_schedule(const explore_cfg *c, unsigned k)
{
    uint64_t i = c->shards ? (uint64_t)(c->shard - 1) + (uint64_t)k * c->shards : k;
    return i < c->schedules ? (unsigned)i : UINT_MAX;
}

/* One worker: runs the shard's schedules w, w+jobs, ... and leaves each one's report with
 * findings in outdir/runs/<i>.json for the parent to merge in order. */
static void worker(const explore_cfg *c, unsigned w, shared_state *sh, uint64_t deadline)
{
    /* one fork server per worker: the schedules it forks are the ones it would exec */
    lst_server srv = {0, -1};
    if (c->fork_server) {
        char err[1024];
        lst_run_opts o = {"explore", c->outdir, c->targv, c->timeout_s, 0, NULL, 1,
                          c->quiet, c->suppressions};
        if (lst_server_start(&o, &srv, err, sizeof err) != 0 && w == 0 && !c->quiet)
            lst_err("explore", "fork server not used: %s; running one process per schedule", err);
    }
    for (unsigned k = w, i; (i = shard_schedule(c, k)) != UINT_MAX; k += c->jobs) {
        if (atomic_load(&sh->stop) || (deadline && now_ms() >= deadline))
            break;
        lst_report r;
        lst_report_init(&r);
        sched_result sr;
        if (run_one(c, i, schedule_seed(c->seed, i), &r, &sr, NULL, &srv) == 0) {
            if (r.nfindings || r.nnotes || r.nlimits) {
                char path[PATH_MAX + 32];
                snprintf(path, sizeof path, "%s/runs/%u.json", c->outdir, i);
                lst_write_json(&r, path);
            }
            if (r.nfindings) {
                atomic_fetch_add(&sh->with_findings, 1);
                if (c->stop_on_first)
                    atomic_store(&sh->stop, 1);
            }
        }
        atomic_fetch_add(&sh->done, 1);
        lst_report_free(&r);
    }
    lst_server_stop(&srv);
}

static void progress(const explore_cfg *c, shared_state *sh, uint64_t start, int final)
{
    if (c->quiet)
        return;
    unsigned done = atomic_load(&sh->done), bad = atomic_load(&sh->with_findings);
    double secs = (double)(now_ms() - start) / 1000.0;
    double rate = secs > 0 ? done / secs : 0;
    char shard[64] = "";
    if (c->shards)
        snprintf(shard, sizeof shard, " (shard %u/%u of %u)", c->shard, c->shards, c->schedules);
    if (isatty(2))
        fprintf(stderr,
                "\rlockstep: explore: %u/%u schedules%s, %u with findings, %.0f schedules/s%s",
                done, c->planned, shard, bad, rate, final ? "\n" : "");
    else
        fprintf(stderr,
                "lockstep: explore: %u/%u schedules%s, %u with findings, %.0f schedules/s\n", done,
                c->planned, shard, bad, rate);
}

static void usage(FILE *out)
{
    fputs("usage: lockstep explore [--schedules N] [--strategy random|pct] [--seed S] [--depth D]\n"
          "                        [-j J] [-o DIR] [--stop-on-first] [--time-budget SEC]\n"
          "                        [--no-spurious] [--max-steps N] [--timeout SEC]\n"
          "                        [--no-fork-server] [--no-pin] [--shard I/N] [--exitcode N]\n"
          "                        [--fail-on KINDS] [--baseline FILE] [--suppressions FILE]\n"
          "                        [-q] -- PROG [ARGS...]\n"
          "Runs PROG under the deterministic scheduler, one process per schedule, and reports\n"
          "deadlocks, target failures (assertions, crashes, non-zero exits) and hangs, each with\n"
          "the schedule file that replays it, plus everything `lockstep run` reports.\n"
          "  --schedules N     schedules to run (default 100)\n"
          "  --strategy S      random (default) or pct\n"
          "  --seed S          seed of the whole exploration (default 1)\n"
          "  --depth D         PCT bug depth (default 3)\n"
          "  --pct-steps K     PCT: expected scheduling points (default: measured by a first run)\n"
          "  -j J              schedules run in parallel (default 1)\n"
          "  -o, --output DIR  output directory (default lockstep-out)\n"
          "  --stop-on-first   stop at the first schedule with findings\n"
          "  --time-budget SEC stop starting schedules after SEC seconds\n"
          "  --no-spurious     do not inject spurious condition-variable wakeups\n"
          "  --max-steps N     scheduling points before a schedule is a hang (default 1000000)\n"
          "  --timeout SEC     real-time bound of one schedule (default 60)\n"
          "  --no-fork-server  exec the program for every schedule instead of forking it\n"
          "                    from one copy stopped before main\n"
          "  --no-pin          let a schedule's threads run on every CPU (by default they\n"
          "                    stay on the CPU the schedule starts on)\n"
          "  --shard I/N       run only the schedules i with i % N == I-1 (same seeds as\n"
          "                    unsharded); lockstep merge combines the shards' reports\n"
          /* clang-format off */
          LST_GATE_USAGE
          /* clang-format on */
          "  -q, --quiet       no progress, no text report, no target output\n",
          out);
}

/* Measures the scheduling points of one run, for PCT's change points. */
static uint32_t probe_steps(explore_cfg *c)
{
    explore_cfg p = *c;
    p.strategy = "random";
    p.quiet = 1;
    lst_report r;
    lst_report_init(&r);
    sched_result sr;
    uint32_t steps = 0;
    if (run_one(&p, c->schedules + 1, c->seed, &r, &sr, NULL, NULL) == 0 && sr.have_store)
        steps = (uint32_t)(sr.steps > UINT32_MAX ? UINT32_MAX : sr.steps);
    lst_report_free(&r);
    return steps ? steps : 1;
}

static int finish(lst_report *r, const char *outdir, int quiet, const lst_gate *g, const char *cmd)
{
    lst_gate_apply(g, r);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/report.json", outdir);
    if (lst_write_json(r, path) != 0) {
        lst_err(cmd, "cannot write %s: %s", path, strerror(errno));
        return LST_EXIT_INTERNAL;
    }
    if (!quiet) {
        lst_write_text(r, stderr, isatty(2) && !getenv("NO_COLOR"));
        for (size_t i = 0; i < r->nfindings; i++)
            if (r->findings[i].schedule && !r->schedule)
                fprintf(stderr, "lockstep: %s: replay it with: lockstep replay %s\n",
                        lst_kind_name(r->findings[i].kind), r->findings[i].schedule);
        lst_gate_summary(g, r, stderr);
    }
    return lst_gate_failing(g, r) ? (int)g->exitcode : 0;
}

int lst_cmd_explore(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"schedules", required_argument, 0, 'n'}, {"strategy", required_argument, 0, 'S'},
        {"seed", required_argument, 0, 's'},      {"depth", required_argument, 0, 'd'},
        {"pct-steps", required_argument, 0, 'k'}, {"jobs", required_argument, 0, 'j'},
        {"output", required_argument, 0, 'o'},    {"stop-on-first", no_argument, 0, 'F'},
        {"time-budget", required_argument, 0, 'b'}, {"no-spurious", no_argument, 0, 'P'},
        {"max-steps", required_argument, 0, 'm'}, {"timeout", required_argument, 0, 't'},
        {"quiet", no_argument, 0, 'q'},           {"shard", required_argument, 0, 'H'},
        {"no-fork-server", no_argument, 0, 'X'},  {"no-pin", no_argument, 0, 'Y'},
        LST_GATE_LONGOPTS,
        {"help", no_argument, 0, 'h'},            {0, 0, 0, 0}};
    explore_cfg c = {.strategy = "random", .seed = 1, .depth = 3, .spurious = 1,
                     .max_steps = 1000000, .schedules = 100, .jobs = 1, .timeout_s = 60,
                     .fork_server = 1, .pin = 1};
    const char *outdir = "lockstep-out";
    long v;
    int opt, pct_steps_given = 0;
    lst_gate g;
    lst_gate_init(&g, "explore");
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+:j:o:qh", longopts, NULL)) != -1) {
        const char *name = NULL;
        for (const struct option *lo = longopts; lo->name; lo++)
            if (lo->val == opt)
                name = lo->name;
        switch (opt) {
        case 'S':
            if (strcmp(optarg, "random") && strcmp(optarg, "pct")) {
                lst_err("explore", "unknown strategy '%s' (want random or pct)", optarg);
                return LST_EXIT_USAGE;
            }
            c.strategy = optarg;
            continue;
        case 'o':
            outdir = optarg;
            continue;
        case 'F':
            c.stop_on_first = 1;
            continue;
        case 'P':
            c.spurious = 0;
            continue;
        case 'X':
            c.fork_server = 0;
            continue;
        case 'Y':
            c.pin = 0;
            continue;
        case 'q':
            c.quiet = 1;
            continue;
        case 'H': {
            char *end = NULL;
            unsigned long si = strtoul(optarg, &end, 10), sn = 0;
            if (end != optarg && *end == '/' && end[1] >= '0' && end[1] <= '9')
                sn = strtoul(end + 1, &end, 10);
            if (*end || optarg[0] < '0' || optarg[0] > '9' || si < 1 || sn < si || sn > INT_MAX) {
                lst_err("explore", "invalid value '%s' for --shard (want I/N with 1 <= I <= N)",
                        optarg);
                return LST_EXIT_USAGE;
            }
            c.shard = (unsigned)si;
            c.shards = (unsigned)sn;
            continue;
        }
        case LST_GATE_CASES:
            if (lst_gate_option(&g, opt, optarg) != 0)
                return LST_EXIT_USAGE;
            continue;
        case 'h':
            usage(stdout);
            return 0;
        case '?':
        case ':':
            return lst_bad_option("explore", argv, opt);
        }
        if ((v = lst_num_arg(optarg)) < 0 || (opt != 's' && opt != 'b' && v == 0)) {
            lst_err("explore", "invalid value '%s' for --%s", optarg, name ? name : "?");
            return LST_EXIT_USAGE;
        }
        switch (opt) {
        case 'n':
            c.schedules = (unsigned)v;
            break;
        case 's':
            c.seed = (uint32_t)v;
            break;
        case 'd':
            c.depth = (uint32_t)v;
            break;
        case 'k':
            c.pct_steps = (uint32_t)v;
            pct_steps_given = 1;
            break;
        case 'j':
            c.jobs = (unsigned)(v > 64 ? 64 : v);
            break;
        case 'b':
            c.budget_s = (unsigned)v;
            break;
        case 'm':
            c.max_steps = (uint32_t)v;
            break;
        case 't':
            c.timeout_s = (unsigned)v;
            break;
        }
    }
    if (optind >= argc) {
        lst_err("explore", "no program given (usage: lockstep explore [options] -- PROG [ARGS...])");
        return LST_EXIT_USAGE;
    }
    char err[1024], prog[PATH_MAX], absout[PATH_MAX];
    if (lst_gate_load(&g) != 0)
        return LST_EXIT_USAGE;
    c.suppressions = lst_gate_supp_path(&g);
    if (lst_check_program(argv[optind], prog, sizeof prog, err, sizeof err) != 0 ||
        lst_prepare_outdir(outdir, err, sizeof err) != 0 || !realpath(outdir, absout)) {
        lst_err("explore", "%s", err);
        lst_gate_free(&g);
        return LST_EXIT_USAGE;
    }
    char sdir[PATH_MAX + 16];
    snprintf(sdir, sizeof sdir, "%s/schedules", absout);
    lst_rm_rf(sdir);
    mkdir(sdir, 0755);
    snprintf(sdir, sizeof sdir, "%s/runs", absout);
    lst_rm_rf(sdir);
    mkdir(sdir, 0755);
    c.outdir = absout;
    c.targc = argc - optind;
    c.user_argv = argv + optind;
    c.targv = calloc((size_t)c.targc + 1, sizeof *c.targv);
    c.targv[0] = prog;
    for (int i = 1; i < c.targc; i++)
        c.targv[i] = argv[optind + i];
    c.binary_hash = lst_binary_hash(prog);
    char scratch[PATH_MAX + 64];
    scratch_dir(absout, scratch, sizeof scratch);
    c.scratch = scratch;
    if (!strcmp(c.strategy, "pct") && !pct_steps_given)
        c.pct_steps = probe_steps(&c);
    else if (!pct_steps_given)
        c.pct_steps = 1000;

    shared_state *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        lst_err("explore", "mmap: %s", strerror(errno));
        return LST_EXIT_INTERNAL;
    }
    uint64_t start = now_ms(), deadline = c.budget_s ? start + (uint64_t)c.budget_s * 1000 : 0;
    while (shard_schedule(&c, c.planned) != UINT_MAX)
        c.planned++;
    if (c.jobs > c.planned)
        c.jobs = c.planned;
    pid_t *kids = calloc(c.jobs, sizeof *kids);
    fflush(NULL);
    for (unsigned w = 0; w < c.jobs; w++) {
        kids[w] = fork();
        if (kids[w] == 0) {
            worker(&c, w, sh, deadline);
            _exit(0);
        }
    }
    unsigned running = c.jobs;
    uint64_t last = 0;
    while (running) {
        int st;
        pid_t p = waitpid(-1, &st, WNOHANG);
        if (p > 0) {
            running--;
            continue;
        }
        if (p < 0 && errno != EINTR)
            break;
        struct timespec ts = {0, 10 * 1000000L}; /* workers finish in ms: a short poll keeps small explorations fast */
        nanosleep(&ts, NULL);
        uint64_t t = now_ms();
        if (t - last >= (isatty(2) ? 200u : 5000u)) {
            progress(&c, sh, start, 0);
            last = t;
        }
    }
    progress(&c, sh, start, 1);
    free(kids);

    lst_report all;
    lst_report_init(&all);
    all.tool_version = strdup(LST_VERSION);
    all.mode = strdup("explore");
    lst_report_set_argv(&all, c.targc, argv + optind);
    all.schedules = atomic_load(&sh->done);
    all.shard = c.shard;
    all.shards = c.shards;
    /* the target's exit status when every schedule ended the same way, else unknown */
    all.exit_code = -1;
    int nstatus = 0;
    for (unsigned i = 0; i < c.schedules; i++) {
        char path[PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/runs/%u.json", absout, i);
        if (access(path, R_OK) != 0)
            continue;
        lst_report one;
        if (lst_read_json(path, &one, err, sizeof err) == 0) {
            if (nstatus++ == 0) {
                all.exit_code = one.exit_code;
                all.exit_signal = one.exit_signal;
            } else if (one.exit_code != all.exit_code || one.exit_signal != all.exit_signal) {
                all.exit_code = -1;
                all.exit_signal = 0;
            }
            merge(&all, &one);
            lst_report_free(&one);
        } else {
            lst_report_add_limit(&all, err);
        }
        unlink(path);
    }
    lst_rm_rf(sdir);
    lst_rm_rf(scratch);
    munmap(sh, sizeof *sh);
    free(c.targv);
    int rc = finish(&all, absout, c.quiet, &g, "explore");
    lst_report_free(&all);
    lst_gate_free(&g);
    return rc;
}

int lst_cmd_replay(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, 0, 'o'}, {"force", no_argument, 0, 'f'},
        {"quiet", no_argument, 0, 'q'},        {"timeout", required_argument, 0, 't'},
        {"help", no_argument, 0, 'h'},         LST_GATE_LONGOPTS,
        {0, 0, 0, 0}};
    const char *outdir = "lockstep-out";
    int force = 0, quiet = 0, opt;
    long timeout = 60;
    lst_gate g;
    lst_gate_init(&g, "replay");
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+:o:fqh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            outdir = optarg;
            break;
        case 'f':
            force = 1;
            break;
        case 'q':
            quiet = 1;
            break;
        case LST_GATE_CASES:
            if (lst_gate_option(&g, opt, optarg) != 0)
                return LST_EXIT_USAGE;
            break;
        case 't':
            if (lst_num_arg(optarg) < 0) {
                lst_err("replay", "invalid value '%s' for --timeout", optarg);
                return LST_EXIT_USAGE;
            }
            timeout = lst_num_arg(optarg);
            break;
        case 'h':
            fputs("usage: lockstep replay [-o DIR] [--force] [--timeout SEC] [--exitcode N]\n"
                  "                       [--fail-on KINDS] [--baseline FILE]\n"
                  "                       [--suppressions FILE] [-q] SCHEDULE\n"
                  "Re-executes the interleaving recorded in SCHEDULE and reports what it finds;\n"
                  "checks that the target followed it (step count and event hash).\n"
                  "  -o, --output DIR     output directory (default lockstep-out)\n"
                  "  -f, --force          replay even if the program's binary changed since recording\n"
                  "      --timeout SEC    real-time bound of the run (default 60)\n"
                  /* clang-format off */
                  LST_GATE_USAGE
                  /* clang-format on */
                  "  -q, --quiet          no text report on stderr\n",
                  stdout);
            return 0;
        default:
            return lst_bad_option("replay", argv, opt);
        }
    }
    if (optind != argc - 1) {
        lst_err("replay", "want exactly one schedule file (usage: lockstep replay [-o DIR] SCHEDULE)");
        return LST_EXIT_USAGE;
    }
    const char *file = argv[optind];
    char err[1024], prog[PATH_MAX], absout[PATH_MAX], abssched[PATH_MAX];
    if (lst_gate_load(&g) != 0)
        return LST_EXIT_USAGE;
    const char *supp = lst_gate_supp_path(&g);
    lst_schedule s;
    if (lst_schedule_read(file, &s, err, sizeof err) != 0) {
        lst_err("replay", "%s", err);
        lst_gate_free(&g);
        return LST_EXIT_USAGE;
    }
    if (!realpath(file, abssched))
        snprintf(abssched, sizeof abssched, "%s", file);
    if (lst_check_program(s.program, prog, sizeof prog, err, sizeof err) != 0) {
        lst_err("replay", "%s", err);
        lst_schedule_free(&s);
        return LST_EXIT_USAGE;
    }
    uint64_t bh = lst_binary_hash(prog);
    if (bh != s.binary_hash && !force) {
        lst_err("replay", "%s was recorded for another build of %s (binary hash %016" PRIx64
                          ", now %016" PRIx64 "); use --force to replay anyway",
                file, prog, s.binary_hash, bh);
        lst_schedule_free(&s);
        return LST_EXIT_USAGE;
    }
    if (lst_prepare_outdir(outdir, err, sizeof err) != 0 || !realpath(outdir, absout)) {
        lst_err("replay", "%s", err);
        lst_schedule_free(&s);
        return LST_EXIT_USAGE;
    }
    char choices[PATH_MAX + 32];
    snprintf(choices, sizeof choices, "%s/replay.choices", absout);
    if (lst_schedule_write_choices(&s, choices) != 0) {
        lst_err("replay", "cannot write %s: %s", choices, strerror(errno));
        lst_schedule_free(&s);
        return LST_EXIT_INTERNAL;
    }
    if (s.cwd && chdir(s.cwd) != 0)
        lst_err("replay", "warning: cannot enter the recorded directory %s; replaying here", s.cwd);
    char scratch[PATH_MAX + 64];
    scratch_dir(absout, scratch, sizeof scratch);
    explore_cfg c = {.outdir = absout, .scratch = scratch, .targc = s.argc, .user_argv = s.argv,
                     .strategy = s.strategy, .seed = s.seed, .depth = s.depth,
                     .pct_steps = s.pct_steps, .spurious = s.spurious, .max_steps = s.max_steps,
                     .schedules = 1, .jobs = 1, .timeout_s = (unsigned)timeout, .quiet = quiet,
                     .choices = choices, .binary_hash = bh, .suppressions = supp, .pin = 1};
    c.targv = calloc((size_t)s.argc + 1, sizeof *c.targv);
    c.targv[0] = prog;
    for (int i = 1; i < s.argc; i++)
        c.targv[i] = s.argv[i];
    lst_report r;
    lst_report_init(&r);
    r.tool_version = strdup(LST_VERSION);
    r.mode = strdup("replay");
    r.schedule = strdup(abssched);
    r.shard = s.shard;
    r.shards = s.shards;
    lst_report_set_argv(&r, s.argc, s.argv);
    sched_result sr;
    int rc = run_one(&c, 0, s.seed, &r, &sr, abssched, NULL);
    unlink(choices);
    if (rc == 0) {
        char line[512];
        if (!sr.have_store) {
            snprintf(line, sizeof line, "replay: the target never reached the scheduler");
            lst_report_add_limit(&r, line);
        } else if (sr.steps == s.steps && sr.hash == s.hash && !(sr.flags & LST_SF_DIVERGED)) {
            if (!quiet)
                fprintf(stderr, "lockstep: replay: exact: %" PRIu64 " steps, event hash %016" PRIx64
                                "\n", sr.steps, sr.hash);
        } else {
            snprintf(line, sizeof line,
                     "replay: the target diverged from the schedule (%" PRIu64 " steps, hash %016"
                     PRIx64 "; recorded %" PRIu64 " steps, hash %016" PRIx64 "%s); it may read "
                     "the clock, a random source or input that changed",
                     sr.steps, sr.hash, s.steps, s.hash,
                     sr.flags & LST_SF_DIVERGED ? ", a recorded choice did not fit" : "");
            lst_report_add_limit(&r, line);
            if (!quiet)
                fprintf(stderr, "lockstep: %s\n", line);
        }
        rc = finish(&r, absout, quiet, &g, "replay");
    } else {
        rc = LST_EXIT_USAGE;
    }
    free(c.targv);
    lst_rm_rf(scratch);
    lst_report_free(&r);
    lst_schedule_free(&s);
    lst_gate_free(&g);
    return rc;
}
