/* cmd_check.c: PLACEHOLDER until its owner lands it. */
#include <stdio.h>
#include "cli.h"
int cmd_check(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "fraglab check: not built yet\n");
	return 2;
}
