/*
 * fuzz_trace_open.h: the body shared by the two trace fuzz targets.
 *
 * Runs the whole path a trace takes in fraglab: trace_open (cache key,
 * reader, validator, compiler, cache writer, cache mapping and its
 * verification), with the compile cache in the fuzzer's private tmpfs
 * directory and emptied after every input, so every input is compiled
 * afresh and nothing accumulates.  An accepted trace goes through the
 * oracle (fuzz_trace_check.h); a refused one must simply not crash.
 */
#ifndef FRAGLAB_FUZZ_TRACE_OPEN_H
#define FRAGLAB_FUZZ_TRACE_OPEN_H

#include <stddef.h>
#include <stdint.h>

/* Points FRAGLAB_CACHE_DIR at the private directory; call once. */
void fuzz_trace_open_init(void);

/* Writes data to a file ending in suffix and opens it as a trace. */
void fuzz_trace_open_bytes(const uint8_t *data, size_t size, const char *suffix);

/* 1 if data starts with gzip's magic bytes. */
int fuzz_is_gzip(const uint8_t *data, size_t size);

#endif
