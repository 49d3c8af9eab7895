/* cmd_gen.c: `fraglab gen PATTERN [--seed S] [--events N] [-o OUT]`. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gen.h"

#define GEN_DEFAULT_THREADS 4u
#define GEN_MAX_THREADS 256u

static void gen_usage(FILE *out)
{
	fprintf(out,
		"usage: fraglab gen PATTERN [--seed S] [--events N] [--threads N] [-o OUT]\n\n"
		"Writes a synthetic trace (JSONL; gzip if OUT ends in .gz; stdout without -o).\n"
		"The same pattern, seed and length always give the same bytes.\n"
		"  --seed S     PRNG seed, an unsigned integer (default 1)\n"
		"  --events N   about N events (default per pattern; classic and hundred\n"
		"               have a fixed length)\n"
		"  --threads N  threads of the multi-threaded patterns, 1..%u (default %u)\n\npatterns:\n",
		GEN_MAX_THREADS, GEN_DEFAULT_THREADS);
	for (unsigned i = 0; i < gen_pattern_count; i++)
		fprintf(out, "  %-15s %s\n", gen_patterns[i].name, gen_patterns[i].summary);
}

/* Parses a whole unsigned decimal number; 0 on success. */
static int gen_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int cmd_gen(int argc, char **argv)
{
	const char *pattern_name = NULL, *out_path = NULL;
	uint64_t seed = 1, events = 0, threads = GEN_DEFAULT_THREADS;
	int have_events = 0, have_threads = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			gen_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--threads")) {
			if (i + 1 >= argc || gen_parse_u64(argv[i + 1], &threads) || threads == 0 ||
			    threads > GEN_MAX_THREADS) {
				fprintf(stderr, "fraglab gen: --threads wants an integer in 1..%u, not '%s'\n",
					GEN_MAX_THREADS, i + 1 < argc ? argv[i + 1] : "");
				return 2;
			}
			i++;
			have_threads = 1;
		} else if (!strcmp(a, "--seed") || !strcmp(a, "--events") || !strcmp(a, "-o")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "fraglab gen: %s needs a value\n", a);
				return 2;
			}
			const char *v = argv[++i];
			if (!strcmp(a, "-o")) {
				out_path = v;
			} else if (!strcmp(a, "--seed")) {
				if (gen_parse_u64(v, &seed)) {
					fprintf(stderr, "fraglab gen: --seed wants an unsigned integer, not '%s'\n", v);
					return 2;
				}
			} else if (gen_parse_u64(v, &events) || events == 0 || events > (1ULL << 32)) {
				fprintf(stderr, "fraglab gen: --events wants an integer in 1..2^32, not '%s'\n", v);
				return 2;
			} else {
				have_events = 1;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "fraglab gen: unknown option '%s' (try 'fraglab gen --help')\n", a);
			return 2;
		} else if (pattern_name) {
			fprintf(stderr, "fraglab gen: one pattern only ('%s' and '%s')\n", pattern_name, a);
			return 2;
		} else {
			pattern_name = a;
		}
	}
	if (!pattern_name) {
		gen_usage(stderr);
		return 2;
	}
	const struct gen_pattern *pattern = gen_pattern_find(pattern_name);
	if (!pattern) {
		fprintf(stderr, "fraglab gen: unknown pattern '%s' (try 'fraglab gen --help')\n", pattern_name);
		return 2;
	}
	if (have_events && !pattern->default_events) {
		fprintf(stderr, "fraglab gen: pattern %s has a fixed length; --events does not apply\n",
			pattern->name);
		return 2;
	}
	if (have_threads && !gen_pattern_is_threaded(pattern)) {
		fprintf(stderr, "fraglab gen: pattern %s is single-threaded; --threads does not apply\n",
			pattern->name);
		return 2;
	}
	if (out_path && !record_path_is_jsonl(out_path)) {
		fprintf(stderr, "fraglab gen: %s: the output must end in .jsonl or .jsonl.gz\n", out_path);
		return 2;
	}
	if (!have_events)
		events = pattern->default_events;

	char name[256];
	if (gen_pattern_is_threaded(pattern))
		snprintf(name, sizeof name, "gen %s --seed %" PRIu64 " --events %" PRIu64 " --threads %" PRIu64,
			 pattern->name, seed, events, threads);
	else if (pattern->default_events)
		snprintf(name, sizeof name, "gen %s --seed %" PRIu64 " --events %" PRIu64,
			 pattern->name, seed, events);
	else
		snprintf(name, sizeof name, "gen %s", pattern->name);

	static struct record_writer writer; /* 64 KiB buffer: keep it off the stack */
	if (record_writer_open(&writer, out_path, name) < 0)
		return 2;
	struct gen_ctx g;
	gen_ctx_init(&g, &writer, seed, events);
	g.threads = (unsigned)threads;
	pattern->run(&g);
	gen_ctx_destroy(&g);
	return record_writer_commit(&writer) < 0 ? 2 : 0;
}
