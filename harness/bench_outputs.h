/*
 * bench_outputs.h: the directory bench and sweep write into.
 */
#ifndef FRAGLAB_BENCH_OUTPUTS_H
#define FRAGLAB_BENCH_OUTPUTS_H

#include <time.h>

/* Makes DIR (and its parents); 0 or -1 after a message. */
int bench_outputs_mkdirs(const char *dir);

/* Removes a scratch directory and the files replay and hyperfine left in
 * it (it holds no subdirectories). */
void bench_outputs_remove_scratch(const char *dir);

/* After a complete run: removes from DIR (with in_series, the series/
 * directory) bench's own outputs older than `started`, i.e. not written
 * by this run.  Files not named like bench's outputs are left alone. */
void bench_outputs_prune(const char *dir, int in_series, const struct timespec *started);

#endif
