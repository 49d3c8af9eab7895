/*
 * trace_docpos.h: positions in a document-form trace, for error messages.
 *
 * jansson reports where a syntax error is but keeps no positions for the
 * values it builds, so when an event of a valid document fails validation
 * these helpers scan the text again to find where that event starts.  The
 * text has already been accepted by jansson, so the scanner need not
 * handle malformed JSON (it stays within bounds whatever it is given).
 */
#ifndef FRAGLAB_TRACE_DOCPOS_H
#define FRAGLAB_TRACE_DOCPOS_H

#include <stddef.h>
#include <stdint.h>

/* 1-based character (not byte) column of byte offset `at` in line. */
int trace_docpos_column(const char *line, size_t at);

/* The first offset >= i that is not JSON whitespace (or len). */
size_t trace_docpos_skip_ws(const char *s, size_t len, size_t i);

/* Byte offset where element `index` of the top-level "events" array
 * starts, or (size_t)-1 if there is none. */
size_t trace_docpos_find_event(const char *s, size_t len, uint64_t index);

/* 1-based line and character column of byte offset `at` in s. */
void trace_docpos_line_col(const char *s, size_t at, uint64_t *line, int *col);

#endif
