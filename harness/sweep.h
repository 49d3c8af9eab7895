/*
 * sweep.h: `fraglab sweep`, flmalloc's design questions answered with data.
 *
 *   big     FLMALLOC_BIG (the size from which a request gets its own
 *           mapping) over 4 KiB .. 4 MiB, powers of two;
 *   keep    FLMALLOC_KEEP (free whole pages kept before returning memory
 *           to the OS) over 0 .. 64 MiB;
 *   policy  addr, lifo, best and seg side by side, glibc as reference.
 *
 * Each point is one `fraglab replay` subprocess with the setting in its
 * environment (replay passes FLMALLOC_* through to the flmalloc child).
 * Writes OUT/sweep-NAME.csv (every run: param, value, then replay's
 * columns), OUT/sweep-NAME-summary.csv (medians per trace and value) and
 * the figure OUT/sweep-NAME.png/.svg.
 */
#ifndef FRAGLAB_SWEEP_H
#define FRAGLAB_SWEEP_H

#include <stddef.h>

#define SWEEP_MAX_VALUES 64

enum sweep_kind { SWEEP_BIG, SWEEP_KEEP, SWEEP_POLICY, SWEEP_KINDS };

struct sweep_config {
	const char *const *trace_args;
	size_t n_trace_args;
	int enabled[SWEEP_KINDS];
	unsigned long long big[SWEEP_MAX_VALUES];
	size_t n_big;
	unsigned long long keep[SWEEP_MAX_VALUES];
	size_t n_keep;
	const char *allocator;   /* swept allocator for big and keep (default flmalloc) */
	unsigned runs;
	unsigned timeout_s;
	const char *out_dir;
	int plots;
};

/* The default values of each numeric sweep. */
extern const unsigned long long sweep_default_big[];
extern const size_t sweep_n_default_big;
extern const unsigned long long sweep_default_keep[];
extern const size_t sweep_n_default_keep;

/* Parses "4096,64K,1M" (K, M, G: powers of 1024) into values; 0 or -1
 * after a one-line message. */
int sweep_parse_sizes(const char *list, unsigned long long *values, size_t max, size_t *n);

/* Runs the enabled sweeps.  0 all ok, 1 some run failed, 2 bad input,
 * 130 Ctrl-C. */
int sweep_run(const struct sweep_config *cfg);

#endif
