/* main.c: fraglab's entry point; dispatches to one subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"check", cmd_check, "validate traces and summarise them"},
	{"replay", cmd_replay, "replay traces against allocators and measure them"},
	{"bench", cmd_bench, "run the whole comparison: CSV, summary, plots"},
	{"sweep", cmd_sweep, "sweep flmalloc's tunables (FLMALLOC_BIG, FLMALLOC_KEEP, policy)"},
	{"record", cmd_record, "record a program's allocations as a trace"},
	{"import", cmd_import, "convert a trace from another format (malloclab .rep)"},
	{"gen", cmd_gen, "generate a synthetic workload trace"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: fraglab COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'fraglab COMMAND --help' describes one command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "fraglab: unknown command '%s' (try 'fraglab --help')\n", argv[1]);
	return 2;
}
