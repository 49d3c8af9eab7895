/* cli.c: argument parsing shared by fraglab's subcommands. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

unsigned cli_parse_count(const char *command, const char *s, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*s == '-' || end == s || *end || v == 0 || v > 100000) {
		fprintf(stderr, "fraglab %s: %s must be a whole number from 1 to 100000, not '%s'\n",
			command, what, s);
		return 0;
	}
	return (unsigned)v;
}
