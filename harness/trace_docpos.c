/* trace_docpos.c: see trace_docpos.h. */
#include "trace_docpos.h"

#include <jansson.h>
#include <string.h>

/* 1-based character column of byte offset `at` in its line. */
int trace_docpos_column(const char *line, size_t at)
{
	int col = 1;
	for (size_t i = 0; i < at; i++)
		if (((unsigned char)line[i] & 0xc0) != 0x80) /* not a UTF-8 continuation byte */
			col++;
	return col;
}

size_t trace_docpos_skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

static size_t trace_docpos_skip_string(const char *s, size_t len, size_t i)
{
	for (i++; i < len && s[i] != '"'; i++)
		if (s[i] == '\\')
			i++;
	return i < len ? i + 1 : len; /* unterminated: stop at the end */
}

static size_t trace_docpos_skip_value(const char *s, size_t len, size_t i)
{
	if (s[i] == '"')
		return trace_docpos_skip_string(s, len, i);
	if (s[i] == '{' || s[i] == '[') {
		int depth = 0;
		while (i < len) {
			if (s[i] == '"') {
				i = trace_docpos_skip_string(s, len, i);
				continue;
			}
			if (s[i] == '{' || s[i] == '[')
				depth++;
			else if (s[i] == '}' || s[i] == ']') {
				if (--depth == 0)
					return i + 1;
			}
			i++;
		}
		return i;
	}
	while (i < len && !strchr(",]} \t\r\n", s[i]))
		i++;
	return i;
}

/* Is the JSON string literal s[from, to) (quotes included) "events"? */
static int trace_docpos_key_is_events(const char *s, size_t from, size_t to)
{
	if (!memchr(s + from, '\\', to - from))
		return to - from == 8 && !memcmp(s + from, "\"events\"", 8);
	json_t *key = json_loadb(s + from, to - from, JSON_DECODE_ANY, NULL);
	int is = key && json_is_string(key) && !strcmp(json_string_value(key), "events");
	json_decref(key);
	return is;
}

/* Byte offset where element `index` of the top-level "events" array
 * starts, or (size_t)-1 if not found. */
size_t trace_docpos_find_event(const char *s, size_t len, uint64_t index)
{
	size_t i = trace_docpos_skip_ws(s, len, 0);
	if (i >= len || s[i] != '{')
		return (size_t)-1;
	i++;
	for (;;) {
		i = trace_docpos_skip_ws(s, len, i);
		if (i >= len || s[i] != '"')
			return (size_t)-1;
		size_t key_end = trace_docpos_skip_string(s, len, i);
		int is_events = trace_docpos_key_is_events(s, i, key_end);
		i = trace_docpos_skip_ws(s, len, key_end);
		i = trace_docpos_skip_ws(s, len, i + 1); /* past ':' */
		if (i >= len)
			return (size_t)-1;
		if (is_events && s[i] == '[') {
			i++;
			for (uint64_t k = 0;; k++) {
				i = trace_docpos_skip_ws(s, len, i);
				if (i >= len || s[i] == ']')
					return (size_t)-1;
				if (k == index)
					return i;
				i = trace_docpos_skip_ws(s, len, trace_docpos_skip_value(s, len, i));
				if (i >= len || s[i] != ',')
					return (size_t)-1;
				i++;
			}
		}
		i = trace_docpos_skip_ws(s, len, trace_docpos_skip_value(s, len, i));
		if (i >= len || s[i] != ',')
			return (size_t)-1;
		i++;
	}
}

/* Line and column of byte offset `at` in s. */
void trace_docpos_line_col(const char *s, size_t at, uint64_t *line, int *col)
{
	size_t line_start = 0;
	*line = 1;
	for (size_t i = 0; i < at; i++) {
		if (s[i] == '\n') {
			(*line)++;
			line_start = i + 1;
		}
	}
	*col = trace_docpos_column(s + line_start, at - line_start);
}
