/*
 * bench.h: `fraglab bench`, the whole comparison: every trace against
 * every allocator, N timing runs plus a series and a latency pass each
 * (one `fraglab replay` subprocess per trace and allocator), then
 * runs.csv, summary.csv, series/TRACE.csv, machine.txt, the hyperfine
 * cross-check and the gnuplot figures in the output directory.
 */
#ifndef FRAGLAB_BENCH_H
#define FRAGLAB_BENCH_H

#include <stddef.h>

#define BENCH_MAX_ALLOCATORS 64

struct bench_config {
	const char *const *trace_args;  /* files or directories; none: traces/ */
	size_t n_trace_args;
	const char *allocators[BENCH_MAX_ALLOCATORS];
	size_t n_allocators;
	unsigned runs;            /* timing runs per trace and allocator */
	int latency;              /* run the latency pass */
	const char *out_dir;
	int plots;
	int hyperfine;
	unsigned hyperfine_runs;
	unsigned hyperfine_traces; /* how many of the largest traces */
	unsigned timeout_s;        /* per replay child; 0: replay's default */
	unsigned budget_s;         /* start no trace that would end past this; 0: none */
	const char *settings;      /* how bench was asked to run, for machine.txt */
};

/* The allocators bench compares when none is named. */
extern const char *const bench_default_allocators[];
extern const size_t bench_n_default_allocators;

/* Runs the comparison.  Returns 0 when every run was ok, 1 when some run
 * failed (recorded, the rest carried on), 2 on bad input, 130 on Ctrl-C. */
int bench_run(const struct bench_config *cfg);

#endif
