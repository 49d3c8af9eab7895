/* trace_docstream.c: see trace_docstream.h. */
#include "trace_docstream.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_fastline.h"
#include "trace_header.h"

#define TRACE_DOCSTREAM_INITIAL (64u << 10)

struct trace_docstream {
	struct trace_reader *r;
	char *buf;
	size_t cap;
	size_t start, end;  /* unconsumed bytes are buf[start, end) */
	int eof;
	uint64_t line;      /* position of buf[start]: 1-based line ... */
	int col;            /* ... and character column */
};

/* Makes at least `need` unconsumed bytes available, or all that remain.
 * Returns how many are available, or -1 after reporting a read error. */
static long trace_docstream_fill(struct trace_docstream *ds, size_t need)
{
	while (ds->end - ds->start < need && !ds->eof) {
		if (ds->start) {
			memmove(ds->buf, ds->buf + ds->start, ds->end - ds->start);
			ds->end -= ds->start;
			ds->start = 0;
		}
		if (ds->end == ds->cap) {
			/* Callers never need more than TRACE_DOCSTREAM_MAX_VALUE + 1
			 * bytes, so this stays below twice that. */
			size_t cap = ds->cap * 2;
			char *buf = realloc(ds->buf, cap);
			if (!buf)
				return trace_read_fail(ds->r, ds->line, 0, "document", "out of memory");
			ds->buf = buf;
			ds->cap = cap;
		}
		long got = trace_input_read(&ds->r->in, ds->buf + ds->end, ds->cap - ds->end);
		if (got < 0)
			return trace_read_fail(ds->r, ds->line, 0, "document", "%s", ds->r->in.error);
		if (got == 0)
			ds->eof = 1;
		ds->end += (size_t)got;
	}
	return (long)(ds->end - ds->start);
}

/* Moves past n available bytes, keeping line and column up to date. */
static void trace_docstream_consume(struct trace_docstream *ds, size_t n)
{
	const char *p = ds->buf + ds->start;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			ds->line++;
			ds->col = 1;
		} else if (((unsigned char)p[i] & 0xc0) != 0x80) { /* not a UTF-8 continuation */
			ds->col++;
		}
	}
	ds->start += n;
}

/* The next byte, -1 at end of input, -2 after a reported read error. */
static int trace_docstream_peek(struct trace_docstream *ds)
{
	long avail = trace_docstream_fill(ds, 1);
	if (avail < 0)
		return -2;
	return avail ? (unsigned char)ds->buf[ds->start] : -1;
}

/* Skips JSON whitespace; returns the next byte as trace_docstream_peek. */
static int trace_docstream_skip_ws(struct trace_docstream *ds)
{
	for (;;) {
		int c = trace_docstream_peek(ds);
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return c;
		size_t n = 1;
		while (ds->start + n < ds->end && strchr(" \t\n\r", ds->buf[ds->start + n]) &&
		       ds->buf[ds->start + n])
			n++;
		trace_docstream_consume(ds, n);
	}
}

/* Reports a syntax error at the current position, naming what was found. */
static int trace_docstream_expected(struct trace_docstream *ds, int c, const char *what,
				    const char *context)
{
	if (c == -2)
		return -1;
	if (c == -1)
		return trace_read_fail(ds->r, ds->line, ds->col, context, "JSON: %s expected near end of file", what);
	if (c >= 0x20 && c < 0x7f)
		return trace_read_fail(ds->r, ds->line, ds->col, context, "JSON: %s expected near '%c'", what, c);
	if (c == 0)
		return trace_read_fail(ds->r, ds->line, ds->col, context, "NUL byte in the file (binary data?)");
	return trace_read_fail(ds->r, ds->line, ds->col, context, "JSON: %s expected near byte 0x%02x", what, c);
}

/* Length of the JSON value starting at the current position, found by
 * matching brackets outside strings (jansson then checks the value
 * itself).  A scalar runs to the next delimiter.  Returns 0 with *len, or
 * -1 after reporting (unterminated, too long). */
static int trace_docstream_extent(struct trace_docstream *ds, const char *context, size_t *len)
{
	long avail = trace_docstream_fill(ds, 1);
	if (avail < 0)
		return -1;
	if (avail == 0)
		return trace_docstream_expected(ds, -1, "a value", context);
	const char *b = ds->buf + ds->start;
	char c0 = b[0];
	int scalar = c0 != '"' && c0 != '{' && c0 != '[';
	int depth = c0 == '{' || c0 == '[';
	int in_string = c0 == '"', escaped = 0;
	size_t i = 1;
	for (;; i++) {
		if (i > TRACE_DOCSTREAM_MAX_VALUE)
			return trace_read_fail(ds->r, ds->line, ds->col, context,
					       "a JSON value longer than %u bytes (the limit for one value)",
					       TRACE_DOCSTREAM_MAX_VALUE);
		if (i == (size_t)avail) {
			avail = trace_docstream_fill(ds, i + 1);
			if (avail < 0)
				return -1;
			b = ds->buf + ds->start; /* fill may move the window */
			if (i == (size_t)avail) {
				if (scalar)
					break;
				return trace_read_fail(ds->r, ds->line, ds->col, context,
						       "JSON: unterminated %s: the file ends inside it",
						       in_string && !depth ? "string" : c0 == '{' ? "object" : "array");
			}
		}
		char c = b[i];
		if (scalar) {
			if (strchr(",]} \t\r\n", c) && c)
				break;
		} else if (in_string) {
			if (escaped)
				escaped = 0;
			else if (c == '\\')
				escaped = 1;
			else if (c == '"') {
				in_string = 0;
				if (!depth) {
					i++;
					break;
				}
			}
		} else if (c == '"') {
			in_string = 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth == 0) {
				i++;
				break;
			}
		}
	}
	*len = i;
	return 0;
}

/* Parses the value of length len at the current position with jansson,
 * placing a syntax error at its true line and column. */
static json_t *trace_docstream_parse(struct trace_docstream *ds, size_t len, const char *context)
{
	const char *b = ds->buf + ds->start;
	const char *nul = memchr(b, '\0', len);
	if (nul) {
		trace_read_fail(ds->r, ds->line, ds->col, context, "NUL byte in the file (binary data?)");
		return NULL;
	}
	json_error_t e;
	json_t *v = json_loadb(b, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
	if (!v) {
		uint64_t line = ds->line;
		int col = 0;
		if (e.line <= 1)
			col = e.column > 0 ? ds->col + e.column - 1 : 0;
		else {
			line += (uint64_t)e.line - 1;
			col = e.column;
		}
		trace_read_fail(ds->r, line, col, context, "JSON: %s", e.text);
	}
	return v;
}

/* The elements of "events", from just after its '['. */
static int trace_docstream_events(struct trace_docstream *ds)
{
	struct trace_reader *r = ds->r;
	int c = trace_docstream_skip_ws(ds);
	if (c == ']') {
		trace_docstream_consume(ds, 1);
		return 0;
	}
	for (;;) {
		uint64_t line = ds->line;
		int col = ds->col;
		size_t len;
		if (c < 0)
			return trace_docstream_expected(ds, c, "an event", NULL);
		if (trace_docstream_extent(ds, NULL, &len) < 0)
			return -1;
		/* The common shape without jansson, as for JSON Lines. */
		struct trace_raw_event raw;
		if (!trace_fastline_parse(ds->buf + ds->start, len, &raw)) {
			json_t *event = trace_docstream_parse(ds, len, NULL);
			if (!event)
				return -1;
			int bad = trace_compiler_read_json(&r->compiler, event, &raw);
			json_decref(event);
			if (bad)
				return trace_read_fail(r, line, col, NULL, "%s", r->compiler.error);
		}
		trace_docstream_consume(ds, len);
		if (trace_read_emit_raw(r, &raw, line, col) < 0)
			return -1;
		c = trace_docstream_skip_ws(ds);
		if (c == ']') {
			trace_docstream_consume(ds, 1);
			return 0;
		}
		if (c != ',')
			return trace_docstream_expected(ds, c, "',' or ']'", "document");
		trace_docstream_consume(ds, 1);
		c = trace_docstream_skip_ws(ds);
	}
}

/* The top-level object's members; the header keys are collected into
 * header, the events compiled.  From just after the '{'. */
static int trace_docstream_members(struct trace_docstream *ds, json_t *header, int *saw_events,
				   uint64_t top_line, int top_col)
{
	struct trace_reader *r = ds->r;
	int c = trace_docstream_skip_ws(ds);
	if (c == '}') {
		trace_docstream_consume(ds, 1);
		return 0;
	}
	for (;;) {
		if (c != '"')
			return trace_docstream_expected(ds, c, "string", "document");
		size_t len;
		if (trace_docstream_extent(ds, "document", &len) < 0)
			return -1;
		json_t *key = trace_docstream_parse(ds, len, "document");
		if (!key)
			return -1;
		uint64_t key_line = ds->line;
		int key_col = ds->col;
		trace_docstream_consume(ds, len);
		c = trace_docstream_skip_ws(ds);
		if (c != ':') {
			json_decref(key);
			return trace_docstream_expected(ds, c, "':'", "document");
		}
		trace_docstream_consume(ds, 1);
		c = trace_docstream_skip_ws(ds);
		const char *name = json_string_value(key);
		int rc = 0;
		if (json_object_get(header, name) || (!strcmp(name, "events") && *saw_events)) {
			rc = trace_read_fail(r, key_line, key_col, "document", "JSON: duplicate object key \"%s\"", name);
		} else if (!strcmp(name, "events")) {
			*saw_events = 1;
			char err[256];
			if (c != '[') {
				rc = trace_read_fail(r, top_line, top_col, "header", "\"events\" must be an array");
			} else if (json_object_get(header, "format") && json_object_get(header, "version") &&
				   trace_header_check(header, 0, r->name, NULL, err, sizeof err) < 0) {
				/* The header came first: refuse a wrong one before reading events. */
				rc = trace_read_fail(r, top_line, top_col, "header", "%s", err);
			} else {
				trace_docstream_consume(ds, 1);
				rc = trace_docstream_events(ds);
			}
		} else {
			rc = trace_docstream_extent(ds, "document", &len);
			json_t *value = rc < 0 ? NULL : trace_docstream_parse(ds, len, "document");
			if (value) {
				/* Keep the values the header check reads; of other
				 * keys only the name, to refuse duplicates. */
				int kept = !strcmp(name, "format") || !strcmp(name, "version") || !strcmp(name, "name");
				json_object_set_new(header, name, kept ? value : json_null());
				if (!kept)
					json_decref(value);
				trace_docstream_consume(ds, len);
			} else {
				rc = -1;
			}
		}
		json_decref(key);
		if (rc < 0)
			return -1;
		c = trace_docstream_skip_ws(ds);
		if (c == '}') {
			trace_docstream_consume(ds, 1);
			return 0;
		}
		if (c != ',')
			return trace_docstream_expected(ds, c, "',' or '}'", "document");
		trace_docstream_consume(ds, 1);
		c = trace_docstream_skip_ws(ds);
	}
}

int trace_docstream_read(struct trace_reader *r)
{
	struct trace_docstream ds = {.r = r, .cap = TRACE_DOCSTREAM_INITIAL, .line = 1, .col = 1};
	ds.buf = malloc(ds.cap);
	json_t *header = json_object();
	int rc = -1;
	if (!ds.buf || !header) {
		trace_read_fail(r, 0, 0, "file", "out of memory");
		goto out;
	}
	long avail = trace_docstream_fill(&ds, 3);
	if (avail < 0)
		goto out;
	if (avail >= 3 && !memcmp(ds.buf, "\xef\xbb\xbf", 3)) {
		ds.start = 3; /* a byte order mark: skipped, not counted as a column */
	}
	int c = trace_docstream_skip_ws(&ds);
	if (c == -1) {
		trace_read_fail(r, 1, 0, "file", "empty file: no trace document");
		goto out;
	}
	uint64_t top_line = ds.line;
	int top_col = ds.col;
	if (c == '[') {
		trace_read_fail(r, top_line, top_col, "header", "a trace document must be a JSON object");
		goto out;
	}
	if (c != '{') {
		trace_docstream_expected(&ds, c, "'{'", "document");
		goto out;
	}
	trace_docstream_consume(&ds, 1);
	int saw_events = 0;
	if (trace_docstream_members(&ds, header, &saw_events, top_line, top_col) < 0)
		goto out;
	c = trace_docstream_skip_ws(&ds);
	if (c != -1) {
		trace_docstream_expected(&ds, c, "end of file", "document");
		goto out;
	}
	char err[256];
	if (trace_header_check(header, 0, r->name, NULL, err, sizeof err) < 0) {
		trace_read_fail(r, top_line, top_col, "header", "%s", err);
		goto out;
	}
	if (!saw_events) {
		trace_read_fail(r, top_line, top_col, "header",
				"missing \"events\" (a .json trace is one document; use .jsonl for the JSON Lines form)");
		goto out;
	}
	if (r->compiler.summary.events == 0) {
		trace_read_fail(r, top_line, top_col, "file", "\"events\" is empty: a trace needs at least one event");
		goto out;
	}
	rc = 0;
out:
	json_decref(header);
	free(ds.buf);
	return rc;
}
