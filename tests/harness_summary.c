/* harness_summary.c: the summary's statistics (median, spread, ratios
 * against glibc, geometric means) on a hand-computed fixture, and the CSV
 * reader on quoting, CRLF and header-driven lookup.
 *
 * tests/data/bench/runs.csv, by hand:
 *   t1 glibc: ops/s 100000 50000 25000 -> median 50000; seconds .01 .02 .04
 *     -> median .02, min .01, max .04; peak RSS 4000 6000 5000 -> 5000;
 *     syscalls per run 6 6 8 -> 6; malloc_p50 40 60 50 -> 50.
 *   t1 flmalloc:seg: run 2 crashed, so 2 ok runs of 3: ops/s 200000 100000
 *     -> 150000; seconds .005 .010 -> .0075; RSS 2000 3000 -> 2500;
 *     syscalls 1 2 -> 1.5.  vs glibc: ops 3, RSS 0.5, syscalls
 *     (1.5+1)/(6+1) = 0.357...
 *   t2: glibc ops 1000, RSS 1000, 0 syscalls; flmalloc:seg ops 4000,
 *     RSS 500, 0 syscalls -> ratios 4, 0.5 and (0+1)/(0+1) = 1.
 *   t3: glibc ops 1000, RSS 1000, 0 syscalls; flmalloc:seg ops 1000, RSS
 *     500, 2 syscalls -> ratios 1, 0.5, and (2+1)/(0+1) = 3.
 *   geomean flmalloc:seg: ops cbrt(3*4*1) = 2.2894..., RSS 0.5, syscall
 *     ratio cbrt(2.5/7 * 1 * 3); no geomean of its syscall counts (t2 has
 *     0), nor of glibc's (t2, t3 have 0).
 *   t4: flmalloc:seg's only run crashed: left out of its geomean (the note
 *     says so); glibc's geomean covers t4 (ops 1000). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_csv.h"
#include "summary.h"
#include "summary_markdown.h"
#include "lib/check.h"

static size_t find_row(const struct bench_csv *t, const char *trace, const char *alloc)
{
	for (size_t r = 0; r < t->n_rows; r++)
		if (!strcmp(bench_csv_field(t, r, "trace"), trace) && !strcmp(bench_csv_field(t, r, "allocator"), alloc))
			return r;
	fprintf(stderr, "no summary row for %s / %s\n", trace, alloc);
	exit(1);
}

/* The cell parsed as a number, NAN when empty. */
static double num(const struct bench_csv *t, size_t row, const char *col)
{
	double v;
	return bench_csv_number(t, row, bench_csv_col(t, col), &v) ? v : NAN;
}

static int near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(b) > 1 ? fabs(b) : 1);
}

static void test_statistics(void)
{
	double odd[] = {5, 1, 3};
	CHECK_TRUE(summary_median(odd, 3) == 3);
	double even[] = {4, 1, 3, 2};
	CHECK_TRUE(summary_median(even, 4) == 2.5);
	CHECK_TRUE(isnan(summary_median(NULL, 0)));
	double g[] = {2, 8};
	CHECK_TRUE(near(summary_geomean(g, 2), 4));
	double with_zero[] = {2, 0};
	CHECK_TRUE(isnan(summary_geomean(with_zero, 2)));
	CHECK_TRUE(summary_ratio(0, 0) == 1);
	CHECK_TRUE(isnan(summary_ratio(3, 0)));
	CHECK_TRUE(summary_ratio(3, 2) == 1.5);
}

static void test_fixture(void)
{
	struct bench_csv runs, sum;
	CHECK_TRUE(bench_csv_read("tests/data/bench/runs.csv", &runs) == 0);
	CHECK_TRUE(runs.n_rows == 12);
	static const char *const keys[] = {"trace", "allocator"};
	struct summary_options opt = {keys, 2, 1};
	summary_compute(&runs, &opt, &sum);
	/* 8 trace x allocator rows and 2 geomean rows. */
	CHECK_TRUE(sum.n_rows == 10);

	size_t g1 = find_row(&sum, "t1", "glibc");
	CHECK_TRUE(num(&sum, g1, "runs") == 3 && num(&sum, g1, "ok_runs") == 3);
	CHECK_TRUE(near(num(&sum, g1, "ops_per_s"), 50000));
	CHECK_TRUE(near(num(&sum, g1, "seconds"), 0.02));
	CHECK_TRUE(near(num(&sum, g1, "seconds_min"), 0.01) && near(num(&sum, g1, "seconds_max"), 0.04));
	CHECK_TRUE(near(num(&sum, g1, "peak_rss_bytes"), 5000));
	CHECK_TRUE(near(num(&sum, g1, "syscalls"), 6));
	CHECK_TRUE(near(num(&sum, g1, "malloc_p50_ns"), 50));
	CHECK_TRUE(near(num(&sum, g1, "ops_per_s_vs_glibc"), 1));
	CHECK_TRUE(!strcmp(bench_csv_field(&sum, g1, "failures"), ""));

	size_t f1 = find_row(&sum, "t1", "flmalloc:seg");
	CHECK_TRUE(num(&sum, f1, "runs") == 3 && num(&sum, f1, "ok_runs") == 2);
	CHECK_TRUE(!strcmp(bench_csv_field(&sum, f1, "failures"), "crashed:SIGSEGV x1"));
	CHECK_TRUE(near(num(&sum, f1, "ops_per_s"), 150000));
	CHECK_TRUE(near(num(&sum, f1, "seconds"), 0.0075));
	CHECK_TRUE(near(num(&sum, f1, "peak_rss_bytes"), 2500));
	CHECK_TRUE(near(num(&sum, f1, "syscalls"), 1.5));
	CHECK_TRUE(near(num(&sum, f1, "ops_per_s_vs_glibc"), 3));
	CHECK_TRUE(near(num(&sum, f1, "peak_rss_vs_glibc"), 0.5));
	CHECK_TRUE(near(num(&sum, f1, "syscalls_vs_glibc"), 2.5 / 7));

	size_t f2 = find_row(&sum, "t2", "flmalloc:seg");
	CHECK_TRUE(near(num(&sum, f2, "ops_per_s_vs_glibc"), 4));
	CHECK_TRUE(near(num(&sum, f2, "syscalls_vs_glibc"), 1));

	size_t f3 = find_row(&sum, "t3", "flmalloc:seg");
	CHECK_TRUE(near(num(&sum, f3, "syscalls_vs_glibc"), 3));
	CHECK_TRUE(!strcmp(bench_csv_field(&sum, f3, "note"), ""));

	size_t gf = find_row(&sum, SUMMARY_GEOMEAN_TRACE, "flmalloc:seg");
	CHECK_TRUE(near(num(&sum, gf, "ops_per_s_vs_glibc"), cbrt(12)));
	CHECK_TRUE(near(num(&sum, gf, "peak_rss_vs_glibc"), 0.5));
	CHECK_TRUE(near(num(&sum, gf, "syscalls_vs_glibc"), cbrt(2.5 / 7 * 3)));
	CHECK_TRUE(!strcmp(bench_csv_field(&sum, gf, "note"), "no ok run on t4"));
	CHECK_TRUE(isnan(num(&sum, gf, "syscalls")));
	CHECK_TRUE(near(num(&sum, gf, "malloc_p50_ns"), cbrt(25.0 * 25 * 100)));
	CHECK_TRUE(num(&sum, gf, "runs") == 6 && num(&sum, gf, "ok_runs") == 4);
	size_t f4 = find_row(&sum, "t4", "flmalloc:seg");
	CHECK_TRUE(num(&sum, f4, "ok_runs") == 0 && !strcmp(bench_csv_field(&sum, f4, "failures"), "crashed:SIGSEGV x1"));
	CHECK_TRUE(isnan(num(&sum, f4, "ops_per_s_vs_glibc")));
	CHECK_TRUE(!strcmp(bench_csv_field(&sum, gf, "failures"), ""));
	size_t gg = find_row(&sum, SUMMARY_GEOMEAN_TRACE, "glibc");
	CHECK_TRUE(isnan(num(&sum, gg, "syscalls")));
	CHECK_TRUE(!strcmp(bench_csv_field(&sum, gg, "note"), ""));
	CHECK_TRUE(near(num(&sum, gg, "ops_per_s"), pow(50000.0 * 1000.0 * 1000.0 * 1000.0, 0.25)));

	/* The Markdown tables carry the same numbers. */
	char md[] = "/tmp/fraglab-summary-md-XXXXXX";
	int fd = mkstemp(md);
	CHECK_TRUE(fd >= 0);
	close(fd);
	CHECK_TRUE(summary_markdown_save(&sum, md) == 0);
	FILE *f = fopen(md, "r");
	char text[16384];
	size_t len = f ? fread(text, 1, sizeof text - 1, f) : 0;
	text[len] = '\0';
	if (f)
		fclose(f);
	unlink(md);
	CHECK_TRUE(strstr(text, "### Geometric mean over 4 traces, against glibc") != NULL);
	CHECK_TRUE(strstr(text, "| t4 | 1.00 | crashed:SIGSEGV x1 |") != NULL);
	CHECK_TRUE(strstr(text, "| flmalloc:seg | 2.29 | 0.50 | 1.02 |") != NULL);
	CHECK_TRUE(strstr(text, "| t1 | 1.00 | 3.00 |") != NULL);
	CHECK_TRUE(strstr(text, "| t3 | 1.00 | 1.00 |") != NULL);

	bench_csv_free(&runs);
	bench_csv_free(&sum);
}

static void test_csv_round_trip(void)
{
	char path[] = "/tmp/fraglab-summary-test-XXXXXX";
	int fd = mkstemp(path);
	CHECK_TRUE(fd >= 0);
	FILE *f = fdopen(fd, "w");
	/* Quoted comma, doubled quote, embedded newline, CRLF, a short row. */
	fputs("b,a,c\r\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n2,3\r\n", f);
	fclose(f);
	struct bench_csv t;
	CHECK_TRUE(bench_csv_read(path, &t) == 0);
	CHECK_TRUE(t.n_cols == 3 && t.n_rows == 2);
	CHECK_TRUE(!strcmp(bench_csv_field(&t, 0, "b"), "x,1"));
	CHECK_TRUE(!strcmp(bench_csv_field(&t, 0, "a"), "say \"hi\""));
	CHECK_TRUE(!strcmp(bench_csv_field(&t, 0, "c"), "two\nlines"));
	CHECK_TRUE(!strcmp(bench_csv_field(&t, 1, "a"), "3"));
	CHECK_TRUE(!strcmp(bench_csv_field(&t, 1, "c"), ""));
	CHECK_TRUE(!strcmp(bench_csv_field(&t, 1, "nonexistent"), ""));

	/* Writing and reading back gives the same cells. */
	CHECK_TRUE(bench_csv_save(&t, path) == 0);
	struct bench_csv back;
	CHECK_TRUE(bench_csv_read(path, &back) == 0);
	CHECK_TRUE(back.n_rows == 2 && !strcmp(bench_csv_field(&back, 0, "c"), "two\nlines"));
	CHECK_TRUE(!strcmp(bench_csv_field(&back, 0, "a"), "say \"hi\""));
	bench_csv_free(&back);
	bench_csv_free(&t);

	/* An unterminated quote is an error, not a crash. */
	f = fopen(path, "w");
	fputs("a,b\n\"open,1\n", f);
	fclose(f);
	CHECK_TRUE(bench_csv_read(path, &t) == -1);
	unlink(path);
}

int main(void)
{
	test_statistics();
	test_fixture();
	test_csv_round_trip();
	return check_exit_status("summary");
}
