/*
 * trace_input.h: reads a trace file, plain or gzip-compressed alike (zlib's
 * gzread passes plain files through), as lines or as one whole buffer.
 *
 * Line reading keeps one buffer that grows only up to the longest line
 * (at most TRACE_INPUT_MAX_LINE bytes, longer lines are refused), so
 * streaming a trace takes memory independent of its length.
 */
#ifndef FRAGLAB_TRACE_INPUT_H
#define FRAGLAB_TRACE_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#define TRACE_INPUT_MAX_LINE (1u << 20) /* bytes, excluding the newline */

struct trace_input {
	gzFile gz;
	char *buf;
	size_t cap;
	size_t start, end;   /* unconsumed bytes are buf[start, end) */
	size_t scanned;      /* of those, bytes already known to hold no '\n' */
	uint64_t line_no;    /* number of the line last returned (1-based) */
	int eof;
	char error[256];     /* why the last call failed */
};

/* Returns 0, or -1 with in->error set (the file is not opened). */
int trace_input_open(struct trace_input *in, const char *path);
void trace_input_close(struct trace_input *in);

/* Next line without its "\n" or "\r\n"; a last line without a newline is
 * returned too.  The line is NUL-terminated in place and valid until the
 * next call.  Returns 1, 0 at end of input, or -1 with in->error set. */
int trace_input_next_line(struct trace_input *in, char **line, size_t *len);

/* Starts again from the first byte. Returns 0 or -1 with in->error set. */
int trace_input_rewind(struct trace_input *in);

/* Reads up to n decompressed bytes into dst, bypassing the line buffer
 * (do not mix with next_line).  Returns the count, 0 at end of input, or
 * -1 with in->error set. */
long trace_input_read(struct trace_input *in, char *dst, size_t n);

#endif
