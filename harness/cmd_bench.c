/* cmd_bench.c: `fraglab bench`: parse the command line, then bench_run. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cli.h"

/* --quick: one timing run and the series pass, no latency pass and no
 * hyperfine cross-check: every replay invocation has a fixed cost (a
 * quarter second or more on a busy machine), so a minute allows about one
 * invocation per trace and allocator (docs/bench.md). */
#define QUICK_RUNS 1
/* ... and compares only what issue 6's targets name: flmalloc's default
 * policy against glibc and mimalloc, on every trace (--alloc overrides). */
static const char *const quick_allocators[] = {"glibc", "flmalloc:seg", "mimalloc"};
/* --quick also stops starting traces after this many seconds: the figures
 * take a few more and `make bench QUICK=1` then runs plot/threads_sweep.sh
 * (about 12 s), all within a minute.  Any replay pass stops after
 * QUICK_TIMEOUT_S. */
#define QUICK_BUDGET_S 35
#define QUICK_TIMEOUT_S 10
/* A pass longer than this is a failure by issue 6's own standard (a
 * 1-million-event trace under a minute): recorded as status timeout. */
#define DEFAULT_TIMEOUT_S 60
#define DEFAULT_RUNS 5
#define DEFAULT_HYPERFINE_TRACES 1
#define DEFAULT_HYPERFINE_RUNS 3
#define MAX_TRACE_ARGS 1024

static void bench_usage(FILE *out)
{
	fprintf(out,
		"usage: fraglab bench [--traces DIR|FILE]... [--alloc A]... [--runs N] [--quick]\n"
		"                     [--out DIR] [--no-plots] [--[no-]hyperfine] [--[no-]latency]\n"
		"                     [--timeout SECONDS] [--hyperfine-runs N] [TRACE|DIR]...\n"
		"\n"
		"Replays every trace (default: traces/*.json, *.jsonl, *.gz) against every\n"
		"allocator (default: glibc, flmalloc:addr, flmalloc:lifo, flmalloc:best,\n"
		"flmalloc:seg, jemalloc, mimalloc, tcmalloc) with `fraglab replay`: N timing\n"
		"runs (default %d) plus a series and a latency pass each.  Writes runs.csv,\n"
		"summary.csv and .md, series/TRACE.csv, machine.txt, hyperfine-TRACE.csv and the\n"
		"figures (*.png, *.svg) into --out (default results).  An allocator that is\n"
		"not installed is reported and skipped.  A pass over --timeout (default %d s)\n"
		"is recorded as status timeout.  --quick: glibc, flmalloc:seg and mimalloc only,\n"
		"%d run, no latency pass, no hyperfine (each can be asked for again), %d s\n"
		"timeout, and no trace started that would end past %d s.  See docs/bench.md.\n",
		DEFAULT_RUNS, DEFAULT_TIMEOUT_S, QUICK_RUNS, QUICK_TIMEOUT_S, QUICK_BUDGET_S);
}

int cmd_bench(int argc, char **argv)
{
	enum { OPT_NO_PLOTS = 256, OPT_NO_HYPERFINE, OPT_HYPERFINE, OPT_NO_LATENCY, OPT_LATENCY, OPT_TIMEOUT, OPT_HF_RUNS };
	static const struct option options[] = {
		{"traces", required_argument, NULL, 't'},
		{"alloc", required_argument, NULL, 'a'},
		{"runs", required_argument, NULL, 'n'},
		{"quick", no_argument, NULL, 'q'},
		{"out", required_argument, NULL, 'o'},
		{"no-plots", no_argument, NULL, OPT_NO_PLOTS},
		{"no-hyperfine", no_argument, NULL, OPT_NO_HYPERFINE},
		{"no-latency", no_argument, NULL, OPT_NO_LATENCY},
		{"hyperfine", no_argument, NULL, OPT_HYPERFINE},
		{"latency", no_argument, NULL, OPT_LATENCY},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"hyperfine-runs", required_argument, NULL, OPT_HF_RUNS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct bench_config cfg = {
		.out_dir = "results", .plots = 1,
	};
	const char *trace_args[MAX_TRACE_ARGS];
	size_t n_trace_args = 0;
	unsigned runs = 0, hyperfine_runs = 0;
	int quick = 0, want_latency = -1, want_hyperfine = -1;

	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (c) {
		case 't':
			if (n_trace_args == MAX_TRACE_ARGS) {
				fprintf(stderr, "fraglab bench: too many --traces\n");
				return 2;
			}
			trace_args[n_trace_args++] = optarg;
			break;
		case 'a':
			if (cfg.n_allocators == BENCH_MAX_ALLOCATORS) {
				fprintf(stderr, "fraglab bench: at most %d allocators\n", BENCH_MAX_ALLOCATORS);
				return 2;
			}
			for (size_t i = 0; i < cfg.n_allocators; i++)
				if (!strcmp(cfg.allocators[i], optarg)) {
					fprintf(stderr, "fraglab bench: allocator '%s' given twice\n", optarg);
					return 2;
				}
			cfg.allocators[cfg.n_allocators++] = optarg;
			break;
		case 'n':
			if (!(runs = cli_parse_count("bench", optarg, "--runs")))
				return 2;
			break;
		case 'q':
			quick = 1;
			break;
		case 'o':
			cfg.out_dir = optarg;
			break;
		case OPT_NO_PLOTS:
			cfg.plots = 0;
			break;
		case OPT_NO_HYPERFINE:
			want_hyperfine = 0;
			break;
		case OPT_HYPERFINE:
			want_hyperfine = 1;
			break;
		case OPT_NO_LATENCY:
			want_latency = 0;
			break;
		case OPT_LATENCY:
			want_latency = 1;
			break;
		case OPT_TIMEOUT:
			if (!(cfg.timeout_s = cli_parse_count("bench", optarg, "--timeout")))
				return 2;
			break;
		case OPT_HF_RUNS:
			if (!(hyperfine_runs = cli_parse_count("bench", optarg, "--hyperfine-runs")))
				return 2;
			break;
		case 'h':
			bench_usage(stdout);
			return 0;
		default:
			if (optopt)
				fprintf(stderr, "fraglab bench: option '%s' needs a value or is unknown (try --help)\n",
					argv[optind - 1]);
			else
				fprintf(stderr, "fraglab bench: unknown option '%s' (try --help)\n", argv[optind - 1]);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (n_trace_args == MAX_TRACE_ARGS) {
			fprintf(stderr, "fraglab bench: too many traces\n");
			return 2;
		}
		trace_args[n_trace_args++] = argv[i];
	}
	if (!*cfg.out_dir) {
		fprintf(stderr, "fraglab bench: --out needs a directory\n");
		return 2;
	}
	if (cfg.n_allocators == 0 && quick)
		for (size_t i = 0; i < sizeof quick_allocators / sizeof quick_allocators[0]; i++)
			cfg.allocators[cfg.n_allocators++] = quick_allocators[i];
	if (cfg.n_allocators == 0)
		for (size_t i = 0; i < bench_n_default_allocators; i++)
			cfg.allocators[cfg.n_allocators++] = bench_default_allocators[i];
	cfg.trace_args = trace_args;
	cfg.n_trace_args = n_trace_args;
	cfg.runs = runs ? runs : quick ? QUICK_RUNS : DEFAULT_RUNS;
	cfg.latency = want_latency >= 0 ? want_latency : !quick;
	if (!cfg.timeout_s)
		cfg.timeout_s = quick ? QUICK_TIMEOUT_S : DEFAULT_TIMEOUT_S;
	if (quick)
		cfg.budget_s = QUICK_BUDGET_S;
	cfg.hyperfine = want_hyperfine >= 0 ? want_hyperfine : !quick;
	/* hyperfine repeats each command as often as bench's timing runs, at
	 * most DEFAULT_HYPERFINE_RUNS: whole-process runs cost far more than
	 * the measured region, and the cross-check only needs the ranking. */
	cfg.hyperfine_runs = hyperfine_runs ? hyperfine_runs
					    : (cfg.runs < DEFAULT_HYPERFINE_RUNS ? cfg.runs : DEFAULT_HYPERFINE_RUNS);
	cfg.hyperfine_traces = DEFAULT_HYPERFINE_TRACES;

	/* How bench was asked to run, recorded in machine.txt. */
	char settings[4096];
	int len = snprintf(settings, sizeof settings, "fraglab bench");
	for (int i = 1; i < argc && len > 0 && (size_t)len < sizeof settings; i++)
		len += snprintf(settings + len, sizeof settings - (size_t)len, " %s", argv[i]);
	cfg.settings = settings;
	return bench_run(&cfg);
}
