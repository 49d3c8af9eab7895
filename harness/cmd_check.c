/*
 * cmd_check.c: `fraglab check [--quiet] TRACE...`: validates traces
 * (compiling them into the cache as replay would) and prints a summary of
 * each in a stable "key: value" format, one trace after another.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "trace.h"

static void check_usage(FILE *out)
{
	fprintf(out,
		"usage: fraglab check [--quiet] TRACE...\n"
		"\n"
		"Validates each TRACE (.json or .jsonl, optionally .gz; see docs/trace-format.md),\n"
		"compiles it into the compile cache, and prints its summary: events per op,\n"
		"peak live bytes and blocks, live at end, slots, threads and a histogram of\n"
		"requested sizes.\n"
		"\n"
		"Every TRACE is checked, even after a bad one; each bad one gets one line on\n"
		"stderr: FILE:LINE[:COL]: CONTEXT: WHAT.\n"
		"\n"
		"options:\n"
		"  -q, --quiet  print nothing for good traces; errors only\n"
		"  -h, --help   this text\n"
		"\n"
		"exit status: 0 all traces good, 2 any trace bad (or bad usage).\n");
}

static const char *const check_op_names[TRACE_OP_COUNT] = {
	"malloc", "calloc", "realloc", "memalign", "free",
};

static void check_print_histogram(const struct trace_summary *s)
{
	uint64_t total = 0, most = 0;
	for (int k = 0; k <= TRACE_SIZE_CLASSES; k++) {
		total += s->size_hist[k];
		if (s->size_hist[k] > most)
			most = s->size_hist[k];
	}
	printf("size_histogram: %" PRIu64 " requests (malloc, calloc, realloc, memalign) by size in bytes\n", total);
	for (int k = 0; k <= TRACE_SIZE_CLASSES; k++) {
		uint64_t n = s->size_hist[k];
		if (!n)
			continue;
		uint64_t lo = k ? UINT64_C(1) << (k - 1) : 0;
		uint64_t hi = k ? (k == 64 ? UINT64_MAX : (UINT64_C(1) << k) - 1) : 0;
		char range[48];
		snprintf(range, sizeof range, "%" PRIu64 "..%" PRIu64, lo, hi);
		int bar = (int)((n * 40 + most - 1) / most); /* non-empty buckets get >= 1 mark */
		printf("  %-27s %12" PRIu64 " %5.1f%% %.*s\n", range, n, 100.0 * (double)n / (double)total,
		       bar, "########################################");
	}
}

static void check_print_summary(const struct trace *t)
{
	const struct trace_summary *s = &t->summary;
	printf("trace: %s\n", t->path);
	printf("name: %s\n", t->name);
	printf("events: %" PRIu64 "\n", s->events);
	for (int op = 0; op < TRACE_OP_COUNT; op++)
		printf("  %s: %" PRIu64 "\n", check_op_names[op], s->op_count[op]);
	printf("peak_live_bytes: %" PRIu64 "\n", s->peak_live_bytes);
	printf("peak_live_event: %" PRIu64 "\n", s->peak_live_event);
	printf("peak_live_blocks: %" PRIu64 "\n", s->peak_live_blocks);
	printf("peak_block_bytes: %" PRIu64 "\n", s->peak_block_bytes);
	printf("live_bytes_end: %" PRIu64 "\n", s->live_bytes_end);
	printf("live_blocks_end: %" PRIu64 "\n", s->live_blocks_end);
	printf("requested_bytes: %" PRIu64 "\n", s->requested_bytes);
	printf("max_size: %" PRIu64 "\n", s->max_size);
	printf("slots: %" PRIu32 "\n", s->slots);
	printf("threads: %" PRIu32 "\n", s->threads);
	check_print_histogram(s);
}

int cmd_check(int argc, char **argv)
{
	int quiet = 0, first = 1;
	for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
		const char *a = argv[first];
		if (!strcmp(a, "--")) {
			first++;
			break;
		}
		if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			check_usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "fraglab check: unknown option '%s'\n", a);
			check_usage(stderr);
			return 2;
		}
	}
	if (first == argc) {
		fprintf(stderr, "fraglab check: no TRACE given\n");
		check_usage(stderr);
		return 2;
	}
	int bad = 0, printed = 0;
	for (int i = first; i < argc; i++) {
		struct trace t;
		if (trace_open(argv[i], &t) < 0) {
			bad = 1;
			continue;
		}
		if (!quiet) {
			if (printed++)
				printf("\n");
			check_print_summary(&t);
		}
		trace_close(&t);
	}
	fflush(stdout);
	return bad ? 2 : 0;
}
