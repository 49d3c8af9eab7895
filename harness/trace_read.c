/* trace_read.c: see trace_read.h. */
#include "trace_read.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_compile.h"
#include "trace_docpos.h"
#include "trace_fastline.h"
#include "trace_header.h"
#include "trace_input.h"

struct trace_reader {
	const char *path;
	struct trace_input in;
	struct trace_compiler compiler;
	trace_emit_fn emit;
	void *emit_ctx;
	char name[256];
};

/* Prints "PATH:LINE[:COL]: CONTEXT: WHAT".  line 0 = unknown; col <= 0 =
 * unknown.  context NULL means "event N" for the event being compiled. */
static int trace_read_fail(struct trace_reader *r, uint64_t line, int col, const char *context,
			   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int trace_read_fail(struct trace_reader *r, uint64_t line, int col, const char *context,
			   const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	char where[64] = "";
	if (line && col > 0)
		snprintf(where, sizeof where, ":%" PRIu64 ":%d", line, col);
	else if (line)
		snprintf(where, sizeof where, ":%" PRIu64, line);
	if (context)
		fprintf(stderr, "%s%s: %s: %s\n", r->path, where, context, what);
	else
		fprintf(stderr, "%s%s: event %" PRIu64 ": %s\n", r->path, where,
			r->compiler.summary.events, what);
	return -1;
}

enum trace_form trace_read_form_of(const char *path)
{
	size_t n = strlen(path);
	if (n > 3 && !strcmp(path + n - 3, ".gz"))
		n -= 3;
	if (n > 6 && !strncmp(path + n - 6, ".jsonl", 6))
		return TRACE_FORM_LINES;
	if (n > 5 && !strncmp(path + n - 5, ".json", 5))
		return TRACE_FORM_DOCUMENT;
	return TRACE_FORM_SNIFF;
}

void trace_read_default_name(const char *path, char name[256])
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(name, 256, "%s", base);
	size_t n = strlen(name);
	if (n > 3 && !strcmp(name + n - 3, ".gz"))
		name[n -= 3] = '\0';
	char *dot = strrchr(name, '.');
	if (dot && dot != name)
		*dot = '\0';
	for (char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static int trace_read_is_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return 0;
	return 1;
}

/* Skips a UTF-8 byte order mark, which some editors put at the start of
 * a file and JSON readers may ignore (RFC 8259, section 8.1). */
static void trace_read_skip_bom(char **text, size_t *len)
{
	if (*len >= 3 && !memcmp(*text, "\xef\xbb\xbf", 3)) {
		*text += 3;
		*len -= 3;
	}
}

/* Refuses NUL bytes, which jansson would report as a confusing "end of file". */
static int trace_read_check_nul(struct trace_reader *r, const char *line, size_t len,
				const char *context)
{
	const char *nul = memchr(line, '\0', len);
	if (!nul)
		return 0;
	return trace_read_fail(r, r->in.line_no, trace_docpos_column(line, (size_t)(nul - line)), context,
			       "NUL byte in the line (binary data?)");
}

/* Validates, compiles and emits the event on the current line. */
static int trace_read_emit_raw(struct trace_reader *r, const struct trace_raw_event *raw)
{
	struct trace_event compiled;
	if (trace_compiler_add_raw(&r->compiler, raw, &compiled) < 0)
		return trace_read_fail(r, r->in.line_no, 0, NULL, "%s", r->compiler.error);
	return r->emit(r->emit_ctx, &compiled);
}

static int trace_read_lines(struct trace_reader *r)
{
	char *line;
	size_t len;
	int got;
	json_error_t jerr;

	while ((got = trace_input_next_line(&r->in, &line, &len)) == 1 && trace_read_is_blank(line, len))
		;
	if (got < 0)
		return trace_read_fail(r, r->in.line_no, 0, "header", "%s", r->in.error);
	if (got == 0)
		return trace_read_fail(r, 1, 0, "file", "empty file: no header line");
	if (r->in.line_no == 1)
		trace_read_skip_bom(&line, &len);
	if (trace_read_check_nul(r, line, len, "header") < 0)
		return -1;
	json_t *header = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!header)
		return trace_read_fail(r, r->in.line_no, jerr.column, "header", "JSON: %s", jerr.text);
	char err[256];
	int bad = trace_header_check(header, 0, r->name, NULL, err, sizeof err);
	json_decref(header);
	if (bad)
		return trace_read_fail(r, r->in.line_no, 0, "header", "%s", err);

	while ((got = trace_input_next_line(&r->in, &line, &len)) == 1) {
		if (trace_read_is_blank(line, len))
			continue;
		if (trace_read_check_nul(r, line, len, NULL) < 0)
			return -1;
		/* The common shape without jansson; every other line through it. */
		struct trace_raw_event raw;
		if (!trace_fastline_parse(line, len, &raw)) {
			json_t *event = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
			if (!event)
				return trace_read_fail(r, r->in.line_no, jerr.column, NULL, "JSON: %s", jerr.text);
			int bad_fields = trace_compiler_read_json(&r->compiler, event, &raw);
			json_decref(event);
			if (bad_fields)
				return trace_read_fail(r, r->in.line_no, 0, NULL, "%s", r->compiler.error);
		}
		if (trace_read_emit_raw(r, &raw) < 0)
			return -1;
	}
	if (got < 0)
		return trace_read_fail(r, r->in.line_no, 0, NULL, "%s", r->in.error);
	if (r->compiler.summary.events == 0)
		return trace_read_fail(r, r->in.line_no, 0, "file", "no events after the header");
	return 0;
}

static int trace_read_document(struct trace_reader *r)
{
	char *data;
	size_t len;
	if (trace_input_read_all(&r->in, &data, &len) < 0)
		return trace_read_fail(r, 0, 0, "file", "%s", r->in.error);
	int rc = -1;
	json_t *doc = NULL;
	json_error_t jerr;
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		memset(data, ' ', 3); /* a byte order mark: read as whitespace */
	const char *nul = memchr(data, '\0', len);
	if (trace_read_is_blank(data, len)) {
		trace_read_fail(r, 1, 0, "file", "empty file: no trace document");
		goto out;
	}
	if (nul) {
		uint64_t line;
		int col;
		trace_docpos_line_col(data, (size_t)(nul - data), &line, &col);
		trace_read_fail(r, line, col, "document", "NUL byte in the file (binary data?)");
		goto out;
	}
	doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		trace_read_fail(r, jerr.line > 0 ? (uint64_t)jerr.line : 0, jerr.column, "document",
				"JSON: %s", jerr.text);
		goto out;
	}
	uint64_t line;
	int col;
	trace_docpos_line_col(data, trace_docpos_skip_ws(data, len, 0), &line, &col);
	const json_t *events = NULL;
	char err[256];
	if (trace_header_check(doc, 1, r->name, &events, err, sizeof err) < 0) {
		trace_read_fail(r, line, col, "header", "%s", err);
		goto out;
	}
	size_t n = json_array_size(events);
	for (size_t k = 0; k < n; k++) {
		struct trace_event compiled;
		if (trace_compiler_add(&r->compiler, json_array_get(events, k), &compiled) < 0) {
			/* Only now pay for finding where the event is. */
			size_t at = trace_docpos_find_event(data, len, k);
			if (at == (size_t)-1) {
				line = 0;
				col = 0;
			} else {
				trace_docpos_line_col(data, at, &line, &col);
			}
			trace_read_fail(r, line, col, NULL, "%s", r->compiler.error);
			goto out;
		}
		if (r->emit(r->emit_ctx, &compiled) < 0)
			goto out;
	}
	if (n == 0) {
		trace_read_fail(r, line, col, "file", "\"events\" is empty: a trace needs at least one event");
		goto out;
	}
	rc = 0;
out:
	json_decref(doc);
	free(data);
	return rc;
}

/* Decides the form of a file named neither .json nor .jsonl: JSON Lines
 * if its first non-blank line alone is an object without "events". */
static int trace_read_sniff(struct trace_reader *r, enum trace_form *form)
{
	char *line;
	size_t len;
	int got;
	while ((got = trace_input_next_line(&r->in, &line, &len)) == 1 && trace_read_is_blank(line, len))
		;
	*form = TRACE_FORM_DOCUMENT;
	if (got == 1) {
		if (r->in.line_no == 1)
			trace_read_skip_bom(&line, &len);
		json_t *first = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
		if (json_is_object(first) && !json_object_get(first, "events"))
			*form = TRACE_FORM_LINES;
		json_decref(first);
	}
	if (trace_input_rewind(&r->in) < 0)
		return trace_read_fail(r, 0, 0, "file", "%s", r->in.error);
	return 0;
}

int trace_read(const char *path, trace_emit_fn emit, void *emit_ctx,
	       struct trace_summary *summary, char name[256])
{
	struct trace_reader r = {.path = path, .emit = emit, .emit_ctx = emit_ctx};
	if (trace_input_open(&r.in, path) < 0) {
		fprintf(stderr, "%s: %s\n", path, r.in.error);
		return -1;
	}
	if (trace_compiler_init(&r.compiler) < 0) {
		fprintf(stderr, "%s: out of memory\n", path);
		trace_input_close(&r.in);
		return -1;
	}
	enum trace_form form = trace_read_form_of(path);
	int rc = 0;
	if (form == TRACE_FORM_SNIFF)
		rc = trace_read_sniff(&r, &form);
	if (rc == 0)
		rc = form == TRACE_FORM_LINES ? trace_read_lines(&r) : trace_read_document(&r);
	if (rc == 0) {
		trace_compiler_summary(&r.compiler, summary);
		memcpy(name, r.name, sizeof r.name);
	}
	trace_compiler_free(&r.compiler);
	trace_input_close(&r.in);
	return rc;
}
