/*
 * trace_fastline.h: a fast path for the common shape of a JSON Lines event,
 * e.g. {"op":"malloc","id":12,"size":64,"tid":3}, read without building a
 * jansson object (about ten times faster than json_loadb).
 *
 * It accepts only a strict subset of JSON on which its reading provably
 * equals jansson's: one flat object whose keys are all among op, id, size,
 * nmemb, align, tid, ns (each at most once), "op" a known op name without
 * escapes, every other value a plain decimal integer of at most 18 digits
 * (so below 2^63), tid at most 2^32-1, the op's required keys present,
 * spaces and tabs as the only whitespace.  Anything else is declined and
 * goes to jansson, which either accepts it with the same meaning or
 * produces the error message.  tests/harness_trace.c checks the agreement
 * on mutated inputs.
 */
#ifndef FRAGLAB_TRACE_FASTLINE_H
#define FRAGLAB_TRACE_FASTLINE_H

#include <stddef.h>

#include "trace_compile.h"

/* Returns 1 and fills *raw if the line has the fast shape, else 0. */
int trace_fastline_parse(const char *line, size_t len, struct trace_raw_event *raw);

#endif
