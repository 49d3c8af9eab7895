/*
 * bench_outfile.h: output files that appear whole or not at all.
 *
 * Every result file is written under a temporary name beside its final
 * one and renamed into place once complete, so Ctrl-C or a failure never
 * leaves a truncated runs.csv or plot behind.  The temporary name keeps
 * the extension (runs.tmp1234.csv) because gnuplot picks its terminal
 * from it and .gitignore ignores *.tmp*.
 */
#ifndef FRAGLAB_BENCH_OUTFILE_H
#define FRAGLAB_BENCH_OUTFILE_H

#include <limits.h>
#include <stdio.h>

struct bench_outfile {
	char path[PATH_MAX];
	char tmp[PATH_MAX];
	FILE *fp;
};

/* Writes the temporary name for `path` into tmp; -1 if it does not fit. */
int bench_outfile_tmpname(const char *path, char *tmp, size_t size);
/* Opens the temporary file for `path`; NULL (after a one-line message) on error. */
FILE *bench_outfile_open(struct bench_outfile *f, const char *path);
/* Closes and renames into place; -1 (temporary removed) on any write error. */
int bench_outfile_commit(struct bench_outfile *f);
/* Closes and removes the temporary file. */
void bench_outfile_abort(struct bench_outfile *f);
/* Renames a finished temporary file into place; -1 after a message. */
int bench_outfile_publish(const char *tmp, const char *path);

/* snprintf for paths: a path that does not fit is a fatal one-line error
 * (exit 2), never a silently truncated file name. */
void bench_outfile_path(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
