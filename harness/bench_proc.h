/*
 * bench_proc.h: running the external programs bench and sweep drive
 * (fraglab replay, gnuplot, hyperfine, git, dpkg-query), and Ctrl-C.
 *
 * SIGINT and SIGTERM only set a flag: the child, in the same process
 * group, gets the signal too and stops; the caller then sees
 * bench_proc_interrupted(), removes its temporary files and exits 130.
 * A second Ctrl-C kills at once (the handler is one-shot); files already
 * renamed into place are whole either way.
 */
#ifndef FRAGLAB_BENCH_PROC_H
#define FRAGLAB_BENCH_PROC_H

#include <stddef.h>

struct bench_proc_result {
	int exited;     /* 1: exited with `code`; 0: killed by `signal` */
	int code;
	int signal;
	int exec_failed; /* the program could not be started at all */
};

/* Absolute path of the running fraglab (from /proc/self/exe). */
int bench_proc_self_exe(char *buf, size_t size);

/* Runs argv[0] (searched in PATH) with `env_set` ("NAME=VALUE" strings,
 * NULL-terminated, may be NULL) added to the environment; stdout and
 * stderr go to the given files, or /dev/null when NULL.  Returns 0 once
 * the child has ended (see *res), -1 if it could not be forked. */
int bench_proc_run(char *const argv[], char *const env_set[], const char *stdout_path,
		   const char *stderr_path, struct bench_proc_result *res);

/* Like bench_proc_run, but the child's stderr is read line by line as it
 * comes and handed to on_line (progress can be shown live and errors
 * inspected afterwards). */
int bench_proc_run_watch(char *const argv[], char *const env_set[], const char *stdout_path,
			 void (*on_line)(const char *line, void *ctx), void *ctx,
			 struct bench_proc_result *res);

/* Runs argv and returns its stdout's first line (newline stripped) in
 * buf; -1 and buf = "" when it fails or prints nothing. */
int bench_proc_capture_line(char *const argv[], char *buf, size_t size);

/* The last non-empty line of a text file, newline stripped ("" if none). */
void bench_proc_last_line(const char *path, char *buf, size_t size);

/* 1 if PROGRAM is found as an executable in PATH. */
int bench_proc_in_path(const char *program);

void bench_proc_install_interrupt(void);
int bench_proc_interrupted(void);

#endif
