/* cmd_gen.c: PLACEHOLDER until its owner lands it. */
#include <stdio.h>
#include "cli.h"
int cmd_gen(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "fraglab gen: not built yet\n");
	return 2;
}
