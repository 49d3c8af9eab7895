/*
 * fuzz_trace_jsonl: libFuzzer target for the JSON Lines trace reader,
 * validator and compiler (docs/fuzzing.md).
 *
 * Each input is a .jsonl file (.jsonl.gz when it starts with gzip's magic,
 * so corrupt gzip streams are fuzzed too) opened with trace_open.  Besides
 * the oracle of fuzz_trace_open.h, every line the fast path accepts is
 * also read by jansson, and the two readings must agree: the fast path
 * claims to accept only lines jansson reads the same way
 * (trace_fastline.h), and a disagreement would silently change a trace.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_trace_open.h"
#include "trace_compile.h"
#include "trace_fastline.h"

static struct trace_compiler field_reader; /* only its error buffer is used */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_trace_open_init();
	if (trace_compiler_init(&field_reader) < 0)
		abort();
	return 0;
}

/* The fast path's reading of one line must be jansson's. */
static void check_fastline_agrees(const char *line, size_t len)
{
	struct trace_raw_event fast, slow;
	if (!trace_fastline_parse(line, len, &fast))
		return;
	json_error_t jerr;
	json_t *event = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!event) {
		fprintf(stderr, "fastline accepted a line jansson refuses (%s): %.*s\n", jerr.text, (int)len, line);
		abort();
	}
	int bad = trace_compiler_read_json(&field_reader, event, &slow);
	json_decref(event);
	if (bad) {
		fprintf(stderr, "fastline accepted a line whose fields jansson refuses (%s): %.*s\n",
			field_reader.error, (int)len, line);
		abort();
	}
	if (fast.op != slow.op || fast.id != slow.id || fast.size != slow.size || fast.nmemb != slow.nmemb ||
	    fast.align != slow.align || fast.tid != slow.tid || fast.ns != slow.ns) {
		fprintf(stderr, "fastline and jansson read different events from: %.*s\n", (int)len, line);
		abort();
	}
}

static void check_every_line(const uint8_t *data, size_t size)
{
	/* The reader hands the fast path a NUL-terminated line without its
	 * newline or CR; give it the same. */
	char *copy = malloc(size + 1);
	if (!copy)
		abort();
	size_t start = 0;
	while (start < size) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t end = nl ? (size_t)(nl - data) : size;
		size_t len = end - start;
		if (len && data[start + len - 1] == '\r')
			len--;
		memcpy(copy, data + start, len);
		copy[len] = '\0';
		if (!memchr(copy, '\0', len))
			check_fastline_agrees(copy, len);
		start = end + 1;
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_is_gzip(data, size)) {
		fuzz_trace_open_bytes(data, size, ".jsonl.gz");
		return 0;
	}
	check_every_line(data, size);
	fuzz_trace_open_bytes(data, size, ".jsonl");
	return 0;
}
