/* schedule_file.h: the schedule file, a versioned, human-readable text file that holds
 * everything needed to replay one interleaving: the program and its arguments, the working
 * directory, the strategy and its seed, the binary's hash, the step count and event hash
 * of the recorded run, and every scheduler choice. docs/schedule-format.md describes it.
 * Runs in the lockstep process. */
#ifndef LST_SCHEDULE_FILE_H
#define LST_SCHEDULE_FILE_H

#include <stddef.h>
#include <stdint.h>

#define LST_SCHEDULE_VERSION 1

typedef struct lst_schedule {
    char *program;      /* absolute path */
    char **argv;        /* argv[0..argc-1], argv[0] as the user gave it */
    int argc;
    char *cwd;
    char *strategy;     /* "random" or "pct" */
    uint32_t seed;
    uint32_t depth;     /* PCT depth */
    uint32_t pct_steps;
    uint32_t spurious;
    uint32_t max_steps;
    uint64_t binary_hash;
    uint64_t steps;     /* scheduling points of the recorded run */
    uint64_t hash;      /* event hash of the recorded run */
    int replayable;
    int has_index;      /* explore: index is the schedule's global number (0-based) */
    uint32_t index;
    uint32_t shard;     /* explore --shard I/N: I and N; 0 and 0 when not sharded */
    uint32_t shards;
    uint32_t *choices;  /* LST_CHOICE(kind, value) */
    size_t nchoices;
} lst_schedule;

/* Hash identifying a program file's contents (FNV-1a over at most its first 64 MiB, plus
 * its size). Returns 0 when the file cannot be read. */
uint64_t lst_binary_hash(const char *path);

/* Writes s to path atomically (temporary file, fsync, rename). Returns 0 or -1 (errno). */
int lst_schedule_write(const lst_schedule *s, const char *path);
/* Reads path into s. Returns 0, or -1 with "FILE:LINE: problem" in err (empty, truncated,
 * corrupt or foreign files, unknown versions). */
int lst_schedule_read(const char *path, lst_schedule *s, char *err, size_t errlen);
/* Writes the choices as the binary file the shim maps for replay. Returns 0 or -1. */
int lst_schedule_write_choices(const lst_schedule *s, const char *path);
void lst_schedule_free(lst_schedule *s);

#endif
