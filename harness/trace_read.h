/*
 * trace_read.h: reads a trace file in either form (docs/trace-format.md),
 * validates it and hands each compiled event to a callback, in order.
 *
 * The JSON Lines form is streamed one line at a time (jansson per line),
 * so memory does not depend on the trace's length; the document form is
 * read whole.
 */
#ifndef FRAGLAB_TRACE_READ_H
#define FRAGLAB_TRACE_READ_H

#include "trace.h"

/* How a file is read, decided by its name (docs/trace-format.md).  The
 * same bytes read as another form mean another thing, so the form is part
 * of the cache key. */
enum trace_form { TRACE_FORM_SNIFF, TRACE_FORM_DOCUMENT, TRACE_FORM_LINES };
enum trace_form trace_read_form_of(const char *path);

/* Receives one compiled event.  Returns 0, or -1 after printing its own
 * one-line error to stderr (this stops the read). */
typedef int (*trace_emit_fn)(void *ctx, const struct trace_event *event);

/* Reads and validates the trace at path.  On success fills *summary and
 * name (the header's "name", or "" if it has none) and returns 0.  On bad
 * input prints "FILE:LINE[:COL]: CONTEXT: WHAT" to stderr and returns -1. */
int trace_read(const char *path, trace_emit_fn emit, void *emit_ctx,
	       struct trace_summary *summary, char name[256]);

/* A trace's name when its header has none: the file's name without
 * directory, ".gz" and one more extension, control characters as '?'. */
void trace_read_default_name(const char *path, char name[256]);

#endif
