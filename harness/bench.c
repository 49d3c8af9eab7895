/* bench.c: run the comparison and write every result file. */
#include "bench.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_csv.h"
#include "bench_outfile.h"
#include "bench_hyperfine.h"
#include "bench_plot.h"
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

int bench_mkdirs(const char *dir)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
		fprintf(stderr, "fraglab: %s: path too long\n", dir);
		return -1;
	}
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			fprintf(stderr, "fraglab: %s: %s\n", path, strerror(errno));
			return -1;
		}
		*p = saved;
		if (!saved)
			break;
	}
	struct stat st;
	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "fraglab: %s: not a directory\n", path);
		return -1;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bench_remove_work_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char path[PATH_MAX];
		bench_outfile_path(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* 1 if `name` is one of the files bench writes into the output directory
 * (or, with in_series, into its series/ directory). */
static int is_bench_output(const char *name, int in_series)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return 0;
	if (in_series)
		return !strcmp(dot, ".csv") || !strcmp(dot, ".png") || !strcmp(dot, ".svg");
	static const char *const figures[] = {"throughput", "speedup", "peak_rss", "frag", "syscalls", "latency",
					       "crosscheck"};
	for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
		if (!strncmp(name, figures[i], strlen(figures[i])) && (size_t)(dot - name) == strlen(figures[i]) &&
		    (!strcmp(dot, ".png") || !strcmp(dot, ".svg") || !strcmp(dot, ".csv")))
			return 1;
	return !strncmp(name, "hyperfine-", 10) && !strcmp(dot, ".csv");
}

/* After a complete run: removes bench's own outputs that this run did not
 * write (a trace no longer replayed, a latency figure from a run with the
 * latency pass, hyperfine files of other traces), so the directory never
 * mixes two runs.  Anything not named like a bench output is left alone. */
static void prune_stale_outputs(const char *dir, int in_series, const struct timespec *started)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !is_bench_output(e->d_name, in_series))
			continue;
		char path[PATH_MAX];
		struct stat st;
		bench_outfile_path(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mtim.tv_sec < started->tv_sec ||
		     (st.st_mtim.tv_sec == started->tv_sec && st.st_mtim.tv_nsec < started->tv_nsec)))
			unlink(path);
	}
	closedir(d);
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

/* "glibc jemalloc ..." for gnuplot's word lists. */
static void word_list(const char *const *words, size_t n, const char *skip, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (skip && skip[i])
			continue;
		size_t len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", len ? " " : "", words[i]);
	}
}

static void draw_figures(const struct bench_config *cfg, const char *fraglab, const struct bench_traces *traces,
			 const char *skip_alloc, const struct bench_csv *summary, int have_crosscheck)
{
	char plot_dir[PATH_MAX];
	if (!bench_proc_in_path("gnuplot")) {
		fprintf(stderr, "bench: gnuplot not found; figures skipped (install gnuplot-nox)\n");
		return;
	}
	if (bench_plot_find_dir(fraglab, plot_dir, sizeof plot_dir)) {
		fprintf(stderr, "bench: plot/ scripts not found (set FRAGLAB_PLOT_DIR); figures skipped\n");
		return;
	}
	char allocs[4096], trace_words[16384], vars[24576] = "";
	word_list(cfg->allocators, cfg->n_allocators, skip_alloc, allocs, sizeof allocs);
	word_list((const char *const *)traces->stems, traces->n, NULL, trace_words, sizeof trace_words);
	bench_plot_add_var(vars, sizeof vars, "allocs", allocs);
	char bar_vars[sizeof vars + sizeof trace_words + 16];
	bench_outfile_path(bar_vars, sizeof bar_vars, "%s", vars);
	bench_plot_add_var(bar_vars, sizeof bar_vars, "traces", trace_words);

	char summary_path[PATH_MAX], out[PATH_MAX];
	bench_outfile_path(summary_path, sizeof summary_path, "%s/summary.csv", cfg->out_dir);
	static const char *const bar_figures[] = {"throughput", "speedup", "peak_rss", "frag", "syscalls"};
	for (size_t i = 0; i < sizeof bar_figures / sizeof bar_figures[0] && !bench_proc_interrupted(); i++) {
		bench_outfile_path(out, sizeof out, "%s/%s", cfg->out_dir, bar_figures[i]);
		bench_plot_draw(plot_dir, bar_figures[i], summary_path, out, bar_vars);
	}
	if (bench_csv_col(summary, "malloc_p50_ns") >= 0 && !bench_proc_interrupted()) {
		bench_outfile_path(out, sizeof out, "%s/latency", cfg->out_dir);
		bench_plot_draw(plot_dir, "latency", summary_path, out, vars);
	}
	for (size_t t = 0; t < traces->n && !bench_proc_interrupted(); t++) {
		char series_path[PATH_MAX];
		bench_outfile_path(series_path, sizeof series_path, "%s/series/%s.csv", cfg->out_dir, traces->stems[t]);
		if (access(series_path, F_OK))
			continue;
		bench_outfile_path(out, sizeof out, "%s/series/%s", cfg->out_dir, traces->stems[t]);
		bench_plot_draw(plot_dir, "series", series_path, out, vars);
	}
	if (have_crosscheck && !bench_proc_interrupted()) {
		char cross_path[PATH_MAX];
		bench_outfile_path(cross_path, sizeof cross_path, "%s/crosscheck.csv", cfg->out_dir);
		bench_outfile_path(out, sizeof out, "%s/crosscheck", cfg->out_dir);
		bench_plot_draw(plot_dir, "crosscheck", cross_path, out, vars);
	}
	fprintf(stderr, "bench: figures in %s/ (*.png, *.svg; series/*.png)\n", cfg->out_dir);
}

/* The hyperfine cross-check on the largest traces (by events replayed). */
static int run_hyperfine(const struct bench_config *cfg, const char *fraglab, const struct bench_traces *traces,
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
	if (bench_mkdirs(cfg->out_dir) || bench_mkdirs(series_dir)) {
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
				 run_hyperfine(cfg, fraglab, &ran, skip_alloc, &summary, work_dir);
		interrupted |= bench_proc_interrupted();
		if (cfg->plots && !interrupted)
			draw_figures(cfg, fraglab, &ran, skip_alloc, &summary, crosscheck);
		interrupted |= bench_proc_interrupted();
	}
	bench_remove_work_dir(work_dir);
	if (!interrupted && runs.n_rows) {
		prune_stale_outputs(cfg->out_dir, 0, &started);
		prune_stale_outputs(series_dir, 1, &started);
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
