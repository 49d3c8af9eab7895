/* bench.c: run the comparison and write every result file. */
#include "bench.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_crosscheck.h"
#include "bench_csv.h"
#include "bench_figures.h"
#include "bench_outfile.h"
#include "bench_outputs.h"
#include "bench_proc.h"
#include "bench_replay.h"
#include "bench_traces.h"
#include "machine.h"
#include "summary.h"
#include "summary_markdown.h"

const char *const bench_default_allocators[] = {
	"glibc", "flmalloc:addr", "flmalloc:lifo", "flmalloc:best", "flmalloc:seg",
	"jemalloc", "mimalloc", "tcmalloc",
};
const size_t bench_n_default_allocators =
	sizeof bench_default_allocators / sizeof bench_default_allocators[0];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Everything bench writes, saved after each trace so an interrupted or
 * failing bench still leaves whole, usable files behind. */
static int save_tables(const struct bench_config *cfg, const struct bench_csv *runs, struct bench_csv *summary)
{
	static const char *const keys[] = {"trace", "allocator"};
	struct summary_options opt = {keys, 2, 1};
	char path[PATH_MAX];
	bench_csv_free(summary);
	summary_compute(runs, &opt, summary);
	bench_outfile_path(path, sizeof path, "%s/runs.csv", cfg->out_dir);
	if (bench_csv_save(runs, path))
		return -1;
	bench_outfile_path(path, sizeof path, "%s/summary.csv", cfg->out_dir);
	if (bench_csv_save(summary, path))
		return -1;
	bench_outfile_path(path, sizeof path, "%s/summary.md", cfg->out_dir);
	return summary_markdown_save(summary, path);
}

/* The geometric-mean rows: the headline, shown when bench ends. */
static void print_headline(const struct bench_csv *summary)
{
	fprintf(stderr, "\nbench: geometric mean over traces, against glibc (>1 faster; <1 smaller, fewer):\n");
	fprintf(stderr, "  %-16s %12s %12s %12s\n", "allocator", "ops/s", "peak RSS", "syscalls");
	for (size_t r = 0; r < summary->n_rows; r++) {
		if (strcmp(bench_csv_field(summary, r, "trace"), SUMMARY_GEOMEAN_TRACE))
			continue;
		const char *cells[3] = {bench_csv_field(summary, r, "ops_per_s_vs_glibc"),
					bench_csv_field(summary, r, "peak_rss_vs_glibc"),
					bench_csv_field(summary, r, "syscalls_vs_glibc")};
		fprintf(stderr, "  %-16s", bench_csv_field(summary, r, "allocator"));
		for (int i = 0; i < 3; i++) {
			if (*cells[i])
				fprintf(stderr, " %11.3fx", atof(cells[i]));
			else
				fprintf(stderr, " %12s", "-");
		}
		fprintf(stderr, "\n");
	}
}

int bench_run(const struct bench_config *cfg)
{
	char fraglab[PATH_MAX];
	if (bench_proc_self_exe(fraglab, sizeof fraglab)) {
		fprintf(stderr, "fraglab bench: cannot find its own binary in /proc/self/exe\n");
		return 2;
	}
	struct bench_traces traces;
	if (bench_traces_collect(cfg->trace_args, cfg->n_trace_args, &traces))
		return 2;
	char series_dir[PATH_MAX], work_dir[PATH_MAX];
	bench_outfile_path(series_dir, sizeof series_dir, "%s/series", cfg->out_dir);
	bench_outfile_path(work_dir, sizeof work_dir, "%s/.bench-work-XXXXXX", cfg->out_dir);
	if (bench_outputs_mkdirs(cfg->out_dir) || bench_outputs_mkdirs(series_dir)) {
		bench_traces_free(&traces);
		return 2;
	}
	if (!mkdtemp(work_dir)) {
		fprintf(stderr, "fraglab bench: %s: %s\n", work_dir, strerror(errno));
		bench_traces_free(&traces);
		return 2;
	}
	struct timespec started;
	clock_gettime(CLOCK_REALTIME, &started);
	bench_proc_install_interrupt();

	static const char *const first_columns[] = {"trace", "allocator", "run", "status"};
	struct bench_csv runs, summary;
	bench_csv_init(&runs, first_columns, 4);
	bench_csv_init(&summary, NULL, 0);
	char skip_alloc[BENCH_MAX_ALLOCATORS] = {0};
	char skipped_notes[4096] = "";
	int any_failed = 0, interrupted = 0;
	double start = now_s();
	char csv_tmp[PATH_MAX], series_tmp[PATH_MAX];
	bench_outfile_path(csv_tmp, sizeof csv_tmp, "%s/replay.csv", work_dir);
	bench_outfile_path(series_tmp, sizeof series_tmp, "%s/series.csv", work_dir);

	fprintf(stderr, "bench: %zu traces x %zu allocators, %u timing runs + a series%s pass each, into %s/\n",
		traces.n, cfg->n_allocators, cfg->runs, cfg->latency ? " and a latency" : "", cfg->out_dir);
	if (cfg->timeout_s)
		fprintf(stderr, "bench: a replay pass running over %u s is stopped and recorded as status timeout\n",
			cfg->timeout_s);
	size_t traces_done = 0;
	for (size_t t = 0; t < traces.n && !interrupted; t++) {
		/* A budget (--quick) stops before a trace that, at the mean time per
		 * trace so far, would end past it; the rest are reported, not run. */
		double elapsed = now_s() - start;
		if (cfg->budget_s && t > 0 && elapsed + elapsed / (double)t > cfg->budget_s) {
			size_t len = strlen(skipped_notes);
			snprintf(skipped_notes + len, sizeof skipped_notes - len, "budget of %u s reached; traces not run:",
				 cfg->budget_s);
			for (size_t u = t; u < traces.n; u++) {
				len = strlen(skipped_notes);
				snprintf(skipped_notes + len, sizeof skipped_notes - len, " %s", traces.stems[u]);
			}
			len = strlen(skipped_notes);
			snprintf(skipped_notes + len, sizeof skipped_notes - len, "\n");
			fprintf(stderr, "bench: %.0f s of a %u s budget spent on %zu of %zu traces; the other %zu are not run (listed in machine.txt)\n",
				elapsed, cfg->budget_s, t, traces.n, traces.n - t);
			break;
		}
		traces_done = t + 1;
		struct bench_csv series;
		bench_csv_init(&series, NULL, 0);
		for (size_t a = 0; a < cfg->n_allocators && !interrupted; a++) {
			if (skip_alloc[a])
				continue;
			fprintf(stderr, "[%7.1fs] trace %zu/%zu %s, allocator %zu/%zu %s: %u run%s\n", now_s() - start,
				t + 1, traces.n, traces.stems[t], a + 1, cfg->n_allocators, cfg->allocators[a],
				cfg->runs, cfg->runs == 1 ? "" : "s");
			struct bench_replay_job job = {
				.fraglab = fraglab, .trace = traces.paths[t], .trace_stem = traces.stems[t],
				.allocator = cfg->allocators[a], .runs = cfg->runs, .latency = cfg->latency,
				.timeout_s = cfg->timeout_s, .csv_path = csv_tmp, .series_path = series_tmp,
				.env = NULL, .indent = "           | ",
			};
			size_t first;
			char why[512];
			switch (bench_replay_run(&job, &runs, &first, why, sizeof why)) {
			case BENCH_REPLAY_INTERRUPTED:
				interrupted = 1;
				continue;
			case BENCH_REPLAY_ALLOC_MISSING:
				skip_alloc[a] = 1;
				fprintf(stderr, "bench: allocator %s is not available; skipped for every trace (never replaced by another)\n",
					cfg->allocators[a]);
				snprintf(skipped_notes + strlen(skipped_notes), sizeof skipped_notes - strlen(skipped_notes),
					 "skipped allocator %s: %s\n", cfg->allocators[a], why);
				continue;
			case BENCH_REPLAY_NO_ROWS:
				any_failed = 1;
				fprintf(stderr, "bench: replay of %s with %s failed (%s); recorded, going on\n",
					traces.stems[t], cfg->allocators[a], why);
				break;
			case BENCH_REPLAY_RUNS_FAILED:
				any_failed = 1;
				fprintf(stderr, "bench: some runs of %s with %s were not ok; recorded, going on\n",
					traces.stems[t], cfg->allocators[a]);
				break;
			case BENCH_REPLAY_OK:
				break;
			}
			/* bench names traces by file (replay by header name): unique and
			 * safe in file names and gnuplot word lists. */
			for (size_t r = first; r < runs.n_rows; r++)
				bench_csv_set_field(&runs, r, "trace", traces.stems[t]);
			size_t series_first = series.n_rows;
			if (bench_replay_append_series(series_tmp, &series) == 0)
				for (size_t r = series_first; r < series.n_rows; r++)
					bench_csv_set_field(&series, r, "trace", traces.stems[t]);
		}
		if (series.n_rows) {
			char path[PATH_MAX];
			bench_outfile_path(path, sizeof path, "%s/%s.csv", series_dir, traces.stems[t]);
			bench_csv_save(&series, path);
		}
		bench_csv_free(&series);
		if (runs.n_rows && save_tables(cfg, &runs, &summary)) {
			any_failed = 1;
			break;
		}
	}
	interrupted |= bench_proc_interrupted();

	size_t n_used = 0;
	const char *used[BENCH_MAX_ALLOCATORS];
	for (size_t a = 0; a < cfg->n_allocators; a++)
		if (!skip_alloc[a])
			used[n_used++] = cfg->allocators[a];
	if (!interrupted && n_used == 0) {
		fprintf(stderr, "fraglab bench: none of the allocators asked for is available\n");
		any_failed = 1;
	}
	char notes[8192];
	snprintf(notes, sizeof notes, "settings: %s\n%s", cfg->settings ? cfg->settings : "", skipped_notes);
	char machine_path[PATH_MAX];
	bench_outfile_path(machine_path, sizeof machine_path, "%s/machine.txt", cfg->out_dir);
	/* The traces actually replayed (a budget may have stopped early). */
	struct bench_traces ran = traces;
	ran.n = traces_done;
	if (!interrupted && runs.n_rows) {
		machine_write_facts(machine_path, used, n_used, notes);
		int crosscheck = cfg->hyperfine && n_used &&
				 bench_crosscheck_run(cfg, fraglab, &ran, skip_alloc, &summary, work_dir);
		interrupted |= bench_proc_interrupted();
		if (cfg->plots && !interrupted)
			bench_figures_draw(cfg, fraglab, &ran, skip_alloc, &summary, crosscheck);
		interrupted |= bench_proc_interrupted();
	}
	bench_outputs_remove_scratch(work_dir);
	if (!interrupted && runs.n_rows) {
		bench_outputs_prune(cfg->out_dir, 0, &started);
		bench_outputs_prune(series_dir, 1, &started);
		print_headline(&summary);
	}
	fprintf(stderr, "bench: %s after %.1f s; results in %s/\n", interrupted ? "interrupted" : "done",
		now_s() - start, cfg->out_dir);
	bench_csv_free(&runs);
	bench_csv_free(&summary);
	bench_traces_free(&traces);
	if (interrupted)
		return 130;
	return any_failed ? 1 : 0;
}
