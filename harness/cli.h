/* cli.h: fraglab's subcommands.  Each returns the process exit status:
 * 0 success, 1 a measured failure (e.g. an allocator failed a run),
 * 2 bad usage or bad input. */
#ifndef FRAGLAB_CLI_H
#define FRAGLAB_CLI_H

int cmd_check(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

/* Parses a count from 1 to 100000 given to option WHAT of COMMAND; on
 * anything else prints one line "fraglab COMMAND: ..." and returns 0. */
unsigned cli_parse_count(const char *command, const char *s, const char *what);

#endif
