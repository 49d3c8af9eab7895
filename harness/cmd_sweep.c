/* cmd_sweep.c: PLACEHOLDER until its owner lands it. */
#include <stdio.h>
#include "cli.h"
int cmd_sweep(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "fraglab sweep: not built yet\n");
	return 2;
}
