/* trace_read.c: see trace_read.h. */
#include "trace_read.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_docstream.h"
#include "trace_fastline.h"
#include "trace_header.h"
#include "trace_reader.h"

int trace_read_fail(struct trace_reader *r, uint64_t line, int col, const char *context,
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

int trace_read_is_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return 0;
	return 1;
}

void trace_read_skip_bom(char **text, size_t *len)
{
	if (*len >= 3 && !memcmp(*text, "\xef\xbb\xbf", 3)) {
		*text += 3;
		*len -= 3;
	}
}

int trace_read_column(const char *line, size_t at)
{
	int col = 1;
	for (size_t i = 0; i < at; i++)
		if (((unsigned char)line[i] & 0xc0) != 0x80) /* not a UTF-8 continuation byte */
			col++;
	return col;
}

/* Refuses NUL bytes, which jansson would report as a confusing "end of file". */
static int trace_read_check_nul(struct trace_reader *r, const char *line, size_t len,
				const char *context)
{
	const char *nul = memchr(line, '\0', len);
	if (!nul)
		return 0;
	return trace_read_fail(r, r->in.line_no, trace_read_column(line, (size_t)(nul - line)), context,
			       "NUL byte in the line (binary data?)");
}

int trace_read_emit_raw(struct trace_reader *r, const struct trace_raw_event *raw, uint64_t line, int col)
{
	struct trace_event compiled;
	if (trace_compiler_add_raw(&r->compiler, raw, &compiled) < 0)
		return trace_read_fail(r, line, col, NULL, "%s", r->compiler.error);
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
		if (trace_read_emit_raw(r, &raw, r->in.line_no, 0) < 0)
			return -1;
	}
	if (got < 0)
		return trace_read_fail(r, r->in.line_no, 0, NULL, "%s", r->in.error);
	if (r->compiler.summary.events == 0)
		return trace_read_fail(r, r->in.line_no, 0, "file", "no events after the header");
	return 0;
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
		rc = form == TRACE_FORM_LINES ? trace_read_lines(&r) : trace_docstream_read(&r);
	if (rc == 0) {
		trace_compiler_summary(&r.compiler, summary);
		memcpy(name, r.name, sizeof r.name);
	}
	trace_compiler_free(&r.compiler);
	trace_input_close(&r.in);
	return rc;
}
