/* bench_crosscheck.c: pick the largest traces, run hyperfine on them and
 * write crosscheck.csv beside replay's own timing. */
#include "bench_crosscheck.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_hyperfine.h"
#include "bench_outfile.h"
#include "bench_proc.h"

/* The hyperfine cross-check on the largest traces (by events replayed). */
int bench_crosscheck_run(const struct bench_config *cfg, const char *fraglab, const struct bench_traces *traces,
			 const char *skip_alloc, const struct bench_csv *summary, const char *work_dir)
{
	if (!bench_proc_in_path("hyperfine")) {
		fprintf(stderr, "bench: hyperfine not found; cross-check skipped (install hyperfine)\n");
		return 0;
	}
	const char *allocs[BENCH_MAX_ALLOCATORS];
	size_t n_allocs = 0;
	for (size_t a = 0; a < cfg->n_allocators; a++)
		if (!skip_alloc[a])
			allocs[n_allocs++] = cfg->allocators[a];
	/* Pick the traces with the most events (glibc's row, or any). */
	double *events = calloc(traces->n, sizeof *events);
	char *picked = calloc(traces->n, 1);
	if (!events || !picked) {
		free(events);
		free(picked);
		return 0;
	}
	for (size_t t = 0; t < traces->n; t++)
		for (size_t r = 0; r < summary->n_rows; r++) {
			double v;
			if (!strcmp(bench_csv_field(summary, r, "trace"), traces->stems[t]) &&
			    bench_csv_number(summary, r, bench_csv_col(summary, "events"), &v) && v > events[t])
				events[t] = v;
		}
	struct bench_csv cross;
	bench_csv_init(&cross, NULL, 0);
	int made = 0;
	for (unsigned k = 0; k < cfg->hyperfine_traces && k < traces->n && !bench_proc_interrupted(); k++) {
		size_t best = traces->n;
		for (size_t t = 0; t < traces->n; t++)
			if (!picked[t] && (best == traces->n || events[t] > events[best]))
				best = t;
		picked[best] = 1;
		fprintf(stderr, "bench: hyperfine cross-check on %s (%.0f events), %zu allocators x %u runs\n",
			traces->stems[best], events[best], n_allocs, cfg->hyperfine_runs);
		if (bench_hyperfine_run(fraglab, traces->paths[best], traces->stems[best], allocs, n_allocs,
					cfg->hyperfine_runs, cfg->out_dir, work_dir) == 0 &&
		    bench_hyperfine_crosscheck(cfg->out_dir, traces->stems[best], traces->stems[best], summary,
					       &cross) == 0)
			made = 1;
	}
	if (made) {
		char path[PATH_MAX];
		bench_outfile_path(path, sizeof path, "%s/crosscheck.csv", cfg->out_dir);
		made = bench_csv_save(&cross, path) == 0;
	}
	bench_csv_free(&cross);
	free(events);
	free(picked);
	return made;
}
