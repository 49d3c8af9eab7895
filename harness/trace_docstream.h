/*
 * trace_docstream.h: reads a document-form trace as a stream.
 *
 * The top-level object is tokenised here, one key at a time; each value
 * (each header value, each element of "events") is cut out whole by a
 * bracket-and-string-aware scan and only then parsed, by the fast path or
 * by jansson.  So memory is bounded by the largest single value (at most
 * TRACE_DOCSTREAM_MAX_VALUE bytes), never by the trace's length, and every
 * event's line and column are known when it fails validation.
 *
 * Keys are handled in file order: events are compiled as they come, the
 * header keys ("format", "version", "name") are checked when the object
 * closes, and errors are reported in file order.
 */
#ifndef FRAGLAB_TRACE_DOCSTREAM_H
#define FRAGLAB_TRACE_DOCSTREAM_H

#include "trace_reader.h"

#define TRACE_DOCSTREAM_MAX_VALUE (1u << 20) /* bytes, like a JSON Lines line */

/* Reads the document from r->in (nothing read yet).  Returns 0, or -1
 * after printing one error line. */
int trace_docstream_read(struct trace_reader *r);

#endif
