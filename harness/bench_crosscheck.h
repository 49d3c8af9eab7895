/*
 * bench_crosscheck.h: the hyperfine cross-check of a bench run, on the
 * cfg->hyperfine_traces largest traces (by events replayed).
 */
#ifndef FRAGLAB_BENCH_CROSSCHECK_H
#define FRAGLAB_BENCH_CROSSCHECK_H

#include "bench.h"
#include "bench_csv.h"
#include "bench_traces.h"

/* Runs hyperfine (skipped with a message when it is not installed) and
 * writes OUT/hyperfine-TRACE.csv and OUT/crosscheck.csv.  Returns 1 when
 * crosscheck.csv was written. */
int bench_crosscheck_run(const struct bench_config *cfg, const char *fraglab, const struct bench_traces *traces,
			 const char *skip_alloc, const struct bench_csv *summary, const char *work_dir);

#endif
