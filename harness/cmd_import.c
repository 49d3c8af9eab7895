/* cmd_import.c: PLACEHOLDER until its owner lands it. */
#include <stdio.h>
#include "cli.h"
int cmd_import(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "fraglab import: not built yet\n");
	return 2;
}
