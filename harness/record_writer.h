/*
 * record_writer.h: writes a v1 JSON Lines trace (docs/trace-format.md),
 * shared by `fraglab record`, `fraglab import` and `fraglab gen`.
 *
 * The trace is written to a temporary file beside the final one and renamed
 * over it only by record_writer_commit(), so a failed or interrupted run
 * never leaves a partial trace under the final name.  A final name ending
 * in ".gz" is gzip-compressed.  A NULL path writes plain JSONL to stdout.
 */
#ifndef FRAGLAB_RECORD_WRITER_H
#define FRAGLAB_RECORD_WRITER_H

#include <stdint.h>
#include <stdio.h>

#include "trace.h"

#define RECORD_NO_TID (-1)
#define RECORD_NAME_MAX 255 /* bytes of a trace's "name" (docs/trace-format.md) */

/* One trace event as written; fields an op does not use are ignored. */
struct record_event {
	enum trace_op op;
	uint64_t id;
	uint64_t size;  /* calloc: the element size (nmemb is separate) */
	uint64_t nmemb; /* calloc only */
	uint64_t align; /* memalign only */
	int64_t tid;    /* RECORD_NO_TID: no "tid" key */
	int inherited;  /* 1: adds "inherited":true (a block a fork child
			   started with; readers ignore the key) */
};

struct record_writer {
	const char *final_path; /* NULL: stdout */
	char tmp_path[4200];
	FILE *file;
	void *gz;               /* gzFile when compressing */
	uint64_t events;
	int failed;             /* a write failed; commit will refuse */
	size_t used;
	char buf[1 << 16];
};

/* Creates the temporary file and writes the header line with NAME (cut to
 * RECORD_NAME_MAX bytes, control characters made spaces).
 * On failure prints "fraglab: cannot create ...: REASON" and returns -1. */
int record_writer_open(struct record_writer *w, const char *path, const char *name);

/* Appends one event.  Errors are sticky and reported by commit. */
void record_writer_event(struct record_writer *w, const struct record_event *ev);

/* Flushes, closes and renames the temporary file to the final path.
 * Returns 0, or -1 after printing why (the temporary file is removed). */
int record_writer_commit(struct record_writer *w);

/* Closes and removes the temporary file; the final path is untouched. */
void record_writer_abort(struct record_writer *w);

/* Writes S as a JSON string literal (with quotes) into OUT of size CAP;
 * returns the length written or -1 if it does not fit. */
int record_json_string(char *out, size_t cap, const char *s);

/* 1 if PATH ends in ".gz". */
int record_path_is_gz(const char *path);

/* 1 if PATH ends in ".jsonl" or ".jsonl.gz": what the writer produces is
 * the JSON Lines form, and readers choose the form by the name. */
int record_path_is_jsonl(const char *path);

#endif
