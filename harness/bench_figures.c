/* bench_figures.c: draw every figure of a bench run with the plot/ scripts. */
#include "bench_figures.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench_outfile.h"
#include "bench_plot.h"
#include "bench_proc.h"

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

void bench_figures_draw(const struct bench_config *cfg, const char *fraglab, const struct bench_traces *traces,
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
	static const char *const bar_figures[] = {"throughput", "speedup", "peak_rss", "rss_ratio", "frag", "syscalls"};
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
