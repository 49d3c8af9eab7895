/*
 * bench_traces.h: which traces bench and sweep replay.
 *
 * Arguments are trace files or directories.  A directory contributes its
 * files named *.json, *.jsonl or *.gz whose first 4 KiB (decompressed)
 * hold "format": "fraglab-trace", the format tag of every trace header, so
 * traces/schema.json and other JSON files beside the corpus are left out.
 * Files named explicitly are taken as they are; replay validates them.
 */
#ifndef FRAGLAB_BENCH_TRACES_H
#define FRAGLAB_BENCH_TRACES_H

#include <stddef.h>

struct bench_traces {
	size_t n;
	char **paths;  /* as given or DIR/NAME, sorted by name within a directory */
	char **stems;  /* file name less .gz/.json/.jsonl, safe as a file name */
};

/* Collects traces from args (default: the directory "traces").  Returns 0,
 * or -1 after a one-line message (missing path, no trace found). */
int bench_traces_collect(const char *const *args, size_t n_args, struct bench_traces *out);
void bench_traces_free(struct bench_traces *t);

/* The file name of `path` less its trace extensions, with any character
 * other than [A-Za-z0-9._-] replaced by '_'. */
void bench_traces_stem(const char *path, char *buf, size_t size);

#endif
