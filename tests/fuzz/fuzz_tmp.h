/*
 * fuzz_tmp.h: scratch files for the fuzz targets.
 *
 * The readers under test take a path (they choose the trace's form by the
 * file name and read through zlib), so each input is written to a file in
 * a private directory, on tmpfs when there is one: a fuzzer runs thousands
 * of inputs a second and must not wear a disk or leave files behind.
 */
#ifndef FRAGLAB_FUZZ_TMP_H
#define FRAGLAB_FUZZ_TMP_H

#include <stddef.h>
#include <stdint.h>

/* The private directory, created on first use and removed at exit. */
const char *fuzz_tmp_dir(void);

/* Writes data to fuzz_tmp_dir()/input.SUFFIX and returns that path (a
 * static buffer, valid until the next call).  Aborts if it cannot: a
 * fuzzer that silently tests nothing is worse than one that stops. */
const char *fuzz_tmp_write(const uint8_t *data, size_t size, const char *suffix);

/* A path in fuzz_tmp_dir() for an output file (static buffer). */
const char *fuzz_tmp_path(const char *file_name);

/* Removes every file in fuzz_tmp_dir() (the directory itself stays). */
void fuzz_tmp_clear(void);

#endif
