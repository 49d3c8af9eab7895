/*
 * bench_csv.h: a small in-memory CSV table for bench, sweep and summary.
 *
 * Columns are found by header name, never by position, so replay may add,
 * drop or reorder columns without breaking its readers.  Fields follow
 * RFC 4180 (quotes, doubled quotes, CRLF); a missing trailing field reads
 * as "".  Every cell is an owned string.
 */
#ifndef FRAGLAB_BENCH_CSV_H
#define FRAGLAB_BENCH_CSV_H

#include <stdio.h>
#include <stddef.h>

struct bench_csv_row {
	size_t n_cells;
	char **cells;
};

struct bench_csv {
	size_t n_cols;
	char **header;
	size_t n_rows, cap_rows;
	struct bench_csv_row *rows;
};

/* An empty table with the given columns (n may be 0). */
void bench_csv_init(struct bench_csv *t, const char *const *columns, size_t n);
void bench_csv_free(struct bench_csv *t);

/* Reads a whole CSV file, first line the header.  On error prints one line
 * naming the file (and line) to stderr and returns -1. */
int bench_csv_read(const char *path, struct bench_csv *out);

/* Index of the column named `name`, or -1. */
int bench_csv_col(const struct bench_csv *t, const char *name);
/* Index of the column named `name`, appended (empty in every row) if new. */
size_t bench_csv_add_col(struct bench_csv *t, const char *name);

/* Cell text; "" for a column the row lacks or col < 0. */
const char *bench_csv_get(const struct bench_csv *t, size_t row, int col);
/* Cell text by column name; "" when the column does not exist. */
const char *bench_csv_field(const struct bench_csv *t, size_t row, const char *name);
/* Parses a cell as a number: 1 and *out on success, 0 for empty/non-numeric. */
int bench_csv_number(const struct bench_csv *t, size_t row, int col, double *out);

/* Appends an empty row and returns its index. */
size_t bench_csv_add_row(struct bench_csv *t);
void bench_csv_set(struct bench_csv *t, size_t row, size_t col, const char *value);
/* Sets a cell by column name, adding the column when it is new. */
void bench_csv_set_field(struct bench_csv *t, size_t row, const char *name, const char *value);
/* Appends row `src_row` of `src` to `dst`, matching columns by name and
 * adding the ones `dst` lacks.  Returns the new row's index in dst. */
size_t bench_csv_append_row(struct bench_csv *dst, const struct bench_csv *src, size_t src_row);

/* Writes the table (header, then rows) as CSV, quoting where needed. */
int bench_csv_write(const struct bench_csv *t, FILE *out);
/* Writes the table to `path` whole or not at all (temp file, then rename). */
int bench_csv_save(const struct bench_csv *t, const char *path);

#endif
