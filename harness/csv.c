/* csv.c: the replay and series CSV files. */
#include "csv.h"

#include <string.h>

static const char *const replay_columns[] = {
	"trace", "allocator", "run", "status", "events", "seconds", "ns_per_op", "ops_per_s",
	"peak_live_bytes", "peak_rss_bytes", "final_rss_bytes", "frag_peak", "frag_at_peak_live",
	"frag_mean", "mmap", "munmap", "mremap", "brk", "madvise", "minor_faults",
};
static const char *const latency_columns[] = {
	"malloc_p50_ns", "malloc_p99_ns", "malloc_p999_ns", "malloc_max_ns",
	"free_p50_ns",   "free_p99_ns",   "free_p999_ns",   "free_max_ns",
};
/* Always last, so readers that take columns by position before them are
 * undisturbed (fraglab bench reads by name). */
static const char *const thread_columns[] = {
	"threads", "alloc_seconds", "wait_seconds", "blocked_waits", "handoffs", "remote_frees",
	"thread_events", "thread_ops_per_s", "thread_wait_seconds",
};

void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* -1 is "unknown": RSS figures are whole pages, so a real -1 cannot occur,
 * while other negative values (memory released that predates the replay)
 * are real and kept. */
static void put_i64(FILE *f, int64_t v)
{
	fputc(',', f);
	if (v != -1)
		fprintf(f, "%lld", (long long)v);
}

static void put_u64(FILE *f, uint64_t v)
{
	fprintf(f, ",%llu", (unsigned long long)v);
}

static void put_double(FILE *f, double v, const char *fmt)
{
	fputc(',', f);
	if (v >= 0)
		fprintf(f, fmt, v);
}

/* The per-thread lists: one value per replay thread, joined by ';'. */
static void put_thread_columns(FILE *f, const struct csv_replay_row *r)
{
	const bool timed = r->seconds > 0;
	put_i64(f, r->threads ? (int64_t)r->threads : -1);
	put_double(f, timed ? r->alloc_seconds : -1, "%.9f");
	put_double(f, timed ? r->wait_seconds : -1, "%.9f");
	put_i64(f, timed ? r->blocked_waits : -1);
	put_i64(f, r->handoffs);
	put_i64(f, r->remote_frees);
	const struct replay_thread_result *t = r->thread_results;
	fputc(',', f);
	for (uint32_t i = 0; t && i < r->n_thread_results; i++)
		fprintf(f, "%s%llu", i ? ";" : "", (unsigned long long)t[i].events);
	fputc(',', f);
	for (uint32_t i = 0; timed && t && i < r->n_thread_results; i++) {
		uint64_t ns = t[i].busy_ns > t[i].wait_ns ? t[i].busy_ns - t[i].wait_ns : 0;
		fprintf(f, "%s%.0f", i ? ";" : "", ns ? (double)t[i].events * 1e9 / (double)ns : 0.0);
	}
	fputc(',', f);
	for (uint32_t i = 0; timed && t && i < r->n_thread_results; i++)
		fprintf(f, "%s%.9f", i ? ";" : "", (double)t[i].wait_ns / 1e9);
}

void csv_replay_header(FILE *f, bool latency)
{
	for (size_t i = 0; i < sizeof replay_columns / sizeof replay_columns[0]; i++)
		fprintf(f, "%s%s", i ? "," : "", replay_columns[i]);
	if (latency)
		for (size_t i = 0; i < sizeof latency_columns / sizeof latency_columns[0]; i++)
			fprintf(f, ",%s", latency_columns[i]);
	for (size_t i = 0; i < sizeof thread_columns / sizeof thread_columns[0]; i++)
		fprintf(f, ",%s", thread_columns[i]);
	fputc('\n', f);
}

void csv_replay_row(FILE *f, const struct csv_replay_row *r, bool latency)
{
	csv_field(f, r->trace);
	fputc(',', f);
	csv_field(f, r->allocator);
	fprintf(f, ",%u,", r->run);
	csv_field(f, r->status);
	put_i64(f, r->events);
	const bool timed = r->seconds > 0;
	put_double(f, r->seconds, "%.9f");
	put_double(f, timed ? r->seconds * 1e9 / (double)(r->events ? r->events : 1) : -1, "%.3f");
	put_double(f, timed ? (double)r->events / r->seconds : -1, "%.0f");
	put_u64(f, r->peak_live_bytes);
	put_i64(f, r->peak_rss_bytes);
	put_i64(f, r->final_rss_bytes);
	put_double(f, r->frag_peak, "%.4f");
	put_double(f, r->frag_at_peak_live, "%.4f");
	put_double(f, r->frag_mean, "%.4f");
	for (int c = 0; c < SYSCOUNT_N; c++)
		put_i64(f, r->syscalls_valid ? (int64_t)r->syscalls[c] : -1);
	put_i64(f, r->minor_faults);
	if (latency)
		for (int c = 0; c < REPLAY_LAT_N; c++)
			for (int k = 0; k < REPLAY_PCT_N; k++)
				put_i64(f, r->latency_valid ? (int64_t)r->latency_ns[c][k] : -1);
	put_thread_columns(f, r);
	fputc('\n', f);
}

void csv_series_header(FILE *f)
{
	fputs("trace,allocator,event,live_bytes,heap_rss_bytes,mapped_bytes\n", f);
}

void csv_series_rows(FILE *f, const char *trace, const char *allocator,
		     const struct replay_sample *samples, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		csv_field(f, trace);
		fputc(',', f);
		csv_field(f, allocator);
		put_u64(f, samples[i].event);
		put_u64(f, samples[i].live_bytes);
		/* heap RSS may dip below the baseline when the allocator returns
		 * memory it held before the replay: keep the sign. */
		put_i64(f, samples[i].heap_rss_bytes);
		put_i64(f, samples[i].mapped_bytes);
		fputc('\n', f);
	}
}
