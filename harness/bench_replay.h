/*
 * bench_replay.h: one `fraglab replay` subprocess for one trace and one
 * allocator, N runs, its CSV rows appended to a table.
 *
 * bench never replays in its own process: replay already isolates each
 * run in a fresh child, checks that a preloaded allocator really serves
 * malloc, and records failures as statuses.  One invocation per
 * (trace, allocator) with --runs N gives N timing runs plus one series
 * pass (and one latency pass with --latency), the cheapest way to get all
 * three (replay runs the series pass once per invocation anyway).
 */
#ifndef FRAGLAB_BENCH_REPLAY_H
#define FRAGLAB_BENCH_REPLAY_H

#include <stddef.h>

#include "bench_csv.h"

struct bench_replay_job {
	const char *fraglab;      /* path of the fraglab binary */
	const char *trace;        /* trace file */
	const char *trace_stem;   /* its name, for rows replay could not write */
	const char *allocator;
	unsigned runs;
	int latency;              /* add the latency pass */
	unsigned timeout_s;       /* per child; 0: replay's default */
	const char *csv_path;     /* scratch file for replay's CSV */
	const char *series_path;  /* scratch file for the series, or NULL */
	char *const *env;         /* extra "NAME=VALUE" for replay, or NULL */
	const char *indent;       /* prefix for replay's stderr lines shown live */
};

enum bench_replay_outcome {
	BENCH_REPLAY_OK,           /* every run ok */
	BENCH_REPLAY_RUNS_FAILED,  /* rows recorded, some not ok */
	BENCH_REPLAY_ALLOC_MISSING,/* replay refused the allocator: nothing run */
	BENCH_REPLAY_NO_ROWS,      /* replay wrote nothing; failure rows synthesised */
	BENCH_REPLAY_INTERRUPTED,  /* Ctrl-C */
};

/* Runs the job and appends its rows to `runs` (*first_row: the first
 * appended).  `why` gets replay's last error line when not OK. */
enum bench_replay_outcome bench_replay_run(const struct bench_replay_job *job, struct bench_csv *runs,
					   size_t *first_row, char *why, size_t why_size);

/* Appends the series rows replay wrote to `series` (0), or -1 if absent. */
int bench_replay_append_series(const char *series_path, struct bench_csv *series);

#endif
