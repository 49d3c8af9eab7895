/* summary_markdown.c: summary.csv as Markdown tables. */
#include "summary_markdown.h"

#include <string.h>

#include "bench_outfile.h"
#include "summary.h"

/* The distinct values of column `name`, in order of appearance; the
 * geomean rows' trace is left out. */
static size_t distinct(const struct bench_csv *t, const char *name, const char **out, size_t max)
{
	size_t n = 0;
	int col = bench_csv_col(t, name);
	for (size_t r = 0; r < t->n_rows; r++) {
		const char *v = bench_csv_get(t, r, col);
		if (!strcmp(v, SUMMARY_GEOMEAN_TRACE) && !strcmp(name, "trace"))
			continue;
		size_t i = 0;
		while (i < n && strcmp(out[i], v))
			i++;
		if (i == n && n < max)
			out[n++] = v;
	}
	return n;
}

static long find(const struct bench_csv *t, const char *trace, const char *alloc)
{
	for (size_t r = 0; r < t->n_rows; r++)
		if (!strcmp(bench_csv_field(t, r, "trace"), trace) && !strcmp(bench_csv_field(t, r, "allocator"), alloc))
			return (long)r;
	return -1;
}

/* One cell: the number in `fmt`, or the failures when no run was ok, or "-". */
static void cell(FILE *out, const struct bench_csv *t, long row, const char *column, const char *fmt)
{
	double v;
	if (row >= 0 && bench_csv_number(t, (size_t)row, bench_csv_col(t, column), &v)) {
		fprintf(out, " ");
		fprintf(out, fmt, v);
		fprintf(out, " |");
	} else if (row >= 0 && *bench_csv_field(t, (size_t)row, "failures")) {
		fprintf(out, " %s |", bench_csv_field(t, (size_t)row, "failures"));
	} else {
		fprintf(out, " - |");
	}
}

static void per_trace_table(FILE *out, const struct bench_csv *t, const char *title, const char *column,
			    const char *fmt, const char **traces, size_t n_traces, const char **allocs,
			    size_t n_allocs, int with_geomean)
{
	fprintf(out, "\n### %s\n\n| trace |", title);
	for (size_t a = 0; a < n_allocs; a++)
		fprintf(out, " %s |", allocs[a]);
	fprintf(out, "\n|---|");
	for (size_t a = 0; a < n_allocs; a++)
		fprintf(out, "---:|");
	fprintf(out, "\n");
	for (size_t i = 0; i < n_traces + (size_t)with_geomean; i++) {
		const char *trace = i < n_traces ? traces[i] : SUMMARY_GEOMEAN_TRACE;
		fprintf(out, "| %s%s%s |", i < n_traces ? "" : "**", trace, i < n_traces ? "" : "**");
		for (size_t a = 0; a < n_allocs; a++)
			cell(out, t, find(t, trace, allocs[a]), column, fmt);
		fprintf(out, "\n");
	}
}

void summary_markdown_print(const struct bench_csv *t, FILE *out)
{
	const char *traces[1024], *allocs[64];
	size_t n_traces = distinct(t, "trace", traces, 1024);
	size_t n_allocs = distinct(t, "allocator", allocs, 64);

	fprintf(out, "### Geometric mean over %zu traces, against glibc\n\n", n_traces);
	fprintf(out, "ops/s above 1 is faster than glibc; peak heap RSS and syscalls below 1\n"
		     "are less than glibc's.  Medians of each allocator's ok runs.\n\n");
	fprintf(out, "| allocator | ops/s vs glibc | peak heap RSS vs glibc | syscalls vs glibc | frag_peak | ok runs | note |\n");
	fprintf(out, "|---|---:|---:|---:|---:|---:|---|\n");
	for (size_t a = 0; a < n_allocs; a++) {
		long row = find(t, SUMMARY_GEOMEAN_TRACE, allocs[a]);
		fprintf(out, "| %s |", allocs[a]);
		cell(out, t, row, "ops_per_s_vs_glibc", "%.2f");
		cell(out, t, row, "peak_rss_vs_glibc", "%.2f");
		cell(out, t, row, "syscalls_vs_glibc", "%.2f");
		cell(out, t, row, "frag_peak", "%.2f");
		cell(out, t, row, "ok_runs", "%.0f");
		fprintf(out, " %s |\n", row >= 0 ? bench_csv_field(t, (size_t)row, "note") : "");
	}
	per_trace_table(out, t, "Throughput against glibc (ops/s ratio; above 1 is faster)", "ops_per_s_vs_glibc",
			"%.2f", traces, n_traces, allocs, n_allocs, 1);
	per_trace_table(out, t, "Nanoseconds per operation (median)", "ns_per_op", "%.1f", traces, n_traces,
			allocs, n_allocs, 0);
	per_trace_table(out, t, "Peak heap RSS against glibc (below 1 is smaller)", "peak_rss_vs_glibc", "%.2f",
			traces, n_traces, allocs, n_allocs, 1);
	per_trace_table(out, t, "Fragmentation: frag_peak = peak heap RSS / peak live bytes (1.00 is perfect)",
			"frag_peak", "%.2f", traces, n_traces, allocs, n_allocs, 0);
	per_trace_table(out, t, "Memory syscalls (mmap+munmap+mremap+brk+madvise, median)", "syscalls", "%.0f",
			traces, n_traces, allocs, n_allocs, 0);
}

int summary_markdown_save(const struct bench_csv *summary, const char *path)
{
	struct bench_outfile f;
	FILE *out = bench_outfile_open(&f, path);
	if (!out)
		return -1;
	summary_markdown_print(summary, out);
	return bench_outfile_commit(&f);
}
