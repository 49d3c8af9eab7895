/*
 * fuzz_trace_check.h: the fuzz targets' oracle for an accepted trace.
 *
 * A sanitizer finds memory errors, but a reader that accepts a bad trace
 * or compiles a good one wrongly crashes nothing: the replayer relies on
 * the compiled form's invariants without checking them (trace.h).  So
 * every trace the reader accepts is re-checked here, event by event, by a
 * simulation independent of the compiler, and its summary recomputed.
 * A violation aborts, which libFuzzer reports as a crash with the input.
 */
#ifndef FRAGLAB_FUZZ_TRACE_CHECK_H
#define FRAGLAB_FUZZ_TRACE_CHECK_H

#include "trace.h"

/* Aborts with a message naming the violated invariant unless t's events
 * and summary satisfy every invariant listed in trace.h. */
void fuzz_trace_check(const struct trace *t);

#endif
