/* summary.c: medians, spread, ratios against glibc and geometric means. */
#include "summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const syscall_columns[] = {"mmap", "munmap", "mremap", "brk", "madvise"};
#define N_SYSCALL_COLUMNS (sizeof syscall_columns / sizeof syscall_columns[0])

static void *summary_alloc(size_t n)
{
	void *p = calloc(n ? n : 1, 1);
	if (!p) {
		fprintf(stderr, "fraglab: out of memory\n");
		exit(1);
	}
	return p;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double summary_median(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double summary_geomean(const double *v, size_t n)
{
	if (n == 0)
		return NAN;
	double log_sum = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(v[i] > 0))
			return NAN;
		log_sum += log(v[i]);
	}
	return exp(log_sum / (double)n);
}

double summary_ratio(double a, double b)
{
	if (isnan(a) || isnan(b))
		return NAN;
	if (b == 0)
		return a == 0 ? 1.0 : NAN;
	return a / b;
}


static int is_latency_column(const char *name)
{
	size_t n = strlen(name);
	return (!strncmp(name, "malloc_", 7) || !strncmp(name, "free_", 5)) && n > 3 &&
	       !strcmp(name + n - 3, "_ns");
}

/* The headline columns (and the latency percentiles, which the clock's
 * resolution often rounds to 0 on a fast trace): their geometric mean is
 * taken over the traces that have a positive value, and the note names
 * the traces left out. */
static int is_noted_column(const char *name)
{
	size_t n = strlen(name);
	return (n > 9 && !strcmp(name + n - 9, "_vs_glibc")) || !strcmp(name, "frag_peak") ||
	       is_latency_column(name);
}

static int is_key(const struct summary_options *opt, const char *name)
{
	for (size_t k = 0; k < opt->n_keys; k++)
		if (!strcmp(opt->keys[k], name))
			return 1;
	return 0;
}

/* One group: the runs sharing every key column. */
struct group {
	size_t first_row;  /* a row of runs holding the key values */
	size_t *rows;
	size_t n_rows;
	size_t out_row;
};

static int same_keys(const struct bench_csv *t, const int *key_cols, size_t n_keys, size_t a, size_t b)
{
	for (size_t k = 0; k < n_keys; k++)
		if (strcmp(bench_csv_get(t, a, key_cols[k]), bench_csv_get(t, b, key_cols[k])))
			return 0;
	return 1;
}

static void set_number(struct bench_csv *t, size_t row, const char *name, double v)
{
	char buf[64] = "";
	if (!isnan(v))
		snprintf(buf, sizeof buf, "%.10g", v);
	bench_csv_set_field(t, row, name, buf);
}

/* Which pass feeds `metric` from this row: "timing" rows (or rows without
 * a pass) feed ordinary metrics, "latency" rows the latency columns. */
static int row_feeds(const struct bench_csv *runs, int pass_col, size_t row, const char *metric)
{
	const char *pass = bench_csv_get(runs, row, pass_col);
	if (pass_col < 0 || !*pass)
		return 1;
	return is_latency_column(metric) ? !strcmp(pass, "latency") : !strcmp(pass, "timing");
}

static int row_ok(const struct bench_csv *runs, int status_col, size_t row)
{
	return !strcmp(bench_csv_get(runs, row, status_col), "ok");
}

/* Median of column `col` over the group's ok rows that feed it. */
static double group_median(const struct bench_csv *runs, const struct group *g, int col,
			   int pass_col, int status_col, double *scratch)
{
	size_t n = 0;
	const char *name = runs->header[col];
	for (size_t i = 0; i < g->n_rows; i++) {
		size_t r = g->rows[i];
		double v;
		if (row_ok(runs, status_col, r) && row_feeds(runs, pass_col, r, name) &&
		    bench_csv_number(runs, r, col, &v))
			scratch[n++] = v;
	}
	return summary_median(scratch, n);
}

/* Lists the non-ok statuses of the group's rows ("oom x2 timeout x1"). */
static void group_failures(const struct bench_csv *runs, const struct group *g, int status_col,
			   char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < g->n_rows; i++) {
		const char *st = bench_csv_get(runs, g->rows[i], status_col);
		if (!strcmp(st, "ok"))
			continue;
		int seen = 0, count = 0;
		for (size_t j = 0; j < g->n_rows; j++) {
			if (!strcmp(bench_csv_get(runs, g->rows[j], status_col), st)) {
				count++;
				if (j < i)
					seen = 1;
			}
		}
		if (seen)
			continue;
		size_t len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s x%d", len ? " " : "", *st ? st : "unknown", count);
	}
}

static void add_geomean_rows(struct bench_csv *out, const struct summary_options *opt,
			     size_t n_group_rows)
{
	int trace_col = bench_csv_col(out, "trace");
	double *vals = summary_alloc((n_group_rows + 1) * sizeof *vals);
	size_t *members = summary_alloc((n_group_rows + 1) * sizeof *members);
	char *done = summary_alloc(n_group_rows + 1);
	for (size_t r = 0; r < n_group_rows; r++) {
		if (done[r])
			continue;
		/* Members: rows agreeing on every key but the trace. */
		size_t n_members = 0;
		for (size_t s = r; s < n_group_rows; s++) {
			int same = 1;
			for (size_t k = 0; k < opt->n_keys && same; k++) {
				if (!strcmp(opt->keys[k], "trace"))
					continue;
				same = !strcmp(bench_csv_field(out, r, opt->keys[k]),
					       bench_csv_field(out, s, opt->keys[k]));
			}
			if (same) {
				members[n_members++] = s;
				done[s] = 1;
			}
		}
		size_t g = bench_csv_add_row(out);
		char note[1024] = "";
		/* A trace where this allocator had no ok run has nothing to
		 * average; the note says so once, and it is left out of every
		 * column (ok_runs shows the difference too). */
		int ok_runs_col = bench_csv_col(out, "ok_runs");
		char *has_ok = summary_alloc(n_members + 1);
		size_t n_with_ok = 0;
		for (size_t m = 0; m < n_members; m++) {
			double v;
			has_ok[m] = bench_csv_number(out, members[m], ok_runs_col, &v) && v > 0;
			n_with_ok += (size_t)has_ok[m];
			if (!has_ok[m]) {
				size_t len = strlen(note);
				snprintf(note + len, sizeof note - len, "%s %s", len ? "" : "no ok run on",
					 bench_csv_get(out, members[m], trace_col));
			}
		}
		for (size_t c = 0; c < out->n_cols; c++) {
			const char *name = out->header[c];
			if ((int)c == trace_col) {
				bench_csv_set(out, g, c, SUMMARY_GEOMEAN_TRACE);
			} else if (is_key(opt, name)) {
				bench_csv_set(out, g, c, bench_csv_get(out, r, (int)c));
			} else if (!strcmp(name, "failures") || !strcmp(name, "note")) {
				continue;
			} else if (!strcmp(name, "runs") || !strcmp(name, "ok_runs")) {
				double sum = 0, v;
				for (size_t m = 0; m < n_members; m++)
					if (bench_csv_number(out, members[m], (int)c, &v))
						sum += v;
				set_number(out, g, name, sum);
			} else {
				/* Over the traces with ok runs.  Headline columns: over
				 * those with a positive value, the others named in the
				 * note.  Every other column (counts that are often 0):
				 * only when all of them have a positive value. */
				size_t n = 0;
				char left_out[512] = "";
				for (size_t m = 0; m < n_members; m++) {
					if (!has_ok[m])
						continue;
					if (bench_csv_number(out, members[m], (int)c, &vals[n]) && vals[n] > 0) {
						n++;
					} else {
						size_t len = strlen(left_out);
						snprintf(left_out + len, sizeof left_out - len, " %s",
							 bench_csv_get(out, members[m], trace_col));
					}
				}
				int noted = is_noted_column(name);
				set_number(out, g, name, noted || n == n_with_ok ? summary_geomean(vals, n) : NAN);
				if (left_out[0] && noted) {
					size_t len = strlen(note);
					snprintf(note + len, sizeof note - len, "%s%s over %zu of %zu traces (not%s)",
						 len ? "; " : "", name, n, n_members, left_out);
				}
			}
		}
		free(has_ok);
		bench_csv_set_field(out, g, "note", note);
	}
	free(vals);
	free(members);
	free(done);
}

void summary_compute(const struct bench_csv *runs, const struct summary_options *opt,
		     struct bench_csv *out)
{
	bench_csv_init(out, opt->keys, opt->n_keys);
	bench_csv_add_col(out, "runs");
	bench_csv_add_col(out, "ok_runs");
	bench_csv_add_col(out, "failures");

	int key_cols[16];
	size_t n_keys = opt->n_keys < 16 ? opt->n_keys : 16;
	for (size_t k = 0; k < n_keys; k++)
		key_cols[k] = bench_csv_col(runs, opt->keys[k]);
	int pass_col = bench_csv_col(runs, "pass");
	int status_col = bench_csv_col(runs, "status");
	int seconds_col = bench_csv_col(runs, "seconds");
	int trace_col = bench_csv_col(runs, "trace");
	int alloc_col = bench_csv_col(runs, "allocator");
	int sys_cols[N_SYSCALL_COLUMNS];
	for (size_t i = 0; i < N_SYSCALL_COLUMNS; i++)
		sys_cols[i] = bench_csv_col(runs, syscall_columns[i]);

	/* Groups in order of first appearance, so the summary follows the run order. */
	struct group *groups = summary_alloc((runs->n_rows + 1) * sizeof *groups);
	size_t n_groups = 0;
	for (size_t r = 0; r < runs->n_rows; r++) {
		const char *pass = bench_csv_get(runs, r, pass_col);
		if (!strcmp(pass, "series"))
			continue;
		size_t g = 0;
		while (g < n_groups && !same_keys(runs, key_cols, n_keys, groups[g].first_row, r))
			g++;
		if (g == n_groups) {
			groups[g].first_row = r;
			groups[g].rows = summary_alloc(runs->n_rows * sizeof(size_t));
			n_groups++;
		}
		groups[g].rows[groups[g].n_rows++] = r;
	}

	double *scratch = summary_alloc((runs->n_rows + 1) * sizeof *scratch);
	for (size_t gi = 0; gi < n_groups; gi++) {
		struct group *g = &groups[gi];
		size_t o = g->out_row = bench_csv_add_row(out);
		for (size_t k = 0; k < n_keys; k++)
			bench_csv_set(out, o, k, bench_csv_get(runs, g->first_row, key_cols[k]));
		size_t n_runs = 0, n_ok = 0;
		for (size_t i = 0; i < g->n_rows; i++) {
			const char *pass = bench_csv_get(runs, g->rows[i], pass_col);
			if (pass_col >= 0 && *pass && strcmp(pass, "timing"))
				continue;
			n_runs++;
			n_ok += row_ok(runs, status_col, g->rows[i]);
		}
		set_number(out, o, "runs", (double)n_runs);
		set_number(out, o, "ok_runs", (double)n_ok);
		char failures[512];
		group_failures(runs, g, status_col, failures, sizeof failures);
		bench_csv_set_field(out, o, "failures", failures);

		for (size_t c = 0; c < runs->n_cols; c++) {
			const char *name = runs->header[c];
			if (is_key(opt, name) || !strcmp(name, "run") || !strcmp(name, "pass") ||
			    !strcmp(name, "status") || (int)c == trace_col || (int)c == alloc_col)
				continue;
			set_number(out, o, name, group_median(runs, g, (int)c, pass_col, status_col, scratch));
		}

		/* Spread of the timing runs and the per-run syscall total. */
		double lo = NAN, hi = NAN;
		size_t n_sys = 0;
		for (size_t i = 0; i < g->n_rows; i++) {
			size_t r = g->rows[i];
			if (!row_ok(runs, status_col, r) || !row_feeds(runs, pass_col, r, "seconds"))
				continue;
			double v;
			if (bench_csv_number(runs, r, seconds_col, &v)) {
				lo = isnan(lo) || v < lo ? v : lo;
				hi = isnan(hi) || v > hi ? v : hi;
			}
			double total = 0;
			int complete = 1;
			for (size_t s = 0; s < N_SYSCALL_COLUMNS && complete; s++) {
				complete = bench_csv_number(runs, r, sys_cols[s], &v);
				total += v;
			}
			if (complete)
				scratch[n_sys++] = total;
		}
		set_number(out, o, "seconds_min", lo);
		set_number(out, o, "seconds_max", hi);
		set_number(out, o, "syscalls", summary_median(scratch, n_sys));
	}

	/* Ratios against glibc on the same trace, from this same table. */
	static const char *const ratio_of[][2] = {
		{"ops_per_s", "ops_per_s_vs_glibc"},
		{"peak_rss_bytes", "peak_rss_vs_glibc"},
		{"syscalls", "syscalls_vs_glibc"},
	};
	for (size_t i = 0; i < sizeof ratio_of / sizeof ratio_of[0]; i++)
		bench_csv_add_col(out, ratio_of[i][1]);
	int out_trace = bench_csv_col(out, "trace"), out_alloc = bench_csv_col(out, "allocator");
	for (size_t o = 0; o < out->n_rows; o++) {
		size_t base = 0;
		while (base < out->n_rows &&
		       (strcmp(bench_csv_get(out, base, out_alloc), SUMMARY_BASELINE) ||
			strcmp(bench_csv_get(out, base, out_trace), bench_csv_get(out, o, out_trace))))
			base++;
		for (size_t i = 0; i < sizeof ratio_of / sizeof ratio_of[0]; i++) {
			int col = bench_csv_col(out, ratio_of[i][0]);
			double a, b;
			double ratio = NAN;
			/* Syscall counts are often 0: (a+1)/(b+1) keeps every trace's
			 * ratio finite and positive (0 vs 0 is 1, 0 vs 5 is 1/6) and is
			 * at most 1 exactly when a <= b. */
			double add = !strcmp(ratio_of[i][0], "syscalls") ? 1 : 0;
			if (base < out->n_rows && bench_csv_number(out, o, col, &a) &&
			    bench_csv_number(out, base, col, &b))
				ratio = summary_ratio(a + add, b + add);
			set_number(out, o, ratio_of[i][1], ratio);
		}
	}

	if (opt->geomean) {
		bench_csv_add_col(out, "note");
		add_geomean_rows(out, opt, out->n_rows);
	}

	for (size_t gi = 0; gi < n_groups; gi++)
		free(groups[gi].rows);
	free(groups);
	free(scratch);
}
