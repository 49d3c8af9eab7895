/*
 * trace_header.h: validates a trace's header object: the JSON Lines form's
 * first line, or the document form's top-level object.
 */
#ifndef FRAGLAB_TRACE_HEADER_H
#define FRAGLAB_TRACE_HEADER_H

#include <jansson.h>
#include <stddef.h>

#define TRACE_FORMAT_NAME "fraglab-trace"
#define TRACE_FORMAT_VERSION 1
#define TRACE_NAME_MAX 255   /* bytes, excluding the terminating NUL */

/* Checks header.  document != 0: "events" must be an array, returned in
 * *events; document == 0: "events" is refused.  Copies "name" into
 * name[TRACE_NAME_MAX + 1], or leaves name[0] = '\0' when absent.
 * Returns 0, or -1 with a one-line reason in err. */
int trace_header_check(const json_t *header, int document, char *name,
		       const json_t **events, char *err, size_t err_len);

#endif
