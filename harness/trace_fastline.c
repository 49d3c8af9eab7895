/* trace_fastline.c: see trace_fastline.h. */
#include "trace_fastline.h"

#include <string.h>

enum trace_fastline_key {
	KEY_OP = 1 << 0,
	KEY_ID = 1 << 1,
	KEY_SIZE = 1 << 2,
	KEY_NMEMB = 1 << 3,
	KEY_ALIGN = 1 << 4,
	KEY_TID = 1 << 5,
	KEY_NS = 1 << 6,
};

static const char *trace_fastline_skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* A quoted string without escapes or control characters: its contents in
 * [*from, *to).  Returns the position after the closing quote or NULL. */
static const char *trace_fastline_string(const char *p, const char *end, const char **from, size_t *n)
{
	if (p >= end || *p != '"')
		return NULL;
	const char *s = ++p;
	while (p < end && *p != '"') {
		/* Escapes, control and non-ASCII bytes: leave to jansson. */
		if (*p == '\\' || (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x80)
			return NULL;
		p++;
	}
	if (p >= end)
		return NULL;
	*from = s;
	*n = (size_t)(p - s);
	return p + 1;
}

/* A JSON integer literal "0" or [1-9][0-9]{0,17}, not followed by a
 * fraction or exponent.  Returns the position after it or NULL. */
static const char *trace_fastline_number(const char *p, const char *end, int64_t *value)
{
	const char *start = p;
	int64_t v = 0;
	/* At most 18 digits: 10^18 - 1 < 2^63, so v cannot overflow; a 19th
	 * digit is caught below as "followed by a digit". */
	while (p < end && *p >= '0' && *p <= '9' && p - start < 18) {
		v = v * 10 + (*p - '0');
		p++;
	}
	size_t digits = (size_t)(p - start);
	if (digits == 0 || (digits > 1 && *start == '0'))
		return NULL;
	if (p < end && (*p == '.' || *p == 'e' || *p == 'E' || (*p >= '0' && *p <= '9')))
		return NULL;
	*value = v;
	return p;
}

static int trace_fastline_key_of(const char *s, size_t n)
{
	switch (n) {
	case 2:
		if (!memcmp(s, "op", 2)) return KEY_OP;
		if (!memcmp(s, "id", 2)) return KEY_ID;
		if (!memcmp(s, "ns", 2)) return KEY_NS;
		return 0;
	case 3:
		return !memcmp(s, "tid", 3) ? KEY_TID : 0;
	case 4:
		return !memcmp(s, "size", 4) ? KEY_SIZE : 0;
	case 5:
		if (!memcmp(s, "nmemb", 5)) return KEY_NMEMB;
		if (!memcmp(s, "align", 5)) return KEY_ALIGN;
		return 0;
	}
	return 0;
}

static int trace_fastline_op_of(const char *s, size_t n, enum trace_op *op)
{
	static const struct { const char *name; size_t len; enum trace_op op; } ops[] = {
		{"malloc", 6, TRACE_OP_MALLOC}, {"free", 4, TRACE_OP_FREE},
		{"calloc", 6, TRACE_OP_CALLOC}, {"realloc", 7, TRACE_OP_REALLOC},
		{"memalign", 8, TRACE_OP_MEMALIGN},
	};
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (n == ops[i].len && !memcmp(s, ops[i].name, n)) {
			*op = ops[i].op;
			return 1;
		}
	}
	return 0;
}

int trace_fastline_parse(const char *line, size_t len, struct trace_raw_event *raw)
{
	const char *p = line, *end = line + len;
	unsigned seen = 0;
	memset(raw, 0, sizeof *raw);
	p = trace_fastline_skip_ws(p, end);
	if (p >= end || *p++ != '{')
		return 0;
	for (;;) {
		const char *s;
		size_t n;
		p = trace_fastline_skip_ws(p, end);
		if (!(p = trace_fastline_string(p, end, &s, &n)))
			return 0;
		int key = trace_fastline_key_of(s, n);
		if (!key || (seen & (unsigned)key)) /* unknown or duplicate key */
			return 0;
		seen |= (unsigned)key;
		p = trace_fastline_skip_ws(p, end);
		if (p >= end || *p++ != ':')
			return 0;
		p = trace_fastline_skip_ws(p, end);
		if (key == KEY_OP) {
			if (!(p = trace_fastline_string(p, end, &s, &n)) || !trace_fastline_op_of(s, n, &raw->op))
				return 0;
		} else {
			int64_t v;
			if (!(p = trace_fastline_number(p, end, &v)))
				return 0;
			switch (key) {
			case KEY_ID: raw->id = v; break;
			case KEY_SIZE: raw->size = v; break;
			case KEY_NMEMB: raw->nmemb = v; break;
			case KEY_ALIGN: raw->align = v; break;
			case KEY_TID:
				if (v > (int64_t)UINT32_MAX)
					return 0;
				raw->tid = v;
				break;
			case KEY_NS: raw->ns = v; break;
			}
		}
		p = trace_fastline_skip_ws(p, end);
		if (p >= end)
			return 0;
		if (*p == '}')
			break;
		if (*p++ != ',')
			return 0;
	}
	if (trace_fastline_skip_ws(p + 1, end) != end)
		return 0;
	/* Required keys; anything missing gets jansson's exact message. */
	unsigned need = KEY_OP | KEY_ID;
	if (!(seen & KEY_OP))
		return 0;
	switch (raw->op) {
	case TRACE_OP_MALLOC:
	case TRACE_OP_REALLOC: need |= KEY_SIZE; break;
	case TRACE_OP_CALLOC: need |= KEY_NMEMB | KEY_SIZE; break;
	case TRACE_OP_MEMALIGN: need |= KEY_ALIGN | KEY_SIZE; break;
	default: break;
	}
	if ((seen & need) != need)
		return 0;
	/* Keys the op does not use are ignored, as jansson's path ignores them. */
	if (raw->op != TRACE_OP_CALLOC)
		raw->nmemb = 0;
	if (raw->op != TRACE_OP_MEMALIGN)
		raw->align = 0;
	if (raw->op == TRACE_OP_FREE)
		raw->size = 0;
	return 1;
}
