/*
 * import_malloclab.c: reads CS:APP malloclab `.rep` traces.
 *
 * Format: four header lines, each one integer (suggested heap size, number
 * of ids, number of operations, weight), then one operation per line:
 *   a ID SIZE    allocate SIZE bytes as block ID
 *   r ID SIZE    realloc block ID to SIZE bytes
 *   f ID         free block ID
 * Variants seen in traces recorded from real programs are accepted:
 *   f -1         free(NULL): dropped
 *   r ID SIZE    on an ID not allocated: realloc(NULL, SIZE), i.e. malloc
 *   r ID 0       on an allocated ID: realloc(p, 0), i.e. free
 * Block ids become trace ids unchanged (they are reused after their free,
 * which the v1 format allows).  Blank lines are skipped.  Everything else
 * is an error naming the file and line.
 */
#include "import.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ids above this are refused rather than sized into a huge table. */
#define IMPORT_MAX_IDS (1u << 26)
/* Sizes above this are refused as absurd (and keep nmemb*size arithmetic
 * of downstream tools far from overflow). */
#define IMPORT_MAX_SIZE (1ULL << 48)

struct import_reader {
	const char *path;
	FILE *in;
	char *line;
	size_t cap;
	unsigned long lineno;
};

static int import_fail(const struct import_reader *r, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "fraglab import: %s:%lu: ", r->path, r->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* Reads the next line without its newline; 0 at end of file. */
static int import_next_line(struct import_reader *r)
{
	ssize_t n = getline(&r->line, &r->cap, r->in);
	if (n < 0)
		return 0;
	r->lineno++;
	while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
		r->line[--n] = '\0';
	return 1;
}

static int import_is_blank(const char *s)
{
	return s[strspn(s, " \t")] == '\0';
}

/* Parses a signed decimal integer token starting at *s, advancing *s past it.
 * Returns 0 on success. */
static int import_int_token(const char **s, long long *out)
{
	const char *p = *s + strspn(*s, " \t");
	char *end;
	if (!*p)
		return -1;
	errno = 0;
	long long v = strtoll(p, &end, 10);
	if (end == p || errno || (*end && *end != ' ' && *end != '\t'))
		return -1;
	*out = v;
	*s = end;
	return 0;
}

static const char *const header_fields[4] = {
	"suggested heap size", "number of ids", "number of operations", "weight",
};

int import_malloclab(const char *in_path, struct record_writer *w)
{
	struct import_reader r = {.path = in_path};
	r.in = fopen(in_path, "r");
	if (!r.in) {
		fprintf(stderr, "fraglab import: cannot open %s: %s\n", in_path, strerror(errno));
		return -1;
	}
	int rc = -1;
	unsigned char *live = NULL;
	long long header[4];
	for (int i = 0; i < 4; i++) {
		if (!import_next_line(&r)) {
			import_fail(&r, "end of file in the header: expected the %s (4 header lines)",
				    header_fields[i]);
			goto out;
		}
		const char *p = r.line;
		if (import_int_token(&p, &header[i]) || !import_is_blank(p) || header[i] < 0) {
			import_fail(&r, "header line %d (%s) must be one non-negative integer, not '%s'",
				    i + 1, header_fields[i], r.line);
			goto out;
		}
	}
	long long n_ids = header[1], n_ops = header[2];
	if (n_ids > IMPORT_MAX_IDS) {
		import_fail(&r, "number of ids %lld is absurd (more than %u)", n_ids, IMPORT_MAX_IDS);
		goto out;
	}
	live = calloc((size_t)n_ids + 1, 1);
	if (!live) {
		fprintf(stderr, "fraglab import: out of memory\n");
		goto out;
	}
	long long ops = 0;
	while (import_next_line(&r)) {
		if (import_is_blank(r.line))
			continue;
		const char *p = r.line + strspn(r.line, " \t");
		char op = *p++;
		if ((op != 'a' && op != 'r' && op != 'f') || (*p != ' ' && *p != '\t')) {
			import_fail(&r, "unknown operation '%s' (expected 'a ID SIZE', 'r ID SIZE' or 'f ID')",
				    r.line);
			goto out;
		}
		long long id, size = 0;
		if (import_int_token(&p, &id) || (op != 'f' && import_int_token(&p, &size)) ||
		    !import_is_blank(p)) {
			import_fail(&r, "malformed '%c' operation '%s' (expected '%s')", op, r.line,
				    op == 'f' ? "f ID" : op == 'a' ? "a ID SIZE" : "r ID SIZE");
			goto out;
		}
		if (++ops > n_ops) {
			import_fail(&r, "more operations than the %lld the header announces", n_ops);
			goto out;
		}
		if (op == 'f' && id == -1)
			continue; /* free(NULL) */
		if (id < 0 || id >= n_ids) {
			import_fail(&r, "id %lld is outside 0..%lld (the header's number of ids)", id,
				    n_ids - 1);
			goto out;
		}
		if (size < 0 || (unsigned long long)size > IMPORT_MAX_SIZE) {
			import_fail(&r, "size %lld is negative or absurd", size);
			goto out;
		}
		struct record_event ev = {.id = (uint64_t)id, .size = (uint64_t)size, .tid = RECORD_NO_TID};
		switch (op) {
		case 'a':
			if (live[id]) {
				import_fail(&r, "'a %lld' allocates id %lld, which is already allocated", id, id);
				goto out;
			}
			ev.op = TRACE_OP_MALLOC;
			live[id] = 1;
			break;
		case 'r':
			if (!live[id]) {
				ev.op = TRACE_OP_MALLOC; /* realloc(NULL, size) */
				live[id] = 1;
			} else if (size == 0) {
				ev.op = TRACE_OP_FREE;   /* realloc(p, 0) */
				live[id] = 0;
			} else {
				ev.op = TRACE_OP_REALLOC;
			}
			break;
		default:
			if (!live[id]) {
				import_fail(&r, "'f %lld' frees id %lld, which is not allocated", id, id);
				goto out;
			}
			ev.op = TRACE_OP_FREE;
			live[id] = 0;
			break;
		}
		record_writer_event(w, &ev);
	}
	if (ferror(r.in)) {
		fprintf(stderr, "fraglab import: %s: read error: %s\n", in_path, strerror(errno));
		goto out;
	}
	if (ops != n_ops) {
		import_fail(&r, "the header announces %lld operations but the file has %lld", n_ops, ops);
		goto out;
	}
	rc = 0;
out:
	free(live);
	free(r.line);
	fclose(r.in);
	return rc;
}
