/* trace_input.c: see trace_input.h. */
#include "trace_input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRACE_INPUT_INITIAL (256u << 10)
#define TRACE_INPUT_GZBUF (128u << 10)

int trace_input_open(struct trace_input *in, const char *path)
{
	memset(in, 0, sizeof *in);
	/* O_NONBLOCK: a FIFO must be refused below, not wait for a writer. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(in->error, sizeof in->error, "cannot open: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(in->error, sizeof in->error, "not a regular file");
		close(fd);
		return -1;
	}
	in->gz = gzdopen(fd, "rb");
	if (!in->gz) {
		snprintf(in->error, sizeof in->error, "cannot open: out of memory");
		close(fd);
		return -1;
	}
	gzbuffer(in->gz, TRACE_INPUT_GZBUF);
	in->cap = TRACE_INPUT_INITIAL;
	in->buf = malloc(in->cap + 1); /* +1: room to NUL-terminate a last line */
	if (!in->buf) {
		snprintf(in->error, sizeof in->error, "out of memory");
		gzclose(in->gz);
		in->gz = NULL;
		return -1;
	}
	return 0;
}

void trace_input_close(struct trace_input *in)
{
	if (in->gz)
		gzclose(in->gz);
	free(in->buf);
	memset(in, 0, sizeof *in);
}

/* Sets in->error from zlib after a failed or short read.  Returns -1 if the
 * stream is in error (including truncated gzip data), else 0. */
static int trace_input_check_gz(struct trace_input *in)
{
	int errnum = Z_OK;
	const char *msg = gzerror(in->gz, &errnum);
	if (errnum == Z_OK || errnum == Z_STREAM_END)
		return 0;
	if (errnum == Z_ERRNO)
		msg = strerror(errno);
	/* zlib prefixes "<fd:N>: " for gzdopen'ed files; the caller names the file. */
	if (msg && !strncmp(msg, "<fd:", 4) && strstr(msg, ": "))
		msg = strstr(msg, ": ") + 2;
	snprintf(in->error, sizeof in->error, "read error (corrupt or truncated gzip data?): %s",
		 msg && *msg ? msg : "unknown zlib error");
	return -1;
}

/* Reads up to n decompressed bytes; returns the count (0 at end) or -1. */
static long trace_input_fill(struct trace_input *in, char *dst, size_t n)
{
	if (n > INT32_MAX)
		n = INT32_MAX;
	int got = gzread(in->gz, dst, (unsigned)n);
	if (got < 0 || (got == 0 && trace_input_check_gz(in) < 0)) {
		if (got < 0)
			trace_input_check_gz(in);
		return -1;
	}
	return got;
}

static void trace_input_chop(char *line, size_t *len)
{
	if (*len && line[*len - 1] == '\r')
		(*len)--;
	line[*len] = '\0';
}

int trace_input_next_line(struct trace_input *in, char **line, size_t *len)
{
	for (;;) {
		char *from = in->buf + in->start + in->scanned;
		char *nl = memchr(from, '\n', in->end - in->start - in->scanned);
		if (nl) {
			*line = in->buf + in->start;
			*len = (size_t)(nl - *line);
			in->start += *len + 1;
			in->scanned = 0;
			in->line_no++;
			if (*len > TRACE_INPUT_MAX_LINE + 1) /* +1: a '\r' before '\n' */
				goto too_long;
			trace_input_chop(*line, len);
			if (*len > TRACE_INPUT_MAX_LINE)
				goto too_long;
			return 1;
		}
		in->scanned = in->end - in->start;
		if (in->scanned > TRACE_INPUT_MAX_LINE + 1) {
			in->line_no++;
			goto too_long;
		}
		if (in->eof) {
			if (in->start == in->end)
				return 0;
			*line = in->buf + in->start;
			*len = in->end - in->start;
			in->start = in->end;
			in->scanned = 0;
			in->line_no++;
			trace_input_chop(*line, len); /* buf has cap + 1 bytes: room for the NUL */
			if (*len > TRACE_INPUT_MAX_LINE)
				goto too_long;
			return 1;
		}
		if (in->start) {
			memmove(in->buf, in->buf + in->start, in->end - in->start);
			in->end -= in->start;
			in->start = 0;
		}
		if (in->end == in->cap) {
			/* Grows to at most 2 * TRACE_INPUT_MAX_LINE: the check
			 * above refuses a line before more of it is buffered. */
			size_t cap = in->cap * 2;
			char *buf = realloc(in->buf, cap + 1);
			if (!buf) {
				snprintf(in->error, sizeof in->error, "out of memory");
				return -1;
			}
			in->buf = buf;
			in->cap = cap;
		}
		long got = trace_input_fill(in, in->buf + in->end, in->cap - in->end);
		if (got < 0) {
			in->line_no++; /* the line being read */
			return -1;
		}
		if (got == 0)
			in->eof = 1;
		in->end += (size_t)got;
	}
too_long:
	snprintf(in->error, sizeof in->error, "line longer than %u bytes (the limit for one line)",
		 TRACE_INPUT_MAX_LINE);
	return -1;
}

int trace_input_rewind(struct trace_input *in)
{
	if (gzrewind(in->gz) < 0) {
		snprintf(in->error, sizeof in->error, "cannot rewind");
		return -1;
	}
	in->start = in->end = in->scanned = 0;
	in->line_no = 0;
	in->eof = 0;
	return 0;
}

long trace_input_read(struct trace_input *in, char *dst, size_t n)
{
	return trace_input_fill(in, dst, n);
}
