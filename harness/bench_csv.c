/* bench_csv.c: read, build and write the CSV tables bench and sweep keep. */
#include "bench_csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench_outfile.h"

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "fraglab: out of memory\n");
		exit(1);
	}
	return q;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xrealloc(NULL, n), s, n);
}

void bench_csv_init(struct bench_csv *t, const char *const *columns, size_t n)
{
	memset(t, 0, sizeof *t);
	for (size_t i = 0; i < n; i++)
		bench_csv_add_col(t, columns[i]);
}

void bench_csv_free(struct bench_csv *t)
{
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t c = 0; c < t->rows[r].n_cells; c++)
			free(t->rows[r].cells[c]);
		free(t->rows[r].cells);
	}
	for (size_t c = 0; c < t->n_cols; c++)
		free(t->header[c]);
	free(t->rows);
	free(t->header);
	memset(t, 0, sizeof *t);
}

int bench_csv_col(const struct bench_csv *t, const char *name)
{
	for (size_t c = 0; c < t->n_cols; c++)
		if (!strcmp(t->header[c], name))
			return (int)c;
	return -1;
}

size_t bench_csv_add_col(struct bench_csv *t, const char *name)
{
	int c = bench_csv_col(t, name);
	if (c >= 0)
		return (size_t)c;
	t->header = xrealloc(t->header, (t->n_cols + 1) * sizeof *t->header);
	t->header[t->n_cols] = xstrdup(name);
	return t->n_cols++;
}

const char *bench_csv_get(const struct bench_csv *t, size_t row, int col)
{
	if (col < 0 || row >= t->n_rows || (size_t)col >= t->rows[row].n_cells)
		return "";
	const char *s = t->rows[row].cells[col];
	return s ? s : "";
}

const char *bench_csv_field(const struct bench_csv *t, size_t row, const char *name)
{
	return bench_csv_get(t, row, bench_csv_col(t, name));
}

int bench_csv_number(const struct bench_csv *t, size_t row, int col, double *out)
{
	const char *s = bench_csv_get(t, row, col);
	if (!*s)
		return 0;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	while (*end == ' ')
		end++;
	if (end == s || *end || errno == ERANGE || !isfinite(v))
		return 0;
	*out = v;
	return 1;
}

size_t bench_csv_add_row(struct bench_csv *t)
{
	if (t->n_rows == t->cap_rows) {
		t->cap_rows = t->cap_rows ? 2 * t->cap_rows : 64;
		t->rows = xrealloc(t->rows, t->cap_rows * sizeof *t->rows);
	}
	t->rows[t->n_rows] = (struct bench_csv_row){0, NULL};
	return t->n_rows++;
}

void bench_csv_set(struct bench_csv *t, size_t row, size_t col, const char *value)
{
	struct bench_csv_row *r = &t->rows[row];
	if (col >= r->n_cells) {
		r->cells = xrealloc(r->cells, (col + 1) * sizeof *r->cells);
		for (size_t c = r->n_cells; c <= col; c++)
			r->cells[c] = NULL;
		r->n_cells = col + 1;
	}
	free(r->cells[col]);
	r->cells[col] = xstrdup(value);
}

void bench_csv_set_field(struct bench_csv *t, size_t row, const char *name, const char *value)
{
	bench_csv_set(t, row, bench_csv_add_col(t, name), value);
}

size_t bench_csv_append_row(struct bench_csv *dst, const struct bench_csv *src, size_t src_row)
{
	size_t r = bench_csv_add_row(dst);
	for (size_t c = 0; c < src->n_cols; c++)
		bench_csv_set_field(dst, r, src->header[c], bench_csv_get(src, src_row, (int)c));
	return r;
}

/* ------------------------------------------------------------ reading */

struct field_buf {
	char *s;
	size_t len, cap;
};

static void buf_push(struct field_buf *b, char ch)
{
	if (b->len + 1 >= b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->s = xrealloc(b->s, b->cap);
	}
	b->s[b->len++] = ch;
	b->s[b->len] = '\0';
}

static void buf_reset(struct field_buf *b)
{
	if (!b->s) {
		b->cap = 64;
		b->s = xrealloc(NULL, b->cap);
	}
	b->len = 0;
	b->s[0] = '\0';
}

/* Reads one record into `fields` (owned strings).  Returns the number of
 * fields, 0 at end of file, -1 on an unterminated quote. */
static long read_record(FILE *in, char ***fields, size_t *cap, unsigned long *line)
{
	struct field_buf b = {0};
	size_t n = 0;
	int ch = getc(in);
	if (ch == EOF)
		return 0;
	for (;;) {
		buf_reset(&b);
		if (ch == '"') {
			for (;;) {
				ch = getc(in);
				if (ch == EOF) {
					free(b.s);
					return -1;
				}
				if (ch == '\n')
					(*line)++;
				if (ch == '"') {
					ch = getc(in);
					if (ch != '"')
						break;
				}
				buf_push(&b, (char)ch);
			}
		}
		while (ch != ',' && ch != '\n' && ch != EOF) {
			if (ch != '\r')
				buf_push(&b, (char)ch);
			ch = getc(in);
		}
		if (n == *cap) {
			*cap = *cap ? 2 * *cap : 32;
			*fields = xrealloc(*fields, *cap * sizeof **fields);
		}
		(*fields)[n++] = xstrdup(b.s);
		if (ch != ',')
			break;
		ch = getc(in);
	}
	(*line)++;
	free(b.s);
	return (long)n;
}

int bench_csv_read(const char *path, struct bench_csv *out)
{
	FILE *in = fopen(path, "r");
	if (!in) {
		fprintf(stderr, "fraglab: %s: %s\n", path, strerror(errno));
		return -1;
	}
	bench_csv_init(out, NULL, 0);
	char **fields = NULL;
	size_t cap = 0;
	unsigned long line = 0;
	int rc = 0;
	long n = read_record(in, &fields, &cap, &line);
	if (n <= 0) {
		fprintf(stderr, "fraglab: %s: %s\n", path, n == 0 ? "empty CSV file (no header)" : "unterminated quote in header");
		rc = -1;
		goto done;
	}
	for (long i = 0; i < n; i++) {
		out->header = xrealloc(out->header, (out->n_cols + 1) * sizeof *out->header);
		out->header[out->n_cols++] = fields[i];
	}
	while ((n = read_record(in, &fields, &cap, &line)) > 0) {
		if (n == 1 && !fields[0][0]) { /* a blank line */
			free(fields[0]);
			continue;
		}
		size_t r = bench_csv_add_row(out);
		out->rows[r].cells = xrealloc(NULL, (size_t)n * sizeof(char *));
		memcpy(out->rows[r].cells, fields, (size_t)n * sizeof(char *));
		out->rows[r].n_cells = (size_t)n;
	}
	if (n < 0) {
		fprintf(stderr, "fraglab: %s:%lu: unterminated quote\n", path, line + 1);
		rc = -1;
	} else if (ferror(in)) {
		fprintf(stderr, "fraglab: %s: read error\n", path);
		rc = -1;
	}
done:
	free(fields);
	fclose(in);
	if (rc)
		bench_csv_free(out);
	return rc;
}

/* ------------------------------------------------------------ writing */

static void write_cell(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	putc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', out);
		putc(*s, out);
	}
	putc('"', out);
}

int bench_csv_write(const struct bench_csv *t, FILE *out)
{
	for (size_t c = 0; c < t->n_cols; c++) {
		if (c)
			putc(',', out);
		write_cell(out, t->header[c]);
	}
	putc('\n', out);
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t c = 0; c < t->n_cols; c++) {
			if (c)
				putc(',', out);
			write_cell(out, bench_csv_get(t, r, (int)c));
		}
		putc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

int bench_csv_save(const struct bench_csv *t, const char *path)
{
	struct bench_outfile f;
	FILE *out = bench_outfile_open(&f, path);
	if (!out)
		return -1;
	if (bench_csv_write(t, out)) {
		bench_outfile_abort(&f);
		fprintf(stderr, "fraglab: %s: write error\n", path);
		return -1;
	}
	return bench_outfile_commit(&f);
}
