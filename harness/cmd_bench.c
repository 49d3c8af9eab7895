/* cmd_bench.c: PLACEHOLDER until its owner lands it. */
#include <stdio.h>
#include "cli.h"
int cmd_bench(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "fraglab bench: not built yet\n");
	return 2;
}
