/* record_run.h: starts the command to record with the shim preloaded. */
#ifndef FRAGLAB_RECORD_RUN_H
#define FRAGLAB_RECORD_RUN_H

#include <stddef.h>
#include <sys/types.h>

struct record_run {
	const char *shim;     /* absolute path of libfltrace.so */
	const char *log_dir;  /* FLTRACE_DIR for the shim */
	int first_only;       /* record only the started process */
	char **argv;          /* the command, argv[0] as given */
	pid_t pid;            /* out: the started process */
	int status;           /* out: its wait status */
};

/* Finds CMD like execvp would (PATH search when it has no '/') and refuses
 * a set-id program the loader would run in secure mode, ignoring
 * LD_PRELOAD.  Returns 0 with the path in OUT, or -1 after printing why. */
int record_run_resolve(const char *cmd, char *out, size_t cap);

/* Runs R->argv (resolved to PATH) and waits for it.  Returns 0 when the
 * command ran, whatever its exit status, or -1 after printing why it could
 * not be started. */
int record_run_command(struct record_run *r, const char *path);

#endif
