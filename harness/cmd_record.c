/* cmd_record.c: PLACEHOLDER until its owner lands it. */
#include <stdio.h>
#include "cli.h"
int cmd_record(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "fraglab record: not built yet\n");
	return 2;
}
