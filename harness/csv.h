/*
 * csv.h: fraglab replay's CSV output (RFC 4180: comma-separated, fields
 * quoted when they hold a comma, quote or newline; an empty field is an
 * unknown or not-applicable value).  Column names are part of the
 * interface (fraglab bench reads them); docs/metrics.md defines each.
 */
#ifndef FRAGLAB_CSV_H
#define FRAGLAB_CSV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "replay.h"
#include "syscount.h"

/* One field, quoted if it needs to be. */
void csv_field(FILE *f, const char *s);

/* One run's row.  -1 (and for doubles any negative value) means
 * "unknown" and is written as an empty field. */
struct csv_replay_row {
	const char *trace, *allocator, *status;
	unsigned run;
	int64_t events;
	double seconds;
	uint64_t peak_live_bytes;
	int64_t peak_rss_bytes, final_rss_bytes;
	double frag_peak, frag_at_peak_live, frag_mean;
	bool syscalls_valid;
	uint64_t syscalls[SYSCOUNT_N];
	int64_t minor_faults;
	bool latency_valid;
	uint64_t latency_ns[REPLAY_LAT_N][REPLAY_PCT_N];
	/* threads (docs/metrics.md, "Multi-threaded replay"); the columns
	 * come last in the row, after the latency ones */
	uint32_t threads;              /* 0: unknown */
	double alloc_seconds, wait_seconds;
	int64_t blocked_waits, handoffs, remote_frees;
	const struct replay_thread_result *thread_results; /* per thread, or NULL */
	uint32_t n_thread_results;
};

void csv_replay_header(FILE *f, bool latency);
void csv_replay_row(FILE *f, const struct csv_replay_row *row, bool latency);

void csv_series_header(FILE *f);
void csv_series_rows(FILE *f, const char *trace, const char *allocator,
		     const struct replay_sample *samples, uint64_t n);

#endif
