/*
 * summary.h: from every run (runs.csv) to one row per trace x allocator.
 *
 * Which runs feed which column: bench replays each trace in separate
 * passes so that measuring one thing never distorts another (issue 3).
 * Latency columns (malloc_*_ns, free_*_ns) come from the runs whose
 * `pass` is "latency"; every other metric from the "timing" runs (or from
 * every run when the table has no `pass` column); "series" runs feed
 * nothing here.  Only runs with status "ok" count.
 *
 * Output columns: the key columns, runs, ok_runs, failures (the non-ok
 * statuses seen, e.g. "crashed:SIGSEGV x1"), the median of each metric
 * under its own name, seconds_min and seconds_max (the spread of the
 * timing runs), syscalls (median over runs of mmap+munmap+mremap+brk+
 * madvise), and three ratios against the glibc row of the same trace:
 * ops_per_s_vs_glibc, peak_rss_vs_glibc, and syscalls_vs_glibc =
 * (syscalls + 1) / (glibc's syscalls + 1), finite even when either made
 * none.
 * With geomean set, one more row per allocator has trace "geomean": the
 * geometric mean over the traces where that allocator had ok runs (the
 * others are named in its `note`: "no ok run on git-repack").  A geometric
 * mean with a zero says nothing, so for the headline columns (the three
 * ratios and frag_peak) and the latency percentiles (the clock's resolution
 * rounds fast calls to 0) it is taken over the traces with a positive value
 * (a trace too small for any heap RSS has no RSS ratio or frag_peak) and
 * the note names the traces left out ("peak_rss_vs_glibc over 15 of 17
 * traces (not gen-classic gen-hundred)"); every other column is left empty
 * unless all those traces have a positive value.
 */
#ifndef FRAGLAB_SUMMARY_H
#define FRAGLAB_SUMMARY_H

#include <stddef.h>

#include "bench_csv.h"

#define SUMMARY_BASELINE "glibc"
#define SUMMARY_GEOMEAN_TRACE "geomean"

struct summary_options {
	const char *const *keys; /* grouping columns; the first must be "trace" */
	size_t n_keys;
	int geomean;             /* add the per-allocator geomean rows */
};

/* Median of v[0..n-1] (sorts v); NAN when n == 0. */
double summary_median(double *v, size_t n);
/* Geometric mean; NAN when n == 0 or any value is not > 0. */
double summary_geomean(const double *v, size_t n);
/* a / b for ratios against the baseline; 0/0 is 1 (both did nothing),
 * x/0 is NAN (no finite ratio). */
double summary_ratio(double a, double b);

/* Builds the summary of `runs` into `out` (initialised here). */
void summary_compute(const struct bench_csv *runs, const struct summary_options *opt,
		     struct bench_csv *out);

#endif
