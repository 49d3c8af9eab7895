/*
 * bench_hyperfine.h: the whole-process cross-check.  hyperfine times
 * `fraglab replay --alloc A --runs 1 TRACE` from outside, start-up, trace
 * loading and the child's exit included, while replay's own seconds cover
 * only the measured region; docs/bench.md explains how the two relate.
 */
#ifndef FRAGLAB_BENCH_HYPERFINE_H
#define FRAGLAB_BENCH_HYPERFINE_H

#include <stddef.h>

#include "bench_csv.h"

/* Runs hyperfine --warmup 1 --runs RUNS over one command per allocator on
 * `trace`, exporting to OUT_DIR/hyperfine-STEM.csv (whole or absent).
 * `work_dir` holds hyperfine's console output.  0, or -1 after a message. */
int bench_hyperfine_run(const char *fraglab, const char *trace, const char *stem,
			const char *const *allocators, size_t n_allocators, unsigned runs,
			const char *out_dir, const char *work_dir);

/* Adds to `cross` (columns trace, allocator, hyperfine_mean_s,
 * hyperfine_stddev_s, replay_seconds, outside_measured_s) one row per
 * allocator of OUT_DIR/hyperfine-STEM.csv, replay_seconds taken from the
 * summary row of the same trace and allocator. */
int bench_hyperfine_crosscheck(const char *out_dir, const char *stem, const char *trace_name,
			       const struct bench_csv *summary, struct bench_csv *cross);

#endif
