/* cmd_sweep.c: `fraglab sweep`: parse the command line, then sweep_run. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sweep.h"

#define DEFAULT_RUNS 3
#define QUICK_RUNS 1
/* A pass longer than a minute fails issue 6's bar: recorded as timeout. */
#define DEFAULT_TIMEOUT_S 60
#define QUICK_TIMEOUT_S 10
/* --quick sweeps every other power of four: the shape, in a fifth of the time. */
static const unsigned long long quick_big[] = {4096, 16384, 65536, 262144, 1048576};
static const unsigned long long quick_keep[] = {0, 262144, 4194304, 67108864};
#define MAX_TRACE_ARGS 1024

static void sweep_usage(FILE *out)
{
	fprintf(out,
		"usage: fraglab sweep [--only big|keep|policy]... [--traces DIR|FILE]... [--runs N]\n"
		"                     [--quick] [--out DIR] [--no-plots] [--big SIZES] [--keep SIZES]\n"
		"                     [--alloc flmalloc[:POLICY]] [--timeout SECONDS] [TRACE|DIR]...\n"
		"\n"
		"Replays the traces (default traces/) under flmalloc settings: FLMALLOC_BIG over\n"
		"4K..4M, FLMALLOC_KEEP over 0..64M, and the policies addr, lifo, best, seg beside\n"
		"glibc.  SIZES: comma-separated, K/M/G suffixes (e.g. 4K,64K,1M).  Writes\n"
		"sweep-big.csv, sweep-keep.csv, sweep-policy.csv (every run), their -summary.csv\n"
		"(medians) and a figure each into --out (default results).  Default %d runs per\n"
		"point and a %d s timeout per pass; --quick: %d run, 5 cutoffs, 4 keep sizes,\n"
		"%d s timeout.  See docs/bench.md.\n",
		DEFAULT_RUNS, DEFAULT_TIMEOUT_S, QUICK_RUNS, QUICK_TIMEOUT_S);
}

int cmd_sweep(int argc, char **argv)
{
	enum { OPT_NO_PLOTS = 256, OPT_BIG, OPT_KEEP, OPT_TIMEOUT, OPT_ONLY };
	static const struct option options[] = {
		{"only", required_argument, NULL, OPT_ONLY},
		{"traces", required_argument, NULL, 't'},
		{"alloc", required_argument, NULL, 'a'},
		{"runs", required_argument, NULL, 'n'},
		{"quick", no_argument, NULL, 'q'},
		{"out", required_argument, NULL, 'o'},
		{"no-plots", no_argument, NULL, OPT_NO_PLOTS},
		{"big", required_argument, NULL, OPT_BIG},
		{"keep", required_argument, NULL, OPT_KEEP},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct sweep_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.allocator = "flmalloc";
	cfg.out_dir = "results";
	cfg.plots = 1;
	const char *trace_args[MAX_TRACE_ARGS];
	size_t n_trace_args = 0;
	unsigned runs = 0;
	int quick = 0, any_only = 0;

	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (c) {
		case OPT_ONLY:
			if (!strcmp(optarg, "big"))
				cfg.enabled[SWEEP_BIG] = 1;
			else if (!strcmp(optarg, "keep"))
				cfg.enabled[SWEEP_KEEP] = 1;
			else if (!strcmp(optarg, "policy"))
				cfg.enabled[SWEEP_POLICY] = 1;
			else {
				fprintf(stderr, "fraglab sweep: --only takes big, keep or policy, not '%s'\n", optarg);
				return 2;
			}
			any_only = 1;
			break;
		case 't':
			if (n_trace_args == MAX_TRACE_ARGS) {
				fprintf(stderr, "fraglab sweep: too many --traces\n");
				return 2;
			}
			trace_args[n_trace_args++] = optarg;
			break;
		case 'a':
			if (strcmp(optarg, "flmalloc") && strncmp(optarg, "flmalloc:", 9)) {
				fprintf(stderr, "fraglab sweep: --alloc must be flmalloc or flmalloc:POLICY (the settings are flmalloc's)\n");
				return 2;
			}
			cfg.allocator = optarg;
			break;
		case 'n':
			if (!(runs = cli_parse_count("sweep", optarg, "--runs")))
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
		case OPT_BIG:
			if (sweep_parse_sizes(optarg, cfg.big, SWEEP_MAX_VALUES, &cfg.n_big))
				return 2;
			break;
		case OPT_KEEP:
			if (sweep_parse_sizes(optarg, cfg.keep, SWEEP_MAX_VALUES, &cfg.n_keep))
				return 2;
			break;
		case OPT_TIMEOUT:
			if (!(cfg.timeout_s = cli_parse_count("sweep", optarg, "--timeout")))
				return 2;
			break;
		case 'h':
			sweep_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "fraglab sweep: unknown option or missing value: '%s' (try --help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (n_trace_args == MAX_TRACE_ARGS) {
			fprintf(stderr, "fraglab sweep: too many traces\n");
			return 2;
		}
		trace_args[n_trace_args++] = argv[i];
	}
	if (!*cfg.out_dir) {
		fprintf(stderr, "fraglab sweep: --out needs a directory\n");
		return 2;
	}
	if (!any_only)
		for (int k = 0; k < SWEEP_KINDS; k++)
			cfg.enabled[k] = 1;
	if (cfg.n_big == 0 && quick) {
		memcpy(cfg.big, quick_big, sizeof quick_big);
		cfg.n_big = sizeof quick_big / sizeof quick_big[0];
	}
	if (cfg.n_big == 0) {
		memcpy(cfg.big, sweep_default_big, sweep_n_default_big * sizeof *cfg.big);
		cfg.n_big = sweep_n_default_big;
	}
	if (cfg.n_keep == 0 && quick) {
		memcpy(cfg.keep, quick_keep, sizeof quick_keep);
		cfg.n_keep = sizeof quick_keep / sizeof quick_keep[0];
	}
	if (cfg.n_keep == 0) {
		memcpy(cfg.keep, sweep_default_keep, sweep_n_default_keep * sizeof *cfg.keep);
		cfg.n_keep = sweep_n_default_keep;
	}
	if (!cfg.timeout_s)
		cfg.timeout_s = quick ? QUICK_TIMEOUT_S : DEFAULT_TIMEOUT_S;
	cfg.trace_args = trace_args;
	cfg.n_trace_args = n_trace_args;
	cfg.runs = runs ? runs : quick ? QUICK_RUNS : DEFAULT_RUNS;
	return sweep_run(&cfg);
}
