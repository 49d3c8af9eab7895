/*
 * trace_reader.h: state and helpers shared by the two readers of
 * trace_read (JSON Lines in trace_read.c, documents in trace_docstream.c).
 * Private to those files.
 */
#ifndef FRAGLAB_TRACE_READER_H
#define FRAGLAB_TRACE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "trace_compile.h"
#include "trace_input.h"
#include "trace_read.h"

struct trace_reader {
	const char *path;
	struct trace_input in;
	struct trace_compiler compiler;
	trace_emit_fn emit;
	void *emit_ctx;
	char name[256];       /* the header's "name", or "" */
};

/* Prints "PATH:LINE[:COL]: CONTEXT: WHAT" and returns -1.  line 0 =
 * unknown, col <= 0 = unknown; context NULL means "event N", N being the
 * event being compiled. */
int trace_read_fail(struct trace_reader *r, uint64_t line, int col, const char *context,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Validates, compiles and emits one event that was read at line:col. */
int trace_read_emit_raw(struct trace_reader *r, const struct trace_raw_event *raw, uint64_t line, int col);

/* Only spaces, tabs and CRs? */
int trace_read_is_blank(const char *line, size_t len);

/* Skips a UTF-8 byte order mark, which some editors put at the start of
 * a file and JSON readers may ignore (RFC 8259, section 8.1). */
void trace_read_skip_bom(char **text, size_t *len);

/* 1-based character (not byte) column of byte offset `at` in line. */
int trace_read_column(const char *line, size_t at);

#endif
