/* cmd_replay.c: PLACEHOLDER until its owner lands it. */
#include <stdio.h>
#include "cli.h"
int cmd_replay(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "fraglab replay: not built yet\n");
	return 2;
}
