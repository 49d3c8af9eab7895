/*
 * bench_figures.h: the figures of a bench run: throughput, speedup,
 * peak_rss, frag, syscalls (from summary.csv), latency (when the latency
 * pass ran), series/TRACE (one per trace) and crosscheck (when hyperfine
 * ran), each as PNG and SVG, with allocators in the order asked for so an
 * allocator keeps its colour across figures.
 */
#ifndef FRAGLAB_BENCH_FIGURES_H
#define FRAGLAB_BENCH_FIGURES_H

#include "bench.h"
#include "bench_csv.h"
#include "bench_traces.h"

/* skip_alloc[i] set: allocator i was not available and has no bars. */
void bench_figures_draw(const struct bench_config *cfg, const char *fraglab, const struct bench_traces *traces,
			const char *skip_alloc, const struct bench_csv *summary, int have_crosscheck);

#endif
